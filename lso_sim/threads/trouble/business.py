"""Thread 10.5, the Business Applications: BUS-sp and BUS-partner as ticket sellers, BUS-sp as buyer.

A ticket a buyer creates (step 1) makes BUS map the product onto its service (2) and report the
problem to its SOF over LEGATO (3); SOF's status reports (11) move the ticket and reach the buyer as
MEF ticket events (12). When SOF-sp finds the fault in a partner's component, BUS-sp raises a ticket
with that partner over SONATA and follows it to its close (9). A fault SOF-sp found by itself
(proactive detection) reaches the Customer as a MEF incident.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

import simpy

from lso_sim.actors.roles import BusinessApplications
from lso_sim.actors.world import World
from lso_sim.errors import LsoSimError
from lso_sim.messages import trouble_bodies as tb
from lso_sim.messages.envelope import Message
from lso_sim.messages.operations import (
    CLOSE_TROUBLE_TICKET,
    CREATE_TROUBLE_TICKET,
    LIST_PRODUCT,
    REPORT_SERVICE_PROBLEM,
    REQUEST_PARTNER_TICKET,
    RETRIEVE_TROUBLE_TICKET,
    SERVICE_PROBLEM_STATUS,
    TICKET_RESOLVED,
    TICKET_STATUS_CHANGE,
)
from lso_sim.sonata.api import listen, register_listener, state_of
from lso_sim.sonata.trouble_ticket import Incident, Ticket, TicketDesk, TicketWork
from lso_sim.threads.trouble import products

API = "troubleTicketManagement"


def desk_of(bus: BusinessApplications) -> TicketDesk:
    """The trouble ticket seller of ``bus`` (installed by :func:`install`)."""
    desk: TicketDesk = bus.apis[API]
    return desk


def install(world: World) -> None:
    """Give every BUS its ticket desk and its 10.5 behaviour (idempotent)."""
    for bus in world.bus.values():
        if API in bus.apis:
            continue
        desk = TicketDesk(bus)
        bus.apis[API] = desk
        desk.install()
        handling = TroubleHandling(world, bus, desk)
        desk.work = TicketWork(created=handling.work_on, reopened=handling.work_on)
        bus.handle(SERVICE_PROBLEM_STATUS, handling.problem_status)
        bus.handle(REQUEST_PARTNER_TICKET, handling.partner_ticket)
        listen(bus, TICKET_RESOLVED, handling.partner_event)
        listen(bus, TICKET_STATUS_CHANGE, handling.partner_event)


@dataclass(slots=True)
class TroubleHandling:
    """What one BUS does about tickets and service problems."""

    world: World
    bus: BusinessApplications
    desk: TicketDesk
    problems: dict[str, Ticket | Incident] = field(default_factory=dict)

    # -- a buyer's ticket ------------------------------------------------------------------------

    def work_on(self, ticket: Ticket) -> Generator[simpy.Event, Any, None]:
        """Steps 2 and 3 for a new (or reopened) ticket."""
        bus, step = self.bus, _nested(ticket.step)
        product = products.product(bus, ticket.buyer, ticket.product)
        if product is None:  # the create handler checked it; a product cannot vanish
            return
        yield from bus.activity(
            "productToServiceMapping", flow=ticket.flow, step=step or "2", payload={"product": ticket.product}
        )
        service = products.service_of(product)
        self.desk.move(ticket, "inProgress", step=step or "12")
        body = {
            "service": service,
            "ticket": ticket.record.id,
            "description": ticket.document["description"],
            "observedImpact": ticket.document["observedImpact"],
            "customer": ticket.buyer,
        }
        sof = self.world.sof[bus.domain].id
        try:
            answer = yield from bus.call(
                sof, REPORT_SERVICE_PROBLEM, body, flow=ticket.flow, step=step or "3"
            )
        except LsoSimError as exc:
            # Nobody works on the problem: the ticket waits (MEF ``pending``) with why, and the
            # buyer, reading it, sees the reason instead of a ticket in progress forever.
            self.desk.move(ticket, "pending", step=step or "12", note=f"not passed to {sof}: {exc}")
            return
        if answer.status == 200:
            self.problems[answer.payload["problemId"]] = ticket
        else:
            self.desk.move(
                ticket, "pending", step=step or "12", note=f"{sof} refused the problem ({answer.status})"
            )

    def problem_status(self, msg: Message) -> None:
        """Step 11 arrives: move the ticket or incident and tell its buyer (step 12)."""
        state = msg.payload["state"]
        item = self.problems.get(msg.payload["problemId"])
        if item is None and state == "detected":
            item = self._raise_incident(msg)
        if isinstance(item, Ticket):
            step = _nested(item.step) or "12"
            if state == "resolved" and item.record.state in ("inProgress", "reopened"):
                if item.record.state == "reopened":
                    self.desk.move(item, "inProgress", step=step)
                self.desk.move(item, "resolved", step=step, note=f"resolution: {msg.payload['resolution']}")
        elif isinstance(item, Incident):
            if state == "inProgress" and item.record.state == "created":
                self.desk.move_incident(item, "inProgress", step="12")
            elif state == "resolved" and item.record.state != "closed":
                self.desk.move_incident(item, "closed", step="12")

    def _raise_incident(self, msg: Message) -> Incident | None:
        """Proactive detection: the service's product and buyer get an incident."""
        found = products.product_of_service(self.bus, msg.payload["service"])
        if found is None:
            return None
        buyer, product = found
        incident = self.desk.raise_incident(
            buyer,
            product.id,
            f"fault detected on network element {msg.payload.get('networkElement')}",
            "down",
            self.world.sim.now,
            msg.flow,
            "12",
        )
        self.problems[msg.payload["problemId"]] = incident
        return incident

    # -- BUS-sp as the partner's buyer (step 9) --------------------------------------------------

    def partner_ticket(self, msg: Message) -> Generator[simpy.Event, Any, None]:
        """SOF-sp asks for a ticket with the partner of a faulty component: raise it, follow, close."""
        bus, world, flow, step = self.bus, self.world, msg.flow, msg.step
        known = bus.partner_orders.get(str(msg.payload.get("partnerOrder")))
        if known is None:
            bus.respond(
                msg,
                404,
                {"code": "notFound", "reason": f"no partner order {msg.payload.get('partnerOrder')}"},
            )
            return
        seller = known["bus"]
        if not state_of(world.bus[known["domain"]]).hubs(bus.id, API):
            yield from register_listener(bus, seller, API, ["troubleTicketResolvedEvent"], flow=flow)
        answer = yield from bus.call(seller, LIST_PRODUCT, {"status": "active"}, flow=flow, step=step)
        products = answer.payload if answer.status == 200 else []
        product = next(
            (p["id"] for p in products if any(pl["id"] == msg.payload.get("site") for pl in p["place"])),
            products[0]["id"] if products else None,
        )
        if product is None:
            bus.respond(
                msg, 422, {"code": "referenceNotFound", "reason": "no partner product for the component"}
            )
            return
        body = tb.ticket_create(
            bus.id,
            product,
            f"service component {msg.payload['component']} fails tests",
            "down",
            external_id=msg.payload["service"],
        )
        answer = yield from bus.call(seller, CREATE_TROUBLE_TICKET, body, flow=flow, step=step)
        if answer.status != 201:
            bus.respond(msg, 200, {"state": "refused", "status": answer.status})
            return
        ticket_id = answer.payload["id"]
        yield from bus.waiting.wait(f"tt:{ticket_id}:resolved", world.options.notification_wait)
        answer = yield from bus.call(seller, RETRIEVE_TROUBLE_TICKET, {"id": ticket_id}, flow=flow, step=step)
        state = answer.payload.get("status") if answer.status == 200 else None
        if state == "resolved":
            yield from bus.call(seller, CLOSE_TROUBLE_TICKET, {"id": ticket_id}, flow=flow, step=step)
            state = "closed"
        bus.respond(msg, 200, {"ticket": ticket_id, "state": state})

    def partner_event(self, msg: Message) -> None:
        """A ticket event from a partner seller (BUS-sp is the buyer there)."""
        if msg.payload["eventType"] == "troubleTicketResolvedEvent":
            self.bus.waiting.fire(f"tt:{msg.payload['event']['id']}:resolved")


def _nested(create_step: str) -> str | None:
    """A ticket created at a later step (the SP's ticket with a partner, step 9) keeps that step."""
    return None if create_step == "1" else create_step
