"""Below the sellers, ``sellers.retention`` forgets what ended: services, service orders, flows.

With churn (``generate.term``) a run keeps only what lives (arrival rate times term) plus what
ended within the retention; what is gone is answered as MEF answers an unknown id (404, the
reason naming the retention), and forgetting changes no figure a read of the present sees.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st
from test_churn import churn, run

from lso_sim.actors.roles import RoleActor
from lso_sim.actors.service_orders import ServiceOrderBook
from lso_sim.actors.world import World
from lso_sim.lifecycle.machines import SERVICE_ORDER
from lso_sim.lifecycle.state_machine import Stateful
from lso_sim.messages.envelope import Flow, Message
from lso_sim.messages.operations import DEACTIVATE_PARTNER_COMPONENT, RETRIEVE_SERVICE, RETRIEVE_SERVICE_ORDER
from lso_sim.telemetry import Counters, NetworkTelemetry, TrafficProfile

RETENTION = 3600.0


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def kept(world: World) -> dict[str, int]:
    """What the world below the sellers still holds, counted."""
    counts = {
        "services": sum(len(s.services) for s in world.sof.values()),
        "service orders": sum(len(s.service_orders) for s in world.sof.values()),
        "sold_under": sum(len(s.sold_under) for s in world.sof.values()),
        "constructs": sum(len(i.constructs) for i in world.icms.values()),
        "configurations": sum(len(c) for e in world.ecms.values() for c in e.configuration.values()),
        "flows": sum(len(world.telemetry.element(ne)._flows) for ne in world.topology.network_elements()),
        "partner orders": sum(len(b.partner_orders) for b in world.bus.values()),
        "signals": sum(len(a.waiting._events) for a in world.sim.actors.values() if isinstance(a, RoleActor)),
    }
    return counts


@pytest.mark.parametrize("count", [10, 60])
def test_a_run_with_churn_and_retention_keeps_what_does_not_grow_with_it(count: int) -> None:
    """One order an hour, each disconnected two hours after delivery, a retention of an hour: at
    the end the world holds the same few things whether 10 or 30 orders ran, and nothing is open."""
    result, _trace = run(churn(count=count, term=7200, sellers={"retention": RETENTION}))
    world = result.world
    states = {o.state for o in world.outcomes.values()}
    assert states == {"completed"} and len(world.outcomes) == 2 * count
    left = kept(world)
    assert left["constructs"] == left["configurations"] == left["partner orders"] == 0
    # The last few ended ones: swept as later orders come, so a handful whatever the count.
    assert left["services"] <= 6 and left["service orders"] <= 8 and left["sold_under"] <= 3
    assert left["flows"] <= 6 * 2 and left["signals"] <= 1  # 6 NEs; the last late notification
    assert sum(s.forgetting.purged for s in world.sof.values() if s.forgetting) >= 2 * (count - 3)
    assert not result.open and result.invariants is not None and result.invariants.ok


def test_without_a_retention_nothing_below_the_sellers_is_forgotten() -> None:
    result, _trace = run(churn(count=5, term=7200))
    world = result.world
    assert all(s.forgetting is None for s in world.sof.values())
    assert kept(world)["services"] == 2 * 5
    assert world.telemetry.retention is None


def _ask(world: World, src: str, dst: str, op: Any, payload: dict[str, Any]) -> Message:
    """``src`` calls ``dst`` after the run (the simulation goes on until the answer is in)."""
    answers: list[Message] = []
    actor = world.sim.actors[src]
    assert isinstance(actor, RoleActor)

    def call() -> Generator[simpy.Event, Any, None]:
        answer = yield from actor.call(dst, op, payload, flow=Flow("10.2", "probe"), step="-")
        answers.append(answer)

    world.sim.env.process(call())
    world.sim.env.run()
    return answers[0]


def test_a_read_of_what_was_forgotten_answers_404_naming_the_retention() -> None:
    """LEGATO retrieveServiceOrder and serviceGet at SOF-sp, INTERLUDE deactivateServiceComponent at
    the partner's SOF: each answers 404, the reason saying the SOF forgets after the retention."""
    result, _trace = run(churn(count=6, term=7200, sellers={"retention": RETENTION}))
    world = result.world
    sof, partner = world.sof_sp, world.sof["partner-1"]
    answers = [
        _ask(world, world.bus_sp.id, sof.id, RETRIEVE_SERVICE_ORDER, {"id": f"so-{sof.id}-1"}),
        _ask(world, world.bus_sp.id, sof.id, RETRIEVE_SERVICE, {"id": "svc-order-bus-sp-15"}),
        _ask(
            world,
            sof.id,
            partner.id,
            DEACTIVATE_PARTNER_COMPONENT,
            {"componentId": "c-1", "partnerOrder": "order-bus-partner-1-1"},
        ),
    ]
    for answer in answers:
        assert answer.status == 404, answer.payload
        assert "forgets" in answer.payload["reason"] and "3600 s" in answer.payload["reason"]


