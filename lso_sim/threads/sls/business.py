"""Thread 10.6 step 7: BUS-sp relays SOF's SLS status of a service to the Customer of the product.

Over CANTATA, unless the Customer's contract names ALLEGRO (``status_via``): SOF-sp then tells
it directly (MEF's alternative) and BUS-sp does not relay; the two are never both sent.
"""

from __future__ import annotations

from lso_sim.actors.roles import BusinessApplications, Customer
from lso_sim.actors.world import World
from lso_sim.messages.envelope import Kind, Message
from lso_sim.messages.operations import (
    PRODUCT_QUALITY_STATUS,
    SERVICE_QUALITY_STATUS,
    SLS_STATUS_ALLEGRO,
)
from lso_sim.sonata.api import state_of


def install(world: World) -> None:
    """BUS-sp relays quality status; customers keep what they are told."""
    bus = world.bus_sp
    if not bus.handles(SERVICE_QUALITY_STATUS.name):
        bus.handle(SERVICE_QUALITY_STATUS, lambda msg: _relay(world, bus, msg))
    for customer in world.customers.values():
        if not customer.handles(PRODUCT_QUALITY_STATUS.name):
            customer.handle(PRODUCT_QUALITY_STATUS, lambda msg, c=customer: _keep(c, msg))
            customer.handle(SLS_STATUS_ALLEGRO, lambda msg, c=customer: _keep(c, msg))


def _relay(world: World, bus: BusinessApplications, msg: Message) -> None:
    """Step 7: find the buyer of the product order behind the service and tell it."""
    order = msg.payload.get("productOrder")
    sellers = state_of(bus)
    buyer = next(
        (b for b, store in sellers.buyers.items() if store.get("productOrder", str(order)) is not None), None
    )
    if buyer is None:
        # Nothing is silently dropped: a status for an order BUS-sp never sold is recorded.
        bus.sim.record_local(
            bus,
            Kind.ERROR,
            "unknownProductOrder",
            {"productOrder": order, "reason": "no buyer of this product order"},
            flow=msg.flow,
            step="7",
        )
        return
    customer = world.customers.get(buyer)
    if customer is not None and customer.status_via == "ALLEGRO":
        return  # its contract names ALLEGRO: SOF-sp told it (step 7), BUS-sp does not repeat it
    product = next(
        (r.id for r in sellers.buyer(buyer).tagged("product", order) if r.private.get("order") == order), None
    )
    bus.tell(
        buyer,
        PRODUCT_QUALITY_STATUS,
        {
            "productOrder": order,
            "product": product,
            "status": msg.payload["status"],
            "violations": msg.payload.get("violations", {}),
            "manualIntervention": msg.payload.get("manualIntervention", False),
            "eventTime": msg.payload.get("eventTime"),
        },
        flow=msg.flow,
        step="7",
    )


def _keep(customer: Customer, msg: Message) -> None:
    customer.waiting.fire(f"quality:{msg.payload['productOrder']}:{msg.payload['status']}", msg.payload)
