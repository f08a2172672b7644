"""10.2, MEF's note at step 12: a failed activation test is handled by policy-driven closed loop
control (``options.on_test_failure``) before the order fails.

The scenario scenarios/thread-10.2-closed-loop.yaml has p-core-1 down (every test of it fails, a
reconfiguration cannot mend it); its policy is retest, reconfigure, reroute (one attempt each), and
a second core route exists.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import SCENARIOS, Runner

from lso_sim.engine.observers import MemoryTrace
from lso_sim.errors import ScenarioError
from lso_sim.messages.envelope import Kind
from lso_sim.scenarios import load_scenario, parse_scenario
from lso_sim.scenarios.schema import Scenario


@pytest.fixture
def closed_loop() -> Scenario:
    """The canonical closed-loop variation of 10.2."""
    return load_scenario(SCENARIOS / "thread-10.2-closed-loop.yaml")


def _data(scenario: Scenario) -> dict[str, Any]:
    return scenario.model_dump(mode="json", by_alias=True, exclude={"expect"})


def _with(scenario: Scenario, **options: Any) -> Scenario:
    data = _data(scenario)
    data["options"].update(options)
    return parse_scenario(data, "<test>")


def _without_second_route(scenario: Scenario) -> dict[str, Any]:
    data = _data(scenario)
    data["topology"]["links"] = [
        link for link in data["topology"]["links"] if "p-core-3" not in (link["a"], link["b"])
    ]
    return data


def _loop(trace: MemoryTrace) -> list[str]:
    return [
        f"{r.payload['action']} {r.payload['attempt']}/{r.payload['attempts']}"
        for r in trace.records
        if r.operation == "closedLoopControl"
    ]


def _step_12(trace: MemoryTrace, operation: str) -> list[int]:
    return [
        r.seq
        for r in trace.records
        if r.step == "12" and r.operation == operation and r.kind is not Kind.RESPONSE
    ]


def test_the_policy_is_tried_in_order_until_the_reroute_passes(closed_loop: Scenario, run: Runner) -> None:
    """Retest, then reconfigure (PRESTO update with ADAGIO below), then reroute around p-core-1:
    each attempt is announced, carries step 12, and the order completes on the new path."""
    result, trace = run(closed_loop)
    assert result.world.outcomes["acme/order-1"].state == "completed"
    assert _loop(trace) == ["retest 1/1", "reconfigure 1/1", "reroute 1/1"]
    announced = _step_12(trace, "closedLoopControl")
    (update,) = _step_12(trace, "update-connectivity-service")
    (reroute,) = _step_12(trace, "computeReroute")
    tests = _step_12(trace, "runServiceActivationTest")
    assert len(tests) == 3  # one after each action
    assert announced[0] < tests[0] < announced[1] < update < tests[1] < announced[2] <= reroute < tests[2]
    assert _step_12(trace, "configureNetworkElement")  # the reconfiguration reached the elements
    (sof,) = [s for s in result.world.sof.values() if s.role.value == "SOF-sp"]
    (record,) = sof.services.values()
    assert "p-core-1" not in record.reserved and "p-core-3" in record.reserved
    graph = result.world.topology.graph
    assert graph.edges["p-core-1", "p-core-2"]["used"] == 0.0
    assert graph.edges["p-core-3", "p-core-2"]["used"] == 200.0
    # the old core construct is gone, the new one is built and monitored (12a)
    assert len(_step_12(trace, "delete-connectivity-service")) == 1
    monitored = [
        r.payload.get("constructId") for r in trace.records if r.operation == "activatePerformanceMonitoring"
    ]
    assert any(str(c).endswith("-r1-c2") for c in monitored)
    assert result.invariants is not None and result.invariants.ok


def test_an_exhausted_policy_fails_the_order_naming_every_attempt(closed_loop: Scenario, run: Runner) -> None:
    """Without a second route, the reroute is not possible: the order fails, the reason lists the
    attempts, and what was built is taken down."""
    result, trace = run(parse_scenario(_without_second_route(closed_loop), "<test>"))
    outcome = result.world.outcomes["acme/order-1"]
    assert outcome.state == "failed"
    assert outcome.reason is not None
    assert "closed loop exhausted after 3 attempts" in outcome.reason
    for attempt in ("retest 1/1 failed", "reconfigure 1/1 failed", "reroute 1/1 not possible"):
        assert attempt in outcome.reason
    deleted = [
        r.src_role
        for r in trace.records
        if r.operation == "delete-connectivity-service" and r.kind is Kind.REQUEST
    ]
    assert sorted(deleted) == ["SOF-partner", "SOF-sp", "SOF-sp"]  # everything built is taken down
    assert result.invariants is not None and result.invariants.ok


@pytest.mark.parametrize("attempts", [1, 2, 3])
def test_each_action_is_tried_at_most_its_attempts(closed_loop: Scenario, run: Runner, attempts: int) -> None:
    """A retest-only policy with N attempts tests N more times, then fails naming N attempts."""
    scenario = _with(closed_loop, on_test_failure=[{"action": "retest", "attempts": attempts}])
    result, trace = run(scenario)
    assert _loop(trace) == [f"retest {n}/{attempts}" for n in range(1, attempts + 1)]
    assert len(_step_12(trace, "runServiceActivationTest")) == attempts
    outcome = result.world.outcomes["acme/order-1"]
    assert outcome.state == "failed"
    assert outcome.reason is not None and f"after {attempts} attempts" in outcome.reason


def test_a_failing_partner_component_is_retested_over_interlude_but_not_rerouted(
    closed_loop: Scenario, run: Runner
) -> None:
    """The partner's part fails: SOF-sp re-tests it over INTERLUDE; a reroute is not SOF-sp's to do."""
    data = _data(closed_loop)
    data["impairments"] = []
    data["faults"] = [{"kind": "test_failure", "ne": "pn-access-1", "probability": 1.0}]
    data["options"]["on_test_failure"] = [{"action": "retest"}, {"action": "reroute"}]
    result, trace = run(parse_scenario(data, "<test>"))
    retests = [r for r in trace.records if r.step == "12" and r.operation == "testServiceComponent"]
    assert retests and retests[0].irp == "INTERLUDE"
    outcome = result.world.outcomes["acme/order-1"]
    assert outcome.state == "failed"
    assert (
        outcome.reason is not None
        and "reroute 1/1 not possible: only a partner component fails" in outcome.reason
    )


def test_without_a_policy_the_order_fails_at_once(closed_loop: Scenario, run: Runner) -> None:
    """No policy: no closed loop, the first failed test fails the order (the behaviour before)."""
    result, trace = run(_with(closed_loop, on_test_failure=[]))
    assert result.world.outcomes["acme/order-1"].state == "failed"
    assert not [r for r in trace.records if r.step == "12"]


@pytest.mark.parametrize(
    ("entry", "where"),
    [
        ({"action": "reboot"}, "options.on_test_failure.0.action"),
        ({"action": "retest", "attempts": 0}, "options.on_test_failure.0.attempts"),
        ({"action": "retest", "tries": 2}, "options.on_test_failure.0.tries"),
    ],
)
def test_a_bad_policy_names_the_field(closed_loop: Scenario, entry: dict[str, Any], where: str) -> None:
    data = _data(closed_loop)
    data["options"]["on_test_failure"] = [entry]
    with pytest.raises(ScenarioError, match=where.replace(".", r"\.")):
        parse_scenario(data, "<test>")
