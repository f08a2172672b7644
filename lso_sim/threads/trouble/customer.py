"""Thread 10.5, the Customer's side, and the life line of one trouble instance.

An instance first has 10.2 establish the service (those records carry thread 10.2), then breaks a
network element on its path. With customer detection the Customer notices, reports a ticket over
CANTATA (step 1) and, told it is resolved (12), checks and closes it; with proactive detection
SOF-sp finds the fault itself and the Customer hears of it as an incident. Step 12 comes one way
or the other, as the Customer's ``status_via`` says: BUS-sp's ticket and incident events over
CANTATA (a hub registered first), or SOF-sp's status updates over ALLEGRO (no CANTATA hub).
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from functools import partial
from typing import Any

import simpy

from lso_sim.actors.roles import Customer
from lso_sim.actors.world import World
from lso_sim.errors import LsoSimError
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
from lso_sim.sonata.reasons import refusal
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
        customer.handle(TROUBLE_STATUS_ALLEGRO, partial(_allegro_status, world, customer))


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
    if customer.status_via == "CANTATA" and not state_of(bus).hubs(customer.id, API):
        yield from register_listener(customer, bus.id, API, None, flow=flow)
    resources.inject(world, plan.ne, plan.fault, flow)
    if plan.detection == "proactive":
        yield from _await_end(world, customer, plan.instance, None, flow)
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
        return
    yield from _await_end(world, customer, plan.instance, str(answer.payload["id"]), flow)


def _ended(customer: Customer, instance: str) -> str:
    return f"trouble:{instance}:ended"


def _await_end(
    world: World, customer: Customer, instance: str, ticket_id: str | None, flow: Flow
) -> Generator[simpy.Event, Any, None]:
    """Wait for the instance to end (the resolution event handled); past a deadline, poll the ticket.

    A resolved event lost on CANTATA would leave the ticket unclosed and the instance open, so the
    Customer reads its ticket (``retrieveTroubleTicket``) every ``notification_wait`` seconds, at
    most ``poll_limit`` times: resolved, it checks and closes it as the event would have had it do;
    still not resolved after the last poll, the instance ends ``unresolved`` with the ticket's MEF
    status. With proactive detection there is no ticket to read: the instance ends ``undetected``
    when no incident was closed within the same bound.
    """
    wait, limit = world.options.notification_wait, world.options.poll_limit
    status = "unknown"
    for _ in range(limit):
        fired, _value = yield from customer.waiting.wait(_ended(customer, instance), wait)
        if fired or world.outcomes[instance].ended is not None:
            return
        if ticket_id is None:
            continue
        try:
            answer = yield from customer.call(
                world.bus_sp.id, RETRIEVE_TROUBLE_TICKET, {"id": ticket_id}, flow=flow, step="12"
            )
        except LsoSimError as exc:
            status = str(exc)
            continue
        status = str(answer.payload.get("status")) if answer.status == 200 else f"status {answer.status}"
        if answer.status == 200 and answer.payload.get("status") in ("resolved", "closed"):
            yield from _close(world, customer, ticket_id, flow, instance)
            return
    if ticket_id is None:
        reason = f"no incident was raised and closed within {limit} waits of {wait:g} s"
        world.finish(instance, "undetected", reason)
        return
    reason = f"ticket {ticket_id} not resolved after {limit} polls, {wait:g} s apart (last: {status})"
    world.finish(instance, "unresolved", reason, ticket=ticket_id)


def _resolved(world: World, customer: Customer, msg: Message) -> Generator[simpy.Event, Any, None]:
    """12: the ticket is resolved: read it, check the service, close it."""
    ticket_id = msg.payload["event"]["id"]
    bus = world.bus_sp.id
    answer = yield from customer.call(
        bus, RETRIEVE_TROUBLE_TICKET, {"id": ticket_id}, flow=msg.flow, step="12"
    )
    if answer.status != 200 or answer.payload["status"] != "resolved":
        return
    yield from _close(world, customer, ticket_id, msg.flow, msg.instance)


def _allegro_status(world: World, customer: Customer, msg: Message) -> Generator[simpy.Event, Any, None]:
    """12 over ALLEGRO: resolved, the Customer checks and closes its ticket (a proactive one ends).

    SOF-sp's update may outrun BUS-sp's ticket move (LEGATO, step 11): a ticket not yet resolved
    when read is left to the Customer's polls (:func:`_await_end`), which close it later.
    """
    if msg.payload.get("state") != "resolved" or msg.instance not in world.outcomes:
        return
    ticket_id = msg.payload.get("ticket")
    if ticket_id is None:
        if world.outcomes[msg.instance].ended is None:
            world.finish(msg.instance, "resolved", "SOF-sp reported the resolution over ALLEGRO")
        customer.waiting.fire(_ended(customer, msg.instance))
        return
    answer = yield from customer.call(
        world.bus_sp.id, RETRIEVE_TROUBLE_TICKET, {"id": ticket_id}, flow=msg.flow, step="12"
    )
    if answer.status == 200 and answer.payload["status"] == "resolved":
        yield from _close(world, customer, str(ticket_id), msg.flow, msg.instance)


def _close(
    world: World, customer: Customer, ticket_id: str, flow: Flow, instance: str
) -> Generator[simpy.Event, Any, None]:
    """Check the service, close the resolved ticket and end the instance (once)."""
    if world.outcomes[instance].ended is not None or ticket_id in customer.closing:
        return
    customer.closing.add(ticket_id)
    yield from customer.activity("verifyResolution", flow=flow, step="12", payload={"ticket": ticket_id})
    try:
        answer = yield from customer.call(
            world.bus_sp.id, CLOSE_TROUBLE_TICKET, {"id": ticket_id}, flow=flow, step="12"
        )
    except LsoSimError as exc:
        reason = f"ticket {ticket_id} resolved but not closed: {exc}"
        world.finish(instance, "resolved", reason, ticket=ticket_id)
    else:
        if answer.status == 204:
            world.finish(instance, "closed", ticket=ticket_id)
        else:
            world.finish(instance, f"close refused {answer.status}", refusal(answer), ticket=ticket_id)
    customer.closing.discard(ticket_id)
    customer.waiting.fire(_ended(customer, instance))


def _incident(world: World, customer: Customer, msg: Message) -> Generator[simpy.Event, Any, None]:
    """12: an incident was raised or moved: read it; a closed one ends the instance."""
    incident_id = msg.payload["event"]["id"]
    answer = yield from customer.call(
        world.bus_sp.id, RETRIEVE_INCIDENT, {"id": incident_id}, flow=msg.flow, step="12"
    )
    if answer.status == 200 and answer.payload["status"] == "closed" and msg.instance in world.outcomes:
        world.finish(msg.instance, "incidentClosed", incident=incident_id)
        customer.waiting.fire(_ended(customer, msg.instance))
