"""Checking a run against its scenario's ``expect:`` block.

Works on trace records as dicts (the JSONL contract, see docs/trace-format.md) and on the thread
instance outcomes, so the same check runs on a fresh run and, for what the trace holds, on a
recorded one. Each failed expectation is one :class:`Failure` naming the expectation's field path.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from lso_sim.actors.outcomes import Outcome
from lso_sim.expect.model import (
    DurationRange,
    ExpectModel,
    InstanceSteps,
    MessageCount,
    OutcomeExpectation,
    RecordMatch,
    lookup,
    show_value,
)
from lso_sim.messages.envelope import MESSAGE_KINDS

Record = Mapping[str, Any]

_SHOWN = 3
"""How many offending instances or records a failure names before it says "and N more"."""

_SELECTOR_FIELDS = (
    "thread",
    "instance",
    "step",
    "irp",
    "src",
    "dst",
    "src_role",
    "dst_role",
    "kind",
    "operation",
    "api",
)


@dataclass(frozen=True, slots=True)
class Failure:
    """One expectation a run did not meet.

    Attributes:
        path: the expectation's field path in the scenario, e.g. ``expect.outcomes.0``.
        message: what was expected and what the run did, in words.
    """

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def evaluate(
    expect: ExpectModel | None, records: Iterable[Record], outcomes: Iterable[Outcome]
) -> list[Failure]:
    """Every failed expectation of ``expect`` for a run (empty when all hold or nothing is expected).

    ``records`` is iterated once per expectation: a list, or a trace file read back each time
    (:class:`~lso_sim.trace.jsonl.TraceRecords`) for a run that did not keep them.
    """
    if expect is None:
        return []
    failures: list[Failure] = []
    instances = list(outcomes)
    for i, outcome_rule in enumerate(expect.outcomes):
        failures.extend(_outcomes(f"expect.outcomes.{i}", outcome_rule, instances))
    for i, count_rule in enumerate(expect.messages):
        failure = _message_count(f"expect.messages.{i}", count_rule, records)
        if failure is not None:
            failures.append(failure)
    for thread, steps in expect.steps_reached.items():
        reached = {r.get("step") for r in records if r.get("thread") == thread}
        missing = [s for s in steps if s not in reached]
        if missing:
            failures.append(
                Failure(
                    f"expect.steps_reached.{thread}",
                    f"thread {thread} never reached step {', '.join(missing)}",
                )
            )
    for i, steps_rule in enumerate(expect.instance_steps):
        failures.extend(_instance_steps(f"expect.instance_steps.{i}", steps_rule, records, instances))
    for i, forbidden in enumerate(expect.must_not):
        hits = [r for r in records if matches(forbidden, r)]
        if hits:
            failures.append(
                Failure(
                    f"expect.must_not.{i}",
                    f"{len(hits)} records match {describe(forbidden)}: {_records(hits)}",
                )
            )
    if expect.no_lost_messages:
        lost = [r for r in records if r.get("kind") in MESSAGE_KINDS and r.get("delivered") is None]
        if lost:
            failures.append(
                Failure("expect.no_lost_messages", f"{len(lost)} messages lost: {_records(lost)}")
            )
    for name, bound in (("timeouts", expect.timeouts), ("errors", expect.errors)):
        kind = name[:-1]
        if bound is not None:
            hits = [r for r in records if r.get("kind") == kind]
            if not bound.holds(len(hits)):
                seen = f": {_records(hits)}" if hits else ""
                failures.append(
                    Failure(f"expect.{name}", f"{len(hits)} {name}, expected {bound.describe()}{seen}")
                )
    if expect.end_time is not None:
        end = max((_end(r) for r in records), default=0.0)
        if not expect.end_time.holds(end):
            failures.append(
                Failure(
                    "expect.end_time", f"the run ended at {end:,.3f} s, expected {expect.end_time.describe()}"
                )
            )
    return failures


def matches(rule: RecordMatch, record: Record, *, payload: bool = True) -> bool:
    """True when ``record`` has every field value ``rule`` gives.

    ``payload=False`` leaves the payload tests out (to show what near misses hold there).
    """
    for name in _SELECTOR_FIELDS:
        wanted = getattr(rule, name)
        if wanted is None:
            continue
        value = record.get(name)
        if name == "instance":
            if not isinstance(value, str) or not fnmatchcase(value, wanted):
                return False
        elif value != str(wanted):
            return False
    if rule.status is not None:
        status = record.get("status")
        if not isinstance(status, int) or not rule.status.holds(status):
            return False
    if payload and rule.payload is not None:
        body = record.get("payload")
        return all(test.holds(lookup(body, path)) for path, test in rule.payload.items())
    return True


def describe(rule: RecordMatch) -> str:
    """The selector in words, e.g. ``irp=SONATA operation=createProductOrder``."""
    parts = [f"{name}={getattr(rule, name)}" for name in _SELECTOR_FIELDS if getattr(rule, name) is not None]
    if rule.status is not None:
        low, high = rule.status.min, rule.status.max
        if low == high:
            parts.append(f"status={low}")
        else:
            parts.append(f"status in [{low if low is not None else ''}..{high if high is not None else ''}]")
    if rule.payload is not None:
        parts.extend(test.describe(f"payload.{path}") for path, test in rule.payload.items())
    return "{" + " ".join(parts) + "}" if parts else "{any record}"


def _message_count(path: str, rule: MessageCount, records: Iterable[Record]) -> Failure | None:
    """The failure of a ``messages`` count, showing the records when there are too many and,
    when a payload test left too few, what the records that match the rest hold at its paths."""
    hits = [r for r in records if matches(rule, r)]
    if rule.count.holds(len(hits)):
        return None
    text = f"{len(hits)} records match {describe(rule)}, expected {rule.count.describe()}"
    if rule.count.max is not None and len(hits) > rule.count.max:
        text += f": {_records(hits)}"
    elif rule.payload is not None:
        near = [r for r in records if matches(rule, r, payload=False) and not matches(rule, r)]
        if near:
            text += f"; without the payload tests {len(near)} match: " + _some(
                near, lambda r: _payload_values(rule, r)
            )
    return Failure(path, text)


def _payload_values(rule: RecordMatch, record: Record) -> str:
    """What ``record``'s payload holds at each path ``rule`` tests, e.g. ``seq 4 state=inProgress``."""
    paths = rule.payload or {}
    body = record.get("payload")
    shown = " ".join(f"payload.{path}={show_value(lookup(body, path))}" for path in paths)
    return f"seq {record.get('seq')} {shown}"


