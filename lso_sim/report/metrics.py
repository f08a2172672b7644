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
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from lso_sim.engine.faults import FAULT_THREAD
from lso_sim.report.access import AccessDecisions, access_decisions
from lso_sim.trace.select import MESSAGE_KINDS, end_time, step_key

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
    """All metrics of ``records`` (trace records in send order)."""
    items = list(records)
    if not items:
        return Report(0.0, 0.0, 0, 0, 0)
    start = min(float(r.get("time") or 0.0) for r in items)
    end = max(end_time(r) for r in items)

    spans: dict[tuple[str, str], list[float]] = {}
    step_spans: dict[tuple[str, str, str], list[float]] = {}
    instance_messages: dict[tuple[str, str], int] = {}
    instance_fallout: dict[tuple[str, str], int] = {}
    irp_counts: dict[str, dict[str, int]] = {}
    latencies: dict[tuple[str, str, str], list[float]] = {}
    channel_lost: dict[tuple[str, str, str], int] = {}
    fallout: dict[str, int] = {"lost": 0, "timeouts": 0, "errors": 0, "rejected": 0}
    roles: dict[str, str] = {}
    busy: dict[str, list[tuple[float, float]]] = {}
    activities: dict[str, int] = {}
    served: dict[str, int] = {}
    requests: dict[str, Mapping[str, Any]] = {}
    ends: dict[tuple[str, str], tuple[str, str | None]] = {}
    total_bytes = messages = 0

    for r in items:
        thread, instance, step = str(r.get("thread")), str(r.get("instance")), str(r.get("step"))
        kind, src, dst = r.get("kind"), str(r.get("src")), str(r.get("dst"))
        sent, ended = float(r.get("time") or 0.0), end_time(r)
        roles.setdefault(src, str(r.get("src_role") or ""))
        roles.setdefault(dst, str(r.get("dst_role") or ""))
        key = (thread, instance)
        if kind == "fault":
            continue
        span = spans.setdefault(key, [sent, ended])
        span[0], span[1] = min(span[0], sent), max(span[1], ended)
        if kind == "outcome":  # the instance ends here: part of its span, not a step of it
            ends[key] = _end_of(r)
            continue
        step_span = step_spans.setdefault((thread, instance, step), [sent, ended])
        step_span[0], step_span[1] = min(step_span[0], sent), max(step_span[1], ended)
        bad = _is_fallout(r)
        if bad is not None:
            fallout[bad] += 1
            instance_fallout[key] = instance_fallout.get(key, 0) + 1
        if kind == "activity":
            busy.setdefault(src, []).append((sent, ended))
            activities[src] = activities.get(src, 0) + 1
        if kind not in MESSAGE_KINDS:
            continue
        messages += 1
        instance_messages[key] = instance_messages.get(key, 0) + 1
        size = payload_bytes(r)
        total_bytes += size
        irp = str(r.get("irp") or "-")
        counts = irp_counts.setdefault(
            irp, {"messages": 0, "bytes": 0, "request": 0, "response": 0, "notification": 0, "lost": 0}
        )
        counts["messages"] += 1
        counts["bytes"] += size
        counts[str(kind)] += 1
        a, b = sorted((src, dst))
        channel = (a, b, irp)
        if r.get("delivered") is None:
            counts["lost"] += 1
            channel_lost[channel] = channel_lost.get(channel, 0) + 1
            latencies.setdefault(channel, [])
        else:
            latencies.setdefault(channel, []).append(ended - sent)
        if kind == "request":
            requests[str(r.get("id"))] = r
        elif kind == "response":
            request = requests.get(str(r.get("correlation_id")))
            if request is not None and request.get("delivered") is not None and request.get("dst") == src:
                busy.setdefault(src, []).append((float(request["delivered"]), sent))
                served[src] = served.get(src, 0) + 1

    span_total = end - start
    instances = [
        InstanceMetrics(
            t,
            i,
            s,
            e,
            round(e - s, _DIGITS),
            instance_messages.get((t, i), 0),
            instance_fallout.get((t, i), 0),
            *ends.get((t, i), ("-", None)),
        )
        for (t, i), (s, e) in spans.items()
        if t != FAULT_THREAD  # a fault's own hops (alarms, topology events) are messages, not an instance
    ]
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
    per_step: dict[tuple[str, str], list[float]] = {}
    for (thread, _instance, step), (s, e) in step_spans.items():
        if thread == FAULT_THREAD:
            continue
        per_step.setdefault((thread, step), []).append(e - s)
    steps = [
        StepMetrics(thread, step, Stats.of(values))
        for (thread, step), values in sorted(per_step.items(), key=lambda kv: (kv[0][0], step_key(kv[0][1])))
    ]
    irps = [
        IrpMetrics(irp, c["messages"], c["bytes"], c["request"], c["response"], c["notification"], c["lost"])
        for irp, c in sorted(irp_counts.items())
    ]
    channels = [
        ChannelMetrics(a, b, irp, Stats.of(values), channel_lost.get((a, b, irp), 0))
        for (a, b, irp), values in sorted(latencies.items())
    ]
    actors = []
    for actor in sorted(roles):
        length = round(_union_length(busy.get(actor, [])), _DIGITS)
        actors.append(
            ActorMetrics(
                actor,
                roles[actor],
                length,
                round(length / span_total, _DIGITS) if span_total > 0 else 0.0,
                activities.get(actor, 0),
                served.get(actor, 0),
            )
        )
    return Report(
        start,
        end,
        len(items),
        messages,
        total_bytes,
        instances,
        steps,
        irps,
        channels,
        actors,
        Fallout(
            fallout["lost"],
            fallout["timeouts"],
            fallout["errors"],
            fallout["rejected"],
            len(instance_fallout),
        ),
        end_states,
        reasons,
        access_decisions(items),
    )


def _end_of(record: Mapping[str, Any]) -> tuple[str, str | None]:
    """End state and reason an outcome record gives."""
    payload = record.get("payload")
    if not isinstance(payload, Mapping):
        return "-", None
    reason = payload.get("reason")
    return str(payload.get("state") or "-"), None if reason is None else str(reason)
