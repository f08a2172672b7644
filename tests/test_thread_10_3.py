"""Thread 10.3 end to end: MEF's hops in order, the refusal path, scheduled changes and reservations."""

from __future__ import annotations

from typing import Any

import pytest
from assurance_helpers import canonical, conformance_errors, first_seen, hops, jsonl
from conftest import Runner

from lso_sim.actors.world import World
from lso_sim.conformance import find_sdk
from lso_sim.messages import Kind
from lso_sim.scenarios.schema import Scenario
from lso_sim.threads.catalog import THREADS
from lso_sim.threads.control import filters

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
    ("13", "PRESTO", "SOF-sp", "ICM", "modifyConstructMonitoring"),
    ("13", "ADAGIO", "ICM", "ECM", "modifyElementMonitoring"),
    ("13", "INTERLUDE", "SOF-sp", "SOF-partner", "modifyComponentMonitoring"),
    ("13", "PRESTO", "SOF-partner", "ICM", "modifyConstructMonitoring"),
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
        ("applied", 400.0, 400.0),  # change-5: the traffic filter, same bandwidth
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


# -- traffic filtering (MEF's other control) and step 13's assurance ------------------------------------


def _service_constructs(world: World) -> list[tuple[str, str, list[str]]]:
    """(ICM id, construct id, NEs) of every construct of the service, SP's and the partner's."""
    (record,) = world.sof_sp.services.values()
    (partner,) = world.sof["partner-1"].services.values()
    sp = (
        [
            (world.icm_of_fd(c.forwarding_domains[0]).id, c.id, list(c.network_elements))
            for c in record.decomposition.sp_components()
        ]
        if record.decomposition
        else []
    )
    return sp + list(partner.constructs)


def test_a_filter_reaches_every_construct_and_element(scenario: Scenario, run: Runner) -> None:
    """change-5's two deny rules travel ALLEGRO -> PRESTO/INTERLUDE -> ADAGIO and stay installed."""
    result, trace = run(scenario)
    world = result.world
    asked = next(
        r.payload["trafficFilter"]
        for r in trace.records
        if r.instance == "acme/change-5" and r.operation == "requestServiceChange" and r.kind is Kind.REQUEST
    )
    assert [rule["action"] for rule in asked] == ["deny", "deny"]
    constructs = _service_constructs(world)
    assert len(constructs) >= 3  # SP metro and core, the partner's access
    for icm, construct, nes in constructs:
        assert world.sim.actor(icm).constructs[construct]["trafficFilter"] == asked
        for ne in nes:
            ecm = world.sim.actor(world.topology.ecm_of(ne))
            assert ecm.configuration[ne][construct]["trafficFilter"] == asked
    (event,) = [
        r
        for r in trace.records
        if r.instance == "acme/change-5" and r.operation == "serviceChangeStateChangeEvent"
    ]
    assert event.payload["trafficFilter"] == asked and event.payload["state"] == "completed"


@pytest.mark.parametrize(
    ("rules", "constraints", "code", "reason"),
    [
        (
            [{"action": "deny", "match": {"vlan": 100}}] * 3,
            {"max_filter_rules": 2},
            "outsideConstraints",
            "exceed",
        ),
        (
            [{"action": "permit", "match": {"vlan": 7}}],
            {"filter_actions": ["deny"]},
            "outsideConstraints",
            "'permit' is not permitted",
        ),
        (
            [{"action": "deny", "match": {"vlan": 7}}],
            {"traffic_filtering": False},
            "notPermitted",
            "not permitted",
        ),
    ],
    ids=["too-many-rules", "action-not-allowed", "filtering-not-allowed"],
)
def test_a_filter_outside_the_contract_is_refused_at_step_3(
    scenario: Scenario,
    run: Runner,
    rules: list[dict[str, Any]],
    constraints: dict[str, Any],
    code: str,
    reason: str,
) -> None:
    """Step 3 checks the filter against the contract: 422 with MEF's code, nothing reconfigured."""
    data = scenario.model_dump(mode="json")
    control = data["workload"][0]["control"]
    control["constraints"].update(constraints)
    control["changes"] = [
        {
            "after": 60,
            "traffic_filter": [{"action": r["action"], "match": {"vlan": r["match"]["vlan"]}} for r in rules],
        }
    ]
    result, trace = run(Scenario.model_validate(data))
    outcome = result.world.outcomes["acme/change-1"]
    assert outcome.state == "refused" and reason in str(outcome.reason)
    (answer,) = [
        r for r in trace.records if r.operation == "requestServiceChange" and r.kind is Kind.RESPONSE
    ]
    assert answer.status == 422 and answer.payload["code"] == code
    assert [h[0] for h in hops(trace.records, "acme/change-1")] == ["1", "2", "3"]


