"""A golden diff a reviewer can read whole: the Markdown reports of ``lso-sim replay --format
markdown`` and ``lso-sim check --markdown FILE``.

Written for a pull request comment or a GitHub Actions job summary (``$GITHUB_STEP_SUMMARY``, see
docs/ci.md): the verdict, the counts, a table of every difference grouped by thread instance and
MEF step, and a Mermaid sequence diagram of each changed stretch (like a diff's hunks) with each
difference marked (GitHub draws ``mermaid`` code blocks). It is plain text and deterministic, so
the report of the same replay is the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lso_sim.diagrams.changes import Row, to_mermaid_changes
from lso_sim.replay.check import CheckResult, ReplayResult
from lso_sim.replay.compare import Comparison, Divergence
from lso_sim.replay.differences import grouped, position, record_words, what_differs
from lso_sim.replay.render import shown

MAX_TABLE_ROWS = 300
"""Differences listed in the table before the rest are counted ("and N more")."""

_NOTE_WIDTH = 110
"""Longest note drawn in the diagram."""


def _cell(text: str) -> str:
    """Text safe in a Markdown table cell: no pipe, no newline, no HTML."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")


def replay_markdown(result: ReplayResult, *, level: int = 3) -> str:
    """The Markdown report of a replay (identical, differing, or just updated); its title is a
    heading of ``level`` (its sections one level below)."""
    golden = shown(result.golden)
    run = f"`{shown(result.scenario)}` (seed {result.seed})"
    comparison = result.comparison
    lines: list[str] = []
    mark = "#" * level
    if result.updated:
        lines.append(f"{mark} lso-sim replay: `{golden}` updated from a run of {run}")
    elif comparison is not None and comparison.identical:
        lines.append(f"{mark} lso-sim replay: `{golden}` is identical to a run of {run}")
    else:
        lines.append(f"{mark} lso-sim replay: `{golden}` differs from a run of {run}")
    lines.append("")
    lines.extend(f"> note: {_cell(note)}" for note in result.notes)
    if result.notes:
        lines.append("")
    if comparison is None:
        return "\n".join(lines) + "\n"
    if result.updated:
        lines.extend(["The counts compare the golden as it was with the run that replaced it.", ""])
    if comparison.ignored:
        lines.extend([f"Fields ignored: {', '.join(f'`{p}`' for p in comparison.ignored)}", ""])
    lines.extend(_counts(comparison))
    if not comparison.identical:
        lines.extend(_table(comparison, "#" * (level + 1)))
        lines.extend(_diagram(comparison, "#" * (level + 1)))
    return "\n".join(lines) + "\n"


def check_markdown(results: Sequence[CheckResult]) -> str:
    """The Markdown report of ``lso-sim check``: a table of every scenario, then what went wrong
    with each one that did not pass (errors, failed expectations, broken invariants, golden diffs)."""
    passed = sum(1 for r in results if r.status == "passed")
    lines = [
        f"### lso-sim check: {passed} of {len(results)} scenario(s) passed",
        "",
        "| scenario | seed | records | expectations | golden | result |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    for r in results:
        met = "-" if r.error is not None else f"{r.expectations - len(r.failures)}/{r.expectations}"
        cells = (
            f"`{shown(r.scenario)}`",
            "-" if r.seed is None else str(r.seed),
            "-" if r.error is not None else str(r.records),
            met,
            r.golden,
            f"**{r.status}**" if r.status != "passed" else r.status,
        )
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines.append("")
    for r in results:
        if r.status == "passed":
            continue
        lines.extend([f"#### `{_cell(shown(r.scenario))}`: {r.status}", ""])
        if r.error is not None:
            lines.extend([f"error: {_cell(r.error)}", ""])
        for title, items in (("failed expectation(s)", r.failures), ("broken invariant(s)", r.invariants)):
            if items:
                lines.append(f"{len(items)} {title}:")
                lines.extend(f"- {_cell(item)}" for item in items)
                lines.append("")
        if r.golden == "missing":
            lines.extend(["no golden trace (record one with `lso-sim check --update-goldens`)", ""])
        if r.replay is not None and r.golden == "differs":
            lines.append(replay_markdown(r.replay, level=5))
    return "\n".join(lines).rstrip("\n") + "\n"


def _counts(comparison: Comparison) -> list[str]:
    rows = [
        ("golden records", comparison.golden_records),
        ("run records", comparison.actual_records),
        ("unchanged", comparison.unchanged),
        ("changed", comparison.changed),
        ("added", comparison.added),
        ("removed", comparison.removed),
        ("moved", comparison.moved),
    ]
    return ["| | records |", "| --- | ---: |", *(f"| {name} | {count} |" for name, count in rows), ""]


def _table(comparison: Comparison, mark: str) -> list[str]:
    lines = [
        f"{mark} Differences by thread instance and step",
        "",
        "| instance | step | change | where | record | what differs |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    listed = 0
    for group in grouped(comparison.differences):
        for step, items in group.steps.items():
            for difference in items:
                if listed == MAX_TABLE_ROWS:
                    break
                listed += 1
                cells = (
                    f"{group.thread} {group.instance}",
                    step,
                    f"**{difference.change}**",
                    position(difference),
                    f"`{record_words(_record(difference))}`",
                    what_differs(difference),
                )
                lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    rest = len(comparison.differences) - listed
    if rest:
        lines.append(f"| … | | | | | and {rest} more difference(s) (`lso-sim replay --all` lists them) |")
    lines.append("")
    return lines


def _record(difference: Divergence) -> Mapping[str, Any]:
    record = difference.actual if difference.actual is not None else difference.golden
    return record or {}


def _note(change: str, difference: Divergence) -> str:
    if change == "moved-away":
        text = f"moved from here: now at run #{_record(difference).get('seq')}"
    elif change == "moved":
        seq = None if difference.golden is None else difference.golden.get("seq")
        text = f"moved here from golden #{seq}"
        if difference.fields:
            text += "; " + what_differs(difference).split("; ", 1)[-1]
    else:
        text = f"{change}: {what_differs(difference)}"
    return text if len(text) <= _NOTE_WIDTH else text[: _NOTE_WIDTH - 1] + "…"


def _diagram(comparison: Comparison, mark: str) -> list[str]:
    count = len(comparison.stretches)
    lines = [
        f"{mark} The changed stretches" if count > 1 else f"{mark} The changed stretch",
        "",
        "Run numbering (a removed record keeps the golden's), each difference on a coloured band: "
        "changed yellow, added green, removed red, moved blue.",
        "",
    ]
    for number, stretch in enumerate(comparison.stretches, start=1):
        rows: list[Row] = []
        for change, record, index in stretch:
            note = "" if index < 0 else _note(change, comparison.differences[index])
            rows.append((change, record, note))
        first, last = stretch[0][1].get("seq"), stretch[-1][1].get("seq")
        which = f"Stretch {number} of {count}: " if count > 1 else ""
        cut = comparison.stretch_cut if number == count else 0
        lines.extend(
            [
                f"{which}records #{first} to #{last}",
                "",
                "```mermaid",
                to_mermaid_changes(rows, cut=cut).rstrip("\n"),
                "```",
                "",
            ]
        )
    return lines
