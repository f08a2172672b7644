"""Every difference between a golden and a run, grouped by thread instance and MEF step, in words.

A reviewer reads a golden diff instance by instance (one order, one ticket) and, inside one, step
by step; :func:`grouped` gives that order, and :func:`record_words` and :func:`what_differs` the
words the terminal table (:mod:`lso_sim.replay.render`) and the Markdown report
(:mod:`lso_sim.viewer.review`) both print, so the two never disagree.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lso_sim.replay.compare import MISSING, Divergence

MAX_FIELDS = 6
"""Differing values named for one difference before "and N more"."""

_WIDTH = 48
"""Longest value quoted before it is cut with an ellipsis."""


@dataclass(slots=True)
class InstanceGroup:
    """The differences of one thread instance, by step in order of first difference."""

    thread: str
    instance: str
    steps: dict[str, list[Divergence]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        """Differences in the instance."""
        return sum(len(items) for items in self.steps.values())


def record_of(difference: Divergence) -> Mapping[str, Any]:
    """The record a difference is about: the run's, or the golden's when it was removed."""
    record = difference.actual if difference.actual is not None else difference.golden
    assert record is not None
    return record


def grouped(differences: Iterable[Divergence]) -> list[InstanceGroup]:
    """``differences`` grouped by thread instance, then by MEF step, each in order of first appearance."""
    groups: dict[tuple[str, str], InstanceGroup] = {}
    for difference in differences:
        r = record_of(difference)
        key = (str(r.get("thread") or ""), str(r.get("instance") or ""))
        group = groups.setdefault(key, InstanceGroup(*key))
        group.steps.setdefault(str(r.get("step") or ""), []).append(difference)
    return list(groups.values())


def record_words(record: Mapping[str, Any]) -> str:
    """``request createQuote acme -> bus-sp (CANTATA)``: what a record is, in one line."""
    src, dst = record.get("src"), record.get("dst")
    route = f"{src}" if src == dst or not dst else f"{src} -> {dst}"
    status = f" {record['status']}" if record.get("status") is not None else ""
    return f"{record.get('kind')} {record.get('operation')}{status} {route} ({record.get('irp') or 'local'})"


def position(difference: Divergence) -> str:
    """Where the record sits: ``#12`` in the golden, ``#14`` in the run, or both for a move."""
    golden = None if difference.golden is None else difference.golden.get("seq")
    actual = None if difference.actual is None else difference.actual.get("seq")
    if difference.change == "removed":
        return f"golden #{golden}"
    if difference.change == "added":
        return f"run #{actual}"
    return f"golden #{golden} -> run #{actual}"


def _value(value: Any) -> str:
    if value is MISSING:
        return "(absent)"
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= _WIDTH else text[: _WIDTH - 1] + "…"


def what_differs(difference: Divergence) -> str:
    """The differing values (``payload.state: "a" -> "b"``), or what only one side has."""
    if difference.change == "removed":
        return "only in the golden"
    if difference.change == "added":
        return "only in the run"
    values = [f"{d.path}: {_value(d.golden)} -> {_value(d.actual)}" for d in difference.fields[:MAX_FIELDS]]
    if len(difference.fields) > MAX_FIELDS:
        values.append(f"and {len(difference.fields) - MAX_FIELDS} more")
    prefix = "in another place in the order" if difference.change == "moved" else ""
    if prefix and values:
        return prefix + "; " + "; ".join(values)
    return prefix or "; ".join(values)
