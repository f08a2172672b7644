"""A trace as a plain-text listing: one aligned line per record, for terminals, logs and diffs.

Unlike the rich table of ``lso-sim run``, this is plain characters with no colour or box drawing,
so it can be grepped, diffed between two runs and pasted into a ticket.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from lso_sim.diagrams.sequence import local_note
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


def to_text_listing(records: Iterable[Mapping[str, Any]], *, title: str | None = None) -> str:
    """The listing of ``records`` with a header line, columns padded to their widest cell."""
    rows = [_HEADER, *listing_rows(records)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_HEADER))]
    right = {0, 1}
    lines = [title] if title else []
    for row in rows:
        cells = [
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"
