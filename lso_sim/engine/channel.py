"""Channels: one per IRP link between two actor instances.

A channel decides, at send time, whether a message is lost and when it arrives. Deciding at send
time keeps the trace a stream in send order with ``delivered`` already known, and keeps the
per-message cost to a few arithmetic operations. Behaviour is pluggable two ways: the
:class:`ChannelSpec` picks the latency distribution, loss probability and capacity, and a
simulation may be given a ``channel_factory`` that builds any :class:`Channel` subclass (fault
injection, outages, congestion models) overriding :meth:`Channel.transit`.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass

from lso_sim.architecture.roles import Irp
from lso_sim.engine.distributions import Constant, Distribution


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    """How the channels of one IRP behave.

    Attributes:
        latency: one-way transit time.
        loss: probability that a message is lost (0 to 1).
        capacity: messages that may be in transit at once on one link; further messages wait
            (first in, first out) for a free slot. ``None`` means unlimited.
    """

    latency: Distribution = Constant(0.05)  # noqa: RUF009 - immutable, safe to share
    loss: float = 0.0
    capacity: int | None = None


class Channel:
    """The link between two actor instances over one IRP.

    Attributes:
        irp: the IRP this link realises.
        ends: the two actor ids, sorted.
        sent: messages offered to the channel.
        lost: messages it lost.
    """

    __slots__ = ("_free_at", "_latency", "_loss", "_rng", "ends", "irp", "lost", "sent", "spec")

    def __init__(self, irp: Irp, ends: tuple[str, str], spec: ChannelSpec, rng: random.Random) -> None:
        self.irp = irp
        self.ends = ends
        self.spec = spec
        self._rng = rng
        self._latency = spec.latency
        self._loss = spec.loss
        self._free_at: list[float] | None = [0.0] * spec.capacity if spec.capacity else None
        self.sent = 0
        self.lost = 0

    def transit(self, now: float) -> float | None:
        """Arrival time of a message sent at ``now``, or ``None`` if the channel loses it."""
        self.sent += 1
        rng = self._rng
        if self._loss and rng.random() < self._loss:
            self.lost += 1
            return None
        delay = self._latency.sample(rng)
        free_at = self._free_at
        if free_at is None:
            return now + delay
        start = max(now, heapq.heappop(free_at))
        heapq.heappush(free_at, start + delay)
        return start + delay
