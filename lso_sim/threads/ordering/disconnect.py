"""Thread 10.2, a delivered product's end: its Customer disconnects it when its term is over.

A generated order may carry a term (``generate.term``): ``term`` seconds after the Customer
accepted the product, it orders the product's disconnection over CANTATA (createProductOrder with
one ``delete`` item naming the product, step 4) and waits for that order to end (step 14), through
the same back office as any delete item: BUS-sp maps the product to its service (5), orders the
service's deletion from SOF-sp over LEGATO (7), which removes its constructs over PRESTO and ADAGIO
and the partner's component over INTERLUDE or SONATA (9).

The disconnect is its own instance, ``<customer>/disconnect-<n>`` for ``<customer>/order-<n>``,
with its own outcome. It begins only when the term is over: a disconnect not yet due when a run's
horizon stops it is no instance (nothing began, so nothing is left open), and until then it costs
one simpy timer. An order that did not complete has no product, so nothing to disconnect.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import simpy

from lso_sim.actors.world import World
from lso_sim.errors import LsoSimError
from lso_sim.messages import bodies
from lso_sim.messages.envelope import Flow
from lso_sim.messages.operations import CREATE_PRODUCT_ORDER
from lso_sim.sonata.reasons import refusal
from lso_sim.threads.ordering.order_end import abandon, await_order_end

if TYPE_CHECKING:
    from lso_sim.threads.ordering.customer import OrderRequest

THREAD = "10.2"


def instance_of(order_instance: str) -> str:
    """The disconnect instance of an order instance: ``acme/order-7`` -> ``acme/disconnect-7``."""
    owner, _sep, name = order_instance.rpartition("/")
    number = name.removeprefix("order-")
    return f"{owner}/disconnect-{number}" if owner else f"disconnect-{number}"


def schedule(world: World, request: OrderRequest, product_id: str, order_id: str) -> None:
    """Disconnect ``product_id`` when ``request.term`` is over (one timer until then)."""
    assert request.term is not None
    env = world.sim.env
    timer = env.timeout(max(0.0, request.term))
    instance = instance_of(request.instance)

    def start(_event: simpy.Event) -> None:
        env.process(world.guarded(run(world, request.customer, instance, product_id, order_id), instance))

    timer.callbacks.append(start)


def run(
    world: World, customer_id: str, instance: str, product_id: str, order_id: str
) -> Generator[simpy.Event, Any, None]:
    """The disconnect's life line: it begins now and ends with the delete order's end state.

    A refused order ends ``orderRefused`` with the seller's reason; a request the Customer gives
    up on (no answer after every attempt) ends ``abandoned`` with its cause, as an order does.
    """
    customer = world.customer(customer_id)
    flow = Flow(THREAD, instance)
    world.begin(THREAD, instance, customer)
    bus = world.bus_sp.id
    try:
        body = bodies.change_order_create(customer.id, "delete", product_id)
        answer = yield from customer.call(bus, CREATE_PRODUCT_ORDER, body, flow=flow, step="4")
        if answer.status != 201:
            world.finish(instance, "orderRefused", refusal(answer), status=answer.status, product=product_id)
            return
        delete_order = str(answer.payload["id"])
        state, reason = yield from await_order_end(world, customer, bus, delete_order, flow)
        if state == "completed" and product_id in customer.products:
            customer.products.remove(product_id)
            customer.orders.pop(order_id, None)  # the product's order: nothing of it is left
        world.finish(instance, state, reason, order=delete_order, product=product_id)
    except LsoSimError as exc:
        abandon(world, customer, instance, flow, exc, product=product_id)


__all__ = ["instance_of", "run", "schedule"]
