"""Thread 10.7: Collection and Reporting of Billing and Usage.

``customer`` drives each instance (the 10.2 order, then the billing periods), ``orchestration``
is SOF's usage collection and SLS analysis, ``business`` the rating and the bills, ``resources``
what ICMs and ECMs report from the telemetry model.
"""

from __future__ import annotations

from lso_sim.actors.world import World
from lso_sim.threads.billing import business, customer, orchestration, resources
from lso_sim.threads.billing.customer import BillingPlan, run
from lso_sim.threads.billing.settings import BillingSettings, settings_of

THREAD = "10.7"


def install(world: World) -> None:
    """Give every actor of ``world`` its 10.7 behaviour (10.2's is installed first)."""
    resources.install(world)
    business.install(world)
    orchestration.install(world)
    customer.install(world)


__all__ = ["THREAD", "BillingPlan", "BillingSettings", "install", "run", "settings_of"]
