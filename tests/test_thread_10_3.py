"""Thread 10.3 end to end: MEF's hops in order, the refusal path, scheduled changes and reservations."""

from __future__ import annotations

import pytest
from assurance_helpers import canonical, conformance_errors, first_seen, hops, jsonl
from conftest import Runner

from lso_sim.conformance import find_sdk
from lso_sim.messages import Kind
from lso_sim.scenarios.schema import Scenario
from lso_sim.threads.catalog import THREADS

MEF_STEP_ORDER = [
    "1",
    "2",
    "3",
    "4",
    "5a",
    "5b",
    "6",
    "7",
    "8",
    "9a",
    "9b",
    "10",
    "11",
    "12",
    "13",
    "14",
    "15",
]

# Every distinct hop of an applied change, by MEF step (fan-out to several ICMs/ECMs folded).
EXPECTED_HOPS = {
    ("1", "ALLEGRO", "Customer", "SOF-sp", "retrieveServiceControlPolicy"),
    ("2", "ALLEGRO", "Customer", "SOF-sp", "requestServiceChange"),
    ("3", None, "SOF-sp", "SOF-sp", "checkServiceConstraints"),
    ("4", None, "SOF-sp", "SOF-sp", "identifyServiceComponents"),
    ("5a", "PRESTO", "SOF-sp", "ICM", "update-connectivity-service"),
    ("5b", "INTERLUDE", "SOF-sp", "SOF-partner", "modifyServiceComponent"),
    ("5b", "PRESTO", "SOF-partner", "ICM", "update-connectivity-service"),
    ("6", "ADAGIO", "ICM", "ECM", "configureNetworkElement"),
    ("7", "PRESTO", "ICM", "SOF-sp", "forwardingConstructTaskResult"),
    ("7", "PRESTO", "ICM", "SOF-partner", "forwardingConstructTaskResult"),
    ("8", "INTERLUDE", "SOF-partner", "SOF-sp", "serviceComponentTaskResult"),
    ("9a", "PRESTO", "SOF-sp", "ICM", "testForwardingConstruct"),
    ("9b", "INTERLUDE", "SOF-sp", "SOF-partner", "verifyServiceComponent"),
    ("9b", "PRESTO", "SOF-partner", "ICM", "testForwardingConstruct"),
    ("10", "ADAGIO", "ICM", "ECM", "testNetworkElement"),
    ("11", "PRESTO", "ICM", "SOF-sp", "forwardingConstructTaskResult"),
    ("11", "PRESTO", "ICM", "SOF-partner", "forwardingConstructTaskResult"),
    ("12", "INTERLUDE", "SOF-partner", "SOF-sp", "serviceComponentTaskResult"),
    ("8", "LEGATO", "SOF-partner", "BUS-partner", "serviceAttributeValueChangeEvent"),
    ("8", "LEGATO", "BUS-partner", "SOF-partner", "serviceGet"),
    ("13", None, "SOF-sp", "SOF-sp", "synchroniseInventoryAndAssurance"),
    ("13", "LEGATO", "SOF-sp", "BUS-sp", "serviceAttributeValueChangeEvent"),
    ("13", "LEGATO", "BUS-sp", "SOF-sp", "serviceGet"),
    ("14", "LEGATO", "SOF-sp", "BUS-sp", "serviceUsageEvent"),
    ("15", "ALLEGRO", "SOF-sp", "Customer", "serviceChangeStateChangeEvent"),
}


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return canonical("10.3")


def test_applied_change_follows_mef_steps_in_order(scenario: Scenario, run: Runner) -> None:
    """An accepted change goes through steps 1 to 15 in MEF's order, with exactly MEF's hops."""
    result, trace = run(scenario)
    change = hops(trace.records, "acme/change-1")
    assert first_seen(h[0] for h in change) == MEF_STEP_ORDER
    assert set(change) == EXPECTED_HOPS
    assert result.world.outcomes["acme/change-1"].state == "completed"
    assert all(step in THREADS["10.3"].steps for step in MEF_STEP_ORDER)


def test_service_is_established_by_10_2_first(scenario: Scenario, run: Runner) -> None:
    """The service comes from a 10.2 order (records of thread 10.2) that ends before 10.3 starts."""
    result, trace = run(scenario)
    order = result.world.outcomes["acme/order-1"]
    assert order.thread == "10.2" and order.state == "completed"
    first_control = min(r.time for r in trace.records if r.thread == "10.3")
    assert order.ended is not None and first_control >= order.ended
    assert {r.thread for r in trace.records if r.instance == "acme/order-1"} == {"10.2"}


def test_change_outside_constraints_is_refused_with_reason(scenario: Scenario, run: Runner) -> None:
    """5000 Mbit/s is outside 50-1000: step 3 refuses it, the 422 carries the reason, nothing else happens."""
    result, trace = run(scenario)
    outcome = result.world.outcomes["acme/change-2"]
    assert outcome.state == "refused"
    assert "outside the permitted 50-1000" in str(outcome.reason)
    (refusal,) = [
        r
        for r in trace.records
        if r.instance == "acme/change-2" and r.operation == "requestServiceChange" and r.kind is Kind.RESPONSE
    ]
    assert refusal.status == 422 and refusal.payload["code"] == "outsideConstraints"
    assert [h[0] for h in hops(trace.records, "acme/change-2")] == ["1", "2", "3"]


