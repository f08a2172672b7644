"""Readable reports of replays and checks: the first divergence side by side, the counts, the
failed expectations; as rich renderables for the terminal and as plain text for JUnit and pytest.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from lso_sim.replay.check import CheckResult, ReplayResult
from lso_sim.replay.compare import MISSING, Comparison, Divergence, FieldDiff
from lso_sim.replay.differences import grouped, position, record_words, what_differs

_WIDTH = 60
"""Longest value shown in a cell before it is cut with an ellipsis."""

_MAX_FIELDS = 15
"""Differing payload values listed for one divergence before "and N more"."""

_HEAD_ROWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("seq", ("seq",)),
    ("time", ("time",)),
    ("delivered", ("delivered",)),
    ("hop", ("src", "dst", "irp")),
    ("operation", ("kind", "operation")),
    ("step", ("thread", "instance", "step")),
    ("status", ("status",)),
)
"""Rows always shown for a divergence, and the record fields each is made of."""


def shown(path: Path) -> str:
    """``path`` relative to the current folder when it lies below it (shorter, as users typed it)."""
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def _field(path: str, width: int = 50) -> str:
    """A dotted field path short enough for the first column: its head and as many of its last
    segments as fit (``payload.….productConfiguration.bandwidthMbps``)."""
    if len(path) <= width:
        return path
    parts = path.split(".")
    tail: list[str] = []
    for part in reversed(parts[1:]):
        if len(parts[0]) + 3 + len(".".join([part, *tail])) > width and tail:
            break
        tail.insert(0, part)
    return ".".join([parts[0], "…", *tail])


def _value(value: Any) -> str:
    if value is MISSING:
        return "(absent)"
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    return text if len(text) <= _WIDTH else text[: _WIDTH - 1] + "…"


def _cell(record: Mapping[str, Any] | None, row: str) -> str:
    if record is None:
        return "-"
    if row == "hop":
        return f"{record.get('src')} -> {record.get('dst')} ({record.get('irp') or 'local'})"
    if row == "operation":
        return f"{record.get('kind')} {record.get('operation')}"
    if row == "step":
        return f"{record.get('thread')} {record.get('instance')} step {record.get('step')}"
    value = record.get(row)
    return "-" if value is None else _value(value)


def divergence_table(divergence: Divergence, title: str = "first divergence") -> Table:
    """The divergent record of the golden and of the run, side by side, differing rows in red."""
    table = Table(title=f"{title}: {divergence.change}", title_justify="left", show_lines=False)
    labels = [_field(d.path) for d in divergence.fields]
    table.add_column("", no_wrap=True, min_width=max([9, *map(len, labels)]))
    table.add_column("", width=1)
    table.add_column("golden")
    table.add_column("run")
    differing = {d.path.split(".")[0] for d in divergence.fields}
    covered: set[str] = set()
    for row, fields in _HEAD_ROWS:
        covered.update(fields)
        mark = divergence.change != "changed" or bool(differing & set(fields))
        style = "bold red" if mark and divergence.change == "changed" else None
        flag = "≠" if style else ""
        golden, actual = escape(_cell(divergence.golden, row)), escape(_cell(divergence.actual, row))
        table.add_row(row, flag, golden, actual, style=style)
    extra: list[FieldDiff] = [d for d in divergence.fields if d.path.split(".")[0] not in covered]
    for diff in extra[:_MAX_FIELDS]:
        cells = (escape(_field(diff.path)), "≠", escape(_value(diff.golden)), escape(_value(diff.actual)))
        table.add_row(*cells, style="bold red")
    if len(extra) > _MAX_FIELDS:
        table.add_row("…", "", f"and {len(extra) - _MAX_FIELDS} more differing values", "")
    return table


_CHANGE_STYLES = {"changed": "yellow", "added": "green", "removed": "red", "moved": "cyan"}


def differences_table(comparison: Comparison) -> Table:
    """Every difference, grouped by thread instance and MEF step (``replay --all``)."""
    table = Table(title="all differences", title_justify="left", show_lines=False)
    for name in ("instance", "step", "change", "where", "record", "what differs"):
        table.add_column(name, overflow="fold")
    for group in grouped(comparison.differences):
        table.add_section()
        first_row = True
        for step, items in group.steps.items():
            for n, difference in enumerate(items):
                table.add_row(
                    escape(f"{group.thread} {group.instance}") if first_row else "",
                    escape(step) if n == 0 else "",
                    f"[{_CHANGE_STYLES[difference.change]}]{difference.change}[/]",
                    escape(position(difference)),
                    escape(record_words(difference.actual or difference.golden or {})),
                    escape(what_differs(difference)),
                )
                first_row = False
    return table


def replay_report(result: ReplayResult, *, every: bool = False) -> list[RenderableType]:
    """What a replay found: the verdict, notes, and the first divergence (or, with ``every``, all
    of them grouped by instance and step) with the counts."""
    parts: list[RenderableType] = []
    comparison = result.comparison
    run = f"{shown(result.scenario)} (seed {result.seed})"
    where = f"{shown(result.golden)} vs a run of {run}"
    for note in result.notes:
        parts.append(Text(f"note: {note}", style="yellow"))
    if result.updated:
        change = "" if comparison is None else f" (before: {comparison.counts()})"
        parts.append(Text(f"updated {shown(result.golden)} from a run of {run}{change}"))
        return parts
    assert comparison is not None
    if comparison.identical:
        ignored = f", ignoring {', '.join(comparison.ignored)}" if comparison.ignored else ""
        parts.append(Text(f"identical: {where}: {comparison.golden_records} records{ignored}", style="green"))
        return parts
    parts.append(Text(f"differs: {where}", style="bold red"))
    if every:
        parts.append(differences_table(comparison))
    elif comparison.first is not None:
        parts.append(divergence_table(comparison.first))
    parts.append(
        Text(
            f"{comparison.counts()} (golden {comparison.golden_records} records, "
            f"run {comparison.actual_records})"
        )
    )
    return parts


def failures_report(failures: Sequence[str], invariants: Sequence[str] = ()) -> RenderableType:
    """The failed expectations, then the broken invariants, as lists (plain text, never markup)."""
    text = Text()
    for lines, noun, verb in ((failures, "expectation", "failed"), (invariants, "invariant", "broken")):
        if lines:
            text.append(f"{len(lines)} {noun}{'s' if len(lines) != 1 else ''} {verb}:\n", style="bold red")
            for line in lines:
                text.append(f"  - {line}\n", style="red")
    text.rstrip()
    return text


def check_report(result: CheckResult) -> list[RenderableType]:
    """Everything that went wrong with one checked scenario (empty when it passed)."""
    parts: list[RenderableType] = []
    if result.error is not None:
        parts.append(Text(f"error: {result.error}", style="bold red"))
    if result.failures or result.invariants:
        parts.append(failures_report(result.failures, result.invariants))
    if result.golden == "missing":
        parts.append(Text(f"no golden trace for {result.scenario} (record one with --update-goldens)", "red"))
    if result.replay is not None and result.golden == "differs":
        parts.extend(replay_report(result.replay))
    return parts


def summary_table(results: Iterable[CheckResult]) -> Table:
    """One row per scenario: seed, records, expectations met, golden, result."""
    table = Table(title="Scenario checks", title_justify="left")
    table.add_column("scenario")
    table.add_column("seed", justify="right")
    table.add_column("records", justify="right")
    table.add_column("expectations", justify="right")
    table.add_column("golden")
    table.add_column("result")
    styles = {"passed": "green", "failed": "bold red", "error": "bold red"}
    golden_styles = {"identical": "green", "differs": "red", "missing": "red", "none": "dim"}
    for r in results:
        met = r.expectations - len(r.failures)
        expectations = "-" if r.error is not None else f"{met}/{r.expectations}"
        golden: str = r.golden
        if r.golden == "differs" and r.replay is not None and r.replay.comparison is not None:
            first = r.replay.comparison.first
            record = None if first is None else first.golden or first.actual
            golden = f"differs at seq {record.get('seq') if record else '?'}"
        table.add_row(
            escape(str(r.scenario)),
            "-" if r.seed is None else str(r.seed),
            str(r.records) if r.error is None else "-",
            expectations,
            f"[{golden_styles.get(r.golden, 'yellow')}]{golden}[/]",
            f"[{styles[r.status]}]{r.status}[/]",
        )
    return table


def as_text(parts: Iterable[RenderableType], width: int = 140) -> str:
    """Renderables as plain text (no colour codes), for JUnit XML and pytest reports."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, no_color=True, color_system=None, highlight=False)
    console.print(Group(*parts))
    return buffer.getvalue().rstrip() + "\n"
