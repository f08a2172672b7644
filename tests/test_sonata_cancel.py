"""Cancelling a product order during its life: the back office stops, releases, and ends in MEF's states.

The canonical 10.2 scenario is run with a buyer that asks BUS-sp to cancel its order at a chosen
time. The point of no return is SOF-sp's start of activation (9a): before it the cancellation is
``done`` (order ``cancelled``, nothing left reserved, the partner order cancelled over SONATA); after
it the request ends ``rejected`` with ``cancellationDeniedReason`` and the order completes; after the
order ended, createCancelProductOrder is MEF's 422.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from conftest import SCENARIOS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lso_sim.actors.world import World
from lso_sim.engine.observers import MemoryTrace
from lso_sim.messages import Kind, Message, bodies
from lso_sim.messages.envelope import Flow
from lso_sim.messages.operations import CREATE_CANCEL_PRODUCT_ORDER
from lso_sim.scenarios import load_scenario
from lso_sim.scenarios.build import build_world, order_requests
from lso_sim.sonata import state_of
from lso_sim.threads import ordering

SCENARIO = load_scenario(SCENARIOS / "thread-10.2.yaml")


@dataclass
class Run:
    world: World
    records: list[Message]
    instance: str
    answer: Message | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def first(self, operation: str, **where: Any) -> Message:
        return next(
            r
            for r in self.records
            if r.operation == operation and all(getattr(r, k) == v for k, v in where.items())
        )


def run_with_cancel(at: float | None) -> Run:
    """Run thread-10.2.yaml; at ``at`` the customer asks to cancel its order (if it has one)."""
    trace = MemoryTrace()
    world = build_world(SCENARIO, [trace])
    (request,) = order_requests(SCENARIO, world)
    world.sim.env.process(ordering.run(world, request))
    run = Run(world, trace.records, request.instance)

    def cancel() -> Any:
        yield world.sim.env.timeout(at)
        customer = world.customer(request.customer)
        order = next(iter(customer.orders), None)
        if order is None:
            return
        body = bodies.cancel_order_create(customer.id, order, "plans changed")
        run.answer = yield from customer.call(
            world.bus_sp.id,
            CREATE_CANCEL_PRODUCT_ORDER,
            body,
            flow=Flow("10.2", request.instance),
            step="cancel",
        )

    if at is not None:
        world.sim.env.process(cancel())
    world.sim.run()
    return run


BASELINE = run_with_cancel(None)
ORDERED = BASELINE.first("createProductOrder", kind=Kind.REQUEST, src="acme").time
COMMITTED = BASELINE.first("create-connectivity-service", kind=Kind.REQUEST, step="9a").time
ENDED = BASELINE.world.outcomes[BASELINE.instance].ended
assert ENDED is not None


def used_capacity(world: World) -> float:
    return sum(float(d["used"]) for _a, _b, d in world.topology.graph.edges(data=True))


def seller_order(run: Run, seller: str, buyer: str) -> dict[str, Any]:
    (order,) = state_of(run.world.sim.actors[seller]).buyer(buyer).all("productOrder")  # type: ignore[arg-type]
    return order.body


def cancel_request(run: Run, seller: str, buyer: str) -> dict[str, Any]:
    (request,) = state_of(run.world.sim.actors[seller]).buyer(buyer).all("cancelProductOrder")  # type: ignore[arg-type]
    return request.body


def assert_nothing_new_after_acknowledgement(run: Run, seller_domain: str, acknowledged: Message) -> None:
    """After a seller acknowledged a cancellation, its domain starts no hop but the cancellation's."""
    domain_actors = {
        a.id for a in run.world.sim.actors.values() if getattr(a, "domain", None) == seller_domain
    }
    late = [
        r
        for r in run.records
        if r.seq > acknowledged.seq
        and r.instance == run.instance
        and r.src in domain_actors
        and r.kind in (Kind.REQUEST, Kind.NOTIFICATION, Kind.ACTIVITY)
        and r.step not in ("cancel", "setup")  # the cancellation and its hub's set-up
    ]
    assert not late, [(r.step, r.src, r.operation) for r in late]


