"""Helpers shared by the tests of threads 10.3, 10.4 and 10.6 (not a test module)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from conftest import SCENARIOS

from lso_sim.conformance import find_sdk, validate_trace_record
from lso_sim.messages import Kind, Message
from lso_sim.scenarios import load_scenario, run_scenario
from lso_sim.scenarios.schema import Scenario
from lso_sim.trace import JsonlTraceWriter
from lso_sim.trace.records import to_record

Hop = tuple[str, str | None, str, str, str]


def canonical(thread: str) -> Scenario:
    """The canonical scenario of ``thread``."""
    return load_scenario(SCENARIOS / f"thread-{thread}.yaml")


def hops(records: Iterable[Message], instance: str) -> list[Hop]:
    """(step, IRP, src role, dst role, operation) of one instance's requests, notifications, activities."""
    return [
        (r.step, r.irp, r.src_role, r.dst_role, r.operation)
        for r in records
        if r.instance == instance and r.kind in (Kind.REQUEST, Kind.NOTIFICATION, Kind.ACTIVITY)
    ]


def first_seen(steps: Iterable[str]) -> list[str]:
    """Steps in the order they first appear."""
    return list(dict.fromkeys(steps))


def jsonl(scenario: Scenario) -> str:
    """The JSONL trace of a run."""
    stream = io.StringIO()
    run_scenario(scenario, [JsonlTraceWriter(stream)])
    return stream.getvalue()


def conformance_errors(records: Iterable[Message]) -> list[str]:
    """Errors of every record realising a MEF operation, against the SDK (empty without one)."""
    if find_sdk() is None:
        return []
    errors: list[str] = []
    for msg in records:
        if msg.api is not None and msg.kind in (Kind.REQUEST, Kind.RESPONSE, Kind.NOTIFICATION):
            errors.extend(validate_trace_record(to_record(msg)))
    return errors
