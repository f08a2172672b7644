"""Mermaid sequence diagrams of a trace: who sent what to whom, in send order.

The input is trace records as plain dicts (the JSON form of docs/trace-format.md, as
:func:`lso_sim.trace.jsonl.read_trace` yields them or :func:`lso_sim.trace.records.to_record`
builds them), not engine objects, so the same function draws a run in memory, a JSONL file from
CI or a hand-built list in a test. The output is plain text: Mermaid renders it on GitHub, in most
Markdown viewers and with ``mmdc``, and a text diff shows exactly what changed in a run.

Drawing rules, one line of Mermaid per record:

* a request is a solid arrow ``->>``, a notification an asynchronous arrow ``-)``, a response a
  dashed arrow ``-->>`` carrying its status; each is labelled ``IRP operation [step]``;
* a message the channel lost (``delivered`` is null) ends in a cross (``-x``, ``--x`` for a
  response) and says ``(lost)``, so a loss is visible where it happened;
* an activity is a note over its actor, ``step 3a: operation``;
* a timeout or an error is a note on a red background, so failures stand out when scrolling.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from lso_sim.trace.select import MESSAGE_KINDS, SUCCESS_STATES

"""Record kinds that cross a channel and become arrows (the others become notes)."""

ALERT_BACKGROUND = "rgba(255, 80, 80, 0.25)"
"""Background of timeout and error notes: red-ish, yet readable on light and dark themes."""

_MAX_REASON = 120
"""Error reasons are cut to this many characters so one note cannot swamp the diagram."""

_ESCAPES: dict[str, str] = {
    "#": "#35;",
    ";": "#59;",
    ":": "#58;",
    "<": "#lt;",
    ">": "#gt;",
    "\n": " ",
    "\r": " ",
}
"""Characters Mermaid reads as syntax inside text, and the entity codes that print them instead."""

_ARROWS: dict[tuple[str, bool], str] = {
    ("request", False): "->>",
    ("notification", False): "-)",
    ("response", False): "-->>",
    ("request", True): "-x",
    ("notification", True): "-x",
    ("response", True): "--x",
}
"""Arrow per (kind, lost)."""


def escape(text: str) -> str:
    """Make ``text`` safe as a Mermaid label, title or alias.

    Mermaid ends a statement at ``;`` and ``#``, splits note and message text at ``:``, and reads
    ``<``/``>`` as HTML; each is replaced by an entity code (``#59;``...) that Mermaid prints as
    the character itself. Done in one pass so the codes' own ``#`` and ``;`` are never re-escaped.
    """
    return "".join(_ESCAPES.get(ch, ch) for ch in text)


def participant_ids(actors: Iterable[str]) -> dict[str, str]:
    """Mermaid identifiers for actor ids, unique and safe.

    Mermaid's lexer matches keywords (``end``, ``opt``, ``par``, ``box``...) at the start of a
    line without checking word boundaries, and reads ``-x`` or ``-)`` inside a name as an arrow,
    so raw actor ids such as ``optus`` or ``bus-x1`` would break the diagram. Each identifier is
    therefore ``p_`` plus the id with every other character than letters, digits and ``_``
    replaced, with a numeric suffix if two ids clash; the readable id is shown through the alias.
    """
    ids: dict[str, str] = {}
    used: set[str] = set()
    for actor in actors:
        if actor in ids:
            continue
        base = "p_" + re.sub(r"[^0-9A-Za-z_]", "_", actor)
        candidate, n = base, 2
        while candidate in used:
            candidate = f"{base}_{n}"
            n += 1
        ids[actor] = candidate
        used.add(candidate)
    return ids


def _field(record: Mapping[str, Any], key: str) -> str:
    value = record.get(key)
    return "" if value is None else str(value)


def message_label(record: Mapping[str, Any]) -> str:
    """The (unescaped) arrow label of a message record: ``IRP operation [step]`` plus extras.

    A response adds its status in parentheses, a lost message adds ``(lost)``.
    """
    parts = [p for p in (_field(record, "irp"), _field(record, "operation")) if p]
    label = " ".join(parts) + f" [{_field(record, 'step')}]"
    if record.get("kind") == "response" and record.get("status") is not None:
        label += f" ({record['status']})"
    if record.get("delivered") is None:
        label += " (lost)"
    return label


def local_note(record: Mapping[str, Any]) -> tuple[str, bool]:
    """Text of the note drawn for a local event, and whether it is an alert (timeout/error)."""
    kind = _field(record, "kind")
    operation = _field(record, "operation")
    step = _field(record, "step")
    payload = record.get("payload")
    if kind == "activity":
        return f"step {step}: {operation}", False
    if kind == "timeout":
        irp = _field(record, "irp")
        limit = payload.get("timeout") if isinstance(payload, Mapping) else None
        after = f" after {limit:g} s" if isinstance(limit, int | float) else ""
        target = " ".join(p for p in (irp, operation) if p)
        return f"timeout: {target} [{step}] to {_field(record, 'dst')}{after}", True
    if kind == "error":
        detail = ""
        if isinstance(payload, Mapping):
            error = str(payload.get("error") or "")
            reason = str(payload.get("reason") or "")
            if len(reason) > _MAX_REASON:
                reason = reason[: _MAX_REASON - 3] + "..."
            detail = ": " + " - ".join(p for p in (error, reason) if p) if error or reason else ""
        return f"error: {operation} [{step}]{detail}", True
    if kind == "outcome" and isinstance(payload, Mapping):
        state = str(payload.get("state") or "")
        reason = str(payload.get("reason") or "")
        if len(reason) > _MAX_REASON:
            reason = reason[: _MAX_REASON - 3] + "..."
        text = f"outcome: {_field(record, 'instance')} ended {state}" + (f" - {reason}" if reason else "")
        return text, state not in SUCCESS_STATES
    if kind == "fault" and isinstance(payload, Mapping):
        what = ", ".join(f"{k}={v}" for k, v in payload.items() if not isinstance(v, Mapping | list))
        return f"fault: {operation} ({what})", True
    # A kind this version does not know (traces only ever gain fields and kinds): still shown.
    return f"{kind}: {operation} [{step}]", False


def to_mermaid_sequence(
    records: Iterable[Mapping[str, Any]],
    *,
    title: str | None = None,
    domains: Mapping[str, str] | None = None,
) -> str:
    """A Mermaid ``sequenceDiagram`` of ``records``, one line per record, in the given order.

    Args:
        records: trace records as dicts (at least ``kind``, ``src``, ``dst``, ``operation``,
            ``step``; messages also ``irp``, ``delivered`` and, for responses, ``status``).
        title: diagram title, or ``None`` for none.
        domains: actor id -> label of its management domain. Actors sharing a label are drawn
            inside one ``box`` so the picture shows which domain (customer, SP, partner) does
            what; actors absent from the mapping, or all of them when it is ``None``, are drawn
            without a box. The simulator's own pages pass the domains of the built architecture.

    Returns:
        The diagram text, ending with a newline. Participants are declared once each, in order
        of first appearance (boxes in order of their first actor's appearance), and labelled
        with the actor id and its role. ``autonumber`` is left off: the label's ``[step]`` is
        MEF's step number, and a second numbering would compete with it.
    """
    items = list(records)
    roles: dict[str, str] = {}
    for record in items:
        for actor_key, role_key in (("src", "src_role"), ("dst", "dst_role")):
            actor = _field(record, actor_key)
            if actor and actor not in roles:
                roles[actor] = _field(record, role_key)
    ids = participant_ids(roles)

    lines = ["sequenceDiagram"]
    if title:
        lines.append(f"  title {escape(title)}")
    lines.extend(_declarations(roles, ids, domains or {}))

    for record in items:
        lines.extend(record_lines(record, ids))
    return "\n".join(lines) + "\n"


def record_lines(record: Mapping[str, Any], ids: Mapping[str, str], indent: str = "  ") -> list[str]:
    """The Mermaid lines of one record: an arrow, a note, or a red-backed note for an alert.

    ``ids`` maps actor ids to participant identifiers (:func:`participant_ids`).
    """
    kind = _field(record, "kind")
    src = ids[_field(record, "src")]
    dst = ids.get(_field(record, "dst"), src)
    if kind in MESSAGE_KINDS:
        arrow = _ARROWS[(kind, record.get("delivered") is None)]
        return [f"{indent}{src}{arrow}{dst}: {escape(message_label(record))}"]
    text, alert = local_note(record)
    over = src if dst == src or kind != "timeout" else f"{src},{dst}"
    note = f"Note over {over}: {escape(text)}"
    if alert:
        return [f"{indent}rect {ALERT_BACKGROUND}", f"{indent}  {note}", f"{indent}end"]
    return [f"{indent}{note}"]


def _declarations(roles: Mapping[str, str], ids: Mapping[str, str], domains: Mapping[str, str]) -> list[str]:
    """``participant`` lines, inside one ``box`` per domain label."""
    groups: dict[str | None, list[str]] = {}
    order: list[tuple[str | None, str]] = []
    for actor in roles:
        label = domains.get(actor)
        if label is None:
            order.append((None, actor))
            continue
        if label not in groups:
            groups[label] = []
            order.append((label, actor))
        groups[label].append(actor)

    def participant(actor: str, indent: str) -> str:
        alias = escape(actor) + (f"<br/>{escape(roles[actor])}" if roles[actor] else "")
        return f"{indent}participant {ids[actor]} as {alias}"

    lines: list[str] = []
    for label, actor in order:
        if label is None:
            lines.append(participant(actor, "  "))
            continue
        # "transparent" names the colour explicitly: Mermaid would otherwise read a label whose
        # first word is a CSS colour name ("red", "tan") as the box colour.
        lines.append(f"  box transparent {escape(label)}")
        lines.extend(participant(member, "    ") for member in groups[label])
        lines.append("  end")
    return lines
