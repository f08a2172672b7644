"""Thread 10.7, the Customer's side and the life line of one billing instance.

An instance has 10.2 establish the service first, registers the Customer's billing listener, then
lets SOF-sp's collection schedule run; each bill the Customer hears of (step 6) it reads with its
items. The instance ends with the last period's bill.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from functools import partial
from typing import Any

import simpy

from lso_sim.actors.roles import Customer
from lso_sim.actors.world import World
from lso_sim.messages.envelope import Flow, Message
from lso_sim.messages.operations import (
    BILL_CREATE,
    BILL_STATE_CHANGE,
    RETRIEVE_CUSTOMER_BILL,
    RETRIEVE_CUSTOMER_BILL_ITEM,
)
from lso_sim.sonata.api import listen, register_listener, state_of
from lso_sim.threads import ordering
from lso_sim.threads.billing import orchestration
from lso_sim.threads.billing.business import API
from lso_sim.threads.billing.settings import settings_of
from lso_sim.threads.prerequisite import begin_on_product
from lso_sim.threads.trouble import products

THREAD = "10.7"


@dataclass(frozen=True, slots=True)
class BillingPlan:
    """One billing instance: the 10.2 order whose product is billed."""

    instance: str
    order: ordering.OrderRequest


def install(world: World) -> None:
    """Customers read the bills they are told of."""
    for customer in world.customers.values():
        listen(customer, BILL_CREATE, partial(_bill, world, customer))
        listen(customer, BILL_STATE_CHANGE, lambda msg: None)


def run(world: World, plan: BillingPlan) -> Generator[simpy.Event, Any, None]:
    """The instance's life line (a simpy process body)."""
    product = yield from begin_on_product(world, plan.order, THREAD, plan.instance)
    if product is None:
        return
    flow = Flow(THREAD, plan.instance)
    customer = world.customer(plan.order.customer)
    bus = world.bus_sp
    if not state_of(bus).hubs(customer.id, API):
        yield from register_listener(customer, bus.id, API, None, flow=flow)
    for partner in world.partners():
        if not state_of(world.bus[partner]).hubs(bus.id, API):
            yield from register_listener(bus, world.bus[partner].id, API, None, flow=flow)
    world.outcomes[plan.instance].detail.update(bills=0, amount=0.0)
    resource = products.product(bus, customer.id, product)
    if resource is not None:
        yield from orchestration.schedule(world, products.service_of(resource), flow)
    # The last bill is due by now: if its notification (or a read of it) was lost, the Customer
    # stops waiting after notification_wait and the instance ends saying how many bills arrived.
    yield world.sim.env.timeout(world.options.notification_wait)
    outcome = world.outcomes[plan.instance]
    if outcome.ended is None:
        got, wanted = int(outcome.detail.get("bills", 0)), settings_of(world).cycles
        world.finish(
            plan.instance,
            "incomplete",
            f"{got} of {wanted} bills reached the Customer; the others' notifications or reads were lost",
        )


def _bill(world: World, customer: Customer, msg: Message) -> Generator[simpy.Event, Any, None]:
    """6: read the new bill and its items; the last period's bill ends the instance."""
    bus = world.bus_sp.id
    answer = yield from customer.call(
        bus, RETRIEVE_CUSTOMER_BILL, {"id": msg.payload["event"]["id"]}, flow=msg.flow, step="6"
    )
    if answer.status != 200:
        return
    bill = answer.payload[0]
    for item in bill["customerBillItem"]:
        yield from customer.call(
            bus, RETRIEVE_CUSTOMER_BILL_ITEM, {"id": item["id"]}, flow=msg.flow, step="6"
        )
    outcome = world.outcomes.get(msg.instance)
    if outcome is None or outcome.ended is not None:
        return  # a bill after the instance ended (it stopped waiting): its outcome is said
    outcome.detail["bills"] = int(outcome.detail.get("bills", 0)) + 1
    outcome.detail["amount"] = round(float(outcome.detail.get("amount", 0.0)) + bill["amountDue"]["value"], 2)
    if outcome.detail["bills"] >= settings_of(world).cycles:
        world.finish(msg.instance, "billed")