def test_refusal_when_capacity_is_missing(scenario: Scenario, run: Runner) -> None:
    """Within the contract but beyond the path's free capacity: refused as noCapacity."""
    data = scenario.model_dump(mode="json")
    control = data["workload"][0]["control"]
    control["constraints"]["max_bandwidth_mbps"] = 50000
    control["changes"] = [{"after": 60, "bandwidth_mbps": 20000}]
    result, _trace = run(Scenario.model_validate(data))
    outcome = result.world.outcomes["acme/change-1"]
    assert outcome.state == "refused" and "free along the service's path" in str(outcome.reason)


def test_scheduled_change_applies_at_its_time(scenario: Scenario, run: Runner) -> None:
    """Change 3 is accepted as scheduled and reconfigured 6 h (its delay) after the acceptance."""
    result, trace = run(scenario)
    records = [r for r in trace.records if r.instance == "acme/change-3"]
    (accepted,) = [r for r in records if r.operation == "requestServiceChange" and r.kind is Kind.RESPONSE]
    assert accepted.status == 202 and accepted.payload["state"] == "scheduled"
    first_reconfigure = min(r.time for r in records if r.step == "5a")
    assert first_reconfigure - accepted.time == pytest.approx(21600.0, abs=1.0)
    assert result.world.outcomes["acme/change-3"].state == "completed"


def test_reservation_applies_then_reverts_and_gives_capacity_back(scenario: Scenario, run: Runner) -> None:
    """Change 4 holds capacity at once, applies 800 Mbit/s for 2 h, then reverts and releases it."""
    result, trace = run(scenario)
    records = [r for r in trace.records if r.instance == "acme/change-4"]
    (accepted,) = [r for r in records if r.operation == "requestServiceChange" and r.kind is Kind.RESPONSE]
    assert accepted.payload["state"] == "reserved"
    events = [r for r in records if r.operation == "serviceChangeStateChangeEvent"]
    assert [(e.payload["phase"], e.payload["bandwidthMbps"]) for e in events] == [
        ("applied", 800.0),
        ("reverted", 300.0),
    ]
    assert first_seen(h[0] for h in hops(trace.records, "acme/change-4")).count("5a") == 1
    assert sum(1 for r in records if r.step == "4") == 2  # applied, then reverted
    world = result.world
    (record,) = world.sof_sp.services.values()
    assert record.bandwidth_mbps == 300.0
    assert record.decomposition is not None
    a, b = record.decomposition.path[1], record.decomposition.path[2]
    assert world.topology.graph.edges[a, b]["used"] == 300.0


def test_usage_events_and_metric_model_follow_the_changes(scenario: Scenario, run: Runner) -> None:
    """BUS-sp gets one usage event per applied phase; the ECMs carry the final bandwidth."""
    result, _ = run(scenario)
    world = result.world
    usage = [(e["phase"], e["previousBandwidthMbps"], e["bandwidthMbps"]) for e in world.bus_sp.usage_events]
    assert usage == [
        ("applied", 200.0, 400.0),
        ("applied", 400.0, 300.0),
        ("applied", 300.0, 800.0),
        ("reverted", 800.0, 300.0),
    ]
    flows = world.telemetry.element("p-core-1").flows()
    assert list(flows.values()) == [300.0]


def test_changes_not_permitted_by_policy_are_refused(scenario: Scenario, run: Runner) -> None:
    """A contract without scheduling or reservations refuses them (notPermitted)."""
    data = scenario.model_dump(mode="json")
    control = data["workload"][0]["control"]
    control["constraints"].update({"scheduled_changes": False, "reservations": False})
    result, _ = run(Scenario.model_validate(data))
    assert result.world.outcomes["acme/change-3"].state == "refused"
    assert result.world.outcomes["acme/change-4"].state == "refused"
    assert result.world.outcomes["acme/change-1"].state == "completed"


def test_same_seed_same_bytes(scenario: Scenario) -> None:
    """Deterministic: same scenario and seed, byte-identical trace."""
    assert jsonl(scenario) == jsonl(scenario)


@pytest.mark.skipif(find_sdk() is None, reason="MEF LSO SDK not found")
def test_mef_bodies_conform(scenario: Scenario, run: Runner) -> None:
    """Every 10.3 record realising a MEF operation (PRESTO update-connectivity-service) is valid."""
    _, trace = run(scenario)
    assert any(r.api == "presto-nrp" for r in trace.records)
    assert conformance_errors(r for r in trace.records if r.thread == "10.3") == []


def test_control_block_order_index_is_checked(scenario: Scenario) -> None:
    """A change naming an order the item does not have is a scenario error with its path."""
    from lso_sim.errors import ScenarioError
    from lso_sim.scenarios.loader import parse_scenario

    data = scenario.model_dump(mode="json")
    data["workload"][0]["control"]["changes"][0]["order"] = 3
    with pytest.raises(ScenarioError, match=r"workload\.0\.control\.changes\.0\.order"):
        parse_scenario(data, "test")
