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

Given a collection it can walk again (the runner's orders, made as they are walked), it keeps
no arrival at all before its run is due: each run of future arrivals in time order draws its
block of ``Timeout`` ids at once and is then walked one arrival at a time, the next one queued
as the previous one starts. A million generated orders then cost nothing until they arrive (as
tuples and closures they held about 1 KB each from the first instant, with the orders).

Like :mod:`~lso_sim.engine.deadlines`, this reaches into ``simpy.Environment._queue`` and
``_eid``.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from heapq import heappop, heappush
from itertools import islice
from typing import Any

import simpy
from simpy.events import NORMAL, URGENT

Body = Callable[[], Generator[simpy.Event, Any, Any]]
"""Makes the generator of one process (called when the process starts)."""


class Launches:
    """Future process starts, each made into a process when due."""

    def __init__(self, env: simpy.Environment) -> None:
        self._env = env
        self._due: list[tuple[float, int, Body, _Cursor | None]] = []
        """Heap of (start time, Timeout id, body, the walk it came from): arrivals whose ids are
        drawn and that have not started. A walked run has only its next arrival here."""
        self._armed: set[int] = set()
        """Timeout ids of the arrivals in simpy's heap: always the earliest one (an arrival drawn
        later may be due before the one armed: then it is armed too)."""
        self._waiting = 0
        self.started = 0
        """How many processes it made so far (straight away or when due)."""

    def start_all(self, starts: Iterable[tuple[float, Body]]) -> None:
        """Start ``body()`` at each ``start``, as ``env.process`` of a body that first waits
        ``start - now`` would, in the order given.

        ``starts`` may be a collection that gives the same items each time it is walked (a list,
        :class:`~lso_sim.scenarios.build.OrderRequests` paired with bodies): then only how many
        future arrivals each run has is kept, and a run whose starts never decrease is walked
        again when due, one arrival at a time, so that a million future orders are never held at
        once. A one-shot iterator, or a run out of time order, is kept whole, as before.
        """
        env = self._env
        again = iter(starts) is not starts  # a collection: it can be walked again
        run: _Run | None = None
        for index, (start, body) in enumerate(starts):
            if start > env.now:
                eid = next(env._eid)  # the Initialize id of a process made now
                if run is None:
                    run = _Run(starts if again else None, index)
                    self._mark(eid, run)
                run.add(start, body)
                self._waiting += 1
            else:
                run = None  # a later future arrival begins a new run behind this process
                env.process(body())
                self.started += 1

    def __len__(self) -> int:
        """How many arrivals are still to start (their ids drawn or not)."""
        return self._waiting

    def _mark(self, eid: int, run: _Run) -> None:
        """When the ``Initialize`` of ``run``'s first process would run, draw their Timeout ids."""
        env = self._env
        marker = simpy.Event(env)
        marker._ok = True
        marker._value = None
        marker.callbacks.append(lambda _event: self._draw(run))
        heappush(env._queue, (env.now, URGENT, eid, marker))

    def _draw(self, run: _Run) -> None:
        env = self._env
        now = env.now
        if run.source is not None and run.ordered:
            # The run's Timeout ids, drawn now as its processes' Timeouts would draw them: one
            # after the other, the k-th arrival's the first one plus k.
            first = next(env._eid)
            deque(islice(env._eid, run.count - 1), maxlen=0)
            walk = islice(iter(run.source), run.first, run.first + run.count)
            self._next(_Cursor(walk, first, now))
        else:
            source, end = run.source, run.first + run.count
            kept = run.kept if source is None else list(islice(iter(source), run.first, end))
            for start, body in kept:
                at = now + (start - now)  # the Timeout's own sum, to the last bit
                heappush(self._due, (at, next(env._eid), body, None))
        run.kept = []
        self._arm()

    def _next(self, cursor: _Cursor) -> None:
        """Queue the next arrival of a walked run, if it has one left."""
        item = next(cursor.walk, None)
        if item is None:
            return
        start, body = item
        at = cursor.drawn_at + (start - cursor.drawn_at)
        heappush(self._due, (at, cursor.eid, body, cursor))
        cursor.eid += 1

    def _arm(self) -> None:
        """Put the earliest arrival in simpy's heap, unless it is there already."""
        if not self._due:
            return
        at, eid, _body, _cursor = self._due[0]
        if eid in self._armed:
            return
        event = simpy.Event(self._env)
        event._ok = True
        event._value = None
        event.callbacks.append(self._fire)
        heappush(self._env._queue, (at, NORMAL, eid, event))  # consumes no event id: drawn before
        self._armed.add(eid)

    def _fire(self, _event: simpy.Event) -> None:
        _at, eid, body, cursor = heappop(self._due)  # the earliest is always armed: it is this one
        self._armed.discard(eid)
        if cursor is not None:
            self._next(cursor)  # its run's next arrival: never earlier, its id the next one
        self._arm()
        self._waiting -= 1
        self._env.process(body())
        self.started += 1


class _Run:
    """Future arrivals given one after the other, with no arrival due at once between them."""

    __slots__ = ("count", "first", "kept", "last", "ordered", "source")

    def __init__(self, source: Iterable[tuple[float, Body]] | None, first: int) -> None:
        self.source = source
        """The collection to walk again when the run is due (``None``: ``kept`` holds the run)."""
        self.first = first
        """The run's first arrival's place in ``source``."""
        self.count = 0
        self.ordered = True
        """Whether its starts never decrease (then it is walked one arrival at a time)."""
        self.last = -math.inf
        self.kept: list[tuple[float, Body]] = []

    def add(self, start: float, body: Body) -> None:
        self.count += 1
        self.ordered = self.ordered and start >= self.last
        self.last = start
        if self.source is None:
            self.kept.append((start, body))


class _Cursor:
    """Where the walk of an ordered run is: the next arrival's Timeout id, and when they were drawn."""

    __slots__ = ("drawn_at", "eid", "walk")

    def __init__(self, walk: Iterator[tuple[float, Body]], eid: int, drawn_at: float) -> None:
        self.walk = walk
        self.eid = eid
        self.drawn_at = drawn_at


__all__ = ["Launches"]
