"""10.2 step 9 b), option b (``partner_fulfilment: legato-sonata``): the partner builds only when
released.

The step-6 partner order carries the partner's commitment (its date, its SOF's reservation); the
partner designs at step 6 and activates nothing until SOF-sp asks at 9 b) through BUS-sp, which
brings the item's requested delivery date to now over SONATA. Each unhappy path of that request
(refused, lost and given up on, declined) ends the order with a reason, and what SOF-sp built is
taken down.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import SCENARIOS, Runner
from lossy import Dropper, check_every_instance_ended, run_lossy

from lso_sim.engine.observers import MemoryTrace
from lso_sim.messages.envelope import Kind, Message
from lso_sim.scenarios import load_scenario, parse_scenario
from lso_sim.scenarios.schema import Scenario

RELEASE = "createModifyProductOrderItemRequestedDeliveryDate"


@pytest.fixture
def option_b() -> Scenario:
    """The canonical order with option b (scenarios/thread-10.2-legato-sonata.yaml)."""
    return load_scenario(SCENARIOS / "thread-10.2-legato-sonata.yaml")


def _first(
    trace: MemoryTrace, operation: str, kind: Kind = Kind.REQUEST, src_role: str | None = None
) -> Message:
    return next(
        r
        for r in trace.records
        if r.operation == operation and r.kind is kind and src_role in (None, r.src_role)
    )


def _without_expect(scenario: Scenario, **updates: Any) -> Scenario:
    data = scenario.model_dump(mode="json", by_alias=True, exclude={"expect"})
    data.update(updates)
    return parse_scenario(data, "<test>")


def test_the_partner_commits_at_step_6_and_builds_only_when_released(option_b: Scenario, run: Runner) -> None:
    """Step 6: the partner's order is committed (a date) and its segment designed and reserved;
    its activation (PRESTO at the partner) follows SOF-sp's 9 b) request, the release over SONATA,
    the expedite charge BUS-sp accepts and BUS-partner's releaseServiceOrder, in that order."""
    result, trace = run(option_b)
    assert result.world.outcomes["acme/order-1"].state == "completed"
    order = _first(trace, "createProductOrder", Kind.RESPONSE, "BUS-partner")
    assert order.step == "6" and order.payload["productOrderItem"][0]["expectedCompletionDate"]
    design = _first(trace, "designServiceComponents", Kind.ACTIVITY, "SOF-partner")
    assert design.step == "6"
    chain = [
        _first(trace, "requestPartnerFulfilment", src_role="SOF-sp"),
        _first(trace, RELEASE, src_role="BUS-sp"),
        _first(trace, "patchCharge", src_role="BUS-sp"),
        _first(trace, "releaseServiceOrder", src_role="BUS-partner"),
        _first(trace, "create-connectivity-service", src_role="SOF-partner"),
    ]
    assert [r.step for r in chain] == ["9b"] * 5
    assert [r.seq for r in chain] == sorted(r.seq for r in chain)
    assert design.seq < _first(trace, "designServiceComponents", Kind.ACTIVITY, "SOF-sp").seq < chain[0].seq
    # the release is a real SONATA request, answered 201 and ending done; no INTERLUDE activation
    assert _first(trace, RELEASE, Kind.RESPONSE).status == 201
    assert not [r for r in trace.records if r.operation == "activateServiceComponent"]
    states = [
        r.payload["event"]["state"]
        for r in trace.records
        if r.operation == "modifyProductOrderItemRequestedDeliveryDateStateChangeEvent"
    ]
    assert states[-1] == "done"


def test_option_a_keeps_building_at_its_interlude_request(run: Runner) -> None:
    """Option a is unchanged: the partner designs and builds when SOF-sp's INTERLUDE request comes."""
    result, trace = run(load_scenario(SCENARIOS / "thread-10.2.yaml"))
    assert result.world.outcomes["acme/order-1"].state == "completed"
    assert _first(trace, "designServiceComponents", Kind.ACTIVITY, "SOF-partner").step == "9b"
    assert not [r for r in trace.records if r.operation in (RELEASE, "releaseServiceOrder")]


def _undone(trace: MemoryTrace) -> list[Message]:
    return [
        r for r in trace.records if r.operation == "delete-connectivity-service" and r.kind is Kind.REQUEST
    ]


