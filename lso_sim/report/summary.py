"""The summary of one run, gathered while it runs: no trace is kept.

``lso-sim run --summary json`` prints it and ``lso-sim sweep`` keeps one per run. A sweep may run
hundreds of scenarios of millions of records each, so the summary is made by an engine observer
(:class:`SummaryObserver`) that keeps counters and, per actor, the intervals it was busy, plus the
thread instances' outcomes the world already holds. Definitions follow
:mod:`lso_sim.report.metrics` (docs/reports.md) with one difference: an instance's **lead time**
here is its outcome's, from when it started to when it ended (the trace-based report measures
from its first record to its last record's end; both agree to the latency of one message).

Percentiles use the nearest-rank method (a value that really occurred), as the report does.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from lso_sim.actors.outcomes import Outcome
from lso_sim.messages.envelope import MESSAGE_KINDS, Kind, Message
from lso_sim.trace.select import SUCCESS_STATES

SUMMARY_VERSION = 1
"""Version of the summary's JSON shape; bumped when a key changes meaning or goes away."""

PERCENTILES = (50, 90, 95, 99)
"""Lead-time percentiles a summary gives."""

_DIGITS = 6
_COMPACT = 4096
"""Busy intervals an actor may pile up before they are merged (bounds memory on long runs)."""


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode
"""Compact JSON of a payload, the body an API would carry (one encoder, built once)."""


