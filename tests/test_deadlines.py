"""Request timers kept out of simpy's heap fire exactly as ``Timeout`` events would.

The order of events at equal times decides a run, and the goldens hold every run byte for byte:
a timer must fire at the same time and in the same place among other events as the ``Timeout``
it replaces, every other event must keep its id, and a run must still end at its last timer.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from lso_sim.engine.deadlines import Deadlines

# (wait before, delay of the timer, cancelled after this many seconds or never)
Plan = list[tuple[int, int, int | None]]

PLANS = st.lists(
    st.tuples(st.integers(0, 3), st.sampled_from([2, 5]), st.none() | st.integers(0, 6)),
    max_size=25,
)


def _run(plan: Plan, start: Callable[[simpy.Environment, Any], Callable[[float, int], None]]) -> list[Any]:
    """Run ``plan``; log every timer firing that is not cancelled, other events, and the end time."""
    env = simpy.Environment()
    log: list[Any] = []
    cancelled: set[int] = set()
    timer = start(env, (log, cancelled))

    def cancel(n: int, after: int) -> Generator[simpy.Event, Any, None]:
        yield env.timeout(after)
        cancelled.add(n)
        log.append(("cancel", n, env.now))

    def driver() -> Generator[simpy.Event, Any, None]:
        for n, (wait, delay, cancel_after) in enumerate(plan):
            yield env.timeout(wait)
            timer(delay, n)
            other = env.timeout(delay)  # an event due at the same time, made just after the timer
            other.callbacks.append(lambda _e, n=n: log.append(("other", n, env.now)))
            if cancel_after is not None:
                env.process(cancel(n, cancel_after))

    env.process(driver())
    env.run()
    log.append(("end", env.now))
    return log


def _with_timeouts(env: simpy.Environment, state: Any) -> Callable[[float, int], None]:
    log, cancelled = state

    def fired(event: simpy.Event) -> None:
        if event.value not in cancelled:
            log.append(("timer", event.value, env.now))

    def timer(delay: float, n: int) -> None:
        simpy.Timeout(env, delay, n).callbacks.append(fired)

    return timer


def _with_deadlines(env: simpy.Environment, state: Any) -> Callable[[float, int], None]:
    log, cancelled = state

    def fired(event: simpy.Event) -> None:
        if event.value not in cancelled:
            log.append(("timer", event.value, env.now))

    deadlines = Deadlines(env, fired, lambda n: n in cancelled)
    return deadlines.start


@settings(max_examples=150, deadline=None, derandomize=True)
@given(PLANS)
def test_timers_fire_like_timeouts_at_the_same_place_among_equal_times(plan: Plan) -> None:
    assert _run(plan, _with_deadlines) == _run(plan, _with_timeouts)


@pytest.mark.parametrize(
    ("started", "expected"),
    [
        (["x", "a", "y"], ["x", "y"]),  # a spent timer between two live ones is skipped
        (["x", "a", "b"], ["x", "b"]),  # the last one fires even when spent: the run ends at it
    ],
)
def test_a_spent_timer_is_skipped_but_the_last_one_still_ends_the_run(
    started: list[str], expected: list[str]
) -> None:
    env = simpy.Environment()
    fired: list[Any] = []
    spent = {"a", "b"}
    deadlines = Deadlines(env, lambda e: fired.append(e.value), lambda v: v in spent)
    for value in started:
        deadlines.start(10.0, value)
    assert len(env._queue) == 1  # one timer in the heap, whatever the number started
    env.run()
    assert fired == expected
    assert env.now == 10.0


def test_only_one_timer_per_delay_waits_in_the_heap() -> None:
    env = simpy.Environment()
    deadlines = Deadlines(env, lambda _e: None, lambda _v: False)
    for delay in (5.0, 7.0):
        for n in range(100):
            deadlines.start(delay, n)
    assert len(deadlines) == 200
    assert len(env._queue) == 2
    env.run()
    assert len(deadlines) == 0
