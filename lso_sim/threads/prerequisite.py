"""Establishing the service an assurance thread acts on: a 10.2 order run to its end first.

Threads 10.3 to 10.7 act on an active service. lso-sim establishes it the way MEF does, through
thread 10.2 (its records carry thread ``10.2``), then the thread runs its own instance on it (its
records carry the thread's own id).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from lso_sim.actors.roles import Customer, ServiceRecord
from lso_sim.actors.world import World
from lso_sim.messages.envelope import Flow
from lso_sim.messages.operations import Operation
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
    world.begin(thread, instance, world.customer(request.customer))
    product = outcome.detail.get("product")
    if outcome.state != "completed" or product is None:
        world.finish(instance, "noService", order=request.instance, reason=outcome.state)
        return None
    return str(product)


def ask_about_service(
    world: World,
    customer_id: str,
    product_order: str,
    start: float,
    thread: str,
    instance: str,
    op: Operation,
) -> Generator[simpy.Event, Any, tuple[Customer, Flow, str] | None]:
    """At ``start``, begin ``instance`` and ask SOF-sp over ALLEGRO about the service of an order.

    Step 1 of 10.3 and 10.4 alike: the Customer names its product order and SOF-sp answers with
    the service behind it (its control policy, or the reports it offers).

    Returns:
        The customer, the instance's flow and the service id; or ``None`` when SOF-sp knows no such
        service, after finishing the instance in state ``unknownService``.
    """
    if start > world.sim.now:
        yield world.sim.env.timeout(start - world.sim.now)
    customer = world.customer(customer_id)
    flow = Flow(thread, instance)
    world.begin(thread, instance, customer)
    answer = yield from customer.call(
        world.sof_sp.id, op, {"productOrder": product_order}, flow=flow, step="1"
    )
    if answer.status != 200:
        world.finish(instance, "unknownService", status=answer.status)
        return None
    return customer, flow, str(answer.payload["service"])
