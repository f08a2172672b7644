"""Thread 10.5: Placing and Tracking Trouble Reports.

``customer`` drives each instance (the 10.2 order that establishes the service, the fault, the
ticket), ``business`` is the BUS ticket sellers (and BUS-sp as a partner's buyer),
``orchestration`` is SOF's diagnosis and remediation, ``resources`` the faults of network elements
and what ICMs and ECMs report about them.
"""

from __future__ import annotations

from lso_sim.actors.world import World
from lso_sim.threads.trouble import business, customer, orchestration, resources
from lso_sim.threads.trouble.customer import TroublePlan, run
from lso_sim.threads.trouble.settings import settings_of

THREAD = "10.5"


def install(world: World) -> None:
    """Give every actor of ``world`` its 10.5 behaviour (10.2's is installed first)."""
    resources.install(world)
    business.install(world)
    orchestration.install(world)
    customer.install(world)


__all__ = ["THREAD", "TroublePlan", "install", "run", "settings_of"]
