"""Thread 10.7 end to end: scheduled collection, SLS exceptions, rating and bills, over every IRP."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import SCENARIOS, Runner

from lso_sim.conformance import find_sdk, validate_trace_record
from lso_sim.engine.observers import MemoryTrace
from lso_sim.messages import Kind
from lso_sim.scenarios import load_scenario, run_scenario
from lso_sim.scenarios.runner import RunResult
from lso_sim.threads.billing.business import desk_of
from lso_sim.threads.catalog import THREADS
from lso_sim.trace.records import to_record

Hop = tuple[str, str | None, str, str, str]

PERIOD: list[Hop] = [
    ("1a", "PRESTO", "SOF-sp", "ICM", "retrieveConstructUsage"),
    ("1b", "INTERLUDE", "SOF-sp", "SOF-partner", "retrieveComponentUsage"),
    ("2", "ADAGIO", "ICM", "ECM", "retrieveElementUsage"),
    ("3", None, "SOF-sp", "SOF-sp", "analyseUsage"),
    ("4", "LEGATO", "SOF-sp", "BUS-sp", "reportUsageSummary"),
    ("5", None, "BUS-sp", "BUS-sp", "rateAndBill"),
    ("6", "CANTATA", "BUS-sp", "Customer", "listen to Customer Bill Create Event"),
    ("6", "CANTATA", "Customer", "BUS-sp", "retrieveCustomerBill"),
    ("6", "CANTATA", "Customer", "BUS-sp", "retrieveCustomerBillItem"),
]
PARTNER: list[Hop] = [
    ("1b", "PRESTO", "SOF-partner", "ICM", "retrieveConstructUsage"),
    ("4", "LEGATO", "SOF-partner", "BUS-partner", "reportUsageSummary"),
    ("5", None, "BUS-partner", "BUS-partner", "rateAndBill"),
    ("6", "SONATA", "BUS-partner", "BUS-sp", "listen to Customer Bill Create Event"),
    ("6", "SONATA", "BUS-sp", "BUS-partner", "retrieveCustomerBill"),
]


@pytest.fixture(scope="module")
def canonical() -> tuple[RunResult, MemoryTrace]:
    trace = MemoryTrace()
    return run_scenario(load_scenario(SCENARIOS / "thread-10.7.yaml"), [trace]), trace


def _hops(trace: MemoryTrace) -> list[Hop]:
    return [
        (r.step, r.irp, r.src_role, r.dst_role, r.operation)
        for r in trace.records
        if r.thread == "10.7" and r.kind in (Kind.REQUEST, Kind.NOTIFICATION, Kind.ACTIVITY)
    ]


def _in_order(expected: list[Hop], actual: list[Hop]) -> Hop | None:
    position = 0
    for hop in expected:
        try:
            position = actual.index(hop, position) + 1
        except ValueError:
            return hop
    return None


def test_each_period_realises_steps_1_to_6_in_order(canonical: tuple[RunResult, MemoryTrace]) -> None:
    result, trace = canonical
    hops = _hops(trace)
    assert hops[:3] == [
        ("setup", "CANTATA", "Customer", "BUS-sp", "registerListener"),
        ("setup", "SONATA", "BUS-sp", "BUS-partner", "registerListener"),
        ("i", "LEGATO", "SOF-sp", "BUS-sp", "serviceUsageEvent"),
    ]
    assert _in_order(PERIOD + PERIOD, hops) is None  # two periods
    assert _in_order(PARTNER, hops) is None
    outcome = result.world.outcomes["acme/billing-1"]
    assert outcome.state == "billed" and outcome.detail["bills"] == 2
    assert {r.irp for r in trace.records if r.thread == "10.7" and r.irp} == {
        "CANTATA",
        "SONATA",
        "LEGATO",
        "INTERLUDE",
        "PRESTO",
        "ADAGIO",
    }
    steps = {r.step for r in trace.records if r.thread == "10.7" and r.kind is not Kind.OUTCOME}
    assert steps <= {*THREADS["10.7"].steps, "setup"}
    assert not [r for r in trace.records if r.kind in (Kind.ERROR, Kind.TIMEOUT)]


def test_sls_violation_of_the_impaired_day_is_reported_and_credited(
    canonical: tuple[RunResult, MemoryTrace],
) -> None:
    result, trace = canonical
    exceptions = [r.payload for r in trace.records if r.operation == "slsExceptionEvent"]
    violations = [e for e in exceptions if e["type"] == "slsViolation"]
    assert len(violations) == 1 and violations[0]["value"] > violations[0]["objective"]
    assert all(r.step == "ii" for r in trace.records if r.operation == "slsExceptionEvent")
    bills = [r.body for r in desk_of(result.world.bus_sp).state.buyer("acme").all("customerBill")]
    assert [b["credits"]["value"] > 0 for b in bills] == [False, True]


def test_mef_messages_validate_against_the_sdk(canonical: tuple[RunResult, MemoryTrace]) -> None:
    if find_sdk() is None:
        pytest.skip("MEF LSO SDK not found beside the project (set LSO_MEF_SDK)")
    _, trace = canonical
    checked = [to_record(r) for r in trace.records if r.thread == "10.7" and r.api]
    assert len(checked) > 10
    assert [e for r in checked for e in validate_trace_record(r)] == []


def _amounts(run: Runner, **updates: Any) -> list[float]:
    result, _ = run(load_scenario(SCENARIOS / "thread-10.7.yaml"), **updates)
    bills = desk_of(result.world.bus_sp).state.buyer("acme").all("customerBill")
    return [float(b.body["amountDue"]["value"]) for b in bills]


def test_bills_come_from_the_model_not_constants(run: Runner) -> None:
    base = _amounts(run)
    assert base == _amounts(run)  # deterministic
    assert base != _amounts(run, seed=8)  # other draws, other usage
    busier = _amounts(run, telemetry={"interval": 900, "load": 0.9, "load_spread": 0.1, "diurnal": 0.3})
    assert all(b > a for a, b in zip(base, busier, strict=True))  # more traffic, bigger bills
