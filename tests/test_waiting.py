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
from hypothesis import given, settings
from hypothesis import strategies as st

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


class _ConditionWaiting(Waiting):
    """The former wait: the signal or a ``Timeout``, whichever first, as a simpy condition."""

    def wait(self, key: str, timeout: float | None) -> Generator[simpy.Event, Any, tuple[bool, Any]]:
        event = self.event(key)
        if timeout is None or event.triggered:
            value = yield event
            return True, value
        result = yield event | self._env.timeout(timeout)
        if event in result:
            return True, result[event]
        return False, None


_times = st.sampled_from([0.0, 1.0, 2.0, 3.0])


def _waits(
    kind: type[Waiting], waits: list[tuple[float, int, float | None]], fires: list[tuple[float, int]]
) -> list[tuple[float, str, Any]]:
    """Processes wait on signals with limits while others fire them; what each saw, and when."""
    env = simpy.Environment()
    waiting = kind(env)
    log: list[tuple[float, str, Any]] = []

    def waiter(n: int, start: float, key: int, limit: float | None) -> Generator[simpy.Event, Any, None]:
        yield env.timeout(start)
        fired, value = yield from waiting.wait(f"k{key}", limit)
        log.append((env.now, f"waiter {n}", (fired, value)))
        yield env.timeout(0)
        log.append((env.now, f"waiter {n} after", None))

    def firer(n: int, at: float, key: int) -> Generator[simpy.Event, Any, None]:
        yield env.timeout(at)
        waiting.fire(f"k{key}", f"value {n}")
        log.append((env.now, f"fired {n}", None))

    for n, (start, key, limit) in enumerate(waits):
        env.process(waiter(n, start, key, limit))
    for n, (at, key) in enumerate(fires):
        env.process(firer(n, at, key))
    env.run()
    return log


@settings(max_examples=200, deadline=None)
@given(
    waits=st.lists(st.tuples(_times, st.integers(0, 2), st.one_of(st.none(), _times)), max_size=8),
    fires=st.lists(st.tuples(_times, st.integers(0, 2)), max_size=6),
)
def test_a_wait_with_a_limit_ends_as_the_former_condition_did(
    waits: list[tuple[float, int, float | None]], fires: list[tuple[float, int]]
) -> None:
    """Signal first, limit first, both at once, limits of zero: the same ends at the same moments,
    tie for tie, as the wait on ``signal | timeout`` (its limit now kept out of simpy's heap)."""
    assert _waits(Waiting, waits, fires) == _waits(_ConditionWaiting, waits, fires)


def test_a_wait_that_timed_out_stops_watching_its_signal() -> None:
    """A signal never fired whose wait ended at its limit has nobody watching it: it can go."""
    env = simpy.Environment()
    waiting = Waiting(env)
    seen: list[tuple[bool, Any]] = []

    def waiter() -> Generator[simpy.Event, Any, None]:
        seen.append((yield from waiting.wait("quiet", 5.0)))

    env.process(waiter())
    env.run()
    assert seen == [(False, None)] and env.now == 5.0
    assert waiting.drop("quiet")
