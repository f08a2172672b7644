"""Rich renderings for the terminal: thread list, architecture, message listing, run summary.

Renderers only build rich objects from data handed in; the console that prints them is passed in
by the caller, which keeps them testable with ``Console(file=io.StringIO())``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from lso_sim.actors.outcomes import Outcome
from lso_sim.actors.world import World
from lso_sim.architecture.model import Architecture
from lso_sim.invariants import InvariantReport, Status
from lso_sim.messages.envelope import Kind, Message
from lso_sim.scenarios.channels import LinkSetting, describe
from lso_sim.threads.catalog import THREADS, explain_step
from lso_sim.threads.registry import is_implemented
from lso_sim.threads.security import security_of
from lso_sim.trace.summary import TraceSummary

_KIND_STYLE = {
    Kind.REQUEST: "cyan",
    Kind.RESPONSE: "green",
    Kind.NOTIFICATION: "magenta",
    Kind.ACTIVITY: "yellow",
    Kind.TIMEOUT: "bold red",
    Kind.ERROR: "bold red",
    Kind.FAULT: "bold red",
    Kind.OUTCOME: "bold",
}


def threads_table() -> Table:
    """Every thread of MEF 55.0.1 section 10 with its implementation status."""
    table = Table(title="MEF 55.0.1 section 10 operational threads")
    table.add_column("thread")
    table.add_column("title")
    table.add_column("MEF status")
    table.add_column("lso-sim")
    for info in THREADS.values():
        table.add_row(
            info.id,
            info.title,
            "defined" if info.defined else "to be defined",
            "[green]implemented[/]" if is_implemented(info.id) else "[dim]not yet[/]",
        )
    return table


def architecture_tree(arch: Architecture) -> Tree:
    """Domains, their actors and each actor's IRP peers."""
    root = Tree("[bold]LSO architecture[/]")
    for domain in arch.domains():
        branch = root.add(f"[bold]{escape(domain.id)}[/] ({domain.kind})")
        for actor in arch.actors(domain=domain.id):
            peers = sorted(
                (str(data["irp"]), peer) for _, peer, data in arch.graph.edges(actor.id, data=True)
            )
            text = escape(", ".join(f"{irp}->{peer}" for irp, peer in peers))
            branch.add(f"[cyan]{escape(actor.id)}[/] [dim]{actor.role}[/]  {text}")
    return root


