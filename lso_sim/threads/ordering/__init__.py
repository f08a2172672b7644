"""Thread 10.2: Product Ordering and Service Activation Orchestration.

``customer`` drives each order, ``business`` is BUS-sp and BUS-partner, ``orchestration`` is
SOF-sp and SOF-partner (``changes``: service orders that modify or delete a delivered service;
``release``: 9 b) option b, the partner's work released over SONATA);
ICMs and ECMs behave as :mod:`lso_sim.threads.resource_layer` says (``teardown``: removing a
construct).
"""

from __future__ import annotations

from functools import partial

from lso_sim.actors.roles import RoleActor
from lso_sim.actors.world import World
from lso_sim.messages.operations import FORWARDING_CONSTRUCT_RESULT, PARTNER_COMPONENT_RESULT
from lso_sim.threads import resource_layer, resource_tasks, topology_info
from lso_sim.threads.ordering import business, customer, orchestration, teardown
from lso_sim.threads.ordering.customer import OrderRequest, run

THREAD = "10.2"


def install(world: World) -> None:
    """Give every actor of ``world`` its 10.2 behaviour."""
    resource_layer.install(world)
    for actor in world.sim.actors.values():
        if isinstance(actor, RoleActor):  # late notifications of ended instances: dropped later
            actor.waiting.is_over = world.is_over
    topology_info.install(world)  # SOF's topology information (3b, 3c), read from its ICMs
    # Changes of delivered products reconfigure constructs as 10.3 does and remove them.
    resource_tasks.install(world)
    teardown.install(world)
    resource_tasks.declare_steps(THREAD, "9a", below="10", report="9a")
    resource_tasks.declare_steps(
        THREAD, "9b", below="9b", adagio="10", report="9b", partner_report="9b", sync="13"
    )
    sof = world.sof_sp
    for op in (FORWARDING_CONSTRUCT_RESULT, PARTNER_COMPONENT_RESULT):
        if not sof.handles(op.name):
            sof.handle(op, partial(resource_tasks.signal_task_result, sof))
    customer.install(world)
    business.install(world)
    orchestration.install(world)


__all__ = ["THREAD", "OrderRequest", "install", "run"]
