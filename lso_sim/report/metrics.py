"""The metrics of a run, computed from its trace records.

Definitions (also in docs/reports.md), all in simulated seconds:

* **lead time of a thread instance**: from its first record's send time to the latest time one
  of its records ends (arrival of a message, end of an activity);
* **duration of a step** in one instance: the same span over that step's records only; the report
  gives its distribution over instances;
* **messages and bytes per IRP**: channel messages (requests, responses, notifications) and the
  size of their payloads as compact UTF-8 JSON, the body a real API would carry;
* **latency per channel**: arrival minus send time of the messages delivered between two actors
  (either direction), with the IRP joining them; lost messages are counted apart;
* **busy time of an actor**: the length of the union of the intervals in which it had work in
  hand: its activities, and each request it answered from its arrival to the answer's sending;
  utilisation is busy time over the run's span;
* **fall-out**: lost messages, timeouts, handler errors and rejected responses (status 400 or
  more), and the thread instances that met at least one of them;
* **end state**: what an instance's ``outcome`` record says (``completed``, ``failed``, ``quote
  unableToProvide``, ``open``...; ``-`` for a trace without one); lead times are also given per
  thread and end state, because a quote refused after 20 minutes is not a fast order, and the
  reasons of the instances that did not complete are counted.

Fault records (thread ``fault``) are not thread work: they take no part in spans, steps or
fall-out. An outcome record marks when its instance ended: it closes the instance's span but is
no step of it.
"""

from __future__ import annotations

import json
import math
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from lso_sim.engine.faults import FAULT_THREAD
from lso_sim.report.access import AUDIT, AccessDecisions, access_decisions
from lso_sim.trace.select import MESSAGE_KINDS, end_time, step_key

_IRP_COUNTERS = ("messages", "bytes", "request", "response", "notification", "lost")
"""Counters of one IRP's traffic (a message kind counts under its own name)."""

_DIGITS = 6
"""Figures are rounded to microseconds, the precision of trace times, so sums print cleanly."""


@dataclass(frozen=True, slots=True)
class Stats:
    """Summary of a list of durations (all ``0.0`` when empty).

    Percentiles use the nearest-rank method: a value that really occurred, and exact on small
    samples, which keeps hand-computed expectations simple.
    """

    count: int = 0
    total: float = 0.0
    minimum: float = 0.0
    mean: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    maximum: float = 0.0

    @classmethod
    def of(cls, values: Iterable[float]) -> Stats:
        """Statistics of ``values``."""
        ordered = sorted(round(v, _DIGITS) for v in values)
        if not ordered:
            return cls()
        total = round(math.fsum(ordered), _DIGITS)

        def rank(p: float) -> float:
            return ordered[max(0, math.ceil(p * len(ordered)) - 1)]

        mean = round(total / len(ordered), _DIGITS)
        return cls(len(ordered), total, ordered[0], mean, rank(0.5), rank(0.95), ordered[-1])


@dataclass(frozen=True, slots=True)
class InstanceMetrics:
    """One thread instance: when it ran, its lead time, its messages, whether it met fall-out."""

    thread: str
    instance: str
    start: float
    end: float
    lead_time: float
    messages: int
    fallout: int
    state: str = "-"
    """End state from the instance's outcome record (``-``: the trace has none)."""
    reason: str | None = None
    """Why it ended there, from the outcome record."""


@dataclass(frozen=True, slots=True)
class EndStateMetrics:
    """Lead times of one thread's instances that ended in one state."""

    thread: str
    state: str
    lead_time: Stats


@dataclass(frozen=True, slots=True)
class ReasonCount:
    """How many instances of a thread ended in a state for one reason."""

    thread: str
    state: str
    reason: str
    count: int


@dataclass(frozen=True, slots=True)
class StepMetrics:
    """One step of a thread: its duration over the instances that did it."""

    thread: str
    step: str
    duration: Stats


@dataclass(frozen=True, slots=True)
class IrpMetrics:
    """Traffic over one IRP."""

    irp: str
    messages: int
    bytes: int
    requests: int
    responses: int
    notifications: int
    lost: int


