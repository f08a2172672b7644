"""Thread 10.2: Product Ordering and Service Activation Orchestration.

``customer`` drives each order, ``business`` is BUS-sp and BUS-partner, ``orchestration`` is
SOF-sp and SOF-partner; ICMs and ECMs behave as :mod:`lso_sim.threads.resource_layer` says.
"""

from __future__ import annotations

from lso_sim.actors.world import World
from lso_sim.threads import resource_layer
from lso_sim.threads.ordering import business, customer, orchestration
from lso_sim.threads.ordering.customer import OrderRequest, run

THREAD = "10.2"


def install(world: World) -> None:
    """Give every actor of ``world`` its 10.2 behaviour."""
    resource_layer.install(world)
    customer.install(world)
    business.install(world)
    orchestration.install(world)


__all__ = ["THREAD", "OrderRequest", "install", "run"]
