"""PlantUML sequence diagrams of a trace: the same picture as the Mermaid one, for PlantUML users.

Many architecture teams keep their diagrams in PlantUML; this draws a trace with the same rules as
:mod:`lso_sim.diagrams.sequence` (one participant per actor, boxed by domain; one arrow per message
labelled ``IRP operation [step]``; responses dashed; lost messages ending in a cross; local events
as notes, timeouts and errors on a red background), so both outputs can be compared line by line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from lso_sim.diagrams.sequence import local_note, message_label, participant_ids
from lso_sim.trace.select import MESSAGE_KINDS

ALERT_COLOUR = "#FFCCCC"
"""Background of timeout and error notes."""

_ARROWS: dict[tuple[str, bool], str] = {
    ("request", False): "->",
    ("notification", False): "->>",
    ("response", False): "-->",
    ("request", True): "->x",
    ("notification", True): "->x",
    ("response", True): "-->x",
}
"""Arrow per (kind, lost): solid request, thin asynchronous notification, dashed response."""


def _text(text: str) -> str:
    """One-line label text (PlantUML ends a statement at a line break)."""
    return text.replace("\r", " ").replace("\n", " ")


def _quoted(text: str) -> str:
    return '"' + _text(text).replace('"', "'") + '"'


def to_plantuml_sequence(
    records: Iterable[Mapping[str, Any]],
    *,
    title: str | None = None,
    domains: Mapping[str, str] | None = None,
) -> str:
    """A PlantUML ``@startuml`` sequence diagram of ``records``, one statement per record.

    Args:
        records: trace records as dicts, in the order to draw them.
        title: diagram title, or ``None``.
        domains: actor id -> domain label; actors sharing a label are drawn in one ``box``.

    Returns:
        The diagram text, ending with a newline.
    """
    items = list(records)
    roles: dict[str, str] = {}
    for record in items:
        for actor_key, role_key in (("src", "src_role"), ("dst", "dst_role")):
            actor = str(record.get(actor_key) or "")
            if actor and actor not in roles:
                roles[actor] = str(record.get(role_key) or "")
    ids = participant_ids(roles)
    labels = domains or {}

    lines = ["@startuml"]
    if title:
        lines.append(f"title {_text(title)}")
    grouped: dict[str | None, list[str]] = {}
    for actor in roles:
        grouped.setdefault(labels.get(actor), []).append(actor)
    for label, members in grouped.items():
        indent = "" if label is None else "  "
        if label is not None:
            lines.append(f"box {_quoted(label)}")
        for actor in members:
            name = actor + (f"\\n{roles[actor]}" if roles[actor] else "")
            lines.append(f"{indent}participant {_quoted(name)} as {ids[actor]}")
        if label is not None:
            lines.append("end box")

    for record in items:
        kind = str(record.get("kind") or "")
        src = ids[str(record.get("src"))]
        dst = ids.get(str(record.get("dst") or ""), src)
        if kind in MESSAGE_KINDS:
            arrow = _ARROWS[(kind, record.get("delivered") is None)]
            lines.append(f"{src} {arrow} {dst} : {_text(message_label(record))}")
            continue
        text, alert = local_note(record)
        over = src if dst == src or kind != "timeout" else f"{src}, {dst}"
        colour = f" {ALERT_COLOUR}" if alert else ""
        lines.append(f"note over {over}{colour} : {_text(text)}")
    lines.append("@enduml")
    return "\n".join(lines) + "\n"