@pytest.mark.parametrize(
    ("body", "code", "reason"),
    [
        ({"service": "s"}, "missingProperty", "bandwidthMbps, trafficFilter or both"),
        ({"trafficFilter": {"action": "deny"}}, "invalidValue", "must be a list"),
        (
            {"trafficFilter": [{"action": "drop", "match": {"vlan": 1}}]},
            "invalidValue",
            "action must be one of",
        ),
        ({"trafficFilter": [{"action": "deny", "match": {}}]}, "invalidValue", "match must name"),
        ({"trafficFilter": [{"action": "deny", "match": {"vlan": 5000}}]}, "invalidValue", "VLAN id 1-4094"),
        ({"trafficFilter": [{"action": "deny", "match": {"etherType": "IPv4"}}]}, "invalidValue", "four hex"),
        ({"trafficFilter": [{"action": "deny", "match": {"port": 80}}]}, "invalidValue", "match must name"),
        ({"trafficFilter": []}, None, None),
        ({"bandwidthMbps": 100}, None, None),
    ],
)
def test_sof_checks_the_shape_of_a_filter(body: dict[str, Any], code: str | None, reason: str | None) -> None:
    """Malformed rules are invalidValue whatever the contract; an empty list (no filter) is fine."""
    refused = filters.refusal(body, dict(filters.DEFAULT_POLICY))
    if code is None:
        assert refused is None
    else:
        assert refused is not None and refused[0] == code and reason in refused[1]


def test_step_13_rearms_monitoring_for_the_new_bandwidth(scenario: Scenario, run: Runner) -> None:
    """After change-1 is tested, every part's monitoring job and thresholds follow 400 Mbit/s (step
    13, before 14); at the end every element watches the final bandwidth, 80% of it the threshold."""
    result, trace = run(scenario)
    world = result.world
    change = [r for r in trace.records if r.instance == "acme/change-1"]
    rearmed = [r for r in change if r.operation.startswith("modify") and r.operation.endswith("Monitoring")]
    assert rearmed and {r.step for r in rearmed} == {"13"}
    assert {r.irp for r in rearmed} == {"PRESTO", "ADAGIO", "INTERLUDE"}
    last_test = max(r.seq for r in change if r.step in ("9a", "9b", "10", "11", "12"))
    usage = min(r.seq for r in change if r.operation == "serviceUsageEvent")
    assert all(last_test < r.seq < usage for r in rearmed)
    assert {r.payload["thresholds"]["utilisationMbps"] for r in rearmed if r.kind is Kind.REQUEST} == {320.0}
    (record,) = world.sof_sp.services.values()
    for icm, construct, nes in _service_constructs(world):
        assert (
            world.sim.actor(icm).constructs[construct]["monitoring"]["bandwidthMbps"] == record.bandwidth_mbps
        )
        for ne in nes:
            job = world.sim.actor(world.topology.ecm_of(ne)).configuration[ne][construct]["monitoring"]
            assert job["thresholds"] == {"utilisationMbps": round(0.8 * record.bandwidth_mbps, 3)}
    sync = [r for r in change if r.operation == "synchroniseInventoryAndAssurance"]
    assert sync[0].payload["monitoringRearmed"] == 3 and "monitoringNotRearmed" not in sync[0].payload


def test_a_filter_only_change_rearms_nothing(scenario: Scenario, run: Runner) -> None:
    """Thresholds follow the bandwidth: a change of the filter alone leaves monitoring as it was."""
    _, trace = run(scenario)
    change = [r for r in trace.records if r.instance == "acme/change-5"]
    assert not [r for r in change if r.operation.endswith("Monitoring")]


def test_a_change_naming_nothing_is_a_located_scenario_error(scenario: Scenario) -> None:
    """A change with neither bandwidth_mbps nor traffic_filter names its path."""
    from lso_sim.errors import ScenarioError
    from lso_sim.scenarios.loader import parse_scenario

    data = scenario.model_dump(mode="json")
    data["workload"][0]["control"]["changes"][0] = {"after": 60}
    with pytest.raises(ScenarioError, match=r"workload\.0\.control\.changes\.0.*bandwidth_mbps"):
        parse_scenario(data, "test")
