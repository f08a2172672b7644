"""What one partner's on-boarding (a 10.1 thread instance) and its later catalog changes are."""

from __future__ import annotations

from dataclasses import dataclass, field

from lso_sim.sonata.catalog import Detail


@dataclass(frozen=True, slots=True)
class CatalogChange:
    """A later change of one of the partner's offerings (a thread instance of its own).

    Attributes:
        instance: thread instance id.
        at: simulated time the partner makes it.
        offering: the offering changed.
        status: its new MEF lifecycle status; ``None``: its attributes (terms) changed.
    """

    instance: str
    at: float
    offering: str
    status: str | None = None


@dataclass(frozen=True, slots=True)
class OnboardingPlan:
    """One partner on-boarded by BUS-sp.

    Attributes:
        instance: thread instance id.
        partner: the partner's domain id.
        start: simulated time BUS-sp starts.
        detail: the level of detail the partner shares (MEF: the partner chooses).
        offerings: the offering ids the partner shares.
        term_months: commitment term of its offerings (the billing information shared).
        end_of_term: MEF end-of-term action of that term.
        objectives: quality objectives of its offerings (name -> value).
        changes: its later catalog changes.
    """

    instance: str
    partner: str
    start: float
    detail: Detail
    offerings: tuple[str, ...]
    term_months: int = 12
    end_of_term: str = "autoRenew"
    objectives: dict[str, float] = field(default_factory=dict)
    changes: tuple[CatalogChange, ...] = ()