def test_a_read_without_a_retention_names_none() -> None:
    result, _trace = run(churn(count=1, term=None))
    world = result.world
    answer = _ask(world, world.bus_sp.id, world.sof_sp.id, RETRIEVE_SERVICE_ORDER, {"id": "so-unknown"})
    assert answer.status == 404 and answer.payload["reason"] == "no service order so-unknown"


@pytest.mark.parametrize(("later", "kept_"), [(0.0, True), (RETENTION - 1, True), (RETENTION, False)])
def test_a_finished_service_order_is_kept_exactly_the_retention(later: float, kept_: bool) -> None:
    """Ended at 10 s: found by id and by externalId until 10 s + retention (swept as orders come)."""
    clock = Clock()
    book = ServiceOrderBook()
    book.retain(RETENTION, clock)
    gone: list[str] = []
    book.on_purge = gone.append
    first = Stateful("so-1", SERVICE_ORDER, 0.0)
    book.add(first, {"externalId": "po-1"}, buyer="bus-sp")
    clock.now = 10.0
    first.path(10.0, "inProgress", "completed")
    clock.now = 10.0 + later
    for n in range(2, 6):  # later orders sweep the book
        book.add(Stateful(f"so-{n}", SERVICE_ORDER, clock.now), {"externalId": f"po-{n}"}, buyer="bus-sp")
    assert ("so-1" in book) is kept_
    assert (book.find("bus-sp", "po-1") == "so-1") is kept_
    assert gone == ([] if kept_ else ["so-1"])


def test_an_order_still_running_is_never_forgotten() -> None:
    clock = Clock()
    book = ServiceOrderBook()
    book.retain(1.0, clock)
    book.add(Stateful("so-1", SERVICE_ORDER, 0.0), {}, buyer="bus-sp")
    clock.now = 1e9
    for n in range(2, 20):
        book.add(Stateful(f"so-{n}", SERVICE_ORDER, clock.now), {}, buyer="bus-sp")
    assert "so-1" in book and book.purged == 0


@settings(max_examples=40, deadline=None)
@given(
    changes=st.lists(
        st.tuples(st.integers(0, 3), st.sampled_from([0.0, 0.0, 10.0, 100.0]), st.floats(0, 5000)),
        min_size=1,
        max_size=25,
    ),
    retention=st.sampled_from([0.0, 600.0, 3600.0]),
)
def test_forgetting_stopped_flows_changes_no_kept_flow(
    changes: list[tuple[int, float, float]], retention: float
) -> None:
    """Flows started, changed and stopped at random: every flow the forgetting element still
    keeps reads the same counters as with every flow kept (but one started again after it was
    forgotten, which counts anew: constructs never come back under the same id); a forgotten one
    stopped at least the retention ago and reads zero. The element is far from full: a forgotten
    flow's share of an old interval's utilisation, which only congestion above 80% turns into
    loss, is what forgetting gives up."""
    kept_clock, forgot_clock = Clock(), Clock()
    kept_net = NetworkTelemetry(3, kept_clock, lambda _ne: 10000.0, TrafficProfile())
    forgot_net = NetworkTelemetry(3, forgot_clock, lambda _ne: 10000.0, TrafficProfile())
    forgot_net.retention = retention
    kept, forgot = kept_net.element("ne-1"), forgot_net.element("ne-1")
    now, stopped, again = 0.0, {}, set()
    for flow, mbps, gap in changes:
        now += gap
        name = f"f-{flow}"
        if name in kept._flows and name not in forgot._flows:
            again.add(name)
        for clock, net in ((kept_clock, kept_net), (forgot_clock, forgot_net)):
            clock.now = now
            net.element("ne-1").carry(name, mbps)
        stopped[name] = now if mbps == 0 else None
        for each in kept._flows:
            if each in again:
                continue
            if each in forgot._flows:
                assert forgot.counters(each) == kept.counters(each)
            else:
                at = stopped[each]
                assert at is not None and now - at >= retention
                assert forgot.counters(each) == Counters()
        totals = sum((forgot.counters(each) for each in forgot._flows), start=Counters())
        assert forgot.element_counters() == totals
