"""The ``cloud`` block of a 10.9 workload item: the contract's bounds and the applications' load.

The item's ``orders`` establish, through 10.2, the connectivity services between data centres;
for each, a Customer Application Coordinator follows the ``load`` profile and changes the
bandwidth (as 10.3 changes) within ``min_bandwidth_mbps``-``max_bandwidth_mbps``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

Seconds = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LoadPointModel(_Block):
    """From ``at`` seconds after the service is active, the applications demand ``demand_mbps``."""

    at: Seconds
    demand_mbps: float = Field(ge=0, allow_inf_nan=False)


class CloudModel(_Block):
    """Thread 10.9's block."""

    min_bandwidth_mbps: float = Field(default=10.0, gt=0, allow_inf_nan=False)
    max_bandwidth_mbps: float = Field(default=1000.0, gt=0, allow_inf_nan=False)
    load: list[LoadPointModel] = Field(min_length=1, max_length=10_000)
    period: float = Field(default=900.0, gt=0, allow_inf_nan=False)
    """Seconds between two load assessments."""
    duration: float = Field(default=86_400.0, gt=0, le=366 * 86_400.0, allow_inf_nan=False)
    """Seconds the coordinator manages each service."""
    headroom: float = Field(default=1.2, ge=1.0, le=10.0)
    """Bandwidth asked for per Mbit/s of demand."""
    step_mbps: float = Field(default=50.0, gt=0, allow_inf_nan=False)
    """Granularity of the bandwidth asked for."""
    jitter: float = Field(default=0.0, ge=0.0, le=0.5)
    """Relative noise on each load reading, drawn from the coordinator's seeded stream."""

    @model_validator(mode="after")
    def _consistent(self) -> CloudModel:
        if self.max_bandwidth_mbps < self.min_bandwidth_mbps:
            raise ValueError("max_bandwidth_mbps must not be below min_bandwidth_mbps")
        if self.duration / self.period > 100_000:
            raise ValueError("at most 100,000 load assessments (duration / period)")
        ats = [p.at for p in self.load]
        if ats != sorted(ats):
            raise ValueError("load points in time order ('at' never decreasing)")
        return self