def _between_step_6_and_9b(scenario: Scenario, run: Runner) -> float:
    """A time after the partner's step-6 answer and before SOF-sp's 9 b) request, read from a clean
    run of the same scenario (so the test does not depend on how long the earlier steps take)."""
    _, trace = run(scenario)
    committed = _first(trace, "createProductOrder", Kind.RESPONSE, "BUS-partner").time
    asked = _first(trace, "requestPartnerFulfilment", src_role="SOF-sp").time
    assert committed < asked
    return (committed + asked) / 2


def test_a_refused_release_fails_the_order_and_takes_down_the_sp_part(
    option_b: Scenario, run: Runner
) -> None:
    """The partner's BUS refuses every request from just before 9 b): the order fails naming the
    refusal, SOF-sp deletes the constructs it activated, and the partner never builds."""
    six = _between_step_6_and_9b(option_b, run)
    scenario = _without_expect(
        option_b, faults=[{"kind": "actor_down", "actor": "bus-partner-1", "mode": "refuse", "start": six}]
    )
    result, trace = run(scenario)
    outcome = result.world.outcomes["acme/order-1"]
    assert outcome.state == "failed"
    assert outcome.reason is not None and "refused to release" in outcome.reason
    assert "503" in outcome.reason
    assert len(_undone(trace)) == 2  # metro and core constructs taken down over PRESTO
    assert not [
        r
        for r in trace.records
        if r.operation == "create-connectivity-service" and r.src_role == "SOF-partner"
    ]
    # the partner's reservation is given back when its wait for the release runs out
    graph = result.world.topology.graph
    assert all(data["used"] == 0.0 for _a, _b, data in graph.edges(data=True))
    assert result.invariants is not None and result.invariants.ok


@pytest.mark.parametrize("attempts_lost", [1, 4])
def test_a_lost_release_is_sent_again_or_given_up_on_with_a_reason(
    option_b: Scenario, attempts_lost: int
) -> None:
    """One lost release is re-sent and the order completes; when every attempt (4) is lost, BUS-sp
    gives up, the order fails naming the release, what was built is taken down and the partner
    order, never released, is cancelled."""
    dropper = Dropper(nth={(RELEASE, Kind.REQUEST): set(range(1, attempts_lost + 1))})
    result, trace = run_lossy(_without_expect(option_b), dropper, horizon=30 * 86400)
    check_every_instance_ended(result, trace, must_explain=lambda o: o.state != "completed")
    outcome = result.world.outcomes["acme/order-1"]
    if attempts_lost == 1:
        assert outcome.state == "completed"
        return
    assert outcome.state == "failed"
    assert outcome.reason is not None and RELEASE in outcome.reason
    assert len(_undone(trace)) == 2
    _check_partner_order_cancelled(trace)


def _check_partner_order_cancelled(trace: MemoryTrace) -> None:
    """BUS-sp cancelled the partner order it never released (SONATA createCancelProductOrder), and
    the partner's SOF gave back the segment it had reserved since step 6 at once, not at the end
    of its wait for the release."""
    cancel = _first(trace, "createCancelProductOrder", Kind.RESPONSE)
    assert cancel.src_role == "BUS-partner" and cancel.status == 201
    freed = _first(trace, "cancelServiceOrder", Kind.RESPONSE)
    assert freed.src_role == "SOF-partner" and freed.status == 200 and freed.payload["releasedPath"]
    refused = [r for r in trace.records if r.operation == "partnerCancellationRefused"]
    assert refused == []


def test_a_declined_release_fails_the_order_with_the_partners_answer(option_b: Scenario) -> None:
    """BUS-sp's charge answer is lost every time: the blocking charge times out, the release ends
    ``done.declined``, and the order fails saying so."""
    dropper = Dropper(nth={("patchCharge", Kind.REQUEST): {1, 2, 3, 4}})
    data = option_b.model_dump(mode="json", by_alias=True, exclude={"expect"})
    data["offerings"][1]["charge_response"] = 600  # the partner waits 10 minutes for the answer
    result, trace = run_lossy(parse_scenario(data, "<test>"), dropper, horizon=30 * 86400)
    check_every_instance_ended(result, trace, must_explain=lambda o: o.state != "completed")
    outcome = result.world.outcomes["acme/order-1"]
    assert outcome.state == "failed"
    assert outcome.reason is not None and "done.declined" in outcome.reason
    assert [r for r in trace.records if r.kind is Kind.ERROR and r.operation == "chargeNotAnswered"]
    assert len(_undone(trace)) == 2
    _check_partner_order_cancelled(trace)