def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank ``p``-th percentile (0 < p <= 100) of sorted, non-empty ``ordered``."""
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def lead_time_stats(values: Iterable[float]) -> dict[str, float | int]:
    """Count, mean, min, the :data:`PERCENTILES` and max of lead times (seconds)."""
    ordered = sorted(round(v, _DIGITS) for v in values)
    if not ordered:
        return {"count": 0}
    stats: dict[str, float | int] = {
        "count": len(ordered),
        "mean": round(math.fsum(ordered) / len(ordered), _DIGITS),
        "min": ordered[0],
    }
    for p in PERCENTILES:
        stats[f"p{p}"] = percentile(ordered, p)
    stats["max"] = ordered[-1]
    return stats


def _merge(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


class SummaryObserver:
    """Counts a run's records as they stream: messages and bytes per IRP, fall-out, actor load.

    Memory grows with the number of actors, IRPs and requests in flight, not with the run's
    length (busy intervals are merged as they pile up).
    """

    def __init__(self) -> None:
        self.irps: dict[str, list[int]] = {}
        """IRP -> [messages, bytes, lost]."""
        self.fallout: Counter[str] = Counter()
        self.roles: dict[str, str] = {}
        self.busy: dict[str, list[tuple[float, float]]] = {}
        self.activities: Counter[str] = Counter()
        self.served: Counter[str] = Counter()
        self._requests: dict[str, tuple[str, float | None]] = {}
        """Request id -> (receiver, arrival) until its first response."""
        self.last_time = 0.0

    def on_record(self, record: Message) -> None:
        kind = record.kind
        end = record.delivered if record.delivered is not None else record.time
        if end > self.last_time:
            self.last_time = end
        if kind is Kind.FAULT or kind is Kind.OUTCOME:
            return
        src, dst = record.src, record.dst
        if src not in self.roles:
            self.roles[src] = str(record.src_role)
        if dst not in self.roles:
            self.roles[dst] = str(record.dst_role)
        if kind is Kind.ACTIVITY:
            self._busy(src, record.time, end)
            self.activities[src] += 1
            return
        if kind is Kind.TIMEOUT:
            self.fallout["timeouts"] += 1
            return
        if kind is Kind.ERROR:
            self.fallout["errors"] += 1
            return
        if kind not in MESSAGE_KINDS:
            return
        counts = self.irps.get(record.irp or "-")
        if counts is None:
            counts = self.irps[record.irp or "-"] = [0, 0, 0]
        counts[0] += 1
        if record.payload is not None:
            text = _dumps(record.payload)
            counts[1] += len(text) if text.isascii() else len(text.encode("utf-8"))
        if record.delivered is None:
            counts[2] += 1
            self.fallout["lost"] += 1
        if kind is Kind.REQUEST:
            self._requests.setdefault(record.id, (dst, record.delivered))
        elif kind is Kind.RESPONSE:
            if record.status is not None and record.status >= 400:
                self.fallout["rejected"] += 1
            asked = self._requests.pop(record.correlation_id or "", None)
            if asked is not None and asked[0] == src and asked[1] is not None:
                self._busy(src, asked[1], record.time)
                self.served[src] += 1

    def _busy(self, actor: str, start: float, end: float) -> None:
        intervals = self.busy.setdefault(actor, [])
        intervals.append((start, end))
        if len(intervals) > _COMPACT:
            self.busy[actor] = _merge(intervals)

    def busy_time(self, actor: str) -> float:
        """Length of the union of the intervals in which ``actor`` had work in hand."""
        return math.fsum(end - start for start, end in _merge(self.busy.get(actor, [])))


def run_summary(
    observer: SummaryObserver,
    outcomes: Iterable[Outcome],
    *,
    scenario: str,
    seed: int,
    end_time: float,
    cut: bool = False,
    invariants: Iterable[str] = (),
) -> dict[str, Any]:
    """The JSON-ready summary of a run (``lso-sim run --summary json``; docs/reports.md).

    Args:
        observer: the observer that saw every record of the run.
        outcomes: the thread instances' outcomes (``World.outcomes.values()``).
        scenario: the scenario's name.
        seed: the seed the run used.
        end_time: simulated time of the run's last event (utilisation is busy time over it).
        cut: True when the horizon stopped the run.
        invariants: the invariants that broke (none: all held).
    """
    # The fields used, not the outcomes: a long run's are kept packed and read one at a time, and
    # a million of them as objects would be a gigabyte for a moment (lso_sim/actors/outcomes.py).
    instances = sorted((o.thread, o.instance, o.state, o.lead_time, o.reason) for o in outcomes)
    states: dict[str, Counter[str]] = {}
    leads: dict[str, dict[str, list[float]]] = {}
    reasons: Counter[tuple[str, str, str]] = Counter()
    for thread, _instance, state, lead_time, reason in instances:
        states.setdefault(thread, Counter())[state] += 1
        if lead_time is not None:
            by_state = leads.setdefault(thread, {})
            by_state.setdefault(state, []).append(lead_time)
            by_state.setdefault("all", []).append(lead_time)
        if state not in SUCCESS_STATES:
            reasons[(thread, state, reason or "no reason given")] += 1
    span = end_time
    actors = {}
    for actor in sorted(observer.roles):
        busy = round(observer.busy_time(actor), _DIGITS)
        actors[actor] = {
            "role": observer.roles[actor],
            "busy": busy,
            "utilisation": round(busy / span, _DIGITS) if span > 0 else 0.0,
            "activities": observer.activities[actor],
            "requests_served": observer.served[actor],
        }
    irps = {
        irp: {"messages": c[0], "bytes": c[1], "lost": c[2]} for irp, c in sorted(observer.irps.items())
    }
    return {
        "summary_version": SUMMARY_VERSION,
        "scenario": scenario,
        "seed": seed,
        "end_time": round(end_time, _DIGITS),
        "cut": cut,
        "instances": len(instances),
        "outcomes": {t: dict(sorted(c.items())) for t, c in sorted(states.items())},
        "rates": {
            t: {s: round(n / sum(c.values()), _DIGITS) for s, n in sorted(c.items())}
            for t, c in sorted(states.items())
        },
        "success": {
            t: round(sum(n for s, n in c.items() if s in SUCCESS_STATES) / sum(c.values()), _DIGITS)
            for t, c in sorted(states.items())
        },
        "lead_time": {
            t: {s: lead_time_stats(v) for s, v in sorted(by.items())} for t, by in sorted(leads.items())
        },
        "messages": sum(c[0] for c in observer.irps.values()),
        "bytes": sum(c[1] for c in observer.irps.values()),
        "irps": irps,
        "actors": actors,
        "fallout": {
            **{name: observer.fallout[name] for name in ("lost", "timeouts", "errors", "rejected")},
            "reasons": [
                {"thread": t, "state": s, "reason": r, "count": n}
                for (t, s, r), n in sorted(reasons.items(), key=lambda kv: (kv[0][0], -kv[1], kv[0][1:]))
            ],
        },
        "invariants_broken": list(invariants),
    }


def flat_metrics(summary: Mapping[str, Any]) -> dict[str, float]:
    """The numbers of a summary under dotted names, for sweeps and comparisons.

    ``rate.<thread>.<state>``, ``count.<thread>.<state>``, ``success.<thread>``,
    ``lead_time.<thread>.<state>.<stat>``
    (``all`` for every end state), ``messages``, ``bytes``, ``messages.<IRP>``, ``bytes.<IRP>``,
    ``lost.<IRP>``, ``utilisation.<actor>``, ``fallout.<kind>``, ``instances``, ``end_time``.
    A run where a thread never reached a state has no ``rate`` entry for it: sweeps count it as 0.
    """
    flat: dict[str, float] = {"instances": summary["instances"], "end_time": summary["end_time"]}
    for thread, rates in summary["rates"].items():
        for state, rate in rates.items():
            flat[f"rate.{thread}.{state}"] = rate
            flat[f"count.{thread}.{state}"] = summary["outcomes"][thread][state]
    for thread, share in summary["success"].items():
        flat[f"success.{thread}"] = share
    for thread, by_state in summary["lead_time"].items():
        for state, stats in by_state.items():
            for stat, value in stats.items():
                if stat != "count":
                    flat[f"lead_time.{thread}.{state}.{stat}"] = value
    flat["messages"] = summary["messages"]
    flat["bytes"] = summary["bytes"]
    for irp, counts in summary["irps"].items():
        for name in ("messages", "bytes", "lost"):
            flat[f"{name}.{irp}"] = counts[name]
    for actor, load in summary["actors"].items():
        flat[f"utilisation.{actor}"] = load["utilisation"]
    for name in ("lost", "timeouts", "errors", "rejected"):
        flat[f"fallout.{name}"] = summary["fallout"][name]
    return flat
