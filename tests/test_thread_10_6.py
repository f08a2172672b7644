"""Thread 10.6 end to end: polling and TCAs, SLS comparison, degradations located, resolved and reported."""

from __future__ import annotations

from typing import Any

import pytest
from assurance_helpers import canonical, conformance_errors, first_seen, hops, jsonl
from conftest import Runner

from lso_sim.conformance import find_sdk
from lso_sim.messages import Kind, Message
from lso_sim.scenarios.build import build_world
from lso_sim.scenarios.runner import RunResult
from lso_sim.scenarios.schema import Scenario
from lso_sim.threads.resource_tasks import PartnerTasks

EXPECTED_HOPS = {
    ("1a", "PRESTO", "SOF-sp", "ICM", "retrieveForwardingConstructMetrics"),
    ("1b", "INTERLUDE", "SOF-sp", "SOF-partner", "alertServiceAssessment"),
    ("1a", "PRESTO", "ICM", "SOF-sp", "thresholdCrossingAlert"),
    ("1b", "INTERLUDE", "SOF-sp", "SOF-partner", "createPerformanceReport"),
    ("1b", "PRESTO", "SOF-partner", "ICM", "retrieveForwardingConstructMetrics"),
    ("1b", "PRESTO", "ICM", "SOF-partner", "thresholdCrossingAlert"),
    ("1b", "INTERLUDE", "SOF-partner", "SOF-sp", "thresholdCrossingAlert"),
    ("2", "ADAGIO", "ICM", "ECM", "retrieveElementMetrics"),
    ("2", "ADAGIO", "ECM", "ICM", "thresholdCrossingAlert"),
    ("3", None, "SOF-sp", "SOF-sp", "assessServiceQuality"),
    ("3", "PRESTO", "SOF-sp", "ICM", "testForwardingConstruct"),
    ("3", "ADAGIO", "ICM", "ECM", "testNetworkElement"),
    ("3", "PRESTO", "ICM", "SOF-sp", "forwardingConstructTaskResult"),
    ("3", "INTERLUDE", "SOF-sp", "SOF-partner", "verifyServiceComponent"),
    ("3", "PRESTO", "SOF-partner", "ICM", "testForwardingConstruct"),
    ("3", "PRESTO", "ICM", "SOF-partner", "forwardingConstructTaskResult"),
    ("3", "INTERLUDE", "SOF-partner", "SOF-sp", "serviceComponentTaskResult"),
    ("4", "PRESTO", "SOF-sp", "ICM", "update-connectivity-service"),
    ("4", "ADAGIO", "ICM", "ECM", "configureNetworkElement"),
    ("4", "PRESTO", "ICM", "SOF-sp", "forwardingConstructTaskResult"),
    ("4", "INTERLUDE", "SOF-sp", "SOF-partner", "modifyServiceComponent"),
    ("4", "PRESTO", "SOF-partner", "ICM", "update-connectivity-service"),
    ("4", "PRESTO", "ICM", "SOF-partner", "forwardingConstructTaskResult"),
    ("4", "INTERLUDE", "SOF-partner", "SOF-sp", "serviceComponentTaskResult"),
    ("5", None, "SOF-sp", "SOF-sp", "trackDegradationResolution"),
    ("6", "LEGATO", "SOF-sp", "BUS-sp", "serviceQualityStatusEvent"),
    ("7", "CANTATA", "BUS-sp", "Customer", "productQualityStatusEvent"),
}


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return canonical("10.6")


def _instance(result: RunResult) -> str:
    (outcome,) = [o for o in result.world.outcomes.values() if o.thread == "10.6"]
    return outcome.instance


def _status(records: list[Message], operation: str) -> list[tuple[str, bool]]:
    return [
        (str(r.payload["status"]), bool(r.payload["manualIntervention"]))
        for r in records
        if r.operation == operation and r.kind is Kind.NOTIFICATION
    ]


def test_assessment_follows_mef_steps_in_order(scenario: Scenario, run: Runner) -> None:
    """Polls (1a, 1b, ADAGIO 2), analysis (3), resolution (4, 5) and status (6, 7), in MEF's order."""
    result, trace = run(scenario)
    assessed = hops(trace.records, _instance(result))
    # 1a and 1b are parallel branches; 1b's alert to the partner goes before the first poll.
    seen = first_seen(h[0] for h in assessed)
    assert seen[:2] == ["1b", "1a"] and seen[2:] == ["2", "3", "4", "5", "6", "7"]
    assert set(assessed) == EXPECTED_HOPS


def test_degradations_are_detected_located_and_resolved(scenario: Scenario, run: Runner) -> None:
    """The SP loss is repaired by reconfiguration; the partner delay needs manual work; both resolve."""
    result, trace = run(scenario)
    records = [r for r in trace.records if r.instance == _instance(result)]
    assert _status(records, "serviceQualityStatusEvent") == [
        ("degraded", False),
        ("resolved", False),
        ("degraded", True),
        ("resolved", False),
    ]
    assert _status(records, "productQualityStatusEvent") == _status(records, "serviceQualityStatusEvent")
    outcome = result.world.outcomes[_instance(result)]
    assert (
        outcome.state == "completed"
        and outcome.detail["degradations"] == 2
        and outcome.detail["resolved"] == 2
    )
    sp_fault, partner_fault = result.world.telemetry.impairments()
    assert sp_fault.repaired_at is not None and partner_fault.repaired_at is None
    degraded = next(r for r in records if r.operation == "serviceQualityStatusEvent")
    assert degraded.payload["repaired"] == [sp_fault.id] and degraded.payload["violations"]


