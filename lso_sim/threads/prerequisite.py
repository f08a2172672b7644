"""Establishing the service an assurance thread acts on: a 10.2 order run to its end first.

Threads 10.3 to 10.7 act on an active service. lso-sim establishes it the way MEF does, through
thread 10.2 (its records carry thread ``10.2``), then the thread runs its own instance on it (its
records carry the thread's own id).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from lso_sim.actors.roles import ServiceRecord
from lso_sim.actors.world import World
from lso_sim.threads import ordering
from lso_sim.threads.ordering import OrderRequest


def establish(world: World, request: OrderRequest) -> Generator[simpy.Event, Any, ServiceRecord | None]:
    """Run the 10.2 order ``request`` to its end; the SP's record of the active service, or ``None``."""
    yield from ordering.run(world, request)
    outcome = world.outcomes.get(request.instance)
    if outcome is None or outcome.state != "completed":
        return None
    order = outcome.detail.get("order")
    for record in world.sof_sp.services.values():
        if record.product_order == order and record.service.state == "active":
            return record
    return None


def begin_on_product(
    world: World, request: OrderRequest, thread: str, instance: str
) -> Generator[simpy.Event, Any, str | None]:
    """Run the 10.2 order ``request``, then begin ``instance`` of ``thread`` on the product it made.

    Returns:
        The product id; or ``None`` when the order did not complete, after finishing the instance
        in state ``noService`` (so the outcome says why the thread never ran).
    """
    yield from ordering.run(world, request)
    outcome = world.outcomes[request.instance]
    world.begin(thread, instance)
    product = outcome.detail.get("product")
    if outcome.state != "completed" or product is None:
        world.finish(instance, "noService", order=request.instance, reason=outcome.state)
        return None
    return str(product)
