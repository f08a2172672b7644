"""A Mermaid sequence diagram of a changed stretch of a trace, each difference marked.

The golden-diff report (``lso-sim replay --format markdown``) shows a reviewer the messages around
what changed: the records are drawn as :mod:`lso_sim.diagrams.sequence` draws any trace, and each
differing one sits in a coloured ``rect`` with a note saying how it differs (changed, added,
removed, moved, and where a moved record used to be). The input is plain rows, so this module
knows nothing of how the differences were found.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from lso_sim.diagrams.sequence import escape, participant_ids, record_lines

Row = tuple[str, Mapping[str, Any], str]
"""``(change, record, note)``: ``same`` rows are drawn plainly; any other change is marked."""

COLOURS: dict[str, str] = {
    "changed": "rgba(255, 190, 0, 0.25)",
    "added": "rgba(60, 180, 75, 0.25)",
    "removed": "rgba(230, 60, 60, 0.25)",
    "moved": "rgba(60, 140, 230, 0.25)",
    "moved-away": "rgba(60, 140, 230, 0.12)",
}
"""Background of each kind of difference (readable on light and dark themes)."""


def to_mermaid_changes(rows: Iterable[Row], *, title: str | None = None, cut: int = 0) -> str:
    """A ``sequenceDiagram`` of ``rows``; ``cut`` rows left out at the end are noted there."""
    items = list(rows)
    actors: dict[str, str] = {}
    for _, record, _ in items:
        for actor_key, role_key in (("src", "src_role"), ("dst", "dst_role")):
            actor = str(record.get(actor_key) or "")
            if actor and actor not in actors:
                actors[actor] = str(record.get(role_key) or "")
    ids = participant_ids(actors)
    lines = ["sequenceDiagram"]
    if title:
        lines.append(f"  title {escape(title)}")
    for actor, role in actors.items():
        alias = escape(actor) + (f"<br/>{escape(role)}" if role else "")
        lines.append(f"  participant {ids[actor]} as {alias}")
    for change, record, note in items:
        if change == "same":
            lines.extend(record_lines(record, ids))
            continue
        lines.append(f"  rect {COLOURS.get(change, COLOURS['changed'])}")
        if change != "moved-away":
            lines.extend(record_lines(record, ids, indent="    "))
        lines.append(f"    Note over {_span(record, ids)}: {escape(note)}")
        lines.append("  end")
    if cut and items:
        last = items[-1][1]
        lines.append(f"  Note over {_span(last, ids)}: {cut} more row(s) of the stretch not drawn")
    return "\n".join(lines) + "\n"


def _span(record: Mapping[str, Any], ids: Mapping[str, str]) -> str:
    """``src,dst`` participants a note spans (one participant for a local record)."""
    src = ids[str(record.get("src") or "")]
    dst = ids.get(str(record.get("dst") or ""), src)
    return src if src == dst else f"{src},{dst}"
