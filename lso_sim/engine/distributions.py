"""Distributions of durations: channel latency, actor service time, activity time.

Each is a tiny immutable object with ``sample(rng)``; the random generator is passed in so the
caller (a channel, an actor) decides which seeded stream the draw comes from.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Protocol


class Distribution(Protocol):
    """Anything that draws a non-negative duration in simulated seconds."""

    def sample(self, rng: random.Random) -> float:
        """Draw one value."""
        ...

    @property
    def mean(self) -> float:
        """Expected value (for summaries and capacity planning)."""
        ...


@dataclass(frozen=True, slots=True)
class Constant:
    """Always the same duration (draws nothing, so it never consumes randomness)."""

    value: float

    def sample(self, rng: random.Random) -> float:
        return self.value

    @property
    def mean(self) -> float:
        return self.value


@dataclass(frozen=True, slots=True)
class Uniform:
    """Uniform between ``low`` and ``high``."""

    low: float
    high: float

    def sample(self, rng: random.Random) -> float:
        return rng.uniform(self.low, self.high)

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2


@dataclass(frozen=True, slots=True)
class Exponential:
    """Exponential with the given mean, shifted by ``minimum`` (a propagation floor)."""

    mean_value: float
    minimum: float = 0.0

    def sample(self, rng: random.Random) -> float:
        return self.minimum + rng.expovariate(1.0 / self.mean_value)

    @property
    def mean(self) -> float:
        return self.minimum + self.mean_value


@dataclass(frozen=True, slots=True)
class LogNormal:
    """Log-normal given by the mean and standard deviation of the duration itself.

    Users think in "about 80 ms, give or take 30"; the underlying normal's parameters are derived
    once here rather than asked of them.
    """

    mean_value: float
    stdev: float
    _mu: float = 0.0
    _sigma: float = 0.0

    def __post_init__(self) -> None:
        sigma2 = math.log(1.0 + (self.stdev / self.mean_value) ** 2)
        object.__setattr__(self, "_sigma", math.sqrt(sigma2))
        object.__setattr__(self, "_mu", math.log(self.mean_value) - sigma2 / 2.0)

    def sample(self, rng: random.Random) -> float:
        return rng.lognormvariate(self._mu, self._sigma)

    @property
    def mean(self) -> float:
        return self.mean_value
