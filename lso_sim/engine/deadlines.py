"""Request deadlines kept out of simpy's event heap until they are next due.

Every request arms a timer for its whole limit (two days in the canonical scenarios), and almost
every request is answered long before it fires: at an order a minute, simpy's heap held about
150,000 such timers, each a ``Timeout`` event, and every step of the run paid for the depth.

Timers of one delay fire in the order they were started (their times never decrease), so a
:class:`Deadlines` keeps them in one queue per delay and puts only the earliest one still worth
firing in the heap; when it fires, the next is put there. Each timer keeps the heap position its
``Timeout`` would have had: its event id is drawn from simpy's counter when it starts, exactly
as ``Timeout`` draws it, and it is pushed under that id with the same time and priority. Events
at equal times are therefore processed in the same order as before, and every other event gets
the same id as before: runs are identical, traces byte for byte.

A timer that is already spent (its request answered) is skipped instead of fired, since its
callback would do nothing; the last timer of each queue is always fired even when spent, so
that a run still ends at the time of its last timer and a horizon still finds it pending.

This reaches into two private attributes of ``simpy.Environment`` (``_queue`` and ``_eid``,
stable across simpy 3 and 4): the price of keeping event order exactly.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from heapq import heappush
from typing import Any

import simpy
from simpy.events import NORMAL


class _Lane:
    """The timers of one delay, oldest first, and whether one of them is in the heap."""

    __slots__ = ("armed", "timers")

    def __init__(self) -> None:
        self.timers: deque[tuple[float, int, Any]] = deque()
        self.armed = False


class Deadlines:
    """Timers of fixed delays, each firing ``callback`` with an event whose value is the timer's.

    Args:
        env: the simulation's environment.
        callback: called with the firing event (``event.value`` is the value given to
            :meth:`start`), as a ``Timeout``'s callback would be.
        spent: True for a value whose timer would do nothing if it fired (it may be skipped).
    """

    def __init__(
        self,
        env: simpy.Environment,
        callback: Callable[[simpy.Event], None],
        spent: Callable[[Any], bool],
    ) -> None:
        self._env = env
        self._callback = callback
        self._spent = spent
        self._lanes: dict[float, _Lane] = {}

    def start(self, delay: float, value: Any) -> None:
        """Start a timer of ``delay`` seconds carrying ``value`` (where a ``Timeout`` would be made)."""
        env = self._env
        eid = next(env._eid)  # drawn now, as Timeout draws it: every later event keeps its id
        lane = self._lanes.get(delay)
        if lane is None:
            lane = self._lanes[delay] = _Lane()
        lane.timers.append((env.now + delay, eid, value))
        if not lane.armed:
            self._arm(lane)

    def __len__(self) -> int:
        """How many timers are started and not yet fired or skipped."""
        return sum(len(lane.timers) for lane in self._lanes.values())

    def _arm(self, lane: _Lane) -> None:
        """Put the first timer still worth firing (or the last one) in the heap."""
        timers, spent = lane.timers, self._spent
        while len(timers) > 1 and spent(timers[0][2]):
            timers.popleft()
        at, eid, value = timers[0]
        event = simpy.Event(self._env)
        event._ok = True
        event._value = value
        event.callbacks.append(lambda fired: self._fire(lane, fired))
        heappush(self._env._queue, (at, NORMAL, eid, event))
        lane.armed = True

    def _fire(self, lane: _Lane, event: simpy.Event) -> None:
        lane.timers.popleft()
        lane.armed = False
        if lane.timers:
            self._arm(lane)  # pushes no earlier than now, consumes no event id
        self._callback(event)
