"""Named signals of an instance are dropped when it ends, without changing what any waiter sees.

A seller announces every state of every order; a run of a year of orders must not keep one
signal per announcement. Dropping must never strand a process still waiting on a signal, nor
lose a signal that fired at this very instant and has not reached its waiter yet.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest
import simpy

from lso_sim.actors.roles import BusinessApplications, Customer, RoleActor, ServiceOrchestrator, Waiting
from lso_sim.engine import MemoryTrace
from lso_sim.scenarios.loader import load_scenario
from lso_sim.scenarios.runner import run_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def test_a_fired_and_delivered_signal_of_an_ended_instance_is_dropped() -> None:
    env = simpy.Environment()
    waiting = Waiting(env)
    waiting.fire("order:1:completed", "completed", instance="i-1")
    env.run()
    assert waiting.release("i-1") == 1
    assert len(waiting) == 0


def test_a_signal_of_another_instance_or_of_none_stays() -> None:
    env = simpy.Environment()
    waiting = Waiting(env)
    waiting.fire("order:1:completed", instance="i-1")
    waiting.fire("order:2:completed", instance="i-2")
    waiting.fire("poq:7")
    env.run()
    waiting.release("i-1")
    assert len(waiting) == 2
    assert waiting.event("poq:7").triggered


def test_a_signal_a_process_still_waits_on_stays_and_still_wakes_it() -> None:
    env = simpy.Environment()
    waiting = Waiting(env)
    woken: list[Any] = []

    def waiter() -> Generator[simpy.Event, Any, None]:
        fired, value = yield from waiting.wait("so:1:completed", None)
        woken.append((fired, value))

    waiting.event("so:1:completed", instance="i-1")
    env.process(waiter())
    env.run()
    assert waiting.release("i-1") == 0  # the waiter holds it
    waiting.fire("so:1:completed", "done")
    env.run()
    assert woken == [(True, "done")]


def test_a_signal_fired_this_instant_is_kept_until_delivered_then_dropped_later() -> None:
    env = simpy.Environment()
    waiting = Waiting(env)
    woken: list[Any] = []

    def waiter() -> Generator[simpy.Event, Any, None]:
        _fired, value = yield from waiting.wait("order:1:failed", None)
        woken.append(value)

    env.process(waiter())
    env.run()
    waiting.fire("order:1:failed", "failed", instance="i-1")
    assert waiting.release("i-1") == 0  # not delivered yet: its waiter must still get it
    env.run()
    assert woken == ["failed"]
    assert waiting.release("i-2") == 1  # the next release of any instance drops it
    assert len(waiting) == 0


@pytest.mark.parametrize("others", [1, 2])
def test_unfired_signals_nobody_watches_any_more_are_dropped(others: int) -> None:
    """A wait on any of several ends leaves the others unfired; once it is over they are spent."""
    env = simpy.Environment()
    waiting = Waiting(env)
    ends = [waiting.event(f"order:1:{n}", instance="i-1") for n in range(others + 1)]

    def waiter() -> Generator[simpy.Event, Any, None]:
        yield env.any_of(ends)

    env.process(waiter())
    waiting.fire("order:1:0", instance="i-1")
    env.run()
    assert waiting.release("i-1") == others + 1
    waiting.fire("order:1:1", "late")  # a late notification finds a fresh signal, as before
    assert waiting.event("order:1:1").value == "late"


def test_a_run_keeps_no_order_signal_of_its_ended_orders() -> None:
    """The canonical 10.2 run: customers keep no signal; BUS keeps only qualifications (quotes cite them)."""
    result = run_scenario(load_scenario(SCENARIOS / "thread-10.2.yaml"), [MemoryTrace()])
    assert all(outcome.ended is not None for outcome in result.world.outcomes.values())
    actors = [a for a in result.world.sim.actors.values() if isinstance(a, RoleActor)]
    for actor in actors:
        kept = set(actor.waiting._events)  # what is kept is the point here
        if isinstance(actor, Customer):
            assert kept == set()
        if isinstance(actor, BusinessApplications):
            assert {key.split(":")[0] for key in kept} <= {"poq"}


@pytest.mark.parametrize("name", ["thread-10.2.yaml", "thread-10.5.yaml", "thread-10.6.yaml"])
def test_a_partner_keeps_no_service_order_signal_only_its_index(name: str) -> None:
    """``service-order-for:`` goes with its instance; later INTERLUDE requests find the service
    order through ``sold_under`` (10.5 and 10.6 act on components after their order's instance)."""
    result = run_scenario(load_scenario(SCENARIOS / name), [MemoryTrace()])
    assert all(outcome.ended is not None for outcome in result.world.outcomes.values())
    partners = [
        a for a in result.world.sim.actors.values() if isinstance(a, ServiceOrchestrator) and a.sold_under
    ]
    assert partners, "no partner service order: the test would prove nothing"
    for sof in partners:
        assert not [key for key in sof.waiting._events if key.startswith("service-order-for:")]
        assert all(sof.services[so].product_order == order for order, so in sof.sold_under.items())