def _instance_steps(
    path: str, rule: InstanceSteps, records: Iterable[Record], instances: list[Outcome]
) -> list[Failure]:
    """Each matching instance (known from its outcome or its records) must show every step."""
    reached: dict[str, set[str]] = {}
    for outcome in instances:
        if outcome.thread == rule.thread and fnmatchcase(outcome.instance, rule.instance):
            reached.setdefault(outcome.instance, set())
    for r in records:
        instance = r.get("instance")
        if r.get("thread") != rule.thread or not isinstance(instance, str):
            continue
        if fnmatchcase(instance, rule.instance):
            reached.setdefault(instance, set()).add(str(r.get("step")))
    what = _instances(rule.thread, rule.instance)
    if not reached:
        return [Failure(path, f"no {what}")]
    missed = [(name, [s for s in rule.steps if s not in got]) for name, got in reached.items()]
    missed = [(name, steps) for name, steps in missed if steps]
    if not missed:
        return []
    return [
        Failure(
            path,
            f"{len(missed)} of {len(reached)} {what} missed steps: "
            + _some(missed, lambda item: f"{item[0]} never reached {', '.join(item[1])}"),
        )
    ]


def _outcomes(path: str, rule: OutcomeExpectation, instances: list[Outcome]) -> list[Failure]:
    chosen = [
        o
        for o in instances
        if (rule.thread is None or o.thread == rule.thread) and fnmatchcase(o.instance, rule.instance)
    ]
    what = _instances(rule.thread, rule.instance)
    states = rule.states()
    wanted = rule.reason.casefold() if rule.reason is not None else None
    if rule.count is not None or rule.rate is not None:
        # With a count or a rate, state and reason pick the instances counted ("at least 100
        # completed", "95% completed").
        counted = [
            o
            for o in chosen
            if (states is None or o.state in states)
            and (wanted is None or wanted in (o.reason or "").casefold())
        ]
        if rule.count is not None and not rule.count.holds(len(counted)):
            return [
                Failure(
                    path,
                    f"{len(counted)} {_counted(what, states, rule.reason)}, expected "
                    f"{rule.count.describe()}{_tally(chosen)}",
                )
            ]
        if rule.rate is not None:
            if not chosen:
                return [Failure(path + ".rate", f"no {what} to take a rate of")]
            share = len(counted) / len(chosen)
            if not rule.rate.holds(share):
                return [
                    Failure(
                        path + ".rate",
                        f"{share:.1%} of {_counted(what, states, rule.reason)}, expected "
                        f"{rule.rate.describe()}{_tally(chosen)}",
                    )
                ]
        chosen = counted
    elif not chosen:
        return [Failure(path, f"no {what}")]
    failures: list[Failure] = []
    if states is not None:
        wrong = [o for o in chosen if o.state not in states]
        if wrong:
            expected = " or ".join(repr(s) for s in states)
            failures.append(
                Failure(
                    path + ".state",
                    f"expected {expected}: " + _some(wrong, lambda o: f"{o.instance} ended {o.state!r}"),
                )
            )
    if wanted is not None:
        unexplained = [o for o in chosen if wanted not in (o.reason or "").casefold()]
        if unexplained:
            failures.append(
                Failure(
                    path + ".reason",
                    f"expected a reason containing {rule.reason!r}: "
                    + _some(unexplained, lambda o: f"{o.instance} ended {o.state!r} because {o.reason!r}"),
                )
            )
    if rule.lead_time is not None:
        bound = rule.lead_time
        late = [o for o in chosen if o.lead_time is None or not bound.holds(o.lead_time)]
        if late:
            failures.append(
                Failure(
                    path + ".lead_time",
                    f"expected {bound.describe()}: " + _some(late, _lead_time),
                )
            )
    for key, limit in rule.percentiles.items():
        failure = _percentile(f"{path}.percentiles.{key}", key, limit, chosen, what)
        if failure is not None:
            failures.append(failure)
    return failures