def channels_table(settings: Iterable[LinkSetting]) -> Table:
    """The effective channel of every IRP link, and the settings it comes from (most specific last)."""
    table = Table(title="Channels (effective settings per link)")
    for name, justify in (("IRP", "left"), ("link", "left"), ("latency (s)", "left"), ("loss", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    table.add_column("capacity", justify="right")
    table.add_column("set by")
    for s in settings:
        style = "bold" if s.specific else ""
        table.add_row(
            str(s.irp),
            escape(f"{s.ends[0]} - {s.ends[1]}"),
            describe(s.latency),
            f"{s.loss:g}",
            "unlimited" if s.capacity is None else str(s.capacity),
            Text(" > ".join(s.source), style=style),
        )
    return table


def listing_table(records: Iterable[Message]) -> Table:
    """The sequence as a readable listing: time, from -> to, IRP, operation, MEF step."""
    table = Table(title="Message sequence", show_lines=False)
    table.add_column("seq", justify="right")
    table.add_column("time (s)", justify="right")
    table.add_column("from -> to")
    table.add_column("IRP")
    table.add_column("kind")
    table.add_column("operation")
    table.add_column("step")
    table.add_column("status", justify="right")
    for r in records:
        arrow = escape(f"{r.src} -> {r.dst}" if r.src != r.dst else r.src)
        delivered = (
            ""
            if r.delivered is not None or r.kind not in (Kind.REQUEST, Kind.RESPONSE, Kind.NOTIFICATION)
            else " [red](lost)[/]"
        )
        table.add_row(
            str(r.seq),
            f"{r.time:,.3f}",
            arrow + delivered,
            r.irp or "",
            f"[{_KIND_STYLE[r.kind]}]{r.kind}[/]",
            escape(r.operation),
            escape(r.step),
            "" if r.status is None else str(r.status),
        )
    return table


LISTED_INSTANCES = 20
"""Up to this many instances, the run summary lists each one; beyond, it groups them by end state."""


def summary_tables(world: World, summary: TraceSummary) -> list[Table]:
    """End state (with its reason) per thread instance, then message counts per IRP, then fall-out."""
    # Walked rather than listed: a long run's outcomes are kept packed, and read one at a time.
    ended = world.outcomes.values()
    outcomes = _instance_table(list(ended)) if len(ended) <= LISTED_INSTANCES else _end_state_table(ended)
    irps = Table(title="Messages per IRP")
    irps.add_column("IRP")
    irps.add_column("messages", justify="right")
    for irp, count in sorted(summary.per_irp.items()):
        irps.add_row(irp, str(count))
    irps.add_row("[bold]total[/]", f"[bold]{summary.messages}[/]")
    health = Table(title="Fall-out")
    health.add_column("lost", justify="right")
    health.add_column("timeouts", justify="right")
    health.add_column("rejected", justify="right")
    health.add_column("errors", justify="right")
    health.add_row(str(summary.lost), str(summary.timeouts), str(summary.rejected), str(summary.errors))
    tables = [outcomes, irps, health]
    audit = audit_table(world)
    if audit is not None:
        tables.append(audit)
    if len(ended) > LISTED_INSTANCES and any(o.state != "completed" for o in ended):
        tables.insert(1, _reason_table(ended))
    return tables


def _state_cell(state: str) -> str:
    style = "green" if state == "completed" else "red"
    return f"[{style}]{escape(state)}[/]"


def _instance_table(ended: list[Outcome]) -> Table:
    """One row per instance: its end state, lead time and, for any end but success, why."""
    table = Table(title="Thread instances")
    table.add_column("thread")
    table.add_column("instance")
    table.add_column("end state")
    table.add_column("lead time", justify="right")
    reasons = any(o.reason for o in ended)
    if reasons:
        table.add_column("reason", overflow="fold")
    for outcome in ended:
        lead = outcome.lead_time
        cells = [
            escape(outcome.thread),
            escape(outcome.instance),
            _state_cell(outcome.state),
            "-" if lead is None else _duration(lead),
        ]
        table.add_row(*cells, *([escape(outcome.reason or "")] if reasons else []))
    return table


def _end_state_table(ended: Collection[Outcome]) -> Table:
    """Instances counted per thread and end state, with their mean and longest lead time."""
    groups: dict[tuple[str, str], list[float]] = {}
    for outcome in ended:
        groups.setdefault((outcome.thread, outcome.state), []).append(outcome.lead_time or 0.0)
    table = Table(title=f"Thread instances ({len(ended)}) per end state")
    table.add_column("thread")
    table.add_column("end state")
    table.add_column("instances", justify="right")
    table.add_column("mean lead time", justify="right")
    table.add_column("longest", justify="right")
    for (thread, state), leads in sorted(groups.items()):
        table.add_row(
            escape(thread),
            _state_cell(state),
            str(len(leads)),
            _duration(sum(leads) / len(leads)),
            _duration(max(leads)),
        )
    return table


_RESOURCE_ID = re.compile(r"\b([a-z]+(?:-[a-z]+)*-(?:bus|sof)-[a-z0-9-]*?)(\d+)(?![\w-])")
"""A resource id a seller or SOF made (``order-bus-sp-186``, ``so-sof-sp-3``): a prefix, the
owner's actor id, a serial number. Actor and element ids (``bus-partner-1``) do not match."""


def reason_shape(reason: str) -> str:
    """``reason`` with the serial numbers of the resource ids it names replaced by ``N``: reasons
    that differ only by which order or quote they name are one cause, counted once."""
    return _RESOURCE_ID.sub(lambda m: f"{m.group(1)}N", reason)


def _reason_table(ended: Iterable[Outcome]) -> Table:
    """The reasons of the instances that did not complete, most frequent first; reasons that differ
    only by the resource they name are one row (its ids shown as ``...-N``)."""
    groups: dict[tuple[str, str, str], list[str]] = {}
    for o in ended:
        if o.state != "completed":
            reason = o.reason or "no reason given"
            groups.setdefault((o.thread, o.state, reason_shape(reason)), []).append(reason)
    table = Table(title="Why instances did not complete")
    table.add_column("thread")
    table.add_column("end state")
    table.add_column("instances", justify="right")
    table.add_column("reason", overflow="fold")
    by_count = sorted(groups.items(), key=lambda kv: (kv[0][0], -len(kv[1]), kv[0]))
    for (thread, state, shape), reasons in by_count:
        text = reasons[0] if len(set(reasons)) == 1 else shape
        table.add_row(escape(thread), _state_cell(state), str(len(reasons)), escape(text))
    return table


_STATUS_STYLE = {Status.HELD: "green", Status.BROKEN: "bold red", Status.SKIPPED: "yellow"}


def audit_table(world: World) -> Table | None:
    """The access audit (thread 10.8) of a run that refused something: per party, IRP and decision."""
    security = security_of(world)
    if security is None or not security.audit.refused:
        return None
    table = Table(title="Access audit")
    for name in ("party", "IRP", "decision"):
        table.add_column(name)
    table.add_column("messages", justify="right")
    table.add_column("reasons")
    for row in security.audit.report():
        reasons = row.get("reasons")
        text = "; ".join(str(r) for r in reasons) if isinstance(reasons, list) else ""
        table.add_row(str(row["party"]), str(row["irp"]), str(row["decision"]), str(row["count"]), Text(text))
    return table


def invariants_table(report: InvariantReport) -> Table:
    """Each invariant checked after the run: held, broken or skipped, and why (plain text)."""
    title = "Invariants" + (" (run cut at the horizon)" if report.cut else "")
    table = Table(title=title)
    table.add_column("invariant")
    table.add_column("status")
    table.add_column("explanation")
    for result in report.results:
        status = Text(str(result.status), style=_STATUS_STYLE[result.status])
        table.add_row(result.name, status, Text(result.explanation))
    return table


def _duration(seconds: float) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{int(hours)}h {int(minutes):02d}m {secs:04.1f}s ({seconds:,.1f} s)"


def step_legend(records: Iterable[Message]) -> Table:
    """Each MEF step seen in the run with our one-line explanation."""
    table = Table(title="MEF steps in this run")
    table.add_column("thread")
    table.add_column("step")
    table.add_column("what happens")
    seen: dict[tuple[str, str], None] = {}
    for r in records:
        seen.setdefault((r.thread, r.step), None)
    for thread, step in seen:
        table.add_row(escape(thread), escape(step), escape(explain_step(thread, step)))
    return table


def print_all(console: Console, renderables: Iterable[Table | Tree]) -> None:
    """Print renderables separated by blank lines."""
    for renderable in renderables:
        console.print(renderable)
        console.print()
