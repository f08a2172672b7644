"""Waiting for a notification without waiting forever: a deadline, then a bounded number of polls.

A notification a party waits for (a change applied, a report ready, a ticket resolved) may be lost
on its channel, or never sent because the sender gave up. MEF's answer is the resource's retrieve
operation: the waiter reads the resource itself. So every such wait here has a deadline (the time
the event is expected plus ``options.notification_wait``); when it passes, the waiter polls, at
most ``options.poll_limit`` times, ``notification_wait`` apart, and then gives up with a reason
that says what it waited for. A canonical run, where every notification arrives in time, sends no
poll at all, so its message flow is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import simpy

from lso_sim.actors.roles import RoleActor
from lso_sim.actors.world import World
from lso_sim.errors import LsoSimError

Poll = Callable[[], Generator[simpy.Event, Any, "dict[str, Any] | None"]]
"""Reads the awaited resource once: its end-state payload when it has one, else ``None``."""


@dataclass(frozen=True, slots=True)
class Awaited:
    """How an awaited notification ended.

    Attributes:
        value: the notification's payload (or the polled resource's), when it came.
        reason: why the waiter gave up, when it did.
    """

    value: dict[str, Any] | None
    reason: str | None = None


def await_or_poll(
    world: World, actor: RoleActor, key: str, what: str, poll: Poll, *, expected_in: float = 0.0
) -> Generator[simpy.Event, Any, Awaited]:
    """Wait for signal ``key`` of ``actor``; past its deadline, poll with ``poll`` a bounded number of times.

    Args:
        what: the awaited event in words, for the reason ("the change to be applied").
        expected_in: seconds from now after which the event is expected at the earliest (a
            scheduled change, a report window): the deadline counts from then.
    """
    wait = world.options.notification_wait
    fired, value = yield from actor.waiting.wait(key, expected_in + wait)
    if fired:
        return Awaited(value)
    limit = world.options.poll_limit
    last = "no answer"
    for _ in range(limit):
        try:
            polled = yield from poll()
        except LsoSimError as exc:
            polled, last = None, str(exc)
        else:
            last = "not finished yet"
        if polled is not None:
            return Awaited(polled)
        fired, value = yield from actor.waiting.wait(key, wait)
        if fired:
            return Awaited(value)
    return Awaited(
        None,
        f"gave up waiting for {what} after {limit} polls, {wait:g} s apart (last poll: {last})",
    )
