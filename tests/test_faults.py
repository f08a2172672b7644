"""Fault injection (scenario ``faults:``): each kind's effect and its trace records, determinism,
and located errors for bad fault blocks.

The scenarios under scenarios/faults/ run here too, so `make test` checks their expectations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import SCENARIOS, Runner

from lso_sim.engine.observers import MemoryTrace
from lso_sim.errors import ScenarioError
from lso_sim.messages.envelope import Kind, Message
from lso_sim.replay import check_scenario
from lso_sim.replay.render import as_text, check_report
from lso_sim.scenarios import load_scenario, parse_scenario, run_scenario
from lso_sim.scenarios.schema import Scenario
from lso_sim.trace.records import dumps

FAULT_SCENARIOS = sorted(
    path for path in (SCENARIOS / "faults").glob("*.yaml") if not path.stem.startswith("soak")
)
"""One scenario per fault kind (the soak scenarios have their own test, tests/test_soak.py)."""


def _with(scenario: Scenario, faults: list[dict[str, Any]], **updates: Any) -> Scenario:
    data = scenario.model_dump(mode="json", by_alias=True, exclude={"expect"})
    data["faults"] = faults
    data.update(updates)
    return parse_scenario(data, "<test>")


def _faults(trace: MemoryTrace, operation: str | None = None) -> list[Message]:
    return [r for r in trace.records if r.kind is Kind.FAULT and operation in (None, r.operation)]


def _state(run: Runner, scenario: Scenario) -> tuple[str, MemoryTrace]:
    result, trace = run(scenario)
    (outcome,) = [o for o in result.world.outcomes.values() if o.thread == "10.2"]
    return outcome.state, trace


def test_there_is_one_scenario_per_fault_kind() -> None:
    kinds = {path.stem for path in FAULT_SCENARIOS}
    assert kinds == {"channel", "actor-down", "order-rejection", "test-failure", "element-down", "link-down"}


@pytest.mark.parametrize("scenario", FAULT_SCENARIOS, ids=lambda p: p.stem)
def test_fault_scenario_meets_its_expectations(scenario: Path) -> None:
    result = check_scenario(scenario, require_golden=False)
    assert result.status == "passed", as_text(check_report(result))


# -- each kind ------------------------------------------------------------------------------------


def test_channel_loss_loses_messages_only_in_its_window(scenario_10_2: Scenario, run: Runner) -> None:
    scenario = _with(
        scenario_10_2, [{"kind": "channel", "irp": "CANTATA", "loss": 1.0, "start": 5000, "end": 7500}]
    )
    state, trace = _state(run, scenario)
    lost = [
        r for r in trace.records if r.irp == "CANTATA" and r.kind is Kind.NOTIFICATION and r.delivered is None
    ]
    assert lost and all(5000 <= r.time < 7500 for r in lost)
    assert state == "completed"  # the Customer polls after its notification wait
    (start,) = _faults(trace, "faultStart")
    assert (start.src, start.dst, start.irp, start.time) == ("acme", "bus-sp", "CANTATA", 5000)
    assert start.payload == {
        "fault": "fault-1",
        "kind": "channel",
        "event": "start",
        "start": 5000.0,
        "end": 7500.0,
        "irp": "CANTATA",
        "loss": 1.0,
        "delay": 0.0,
        "jitter": 0.0,
    }
    assert [r.time for r in _faults(trace, "faultEnd")] == [7500]


@pytest.mark.parametrize(
    ("narrow", "slowed"),
    [({"towards": "partner-1"}, True), ({"between": ["bus-sp", "bus-partner-1"]}, True)],
)
def test_channel_delay_is_added_on_the_selected_links(
    scenario_10_2: Scenario, run: Runner, narrow: dict[str, Any], slowed: bool
) -> None:
    fault = {"kind": "channel", "irp": "SONATA", "delay": 300, **narrow}
    _, base = run(scenario_10_2)
    _, spiked = run(_with(scenario_10_2, [fault]))
    first = next(r for r in spiked.records if r.irp == "SONATA" and r.kind is Kind.REQUEST)
    assert first.delivered is not None
    assert first.delivered - first.time >= 300
    assert all(r.delivered - r.time < 300 for r in base.records if r.irp == "SONATA" and r.delivered)


def test_a_fault_leaves_other_draws_unchanged(scenario_10_2: Scenario, run: Runner) -> None:
    """A fault draws from its own stream: until it starts, the run is the run without it."""
    _, base = run(scenario_10_2)
    _, faulty = run(_with(scenario_10_2, [{"kind": "channel", "irp": "ADAGIO", "jitter": 5, "start": 4000}]))
    assert [dumps(r) for r in base.records if r.time < 4000] == [
        dumps(r) for r in faulty.records if r.time < 4000
    ]
    assert [dumps(r) for r in base.records] != [dumps(r) for r in faulty.records]


@pytest.mark.parametrize(("mode", "marker"), [("timeout", "faultDiscard"), ("refuse", "faultRefuse")])
def test_actor_down_discards_or_refuses(scenario_10_2: Scenario, run: Runner, mode: str, marker: str) -> None:
    scenario = _with(
        scenario_10_2,
        [{"kind": "actor_down", "actor": "sof-partner-1", "mode": mode, "start": 60, "end": 7200}],
        actors={"default": {"request_timeout": 3600}},
    )
    _, trace = run(scenario)
    taken = _faults(trace, marker)
    assert taken, f"no {marker} record"
    victim = next(r for r in trace.records if r.id == taken[0].payload["message"])
    assert victim.dst == "sof-partner-1" and victim.delivered == taken[0].time
    answers = [r for r in trace.records if r.kind is Kind.RESPONSE and r.correlation_id == victim.id]
    if mode == "refuse":
        assert [a.status for a in answers] == [503]
        assert answers[0].payload["code"] == "serviceUnavailable"
    else:
        assert answers == []  # nobody answered: the sender's timeout decides
        assert any(r.kind is Kind.TIMEOUT and r.correlation_id == victim.id for r in trace.records)
    handled = [
        r
        for r in trace.records
        if r.src == "sof-partner-1" and r.kind is Kind.ACTIVITY and 60 <= r.time < 7200
    ]
    assert handled == []  # its handlers did not run while it was down


def test_order_rejection_ends_the_partner_order_rejected(scenario_10_2: Scenario, run: Runner) -> None:
    scenario = _with(
        scenario_10_2,
        [{"kind": "order_rejection", "partner": "partner-1", "reason": "no capacity"}],
        options={"partner_fulfilment": "legato-sonata"},
    )
    state, trace = _state(run, scenario)
    assert state == "failed"
    (hit,) = _faults(trace, "faultHit")
    assert hit.src == "bus-partner-1" and hit.payload["instance"] == "acme/order-1"
    read = next(
        r
        for r in trace.records
        if r.irp == "SONATA" and r.kind is Kind.RESPONSE and r.operation == "retrieveProductOrder"
    )
    assert read.payload["state"] == "rejected"
    item = read.payload["productOrderItem"][0]
    assert item["state"] == "rejected"
    assert item["terminationError"] == [{"code": "otherIssue", "value": "no capacity"}]
    created = next(
        r for r in trace.records if r.irp == "SONATA" and r.operation == "createProductOrder" and r.status
    )
    assert created.status == 201  # acknowledged first: MEF 123 rejects after the acknowledgement


@pytest.mark.parametrize(("probability", "fails"), [(1.0, True), (0.0, False)])
def test_test_failure_fails_the_activation_test(
    scenario_10_2: Scenario, run: Runner, probability: float, fails: bool
) -> None:
    scenario = _with(scenario_10_2, [{"kind": "test_failure", "ne": "p-core-1", "probability": probability}])
    state, trace = _state(run, scenario)
    tests = [r for r in trace.records if r.operation == "testNetworkElement" and r.kind is Kind.RESPONSE]
    failed = [r for r in tests if r.payload["result"] == "fail"]
    assert state == ("failed" if fails else "completed")
    assert len(_faults(trace, "faultHit")) == len(failed) == (1 if fails else 0)
    if fails:
        assert failed[0].src == "ecm-p-core-1" and failed[0].payload["fault"] == "fault-1"


def _configured(trace: MemoryTrace) -> set[str]:
    return {
        r.dst for r in trace.records if r.operation == "configureNetworkElement" and r.kind is Kind.REQUEST
    }


REDUNDANT_LINK = {"a": "agg-metro-1", "b": "p-core-2", "capacity_mbps": 100000, "cost": 3}


@pytest.mark.parametrize(
    "fault",
    [{"kind": "element_down", "ne": "p-core-1"}, {"kind": "link_down", "a": "p-core-1", "b": "p-core-2"}],
    ids=["element", "link"],
)
def test_network_fault_reroutes_new_services(
    scenario_10_2: Scenario, run: Runner, fault: dict[str, Any]
) -> None:
    topology = scenario_10_2.model_dump(mode="json")["topology"]
    topology["links"].append(REDUNDANT_LINK)
    _, base = run(_with(scenario_10_2, [], topology=topology))
    assert "ecm-p-core-1" in _configured(base)
    state, trace = _state(run, _with(scenario_10_2, [fault], topology=topology))
    assert state == "completed"
    assert "ecm-p-core-1" not in _configured(trace) and "ecm-p-core-2" in _configured(trace)


def test_network_fault_without_a_way_round_leaves_no_path(scenario_10_2: Scenario, run: Runner) -> None:
    state, trace = _state(
        run, _with(scenario_10_2, [{"kind": "element_down", "ne": "p-core-2", "end": 50000}])
    )
    assert state == "quote unableToProvide"
    assert any(
        r.status == 422 and r.payload.get("code") == "noPath"
        for r in trace.records
        if r.kind is Kind.RESPONSE
    )


def test_element_down_is_an_impairment_with_an_alarm_for_its_window(scenario_10_2: Scenario) -> None:
    scenario = _with(
        scenario_10_2, [{"kind": "element_down", "ne": "p-core-1", "start": 20000, "end": 23600}]
    )
    trace = MemoryTrace()
    world = run_scenario(scenario, [trace]).world
    (state,) = world.telemetry.impairments("p-core-1")
    assert (state.spec.start, state.end, state.spec.down, state.spec.alarm) == (
        20000,
        23600,
        True,
        "lossOfSignal",
    )
    assert [e.state for e in world.telemetry.alarm_events("p-core-1")] == ["raised", "cleared"]
    assert world.topology.failed == set()  # back up after its window
    assert [(r.operation, r.time) for r in _faults(trace)] == [("faultStart", 20000), ("faultEnd", 23600)]


# -- determinism ----------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", FAULT_SCENARIOS, ids=lambda p: p.stem)
def test_same_seed_same_trace(scenario: Path) -> None:
    from lso_sim.scenarios import load_scenario

    loaded = load_scenario(scenario)
    traces = []
    for _ in range(2):
        trace = MemoryTrace()
        run_scenario(loaded, [trace])
        traces.append([dumps(r) for r in trace.records])
    assert traces[0] == traces[1]


def test_probabilistic_faults_follow_the_seed(scenario_10_2: Scenario, run: Runner) -> None:
    fault = [{"kind": "channel", "irp": "ADAGIO", "delay": 1, "jitter": 50}]
    arrivals = []
    for seed in (1, 1, 2):
        _, trace = run(_with(scenario_10_2, fault, seed=seed))
        arrivals.append([r.delivered for r in trace.records if r.irp == "ADAGIO"])
    assert arrivals[0] == arrivals[1] != arrivals[2]


# -- located errors -------------------------------------------------------------------------------

BAD_FAULTS: list[tuple[dict[str, Any], str, str]] = [
    ({"kind": "flood"}, "faults.0", "does not match any of the expected tags"),
    ({"kind": "channel", "irp": "SONATA"}, "faults.0", "needs 'loss', 'delay' or 'jitter'"),
    ({"kind": "channel", "irp": "MADRIGAL", "loss": 0.1}, "faults.0.irp", "Input should be"),
    ({"kind": "channel", "irp": "SONATA", "loss": 1.5}, "faults.0.loss", "less than or equal to 1"),
    (
        {"kind": "channel", "irp": "SONATA", "loss": 0.1, "between": ["acme", "bus-sp"]},
        "faults.0.irp",
        "no SONATA link",
    ),
    (
        {"kind": "channel", "irp": "SONATA", "loss": 0.1, "between": ["acme", "nobody"]},
        "faults.0.between.1",
        "an actor id",
    ),
    ({"kind": "channel", "irp": "SONATA", "loss": 0.1, "towards": "mars"}, "faults.0.towards", "a domain id"),
    ({"kind": "actor_down", "actor": "sof-mars"}, "faults.0.actor", "an actor id"),
    ({"kind": "actor_down", "actor": "sof-sp", "mode": "sulk"}, "faults.0.mode", "'timeout' or 'refuse'"),
    ({"kind": "actor_down", "actor": "sof-sp", "at": 5, "end": 9}, "faults.0", "not both"),
    ({"kind": "actor_down", "actor": "sof-sp", "start": 9, "end": 5}, "faults.0", "must be after start"),
    ({"kind": "actor_down", "actor": "sof-sp", "end": float("inf")}, "faults.0.end", "finite"),
    ({"kind": "order_rejection", "partner": "partner-9"}, "faults.0.partner", "a partner id"),
    (
        {"kind": "order_rejection", "partner": "partner-1", "probability": -1},
        "faults.0.probability",
        "greater than",
    ),
    ({"kind": "test_failure", "ne": "p-core-9"}, "faults.0.ne", "a network element id"),
    ({"kind": "test_failure", "ne": "p-core-1", "domain": "sp"}, "faults.0", "not both"),
    ({"kind": "element_down", "ne": "p-core-9"}, "faults.0.ne", "a network element id"),
    ({"kind": "element_down", "ne": "p-core-1", "colour": "red"}, "faults.0.colour", "unknown field"),
    ({"kind": "link_down", "a": "p-core-1", "b": "pn-access-2"}, "faults.0", "are not joined"),
    ({"kind": "link_down", "a": "p-core-1"}, "faults.0.b", "required field is missing"),
]


@pytest.mark.parametrize(
    ("fault", "field", "expected"), BAD_FAULTS, ids=[f"{b[1]}-{i}" for i, b in enumerate(BAD_FAULTS)]
)
def test_bad_fault_is_located(
    scenario_10_2: Scenario, fault: dict[str, Any], field: str, expected: str
) -> None:
    with pytest.raises(ScenarioError) as info:
        _with(scenario_10_2, [fault])
    assert info.value.field == field
    assert expected in info.value.expected
    assert info.value.source == "<test>"


def test_a_long_bad_name_is_not_echoed_whole(scenario_10_2: Scenario) -> None:
    with pytest.raises(ScenarioError) as info:
        _with(scenario_10_2, [{"kind": "actor_down", "actor": "x" * 150}])
    assert len(str(info.value)) < 1000


# -- compensation -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["test-failure", "order-rejection"])
def test_a_service_order_failing_after_activation_takes_down_what_was_built(name: str, run: Runner) -> None:
    """SP constructs deleted over PRESTO, partner components removed, capacity given back: no
    network element carries, and no partner keeps, a service the Customer will never get."""
    result, trace = run(load_scenario(SCENARIOS / "faults" / f"{name}.yaml"))
    world = result.world
    assert [o.state for o in world.outcomes.values()] == ["failed"]
    assert all(not icm.constructs for icm in world.icms.values())
    for sof in world.sof.values():
        assert all(r.service.state != "active" for r in sof.services.values()), sof.id
    graph = world.topology.graph
    assert all(float(graph.edges[e]["used"]) == 0.0 for e in graph.edges)
    deletes = [r for r in trace.records if r.operation == "delete-connectivity-service"]
    assert deletes, "the SP constructs were deleted over PRESTO"
