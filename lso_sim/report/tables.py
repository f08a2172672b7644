"""The report as rich tables (built here, printed by the caller's console)."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from lso_sim.report.metrics import Report, Stats


def duration(seconds: float) -> str:
    """Seconds in a compact, readable unit: ``0.081 s``, ``12.5 min``, ``3.19 h``, ``2.10 d``."""
    if seconds < 60:
        return f"{seconds:.3f} s"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.2f} h"
    return f"{seconds / 86400:.2f} d"


def _stats_cells(stats: Stats) -> list[str]:
    return [duration(v) for v in (stats.minimum, stats.mean, stats.p50, stats.p95, stats.maximum)]


def _stats_columns(table: Table) -> None:
    for name in ("min", "mean", "p50", "p95", "max"):
        table.add_column(name, justify="right")


def _stats_table(title: str, what: str, rows: list[tuple[str, str, Stats]]) -> Table:
    """Statistics of durations per thread and ``what`` (a step, an end state)."""
    table = Table(title=title)
    table.add_column("thread")
    table.add_column(what)
    table.add_column("n", justify="right")
    _stats_columns(table)
    for thread, name, stats in rows:
        table.add_row(escape(thread), escape(name), str(stats.count), *_stats_cells(stats))
    return table


def report_tables(report: Report) -> list[Table]:
    """Instances, steps, IRPs, channels, actors and fall-out, one table each."""
    instances = Table(title=f"Lead time per thread instance ({len(report.instances)})")
    for name in ("thread", "instance", "end state", "start", "end", "lead time", "messages", "fall-out"):
        instances.add_column(name, justify="left" if name in ("thread", "instance", "end state") else "right")
    for i in report.instances:
        instances.add_row(
            escape(i.thread),
            escape(i.instance),
            escape(i.state),
            f"{i.start:,.3f}",
            f"{i.end:,.3f}",
            duration(i.lead_time),
            str(i.messages),
            str(i.fallout) if i.fallout else "",
        )

    states = _stats_table(
        "Lead time per end state",
        "end state",
        [(e.thread, e.state, e.lead_time) for e in report.end_states],
    )

    reasons = Table(title="Why instances did not complete")
    for name in ("thread", "end state", "instances", "reason"):
        reasons.add_column(name, justify="right" if name == "instances" else "left")
    for r in report.reasons:
        reasons.add_row(escape(r.thread), escape(r.state), str(r.count), escape(r.reason))

    steps = _stats_table(
        "Duration per step (over instances)", "step", [(s.thread, s.step, s.duration) for s in report.steps]
    )

    irps = Table(title="Messages and bytes per IRP")
    for name in ("IRP", "messages", "bytes", "requests", "responses", "notifications", "lost"):
        irps.add_column(name, justify="left" if name == "IRP" else "right")
    for m in report.irps:
        cells = (m.messages, m.bytes, m.requests, m.responses, m.notifications, m.lost)
        irps.add_row(escape(m.irp), *(f"{c:,}" for c in cells))
    irps.add_row("[bold]total[/]", f"[bold]{report.messages:,}[/]", f"[bold]{report.bytes:,}[/]")

    channels = Table(title="Latency per channel")
    channels.add_column("channel")
    channels.add_column("IRP")
    channels.add_column("n", justify="right")
    _stats_columns(channels)
    channels.add_column("lost", justify="right")
    for c in report.channels:
        name = escape(f"{c.a} - {c.b}")
        channels.add_row(name, escape(c.irp), str(c.latency.count), *_stats_cells(c.latency), str(c.lost))

    actors = Table(title=f"Busy time per actor (run span {duration(report.span)})")
    for name in ("actor", "role", "busy", "utilisation", "activities", "requests served"):
        actors.add_column(name, justify="left" if name in ("actor", "role") else "right")
    for a in report.actors:
        actors.add_row(
            escape(a.actor),
            escape(a.role),
            duration(a.busy),
            f"{a.utilisation:.1%}",
            str(a.activities),
            str(a.requests_served),
        )

    fallout = Table(title="Fall-out")
    for name in ("lost", "timeouts", "errors", "rejected", "instances affected"):
        fallout.add_column(name, justify="right")
    f = report.fallout
    fallout.add_row(str(f.lost), str(f.timeouts), str(f.errors), str(f.rejected), str(f.instances))
    tables = [instances, states]
    if report.reasons:
        tables.append(reasons)
    tables = [*tables, steps, irps, channels, actors, fallout]
    if report.access:
        access = Table(title="Access decisions (thread 10.8's audit log)")
        for name in ("party", "IRP", "outcome", "messages", "reasons"):
            access.add_column(name, justify="right" if name == "messages" else "left")
        for d in report.access:
            access.add_row(
                escape(d.party), escape(d.irp), escape(d.outcome), str(d.count), escape("; ".join(d.reasons))
            )
        tables.append(access)
    return tables
