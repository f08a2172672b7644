"""Thread 10.1: Partners On-Boarding.

MEF gives only the purpose of this thread; lso-sim's steps are derived from it (see
docs/threads/10.1.md). BUS-sp reads the catalog a partner shares over SONATA (MEF's product
catalog API), with the billing terms and quality objectives it chose to share, codifies the
arrangement as policies and has SOF-sp learn which service components the partner's offerings
realise (``business``, ``orchestration``); the partner shares on its own terms and later changes
its catalog, which BUS-sp hears through its catalog hub (``partner``). Once a scenario on-boards
partners, thread 10.2 buys only from on-boarded ones (:mod:`lso_sim.threads.partners`).
"""

from __future__ import annotations

from lso_sim.actors.world import World
from lso_sim.threads.onboarding import business, orchestration
from lso_sim.threads.onboarding.business import run
from lso_sim.threads.onboarding.partner import change, share
from lso_sim.threads.onboarding.plan import CatalogChange, OnboardingPlan

THREAD = "10.1"


def install(world: World) -> None:
    """Give BUS-sp and SOF-sp their 10.1 behaviour (the partners' catalogs come with 10.2's sellers)."""
    business.install(world)
    orchestration.install(world)


__all__ = ["THREAD", "CatalogChange", "OnboardingPlan", "change", "install", "run", "share"]
