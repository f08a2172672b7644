"""A trace as a plain-text listing: one aligned line per record, for terminals, logs and diffs.

Unlike the rich table of ``lso-sim run``, this is plain characters with no colour or box drawing,
so it can be grepped, diffed between two runs and pasted into a ticket.

With ``explain`` (the default) a line opens each MEF step of an instance with the step's text
(``[set-up]`` when the thread only establishes what the scenario's thread acts on), and each
record is followed by an indented sentence about it (:mod:`lso_sim.threads.explain`): its
operation, what changed, why it was refused, and whether it runs alongside another step.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from lso_sim.diagrams.sequence import local_note
from lso_sim.threads.explain import explain_records
from lso_sim.trace.select import MESSAGE_KINDS

_HEADER = ("seq", "time (s)", "from -> to", "IRP", "kind", "operation", "step", "status")


def listing_rows(records: Iterable[Mapping[str, Any]]) -> list[tuple[str, ...]]:
    """The cells of each record's line: seq, send time, route, IRP, kind, operation, step, status.

    A lost message says ``LOST`` in its status cell; a timeout or error carries its note text in
    the operation cell, so every failure is readable on its own line.
    """
    rows: list[tuple[str, ...]] = []
    for r in records:
        kind = str(r.get("kind") or "")
        src, dst = str(r.get("src") or ""), str(r.get("dst") or "")
        route = src if src == dst else f"{src} -> {dst}"
        status = "" if r.get("status") is None else str(r["status"])
        operation = str(r.get("operation") or "")
        if kind in MESSAGE_KINDS and r.get("delivered") is None:
            status = (status + " LOST").strip()
        elif kind in ("timeout", "error", "outcome", "fault"):
            operation = local_note(r)[0]
        rows.append(
            (
                str(r.get("seq", "")),
                f"{float(r.get('time') or 0.0):.3f}",
                route,
                str(r.get("irp") or "-"),
                kind,
                operation,
                str(r.get("step") or ""),
                status,
            )
        )
    return rows


def to_text_listing(
    records: Iterable[Mapping[str, Any]],
    *,
    title: str | None = None,
    explain: bool = True,
    before: Sequence[str] = (),
) -> str:
    """The listing of ``records`` with a header line, columns padded to their widest cell.

    With ``explain``, step heading lines and one indented sentence under each record. ``before``
    says what came before the first record and is not listed (a filtered view), under the title.
    """
    items = list(records)
    rows = [_HEADER, *listing_rows(items)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_HEADER))]
    right = {0, 1}
    lines = [title] if title else []
    if before:
        lines.append("Before the first record listed, not listed:")
        lines.extend(f"  - {line}" for line in before)
    indent = " " * (widths[0] + widths[1] + 4)
    meanings = explain_records(items) if explain else []
    phase: tuple[str, str, str] | None = None
    for index, row in enumerate(rows):
        record = items[index - 1] if index else None
        if record is not None and meanings:
            meaning = meanings[index - 1]
            key = (str(record.get("thread")), str(record.get("instance")), str(record.get("step")))
            if key != phase:
                phase = key
                mark = " [set-up]" if meaning.setup else ""
                lines.append(f"-- {key[0]} {key[1]} step {key[2]}{mark}: {meaning.step or '(no text)'}")
        cells = [
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if record is not None and meanings:
            meaning = meanings[index - 1]
            lines.append(f"{indent}{meaning.sentence}")
            if meaning.concurrent:
                lines.append(f"{indent}note: {meaning.concurrent}")
    return "\n".join(lines) + "\n"
