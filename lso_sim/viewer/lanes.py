"""The sequence so far as text lanes: one column per actor, one arrow per message.

Plain characters only, so the same drawing works in any terminal, in a log and in a test::

         acme           bus-sp
       Customer         BUS-sp
    #1    | CANTATA listProductOffering [1]
          |--------------->|
    #2    | CANTATA listProductOffering [1] (200)
          |<- - - - - - - -|

Requests and notifications are solid (``-``), responses dashed (``- -``), a lost message ends in
``x``; activities, timeouts and errors are bracketed notes on their actor's lane.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lso_sim.diagrams.sequence import local_note, message_label
from lso_sim.trace.select import MESSAGE_KINDS

LANE_WIDTH = 18
"""Characters between two lanes."""

_GUTTER = 6
"""Width of the step number column on the left."""


def lane_actors(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    actors: list[str] = []
    for r in rows:
        for key in ("src", "dst"):
            actor = str(r.get(key) or "")
            if actor and actor not in actors:
                actors.append(actor)
    return actors


def _put(line: list[str], at: int, text: str) -> None:
    """Write ``text`` into ``line`` from column ``at``, growing it as needed."""
    at = max(0, at)
    if len(line) < at + len(text):
        line.extend(" " * (at + len(text) - len(line)))
    line[at : at + len(text)] = text


def draw_lanes(
    records: Sequence[Mapping[str, Any]],
    *,
    first_step: int = 1,
    current: int | None = None,
    order: Sequence[str] = (),
) -> list[str]:
    """Lines drawing ``records`` as lanes; ``first_step`` numbers the first row.

    Only the actors that appear in ``records`` get a lane, so a window of a long run stays narrow;
    they are placed in ``order`` (pass the order of the whole run so lanes keep their places as
    the window moves), actors missing from it after the others. The row of step ``current`` is
    marked with ``>``.
    """
    rank = {actor: i for i, actor in enumerate(order)}
    actors = sorted(lane_actors(records), key=lambda a: rank.get(a, len(rank)))
    centre = {a: _GUTTER + LANE_WIDTH // 2 + i * LANE_WIDTH for i, a in enumerate(actors)}
    roles: dict[str, str] = {}
    for r in records:
        roles.setdefault(str(r.get("src")), str(r.get("src_role") or ""))
        roles.setdefault(str(r.get("dst")), str(r.get("dst_role") or ""))

    def blank() -> list[str]:
        line = [" "] * (_GUTTER + LANE_WIDTH * len(actors))
        for x in centre.values():
            line[x] = "|"
        return line

    header, role_line = [" "] * _GUTTER, [" "] * _GUTTER
    for actor, x in centre.items():
        name = actor[: LANE_WIDTH - 2]
        role = roles.get(actor, "")[: LANE_WIDTH - 2]
        _put(header, x - len(name) // 2, name)
        _put(role_line, x - len(role) // 2, role)
    lines = ["".join(header).rstrip(), "".join(role_line).rstrip()]

    for offset, r in enumerate(records):
        step = first_step + offset
        mark = (">" if step == current else " ") + f"#{step}"
        kind = str(r.get("kind") or "")
        src = centre[str(r.get("src"))]
        dst = centre.get(str(r.get("dst")), src)
        label_line, arrow_line = blank(), blank()
        _put(label_line, 0, mark.ljust(_GUTTER - 1))
        if kind in MESSAGE_KINDS and src != dst:
            lo, hi = min(src, dst), max(src, dst)
            _put(label_line, lo + 2, message_label(r))
            body = "".join("-" if kind != "response" or (i % 2 == 0) else " " for i in range(hi - lo - 1))
            head = "x" if r.get("delivered") is None else (">" if dst > src else "<")
            body = body[:-1] + head if dst > src else head + body[1:]
            _put(arrow_line, lo + 1, body)
            lines.extend(("".join(label_line).rstrip(), "".join(arrow_line).rstrip()))
        else:
            text = f"[{local_note(r)[0]}]"
            _put(label_line, src + 2, text)
            lines.append("".join(label_line).rstrip())
    return lines
