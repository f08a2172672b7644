"""Per-run rating rules and schedule of thread 10.7 (the scenario's ``billing`` block)."""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from lso_sim.actors.world import World
from lso_sim.engine.simulation import Simulation


@dataclass(slots=True)
class BillingSettings:
    """Business rules of rating and the usage collection schedule.

    Attributes:
        period: seconds between scheduled usage collections (one bill each).
        cycles: how many periods each instance is billed for.
        per_gb: usage charge per gigabyte carried.
        tax_rate: tax on the net amount.
        sla_loss: frame loss objective of the SLS; above it the period gets a credit.
        sla_credit: share of the recurring charge credited for an SLS violation.
        committed_utilisation: above it the service runs beyond its SLS (an upsell exception).
        payment_days: days between a bill and its payment due date.
    """

    period: float = 86400.0
    cycles: int = 1
    per_gb: float = 0.05
    tax_rate: float = 0.08
    sla_loss: float = 0.001
    sla_credit: float = 0.1
    committed_utilisation: float = 0.8
    payment_days: float = 30.0


_SETTINGS: weakref.WeakKeyDictionary[Simulation, BillingSettings] = weakref.WeakKeyDictionary()


def settings_of(world: World) -> BillingSettings:
    """The 10.7 settings of ``world`` (defaults until a scenario sets them)."""
    settings = _SETTINGS.get(world.sim)
    if settings is None:
        settings = BillingSettings()
        _SETTINGS[world.sim] = settings
    return settings