@dataclass(frozen=True, slots=True)
class ChannelMetrics:
    """Latency of the channel between two actors (named in sorted order)."""

    a: str
    b: str
    irp: str
    latency: Stats
    lost: int


@dataclass(frozen=True, slots=True)
class ActorMetrics:
    """Load of one actor."""

    actor: str
    role: str
    busy: float
    utilisation: float
    activities: int
    requests_served: int


@dataclass(frozen=True, slots=True)
class Fallout:
    """What went wrong, counted."""

    lost: int = 0
    timeouts: int = 0
    errors: int = 0
    rejected: int = 0
    instances: int = 0


@dataclass(frozen=True, slots=True)
class Report:
    """Every metric of a trace; see the module docstring for definitions."""

    start: float
    end: float
    records: int
    messages: int
    bytes: int
    instances: list[InstanceMetrics] = field(default_factory=list)
    steps: list[StepMetrics] = field(default_factory=list)
    irps: list[IrpMetrics] = field(default_factory=list)
    channels: list[ChannelMetrics] = field(default_factory=list)
    actors: list[ActorMetrics] = field(default_factory=list)
    fallout: Fallout = Fallout()
    end_states: list[EndStateMetrics] = field(default_factory=list)
    reasons: list[ReasonCount] = field(default_factory=list)
    access: list[AccessDecisions] = field(default_factory=list)
    """Access decisions by party, IRP and outcome (thread 10.8's audit; empty: nothing audited)."""

    @property
    def span(self) -> float:
        """Simulated time from the first record to the last one's end."""
        return self.end - self.start

    @property
    def lead_times(self) -> Stats:
        """Lead times of all thread instances."""
        return Stats.of(i.lead_time for i in self.instances)

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data (``lso-sim report --format json``)."""
        data = asdict(self)
        data["span"] = self.span
        data["lead_times"] = asdict(self.lead_times)
        return data


def payload_bytes(record: Mapping[str, Any]) -> int:
    """Size of a record's payload as compact UTF-8 JSON (``0`` for none)."""
    payload = record.get("payload")
    if payload is None:
        return 0
    return len(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def _is_fallout(record: Mapping[str, Any]) -> str | None:
    """Which fall-out counter a record adds to, if any."""
    kind = record.get("kind")
    if kind in MESSAGE_KINDS and record.get("delivered") is None:
        return "lost"
    if kind == "timeout":
        return "timeouts"
    if kind == "error":
        return "errors"
    status = record.get("status")
    if kind == "response" and isinstance(status, int) and status >= 400:
        return "rejected"
    return None


def _union_length(intervals: list[tuple[float, float]]) -> float:
    total, current_start, current_end = 0.0, None, 0.0
    for start, end in sorted(intervals):
        if current_start is None or start > current_end:
            if current_start is not None:
                total += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_start is not None:
        total += current_end - current_start
    return total


def compute_report(records: Iterable[Mapping[str, Any]]) -> Report:
    """All metrics of ``records`` (trace records in send order).

    Made for traces of any length: the records pass by once (twice for a guarded run's access
    table) and only numbers stay, a few per message or per instance, never the records
    themselves. Give a list or a re-readable source such as
    :class:`~lso_sim.trace.jsonl.TraceRecords` (a file read back): a one-shot iterator is read
    into a list first, since the access table may need a second pass.
    """
    if iter(records) is records:
        records = list(records)
    tally = _Tally()
    for r in records:
        tally.add(r)
    if tally.records == 0:
        return Report(0.0, 0.0, 0, 0, 0)
    return tally.report(access_decisions(records) if tally.audited else [])


class _Instance:
    """What the report keeps of one thread instance while the records pass."""

    __slots__ = ("end", "fallout", "messages", "outcome", "start", "steps")

    def __init__(self, start: float, end: float) -> None:
        self.start, self.end = start, end
        self.messages = self.fallout = 0
        self.outcome: tuple[str, str | None] = ("-", None)
        self.steps = array("d")
        """``[step code, start, end, ...]``: a few dozen floats instead of a dict per step."""

    def step(self, code: float, start: float, end: float) -> None:
        """Widen the span of the step ``code`` to cover ``start``-``end``."""
        steps = self.steps
        for at in range(0, len(steps), 3):
            if steps[at] == code:
                steps[at + 1] = min(steps[at + 1], start)
                steps[at + 2] = max(steps[at + 2], end)
                return
        steps.extend((code, start, end))


class _Tally:
    """The report's figures, gathered one record at a time (see :func:`compute_report`)."""

    def __init__(self) -> None:
        self.records = self.messages = self.total_bytes = 0
        self.start, self.end = math.inf, -math.inf
        self.instances: dict[tuple[str, str], _Instance] = {}
        self.step_codes: dict[str, float] = {}
        self.irp_counts: dict[str, dict[str, int]] = {}
        self.latencies: dict[tuple[str, str, str], array[float]] = {}
        self.channel_lost: dict[tuple[str, str, str], int] = {}
        self.fallout: dict[str, int] = {"lost": 0, "timeouts": 0, "errors": 0, "rejected": 0}
        self.instances_with_fallout = 0
        self.roles: dict[str, str] = {}
        self.busy: dict[str, array[float]] = {}
        """Actor -> ``[start, end, ...]`` of its activities and of the requests it answered."""
        self.activities: dict[str, int] = {}
        self.served: dict[str, int] = {}
        self.open_requests: dict[str, tuple[float, str]] = {}
        """Request id -> (arrival, receiver) until its answer: only requests still unanswered."""
        self.audited = False

    def add(self, r: Mapping[str, Any]) -> None:
        """Count one record."""
        self.records += 1
        thread, instance = str(r.get("thread")), str(r.get("instance"))
        kind, src, dst = r.get("kind"), str(r.get("src")), str(r.get("dst"))
        sent, ended = float(r.get("time") or 0.0), end_time(r)
        self.start, self.end = min(self.start, sent), max(self.end, ended)
        self.roles.setdefault(src, str(r.get("src_role") or ""))
        self.roles.setdefault(dst, str(r.get("dst_role") or ""))
        if kind == "fault":
            return
        key = (thread, instance)
        entry = self.instances.get(key)
        if entry is None:
            entry = self.instances[key] = _Instance(sent, ended)
        else:
            entry.start, entry.end = min(entry.start, sent), max(entry.end, ended)
        if kind == "outcome":  # the instance ends here: part of its span, not a step of it
            entry.outcome = _end_of(r)
            return
        step = str(r.get("step"))
        code = self.step_codes.setdefault(step, float(len(self.step_codes)))
        entry.step(code, sent, ended)
        bad = _is_fallout(r)
        if bad is not None:
            self.fallout[bad] += 1
            if entry.fallout == 0:
                self.instances_with_fallout += 1
            entry.fallout += 1
        if kind == "activity":
            self.busy.setdefault(src, array("d")).extend((sent, ended))
            self.activities[src] = self.activities.get(src, 0) + 1
            if r.get("operation") == AUDIT:
                self.audited = True
        if kind not in MESSAGE_KINDS:
            return
        self.messages += 1
        entry.messages += 1
        size = payload_bytes(r)
        self.total_bytes += size
        irp = str(r.get("irp") or "-")
        counts = self.irp_counts.get(irp)
        if counts is None:
            counts = self.irp_counts[irp] = dict.fromkeys(_IRP_COUNTERS, 0)
        counts["messages"] += 1
        counts["bytes"] += size
        counts[str(kind)] += 1
        a, b = sorted((src, dst))
        channel = (a, b, irp)
        latencies = self.latencies.get(channel)
        if latencies is None:
            latencies = self.latencies[channel] = array("d")
        delivered = r.get("delivered")
        if delivered is None:
            counts["lost"] += 1
            self.channel_lost[channel] = self.channel_lost.get(channel, 0) + 1
        else:
            latencies.append(ended - sent)
        if kind == "request":
            if delivered is not None:
                self.open_requests[str(r.get("id"))] = (float(delivered), dst)
        elif kind == "response":
            # A request is served once, by its first answer: the entry goes with it.
            request = self.open_requests.pop(str(r.get("correlation_id")), None)
            if request is not None and request[1] == src:
                self.busy.setdefault(src, array("d")).extend((request[0], sent))
                self.served[src] = self.served.get(src, 0) + 1

    def report(self, access: list[AccessDecisions]) -> Report:
        """The figures gathered so far, as a :class:`Report`."""
        names = {code: step for step, code in self.step_codes.items()}
        instances: list[InstanceMetrics] = []
        per_step: dict[tuple[str, str], list[float]] = {}
        for (thread, instance), entry in self.instances.items():
            if thread == FAULT_THREAD:  # a fault's own hops (alarms, topology events) are no instance
                continue
            lead = round(entry.end - entry.start, _DIGITS)
            instances.append(
                InstanceMetrics(
                    thread,
                    instance,
                    entry.start,
                    entry.end,
                    lead,
                    entry.messages,
                    entry.fallout,
                    *entry.outcome,
                )
            )
            steps = entry.steps
            for at in range(0, len(steps), 3):
                per_step.setdefault((thread, names[steps[at]]), []).append(steps[at + 2] - steps[at + 1])
        by_state: dict[tuple[str, str], list[float]] = {}
        why: dict[tuple[str, str, str], int] = {}
        for i in instances:
            by_state.setdefault((i.thread, i.state), []).append(i.lead_time)
            if i.state not in ("completed", "-"):
                key3 = (i.thread, i.state, i.reason or "no reason given")
                why[key3] = why.get(key3, 0) + 1
        end_states = [EndStateMetrics(t, state, Stats.of(v)) for (t, state), v in sorted(by_state.items())]
        reasons = [
            ReasonCount(t, state, reason, n)
            for (t, state, reason), n in sorted(why.items(), key=lambda kv: (kv[0][0], -kv[1], kv[0][1:]))
        ]
        steps_metrics = [
            StepMetrics(thread, step, Stats.of(values))
            for (thread, step), values in sorted(
                per_step.items(), key=lambda kv: (kv[0][0], step_key(kv[0][1]))
            )
        ]
        irps = [
            IrpMetrics(
                irp, c["messages"], c["bytes"], c["request"], c["response"], c["notification"], c["lost"]
            )
            for irp, c in sorted(self.irp_counts.items())
        ]
        channels = [
            ChannelMetrics(a, b, irp, Stats.of(values), self.channel_lost.get((a, b, irp), 0))
            for (a, b, irp), values in sorted(self.latencies.items())
        ]
        span_total = self.end - self.start
        actors = []
        for actor in sorted(self.roles):
            spans = self.busy.get(actor, array("d"))
            length = round(_union_length(list(zip(spans[0::2], spans[1::2], strict=True))), _DIGITS)
            actors.append(
                ActorMetrics(
                    actor,
                    self.roles[actor],
                    length,
                    round(length / span_total, _DIGITS) if span_total > 0 else 0.0,
                    self.activities.get(actor, 0),
                    self.served.get(actor, 0),
                )
            )
        f = self.fallout
        return Report(
            self.start,
            self.end,
            self.records,
            self.messages,
            self.total_bytes,
            instances,
            steps_metrics,
            irps,
            channels,
            actors,
            Fallout(f["lost"], f["timeouts"], f["errors"], f["rejected"], self.instances_with_fallout),
            end_states,
            reasons,
            access,
        )


def _end_of(record: Mapping[str, Any]) -> tuple[str, str | None]:
    """End state and reason an outcome record gives."""
    payload = record.get("payload")
    if not isinstance(payload, Mapping):
        return "-", None
    reason = payload.get("reason")
    return str(payload.get("state") or "-"), None if reason is None else str(reason)
