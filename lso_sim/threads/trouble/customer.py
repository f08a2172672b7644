"""Thread 10.5, the Customer's side, and the life line of one trouble instance.

An instance first has 10.2 establish the service (those records carry thread 10.2), then breaks a
network element on its path. With customer detection the Customer notices, reports a ticket over
CANTATA (step 1) and, told it is resolved (12), checks and closes it; with proactive detection
SOF-sp finds the fault itself and the Customer hears of it as an incident.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from functools import partial
from typing import Any

import simpy

from lso_sim.actors.roles import Customer
from lso_sim.actors.world import World
from lso_sim.messages import trouble_bodies as tb
from lso_sim.messages.envelope import Flow, Message
from lso_sim.messages.operations import (
    CLOSE_TROUBLE_TICKET,
    CREATE_TROUBLE_TICKET,
    INCIDENT_CREATE,
    INCIDENT_STATUS_CHANGE,
    RETRIEVE_INCIDENT,
    RETRIEVE_TROUBLE_TICKET,
    TICKET_ATTRIBUTE_CHANGE,
    TICKET_RESOLVED,
    TICKET_STATUS_CHANGE,
    TROUBLE_STATUS_ALLEGRO,
)
from lso_sim.sonata.api import listen, register_listener, state_of
from lso_sim.threads import ordering
from lso_sim.threads.prerequisite import begin_on_product
from lso_sim.threads.trouble import products, resources
from lso_sim.threads.trouble.business import API
from lso_sim.threads.trouble.settings import settings_of

THREAD = "10.5"


@dataclass(frozen=True, slots=True)
class TroublePlan:
    """One trouble instance.

    Attributes:
        instance: the 10.5 instance id.
        order: the 10.2 order that establishes the service first.
        ne: network element that breaks.
        fault: ``down``, ``degraded`` or ``misconfigured``.
        after: seconds between the service's activation and the fault.
        detection: ``customer`` (a ticket) or ``proactive`` (SOF-sp detects it).
        report_delay: seconds between the fault and the Customer's ticket.
    """

    instance: str
    order: ordering.OrderRequest
    ne: str
    fault: str
    after: float
    detection: str
    report_delay: float


def install(world: World) -> None:
    """Customers react to ticket and incident events (and to ALLEGRO status updates)."""
    for customer in world.customers.values():
        if customer.handles(TICKET_RESOLVED.name):
            continue
        listen(customer, TICKET_RESOLVED, partial(_resolved, world, customer))
        listen(customer, TICKET_STATUS_CHANGE, _ignore)
        listen(customer, TICKET_ATTRIBUTE_CHANGE, _ignore)
        listen(customer, INCIDENT_CREATE, partial(_incident, world, customer))
        listen(customer, INCIDENT_STATUS_CHANGE, partial(_incident, world, customer))
        customer.handle(TROUBLE_STATUS_ALLEGRO, _ignore)


def _ignore(msg: Message) -> None:
    """Heard; the Customer acts on resolution events only."""


def run(world: World, plan: TroublePlan) -> Generator[simpy.Event, Any, None]:
    """The instance's life line (a simpy process body)."""
    product = yield from begin_on_product(world, plan.order, THREAD, plan.instance)
    if product is None:
        return
    flow = Flow(THREAD, plan.instance)
    customer = world.customer(plan.order.customer)
    bus = world.bus_sp
    yield world.sim.env.timeout(plan.after)
    if plan.detection == "proactive":
        resource = products.product(bus, customer.id, product)
        if resource is not None:
            settings_of(world).proactive[plan.instance] = (customer.id, products.service_of(resource))
    if not state_of(bus).hubs(customer.id, API):
        yield from register_listener(customer, bus.id, API, None, flow=flow, step="1")
    resources.inject(world, plan.ne, plan.fault, flow)
    if plan.detection == "proactive":
        return
    yield world.sim.env.timeout(plan.report_delay)
    body = tb.ticket_create(
        customer.id,
        product,
        f"traffic problem on {product}",
        "degraded" if plan.fault != "down" else "down",
        external_id=plan.instance,
    )
    answer = yield from customer.call(bus.id, CREATE_TROUBLE_TICKET, body, flow=flow, step="1")
    if answer.status != 201:
        world.finish(plan.instance, "ticketRefused", status=answer.status)


def _resolved(world: World, customer: Customer, msg: Message) -> Generator[simpy.Event, Any, None]:
    """12: the ticket is resolved: read it, check the service, close it."""
    ticket_id = msg.payload["event"]["id"]
    bus = world.bus_sp.id
    answer = yield from customer.call(
        bus, RETRIEVE_TROUBLE_TICKET, {"id": ticket_id}, flow=msg.flow, step="12"
    )
    if answer.status != 200 or answer.payload["status"] != "resolved":
        return
    yield from customer.activity("verifyResolution", flow=msg.flow, step="12", payload={"ticket": ticket_id})
    answer = yield from customer.call(bus, CLOSE_TROUBLE_TICKET, {"id": ticket_id}, flow=msg.flow, step="12")
    world.finish(
        msg.instance, "closed" if answer.status == 204 else f"close refused {answer.status}", ticket=ticket_id
    )


def _incident(world: World, customer: Customer, msg: Message) -> Generator[simpy.Event, Any, None]:
    """12: an incident was raised or moved: read it; a closed one ends the instance."""
    incident_id = msg.payload["event"]["id"]
    answer = yield from customer.call(
        world.bus_sp.id, RETRIEVE_INCIDENT, {"id": incident_id}, flow=msg.flow, step="12"
    )
    if answer.status == 200 and answer.payload["status"] == "closed" and msg.instance in world.outcomes:
        world.finish(msg.instance, "incidentClosed", incident=incident_id)