def test_partner_degradation_is_first_seen_by_its_tca(scenario: Scenario, run: Runner) -> None:
    """The partner's SOF alerts over INTERLUDE before SOF-sp's analysis finds the delay."""
    result, trace = run(scenario)
    records = [r for r in trace.records if r.instance == _instance(result) and r.time >= 19000]
    alert = next(r for r in records if r.operation == "thresholdCrossingAlert" and r.irp == "INTERLUDE")
    analysis = next(r for r in records if r.operation == "assessServiceQuality" and r.payload["violations"])
    assert alert.time <= analysis.time and "delay_ms" in analysis.payload["violations"]


def test_healthy_service_has_no_degradation_hops(scenario: Scenario, run: Runner) -> None:
    """Without impairments the service meets its SLS: only polling and analysis."""
    result, trace = run(scenario, impairments=[])
    steps = {h[0] for h in hops(trace.records, _instance(result))}
    assert steps == {"1a", "1b", "2", "3"}
    assert result.world.outcomes[_instance(result)].detail["degradations"] == 0


def test_same_seed_same_bytes(scenario: Scenario) -> None:
    """Deterministic: same scenario and seed, byte-identical trace."""
    assert jsonl(scenario) == jsonl(scenario)


@pytest.mark.skipif(find_sdk() is None, reason="MEF LSO SDK not found")
def test_mef_bodies_conform(scenario: Scenario, run: Runner) -> None:
    """INTERLUDE performance reports and PRESTO remedies are valid MEF bodies."""
    _, trace = run(scenario)
    assert conformance_errors(r for r in trace.records if r.thread == "10.6") == []


def test_sls_block_is_required_for_10_6(scenario: Scenario) -> None:
    """A 10.6 item without its block is refused with the field path."""
    from lso_sim.errors import ScenarioError
    from lso_sim.scenarios.loader import parse_scenario

    data = scenario.model_dump(mode="json")
    del data["workload"][0]["sls"]
    with pytest.raises(ScenarioError, match=r"workload\.0.*'sls'"):
        parse_scenario(data, "test")


def test_sof_alerts_the_partner_which_then_watches_at_the_alerted_objectives(
    scenario: Scenario, run: Runner
) -> None:
    """1b: the alert comes first and is acknowledged; the partner keeps the objectives and arms its
    watches at them, so SOF-sp's later requests name the watch only, and its TCAs still arrive."""
    result, trace = run(scenario)
    own = [r for r in trace.records if r.thread == "10.6" and r.irp == "INTERLUDE"]
    alerts = [r for r in own if r.operation == "alertServiceAssessment"]
    assert [(r.kind, r.status) for r in alerts] == [(Kind.REQUEST, None), (Kind.RESPONSE, 202)]
    requests = [r for r in own if r.operation == "createPerformanceReport" and r.kind is Kind.REQUEST]
    assert requests and alerts[0].seq < requests[0].seq
    assert all(set(r.payload["watch"]) == {"id", "until"} for r in requests)
    partner = result.world.sof["partner-1"]
    (held,) = partner.held_to.values()
    assert held["thresholds"] == alerts[0].payload["objectives"]
    assert held["until"] >= max(r.time for r in requests)
    tcas = [r for r in own if r.operation == "thresholdCrossingAlert" and r.src_role == "SOF-partner"]
    assert tcas and {r.payload["watch"] for r in tcas} <= {r.payload["watch"]["id"] for r in requests}


@pytest.mark.parametrize(
    ("watch", "held", "expected"),
    [
        ({"id": "w", "until": 10.0, "thresholds": {"delay_ms": 5.0}}, None, {"delay_ms": 5.0}),
        ({"id": "w", "until": 10.0}, {"thresholds": {"delay_ms": 25.0}, "until": 100.0}, {"delay_ms": 25.0}),
        ({"id": "w", "until": 10.0}, {"thresholds": {"delay_ms": 25.0}, "until": -1.0}, None),
        ({"id": "w", "until": 10.0}, None, None),
        (None, {"thresholds": {"delay_ms": 25.0}, "until": 100.0}, None),
    ],
    ids=["thresholds-given", "alert-in-force", "alert-expired", "never-alerted", "no-watch"],
)
def test_a_partner_watches_at_given_or_alerted_thresholds_or_not_at_all(
    scenario: Scenario,
    watch: dict[str, Any] | None,
    held: dict[str, Any] | None,
    expected: dict[str, float] | None,
) -> None:
    """Thresholds in the request win; else an alert still in force; else only figures are reported."""
    world = build_world(scenario)
    sof = world.sof["partner-1"]
    if held is not None:
        sof.held_to["order-1"] = held
    armed = PartnerTasks(world, sof)._thresholds(watch, "order-1")
    assert (armed or {}).get("thresholds") == expected