def _percentile(
    path: str, key: str, bound: DurationRange, chosen: list[Outcome], what: str
) -> Failure | None:
    """A lead-time percentile (nearest rank) or mean of ``chosen`` against ``bound``.

    An instance without an end counts as longer than any bound.
    """
    ordered = sorted(math.inf if o.lead_time is None else o.lead_time for o in chosen)
    if not ordered:
        return Failure(path, f"no {what} to take the {key} lead time of")
    if key == "mean":
        value = math.fsum(ordered) / len(ordered)
    else:
        value = ordered[max(0, math.ceil(float(key[1:]) / 100 * len(ordered)) - 1)]
    if bound.holds(value):
        return None
    return Failure(
        path, f"{key} lead time {_duration(value)} over {len(ordered)} {what}, expected {bound.describe()}"
    )


def _duration(value: float) -> str:
    """Seconds, with hours alongside when that helps: ``22,320 s (6.2 h)``."""
    if not math.isfinite(value):
        return "unbounded (an instance never ended)"
    return f"{value:,.0f} s ({value / 3600:.1f} h)" if value >= 3600 else f"{value:,.3f} s"


def needs_records(expect: ExpectModel | None) -> bool:
    """True when checking ``expect`` needs the run's records, not only its outcomes.

    A run that only checks outcomes (states, counts, rates, lead times) need not keep its trace.
    """
    if expect is None:
        return False
    return bool(
        expect.messages
        or expect.steps_reached
        or expect.instance_steps
        or expect.must_not
        or expect.no_lost_messages
        or expect.timeouts is not None
        or expect.errors is not None
        or expect.end_time is not None
    )


def _counted(what: str, states: list[str] | None, reason: str | None) -> str:
    """``instances of thread 10.2 ended 'completed'``: what a counted expectation counts."""
    if states is not None:
        what += " ended " + " or ".join(repr(s) for s in states)
    return what + (f" with a reason containing {reason!r}" if reason is not None else "")


def _tally(chosen: list[Outcome]) -> str:
    """`` (of 200: 177 completed, 23 failed)``: how the instances ended, to explain a count."""
    if not chosen:
        return ""
    counts = Counter(o.state for o in chosen)
    return f" (of {len(chosen)}: " + ", ".join(f"{n} {state}" for state, n in counts.most_common()) + ")"


def _instances(thread: str | None, instance: str) -> str:
    """``instances of thread 10.3 matching 'acme/*'``: which instances an expectation covers."""
    what = f"instances of thread {thread}" if thread else "thread instances"
    return what + (f" matching {instance!r}" if instance != "*" else "")


def _lead_time(outcome: Outcome) -> str:
    lead = outcome.lead_time
    if lead is None:
        return f"{outcome.instance} never ended (state {outcome.state!r})"
    return f"{outcome.instance} took {lead:,.1f} s"


def _some(items: Sequence[Any], show: Callable[[Any], str]) -> str:
    """The first few items shown, then how many more there are."""
    text = "; ".join(show(item) for item in items[:_SHOWN])
    if len(items) > _SHOWN:
        text += f"; and {len(items) - _SHOWN} more"
    return text


def _records(records: Sequence[Record]) -> str:
    return _some(records, _record)


def _record(r: Record) -> str:
    hop = f"{r.get('src')} -> {r.get('dst')}" if r.get("src") != r.get("dst") else str(r.get("src"))
    status = f" {r['status']}" if r.get("status") is not None else ""
    return f"seq {r.get('seq')} {r.get('kind')} {r.get('operation')}{status} ({hop}, step {r.get('step')})"


def _end(record: Record) -> float:
    delivered = record.get("delivered")
    return float(delivered if delivered is not None else record.get("time", 0.0))


def expectation_count(expect: ExpectModel | None) -> int:
    """How many separate expectations ``expect`` states (for summaries)."""
    if expect is None:
        return 0
    flags = [expect.no_lost_messages, expect.timeouts, expect.errors, expect.end_time]
    return (
        len(expect.outcomes)
        + len(expect.messages)
        + len(expect.steps_reached)
        + len(expect.instance_steps)
        + len(expect.must_not)
        + sum(1 for flag in flags if flag)
    )