def test_the_baseline_leaves_a_window_before_the_point_of_no_return() -> None:
    assert ORDERED < COMMITTED < ENDED
    assert BASELINE.world.outcomes[BASELINE.instance].state == "completed"


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fraction=st.floats(min_value=0.0, max_value=0.999))
def test_a_cancel_before_activation_stops_the_order_and_releases_everything(fraction: float) -> None:
    at = ORDERED + 0.5 + fraction * (COMMITTED - ORDERED - 0.5)
    run = run_with_cancel(at)
    assert run.answer is not None and run.answer.status == 201
    assert cancel_request(run, "bus-sp", "acme")["state"] == "done"
    assert seller_order(run, "bus-sp", "acme")["state"] == "cancelled"
    assert all(i["state"] == "cancelled" for i in seller_order(run, "bus-sp", "acme")["productOrderItem"])
    assert run.world.outcomes[run.instance].state == "cancelled"
    assert used_capacity(run.world) == 0.0
    assert not any(r.step in ("9a", "9b", "10", "11", "12a", "13", "14", "15") for r in run.records)
    ack = next(r for r in run.records if r.operation == "createCancelProductOrder" and r.status == 201)
    assert_nothing_new_after_acknowledgement(run, "sp", ack)
    # A partner order already placed is cancelled over SONATA, and the partner stops too.
    placed = [
        r
        for r in run.records
        if r.operation == "createProductOrder" and r.status == 201 and r.src != "bus-sp"
    ]
    if placed:
        assert cancel_request(run, "bus-partner-1", "bus-sp")["state"] == "done"
        assert seller_order(run, "bus-partner-1", "bus-sp")["state"] == "cancelled"
        partner_ack = next(
            r
            for r in run.records
            if r.operation == "createCancelProductOrder" and r.status == 201 and r.src == "bus-partner-1"
        )
        assert_nothing_new_after_acknowledgement(run, "partner-1", partner_ack)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fraction=st.floats(min_value=0.001, max_value=0.99))
def test_a_cancel_after_activation_started_is_rejected_with_a_reason(fraction: float) -> None:
    at = COMMITTED + fraction * (ENDED - COMMITTED)
    run = run_with_cancel(at)
    assert run.answer is not None
    order = seller_order(run, "bus-sp", "acme")
    if run.answer.status == 422:  # the order had already ended
        assert order["state"] == "completed"
        return
    assert run.answer.status == 201
    request = cancel_request(run, "bus-sp", "acme")
    assert request["state"] == "rejected"
    assert request["cancellationDeniedReason"]
    assert order["state"] == "completed"
    assert run.world.outcomes[run.instance].state == "completed"


def test_a_cancel_after_the_order_ended_is_mef_422() -> None:
    run = run_with_cancel(ENDED + 3600)
    assert run.answer is not None and run.answer.status == 422
    assert run.answer.payload[0]["code"] == "invalidValue"
    assert seller_order(run, "bus-sp", "acme")["state"] == "completed"


@pytest.mark.parametrize("at", [ORDERED + 1.0, (ORDERED + COMMITTED) / 2, COMMITTED + 1.0])
def test_order_states_are_announced_in_mef_order(at: float) -> None:
    """assessingCancellation first, then pendingCancellation -> cancelled, or back to inProgress."""
    run = run_with_cancel(at)
    states = [
        r.payload["event"]["state"]
        for r in run.records
        if r.operation == "productOrderStateChangeEvent" and r.dst == "acme" and r.step == "cancel"
    ]
    if at < COMMITTED:
        assert states == ["assessingCancellation", "pendingCancellation", "cancelled"]
    else:
        assert states == ["assessingCancellation", "inProgress"]
