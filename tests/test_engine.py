"""The engine: channels, request/response correlation, timeouts, capacity, determinism."""

from __future__ import annotations

import gc
import random
from collections.abc import Generator
from typing import Any

import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from lso_sim.architecture import Architecture, DomainKind, Irp, Role
from lso_sim.engine import (
    Actor,
    Channel,
    ChannelSpec,
    Constant,
    Exponential,
    LogNormal,
    MemoryTrace,
    RequestTimeout,
    Simulation,
    Uniform,
)
from lso_sim.engine.collector import FULL_COLLECTION_FACTOR, fewer_full_collections
from lso_sim.errors import IrpViolation
from lso_sim.messages import Flow, Kind, Message

FLOW = Flow("test", "t-1")


def _sim(spec: ChannelSpec | None = None, seed: int = 1, **kwargs: Any) -> tuple[Simulation, MemoryTrace]:
    arch = Architecture()
    arch.add_domain("cus", DomainKind.CUSTOMER)
    arch.add_domain("sp", DomainKind.PROVIDER)
    arch.add_actor("cus", Role.CUSTOMER, "cus")
    arch.add_actor("bus", Role.BUS_SP, "sp")
    arch.add_actor("sof", Role.SOF_SP, "sp")
    trace = MemoryTrace()
    sim = Simulation(
        arch, seed, default_channel=spec or ChannelSpec(Constant(0.5)), observers=[trace], **kwargs
    )
    return sim, trace


def _echo(actor: Actor) -> None:
    actor.on("ping", lambda msg: actor.respond(msg, 200, {"echo": msg.payload}))


def test_request_gets_its_response_with_correlation() -> None:
    """A response carries the request's id, step and operation and wakes the requester."""
    sim, trace = _sim()
    cus = Actor(sim, sim.architecture.actor("cus"))
    bus = Actor(sim, sim.architecture.actor("bus"))
    _echo(bus)
    got: list[Message] = []

    def client() -> Generator[simpy.Event, Any, None]:
        got.append((yield from cus.request("bus", "ping", {"n": 1}, flow=FLOW, step="1")))

    sim.env.process(client())
    sim.run()
    request, response = trace.records
    assert got == [response]
    assert response.correlation_id == request.id == request.correlation_id
    assert (response.step, response.operation, response.status) == ("1", "ping", 200)
    assert request.irp == response.irp == Irp.CANTATA
    assert (request.time, request.delivered, response.time, response.delivered) == (0, 0.5, 0.5, 1.0)
    assert (request.src_role, request.dst_role) == (Role.CUSTOMER, Role.BUS_SP)


def test_sending_without_an_irp_is_refused() -> None:
    """The engine checks the architecture on every new actor pair."""
    sim, _ = _sim()
    Actor(sim, sim.architecture.actor("cus"))
    Actor(sim, sim.architecture.actor("sof"))
    arch = sim.architecture
    arch.add_domain("p", DomainKind.PARTNER)
    arch.add_actor("bus-p", Role.BUS_PARTNER, "p")
    Actor(sim, arch.actor("bus-p"))
    with pytest.raises(IrpViolation, match=r"'cus'.*'bus-p'"):
        sim.send("cus", "bus-p", Kind.REQUEST, "x", {}, flow=FLOW, step="1")


def test_lost_request_times_out_and_both_appear_in_the_trace() -> None:
    """Nothing is silently dropped: the loss and the timeout are both records."""
    sim, trace = _sim(ChannelSpec(Constant(0.1), loss=1.0))
    cus = Actor(sim, sim.architecture.actor("cus"))
    _echo(Actor(sim, sim.architecture.actor("bus")))
    outcome: list[str] = []

    def client() -> Generator[simpy.Event, Any, None]:
        try:
            yield from cus.request("bus", "ping", {}, flow=FLOW, step="2", timeout=30)
        except RequestTimeout as exc:
            outcome.append(str(exc))

    sim.env.process(client())
    sim.run()
    lost, timeout = trace.records
    assert lost.delivered is None and lost.lost
    assert timeout.kind is Kind.TIMEOUT and timeout.time == 30 and timeout.correlation_id == lost.id
    assert outcome and "no response within 30 s" in outcome[0]


def test_unknown_operation_is_answered_501_and_handler_failure_500() -> None:
    """A request nobody handles, or whose handler fails, still gets an answer and a record."""
    from lso_sim.errors import LsoSimError

    sim, trace = _sim()
    cus = Actor(sim, sim.architecture.actor("cus"))
    bus = Actor(sim, sim.architecture.actor("bus"))

    def broken(msg: Message) -> None:
        raise LsoSimError("boom")

    bus.on("broken", broken)
    statuses: list[int | None] = []

    def client() -> Generator[simpy.Event, Any, None]:
        for op in ("nothing", "broken"):
            answer = yield from cus.request("bus", op, {}, flow=FLOW, step="1")
            statuses.append(answer.status)

    sim.env.process(client())
    sim.run()
    assert statuses == [501, 500]
    assert [r.kind for r in trace.records].count(Kind.ERROR) == 1


