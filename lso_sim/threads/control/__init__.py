"""Thread 10.3: Controlling a Service.

The Customer reads the constraints of its service and asks SOF-sp, over ALLEGRO, for a change
(``customer``); SOF-sp checks it against the constraints, refusing it with a reason when it falls
outside them, then reconfigures and tests the SP components (PRESTO, ADAGIO) and the partner
components (INTERLUDE), synchronises its inventory, reports a usage event to BUS-sp and notifies
the Customer (``orchestration``). A change may apply now, at a scheduled time, or as a
reservation: capacity held from the request and the change applied for a window, then reverted.
"""

from __future__ import annotations

from lso_sim.actors.world import World
from lso_sim.threads import resource_layer, resource_tasks
from lso_sim.threads.control import customer, orchestration
from lso_sim.threads.control.customer import ChangeRequest, run

THREAD = "10.3"


def install(world: World) -> None:
    """Give every actor of ``world`` its 10.3 behaviour."""
    resource_layer.install(world)
    resource_tasks.install(world)
    customer.install(world)
    orchestration.install(world)


__all__ = ["THREAD", "ChangeRequest", "install", "run"]
