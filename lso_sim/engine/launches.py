"""Processes started when they are due, in the event order of processes started at once.

A workload of a year of orders used to start one simpy process per order at time 0, each
waiting with a ``Timeout`` for its arrival: a generator frame, a process, and two events per
order, about 1.4 KB, held from the first instant (1.4 GB for a million orders). :class:`Launches`
keeps each future arrival as a small tuple and makes its process when it is due.

Event order is kept exactly, as :mod:`lso_sim.engine.deadlines` keeps it for request timers: a
process started at once draws an event id for its ``Initialize`` event, and, when that runs,
another for the ``Timeout`` of its wait. :meth:`Launches.start_all` draws the same ids at the
same moments (one marker event in the heap under the first ``Initialize`` id of each run of
future arrivals draws their ``Timeout`` ids when it is processed), and each arrival is put in
the heap, one at a time, under the key its ``Timeout`` would have had. When it fires, the
process is made; its body runs in the next step, before any other event of that instant that
was not already due before it. Arrivals due at once are started as processes straight away,
as before. Runs are identical, traces byte for byte (``tests/test_launches.py``).

Like :mod:`~lso_sim.engine.deadlines`, this reaches into ``simpy.Environment._queue`` and
``_eid``.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable
from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.events import NORMAL, URGENT

Body = Callable[[], Generator[simpy.Event, Any, Any]]
"""Makes the generator of one process (called when the process starts)."""


class Launches:
    """Future process starts, each made into a process when due."""

    def __init__(self, env: simpy.Environment) -> None:
        self._env = env
        self._due: list[tuple[float, int, int, Body]] = []
        """Heap of (start time, Timeout id, rank, body): the arrivals not yet started."""
        self._armed: set[int] = set()
        """Timeout ids of the arrivals in simpy's heap: always the earliest one (an arrival drawn
        later may be due before the one armed: then it is armed too)."""
        self._rank = 0
        self.started = 0
        """How many processes it made so far (straight away or when due)."""

    def start_all(self, starts: Iterable[tuple[float, Body]]) -> None:
        """Start ``body()`` at each ``start``, as ``env.process`` of a body that first waits
        ``start - now`` would, in the order given."""
        env = self._env
        run: list[tuple[float, Body]] = []
        for start, body in starts:
            if start > env.now:
                eid = next(env._eid)  # the Initialize id of a process made now
                if not run:
                    self._mark(eid, run)
                run.append((start, body))
            else:
                run = []  # a later future arrival begins a new run behind this process
                env.process(body())
                self.started += 1

    def __len__(self) -> int:
        """How many arrivals are still to start (their ids drawn or not)."""
        return len(self._due)

    def _mark(self, eid: int, run: list[tuple[float, Body]]) -> None:
        """When the ``Initialize`` of ``run``'s first process would run, draw their Timeout ids."""
        env = self._env
        marker = simpy.Event(env)
        marker._ok = True
        marker._value = None
        marker.callbacks.append(lambda _event: self._draw(run))
        heappush(env._queue, (env.now, URGENT, eid, marker))

    def _draw(self, run: list[tuple[float, Body]]) -> None:
        env = self._env
        for start, body in run:
            at = env.now + (start - env.now)  # the Timeout's own sum, to the last bit
            heappush(self._due, (at, next(env._eid), self._rank, body))
            self._rank += 1
        run.clear()
        self._arm()

    def _arm(self) -> None:
        """Put the earliest arrival in simpy's heap, unless it is there already."""
        if not self._due:
            return
        at, eid, _rank, _body = self._due[0]
        if eid in self._armed:
            return
        event = simpy.Event(self._env)
        event._ok = True
        event._value = None
        event.callbacks.append(self._fire)
        heappush(self._env._queue, (at, NORMAL, eid, event))  # consumes no event id: drawn before
        self._armed.add(eid)

    def _fire(self, _event: simpy.Event) -> None:
        _at, eid, _rank, body = heappop(self._due)  # the earliest is always armed: it is this one
        self._armed.discard(eid)
        self._arm()
        self._env.process(body())
        self.started += 1


__all__ = ["Launches"]