def test_capacity_queues_work_and_counts_busy_time() -> None:
    """With one worker and a fixed service time, requests are served one after the other."""
    sim, trace = _sim(ChannelSpec(Constant(0.0)))
    cus = Actor(sim, sim.architecture.actor("cus"))
    bus = Actor(sim, sim.architecture.actor("bus"), capacity=1, service_time=Constant(10.0))
    _echo(bus)
    for _ in range(3):
        sim.env.process(cus.request("bus", "ping", {}, flow=FLOW, step="1"))
    sim.run()
    answers = [r.time for r in trace.records if r.kind is Kind.RESPONSE]
    assert answers == [10.0, 20.0, 30.0]
    assert bus.stats.busy_time == 30.0 and bus.stats.max_queue == 3


def test_channel_capacity_limits_messages_in_flight() -> None:
    """A channel of capacity 1 delivers back-to-back messages one latency apart."""
    channel = Channel(Irp.LEGATO, ("a", "b"), ChannelSpec(Constant(2.0), capacity=1), random.Random(1))
    assert [channel.transit(0.0) for _ in range(3)] == [2.0, 4.0, 6.0]
    unlimited = Channel(Irp.LEGATO, ("a", "b"), ChannelSpec(Constant(2.0)), random.Random(1))
    assert [unlimited.transit(0.0) for _ in range(3)] == [2.0, 2.0, 2.0]


@pytest.mark.parametrize(
    "dist", [Constant(1.0), Uniform(0.5, 1.5), Exponential(1.0, 0.1), LogNormal(1.0, 0.3)], ids=repr
)
def test_distributions_are_reproducible_and_near_their_mean(dist: Any) -> None:
    """Same seed, same draws; the sample mean approaches the declared mean."""
    first = [dist.sample(random.Random(5)) for _ in range(3)]
    assert first == [dist.sample(random.Random(5)) for _ in range(3)]
    rng = random.Random(11)
    draws = [dist.sample(rng) for _ in range(20000)]
    assert min(draws) >= 0
    assert abs(sum(draws) / len(draws) - dist.mean) < 0.05 * dist.mean


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    loss=st.floats(0.0, 0.9),
    count=st.integers(1, 40),
)
def test_time_never_goes_back_and_each_message_arrives_or_is_lost_once(
    seed: int, loss: float, count: int
) -> None:
    """Invariants of any run: sends in time order, delivered after sent, each arrival handled once."""
    sim, trace = _sim(ChannelSpec(LogNormal(0.2, 0.1), loss=loss), seed=seed)
    cus = Actor(sim, sim.architecture.actor("cus"))
    bus = Actor(sim, sim.architecture.actor("bus"))
    arrivals: list[str] = []
    bus.on("note", lambda msg: arrivals.append(msg.id))

    def sender() -> Generator[simpy.Event, Any, None]:
        for i in range(count):
            cus.notify("bus", "note", {"i": i}, flow=FLOW, step="1")
            yield sim.env.timeout(0.05)

    sim.env.process(sender())
    sim.run()
    times = [r.time for r in trace.records]
    assert times == sorted(times)
    assert [r.seq for r in trace.records] == list(range(len(trace.records)))
    delivered = [r for r in trace.records if r.delivered is not None]
    assert all(r.delivered is not None and r.delivered >= r.time for r in delivered)
    assert sorted(arrivals) == sorted(r.id for r in delivered)
    assert len(arrivals) + sum(r.lost for r in trace.records) == count


def test_streams_are_independent_of_creation_order() -> None:
    """A named stream draws the same numbers whatever other streams exist."""
    from lso_sim.engine import RandomStreams

    a = RandomStreams(3)
    a.stream("x")
    first = a.stream("channel/a/b").random()
    b = RandomStreams(3)
    assert b.stream("channel/a/b").random() == first
    assert RandomStreams(4).stream("channel/a/b").random() != first


def test_a_run_makes_full_collections_rarer_and_restores_the_thresholds() -> None:
    """Long runs keep many objects alive; full collections are rarer while the clock runs, and the
    caller's garbage-collector settings come back afterwards (also when the run fails)."""
    before = gc.get_threshold()
    with fewer_full_collections():
        assert gc.get_threshold()[2] == max(before[2], FULL_COLLECTION_FACTOR)
        assert gc.get_threshold()[:2] == before[:2]
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), fewer_full_collections():
        raise RuntimeError("boom")
    assert gc.get_threshold() == before
