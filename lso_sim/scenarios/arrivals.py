"""Arrival processes of generated orders: ``generate.arrivals``.

Without ``arrivals`` an order arrives every ``interarrival`` (the first at 0), as it always has.
With it, one of:

* ``poisson``: a Poisson process of ``rate_per_hour`` (exponential gaps, the first after one gap);
* ``schedule``: at the given times (``at``, seconds), exactly ``count`` of them;
* ``bursts``: ``size`` orders every ``every`` seconds, spread uniformly over ``spread`` seconds;
* ``daily``: a Poisson process whose rate follows a 24-hour ``profile`` (one factor per hour of the
  simulated day, the peak rate being ``rate_per_hour``), drawn by thinning (Lewis and Shedler):
  candidates at the peak rate, each kept with the factor of its hour.

All start at ``start`` seconds. Draws come from the run's ``workload/10.2/arrivals`` stream, so
choosing a process never shifts which customer, sites and bandwidth the orders draw.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Seconds = Annotated[float, Field(ge=0, allow_inf_nan=False)]
MAX_SCHEDULE = 100_000


class _Arrivals(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    start: Seconds = 0.0


class PoissonArrivals(_Arrivals):
    """Orders arriving as a Poisson process."""

    kind: Literal["poisson"]
    rate_per_hour: float = Field(gt=0, le=1e6)


class ScheduleArrivals(_Arrivals):
    """Orders arriving at fixed times (seconds after ``start``), in any order."""

    kind: Literal["schedule"]
    at: list[Seconds] = Field(min_length=1, max_length=MAX_SCHEDULE)


class BurstArrivals(_Arrivals):
    """``size`` orders every ``every`` seconds, spread uniformly over ``spread`` seconds."""

    kind: Literal["bursts"]
    every: float = Field(gt=0, allow_inf_nan=False)
    size: int = Field(ge=1, le=1_000_000)
    spread: Seconds = 0.0

    @model_validator(mode="after")
    def _bursts_apart(self) -> BurstArrivals:
        if self.spread > self.every:
            raise ValueError(f"spread ({self.spread:g}) must not exceed every ({self.every:g})")
        return self


class DailyArrivals(_Arrivals):
    """A Poisson process whose rate follows the hours of the simulated day."""

    kind: Literal["daily"]
    rate_per_hour: float = Field(gt=0, le=1e6)
    profile: list[Annotated[float, Field(ge=0, le=1)]] = Field(min_length=24, max_length=24)

    @model_validator(mode="after")
    def _some_hour(self) -> DailyArrivals:
        if not any(self.profile):
            raise ValueError("a profile with at least one hour above 0")
        return self


ArrivalsModel = Annotated[
    PoissonArrivals | ScheduleArrivals | BurstArrivals | DailyArrivals, Field(discriminator="kind")
]
"""``generate.arrivals``."""

ARRIVAL_KINDS = ("poisson", "schedule", "bursts", "daily")


def arrival_times(model: ArrivalsModel, count: int, rng: random.Random) -> Iterator[float]:
    """The first ``count`` arrival times of ``model``, in increasing order."""
    start = model.start
    if isinstance(model, ScheduleArrivals):
        yield from (start + t for t in sorted(model.at)[:count])
    elif isinstance(model, BurstArrivals):
        made, burst = 0, 0
        while made < count:
            size = min(model.size, count - made)
            base = start + burst * model.every
            yield from sorted(base + rng.uniform(0.0, model.spread) for _ in range(size))
            made, burst = made + size, burst + 1
    elif isinstance(model, PoissonArrivals):
        mean_gap, at = 3600.0 / model.rate_per_hour, start
        for _ in range(count):
            at += rng.expovariate(1.0 / mean_gap)
            yield at
    else:
        mean_gap, at, made = 3600.0 / model.rate_per_hour, start, 0
        while made < count:
            at += rng.expovariate(1.0 / mean_gap)
            if rng.random() < model.profile[int(at // 3600) % 24]:
                made += 1
                yield at
