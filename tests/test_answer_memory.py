"""A receiver remembers its answers while a re-send may still come, and only that long.

Forgetting the answer to a request answered at its first attempt is what keeps a long run's memory
from holding a week of answers; it must never change what a re-sent request gets.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from lso_sim.architecture import Architecture, DomainKind, Role
from lso_sim.engine import Actor, ChannelSpec, Constant, MemoryTrace, Simulation
from lso_sim.engine.retry import AnswerMemory, RetryPolicy
from lso_sim.messages import Flow, Kind, Message

FLOW = Flow("test", "t-1")
RETRY = RetryPolicy(attempts=3, backoff=1.0)


def _pair(latency: float) -> tuple[Simulation, MemoryTrace, Actor, Actor, list[Message]]:
    """A customer re-sending after 30 s, a BUS counting the requests its handler really served."""
    arch = Architecture()
    arch.add_domain("cus", DomainKind.CUSTOMER)
    arch.add_domain("sp", DomainKind.PROVIDER)
    arch.add_actor("cus", Role.CUSTOMER, "cus")
    arch.add_actor("bus", Role.BUS_SP, "sp")
    trace = MemoryTrace()
    sim = Simulation(arch, 1, default_channel=ChannelSpec(Constant(latency)), observers=[trace])
    cus = Actor(sim, arch.actor("cus"), request_timeout=30, retry=RETRY)
    bus = Actor(sim, arch.actor("bus"))
    served: list[Message] = []

    def handle(msg: Message) -> None:
        served.append(msg)
        bus.respond(msg, 201, {"created": len(served)})

    bus.on("create", handle)
    return sim, trace, cus, bus, served


def _ask(sim: Simulation, cus: Actor) -> list[Message]:
    got: list[Message] = []

    def client() -> Generator[simpy.Event, Any, None]:
        got.append((yield from cus.request("bus", "create", {}, flow=FLOW, step="1")))

    sim.env.process(client())
    sim.run()
    return got


def test_an_answer_to_a_first_attempt_is_forgotten_once_received() -> None:
    sim, _trace, cus, bus, served = _pair(latency=1.0)
    (answer,) = _ask(sim, cus)
    assert answer.payload == {"created": 1} and len(served) == 1
    assert bus._answers is not None and len(bus._answers) == 0  # nothing left for a re-send


def test_a_re_sent_request_still_gets_the_first_answer_without_being_served_again() -> None:
    """The response arrives after the timeout: the re-send is answered from memory."""
    sim, trace, cus, _bus, served = _pair(latency=20.0)
    (answer,) = _ask(sim, cus)
    requests = [r for r in trace.records if r.kind is Kind.REQUEST]
    responses = [r for r in trace.records if r.kind is Kind.RESPONSE]
    assert len(requests) == 2 and requests[1].correlation_id == requests[0].id
    assert len(served) == 1
    assert [r.payload for r in responses] == [{"created": 1}, {"created": 1}]
    assert answer is responses[0]  # the late first answer ended the call


def test_a_re_sent_read_is_answered_with_the_state_at_its_arrival() -> None:
    """A read (MEF's retrieve/list operations, HTTP GET) is never answered from memory: a buyer who
    lost a response and asks again must see the state now, not the one of its first attempt."""
    sim, trace, cus, bus, served = _pair(latency=20.0)

    def read(msg: Message) -> None:
        served.append(msg)
        bus.respond(msg, 200, {"served": len(served), "at": sim.env.now})

    bus.on("retrieveOrder", read)
    got: list[Message] = []

    def client() -> Generator[simpy.Event, Any, None]:
        got.append((yield from cus.request("bus", "retrieveOrder", {}, flow=FLOW, step="1")))

    sim.env.process(client())
    sim.run()
    responses = [r for r in trace.records if r.kind is Kind.RESPONSE]
    assert len(served) == 2  # asked twice, served twice
    assert [r.payload["served"] for r in responses] == [1, 2]
    assert responses[1].payload["at"] > responses[0].payload["at"]
    assert bus._answers is None or len(bus._answers) == 0  # reads are not remembered


def test_memory_expires_forgets_and_re_remembers_in_order() -> None:
    memory = AnswerMemory(keep=10.0)
    memory.remember("a", 200, {"n": 1}, now=0.0)
    memory.remember("b", 200, {"n": 2}, now=5.0)
    assert memory.recall("a") == (200, {"n": 1}) and len(memory) == 2
    memory.forget("b")
    memory.forget("never-seen")
    assert memory.recall("b") is None
    memory.remember("c", 201, None, now=10.0)  # "a" expired at 10
    assert memory.recall("a") is None and memory.recall("c") == (201, None) and len(memory) == 1
    memory.remember("c", 409, None, now=12.0)  # answered again: kept from now on
    memory.remember("d", 200, None, now=21.0)
    assert memory.recall("c") == (409, None)
