"""The ``onboarding`` block of a 10.1 workload item: the partners BUS-sp on-boards, and their terms.

Each partner entry says when BUS-sp starts, what the partner chooses to share (``detail`` and
``offerings``), the billing term and quality objectives of its offerings, and the later changes it
makes to its catalog. A scenario with an ``onboarding`` block makes on-boarding a precondition of
thread 10.2: BUS-sp buys only from partners it has on-boarded (docs/threads/10.1.md).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Seconds = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Name = Annotated[str, Field(min_length=1, max_length=200)]

LifecycleStatus = Literal[
    "announced", "endOfSale", "endOfSupport", "obsolete", "onHold", "orderable", "pilotBeta", "rejected"
]
"""MEF's ProductOffering lifecycle statuses."""


class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CatalogChangeModel(_Block):
    """A later change of one shared offering: its lifecycle ``status``, or (none given) its terms."""

    after: Seconds
    """Seconds after the partner's on-boarding starts."""
    offering: Name
    status: LifecycleStatus | None = None


class PartnerOnboardingModel(_Block):
    """One partner BUS-sp on-boards."""

    partner: Name
    at: Seconds = 0.0
    detail: Literal["full", "summary"] = "full"
    """``full``: offerings, specifications, billing terms and quality objectives; ``summary``:
    offerings only."""
    offerings: list[Name] | None = Field(default=None, min_length=1, max_length=1000)
    """Offering ids the partner shares (default: the scenario's wholesale offerings)."""
    term_months: int = Field(default=12, ge=1, le=120)
    end_of_term: Literal["roll", "autoDisconnect", "autoRenew"] = "autoRenew"
    objectives: dict[Name, Annotated[float, Field(allow_inf_nan=False)]] = Field(
        default_factory=lambda: {"availability %": 99.95, "one-way delay ms": 10.0}, max_length=100
    )
    changes: list[CatalogChangeModel] = Field(default_factory=list, max_length=1000)


class OnboardingModel(_Block):
    """The ``onboarding`` block of a 10.1 workload item."""

    partners: list[PartnerOnboardingModel] = Field(min_length=1, max_length=1000)
