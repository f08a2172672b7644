"""The application-load model a Customer Application Coordinator watches (thread 10.9).

Demand between two data centres is piecewise constant over simulated time (the scenario's
``load`` points), optionally with relative noise drawn from the coordinator's own seeded stream,
so the same scenario and seed always see the same load. The bandwidth the applications need is
the demand with headroom, rounded up to the contract's step and kept within its bounds.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LoadPoint:
    """From ``at`` seconds (after the coordinator starts) on, the applications demand ``demand_mbps``."""

    at: float
    demand_mbps: float


@dataclass(frozen=True, slots=True)
class LoadModel:
    """Demand over time.

    Attributes:
        points: the profile, sorted by ``at``; before the first point, the first point's demand.
        jitter: relative noise on each reading (0: none; 0.1: up to 10 % either way).
    """

    points: tuple[LoadPoint, ...]
    jitter: float = 0.0

    def demand(self, elapsed: float, rng: random.Random) -> float:
        """The demand ``elapsed`` seconds after the start (a noise draw when ``jitter`` is set)."""
        level = self.points[0].demand_mbps
        for point in self.points:
            if point.at <= elapsed:
                level = point.demand_mbps
        if self.jitter:
            level *= 1.0 + rng.uniform(-self.jitter, self.jitter)
        return max(level, 0.0)


def needed_bandwidth(
    demand: float, headroom: float, step: float, low: float, high: float
) -> tuple[float, bool]:
    """The bandwidth to ask for: ``demand * headroom`` rounded up to ``step``, within ``[low, high]``.

    Returns:
        The bandwidth, and whether the contract's ceiling cut it (the applications need more than
        it allows; rounding up to a step past the ceiling does not count).
    """
    need = demand * headroom
    wanted = math.ceil(need / step - 1e-9) * step
    return min(max(wanted, low), high), need > high + 1e-9
