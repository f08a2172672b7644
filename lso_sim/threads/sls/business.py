"""Thread 10.6 step 7: BUS-sp relays SOF's SLS status of a service to the Customer of the product."""

from __future__ import annotations

from lso_sim.actors.roles import BusinessApplications, Customer
from lso_sim.actors.world import World
from lso_sim.messages.envelope import Message
from lso_sim.messages.operations import PRODUCT_QUALITY_STATUS, SERVICE_QUALITY_STATUS


def install(world: World) -> None:
    """BUS-sp relays quality status; customers keep what they are told."""
    bus = world.bus_sp
    if not bus.handles(SERVICE_QUALITY_STATUS.name):
        bus.handle(SERVICE_QUALITY_STATUS, lambda msg: _relay(bus, msg))
    for customer in world.customers.values():
        if not customer.handles(PRODUCT_QUALITY_STATUS.name):
            customer.handle(PRODUCT_QUALITY_STATUS, lambda msg, c=customer: _keep(c, msg))


def _relay(bus: BusinessApplications, msg: Message) -> None:
    """Step 7: find the buyer of the product order behind the service and tell it."""
    order = msg.payload.get("productOrder")
    buyer = next((b for b, store in bus.buyers.items() if order in store.orders), None)
    if buyer is None:
        return
    product = bus.store(buyer).documents.get(f"{order}:product", {}).get("id")
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
