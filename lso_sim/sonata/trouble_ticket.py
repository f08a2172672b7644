"""The seller side of MEF's trouble ticket and incident API (troubleTicketManagement).

BUS-sp sells it to Customers over CANTATA and BUS-partner to BUS-sp over SONATA: the same
behaviour, because MEF publishes one definition for both IRPs. A seller keeps tickets and
incidents per buyer (a buyer never sees another's), moves tickets only along MEF's ticket state
machine, answers a request that breaks the schema or the state machine with MEF's error body
(400, 404 or 422) and posts the ``troubleTicketNotification`` events to a buyer that registered a
listener (a buyer without one polls with ``retrieveTroubleTicket``).

What the seller *does* about a ticket (diagnosis, repair) is the thread's business: it plugs in
through :class:`TicketWork`.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

import simpy

from lso_sim.actors.roles import BusinessApplications
from lso_sim.lifecycle.state_machine import Stateful, StateMachine, machine
from lso_sim.messages import trouble_bodies as tb
from lso_sim.messages.envelope import Flow, Message
from lso_sim.messages.operations import (
    CANCEL_TROUBLE_TICKET,
    CLOSE_TROUBLE_TICKET,
    CREATE_TROUBLE_TICKET,
    INCIDENT_CREATE,
    INCIDENT_STATUS_CHANGE,
    LIST_INCIDENT,
    LIST_TROUBLE_TICKET,
    PATCH_TROUBLE_TICKET,
    REOPEN_TROUBLE_TICKET,
    RETRIEVE_INCIDENT,
    RETRIEVE_TROUBLE_TICKET,
    TICKET_RESOLVED,
    TICKET_STATUS_CHANGE,
    Operation,
)
from lso_sim.sonata.hub import Hub, error_400, error_404, error_422

TROUBLE_TICKET: StateMachine = machine(
    "troubleTicket",
    "acknowledged",
    {
        "acknowledged": "inProgress assessingCancellation",
        "inProgress": "pending resolved assessingCancellation",
        "pending": "inProgress assessingCancellation",
        "resolved": "closed reopened",
        "reopened": "inProgress",
        "assessingCancellation": "cancelled",
    },
)
"""MEF's trouble ticket states; buyer actions are cancel, close (from resolved) and reopen."""

INCIDENT: StateMachine = machine(
    "incident", "created", {"created": "inProgress closed", "inProgress": "closed"}
)
"""MEF's incident states (the seller alone moves an incident)."""

CANCELLABLE = frozenset({"acknowledged", "inProgress", "pending"})
NOT_PATCHABLE = frozenset({"closed", "assessingCancellation", "cancelled"})
PATCHABLE_FIELDS = frozenset(
    {
        "attachment",
        "externalId",
        "issueStartDate",
        "observedImpact",
        "note",
        "priority",
        "relatedContactInformation",
        "relatedIssue",
        "severity",
    }
)
_ENUMS = {
    "observedImpact": tb.IMPACTS,
    "priority": tb.PRIORITIES,
    "severity": tb.SEVERITIES,
    "ticketType": tb.TICKET_TYPES,
}
_REQUIRED = (
    "description",
    "observedImpact",
    "priority",
    "relatedContactInformation",
    "relatedEntity",
    "severity",
    "ticketType",
)


@dataclass(slots=True)
class Ticket:
    """One trouble ticket as its seller keeps it."""

    record: Stateful
    buyer: str
    document: dict[str, Any]
    flow: Flow
    step: str = "1"
    """Step of the buyer's create request: its thread's hops about the ticket carry it."""
    resolved_at: float | None = None

    @property
    def product(self) -> str:
        """Id of the product instance the ticket is about."""
        return str(self.document["relatedEntity"][0]["id"])


@dataclass(slots=True)
class Incident:
    """One incident a seller raised on its own (proactive detection)."""

    record: Stateful
    buyer: str
    product: str
    description: str
    impact: str
    started: float
    flow: Flow


@dataclass(slots=True)
class TicketWork:
    """What a thread does when a buyer acts on a ticket (each returns a process body or ``None``)."""

    created: Callable[[Ticket], Generator[simpy.Event, Any, None] | None] | None = None
    reopened: Callable[[Ticket], Generator[simpy.Event, Any, None] | None] | None = None
    cancelled: Callable[[Ticket], Generator[simpy.Event, Any, None] | None] | None = None


@dataclass(slots=True)
class TicketDesk:
    """A seller's tickets and incidents, per buyer, and the hub it notifies them through."""

    bus: BusinessApplications
    hub: Hub
    work: TicketWork = field(default_factory=TicketWork)
    tickets: dict[str, dict[str, Ticket]] = field(default_factory=dict)
    incidents: dict[str, dict[str, Incident]] = field(default_factory=dict)
    cancellation_assessment: float = 600.0

    # -- for the thread ------------------------------------------------------------------------

    def move(self, ticket: Ticket, status: str, *, step: str, note: str | None = None) -> None:
        """Move ``ticket`` (seller side) and notify the buyer's listener."""
        now = self.bus.env.now
        ticket.record.move(status, now)
        if note is not None:
            self._note(ticket, "seller", self.bus.id, note)
        if status == "resolved":
            ticket.resolved_at = now
            self._notify(ticket, TICKET_RESOLVED, "troubleTicketResolvedEvent", step)
        else:
            self._notify(ticket, TICKET_STATUS_CHANGE, "troubleTicketStatusChangeEvent", step)

    def raise_incident(
        self, buyer: str, product: str, description: str, impact: str, started: float, flow: Flow, step: str
    ) -> Incident:
        """Open an incident about ``buyer``'s ``product`` and tell the buyer."""
        now = self.bus.env.now
        incident = Incident(
            Stateful(self.bus.next_id("incident"), INCIDENT, now),
            buyer,
            product,
            description,
            impact,
            started,
            flow,
        )
        self.incidents.setdefault(buyer, {})[incident.record.id] = incident
        self._announce(incident, INCIDENT_CREATE, "incidentCreateEvent", step)
        return incident

    def move_incident(self, incident: Incident, status: str, *, step: str) -> None:
        """Move an incident and tell its buyer."""
        incident.record.move(status, self.bus.env.now)
        self._announce(incident, INCIDENT_STATUS_CHANGE, "incidentStatusChangeEvent", step)

    def body(self, ticket: Ticket) -> dict[str, Any]:
        """The full MEF ``TroubleTicket`` of ``ticket``."""
        return tb.ticket(
            ticket.record.id,
            ticket.document,
            ticket.record.state,
            ticket.record.created,
            ticket.record.history,
            resolved=ticket.resolved_at,
        )

    # -- handlers ------------------------------------------------------------------------------

    def install(self) -> None:
        """Register the API's operations on the seller."""
        handlers: dict[Operation, Callable[[Message], Any]] = {
            CREATE_TROUBLE_TICKET: self.create,
            LIST_TROUBLE_TICKET: self.list,
            RETRIEVE_TROUBLE_TICKET: self.retrieve,
            PATCH_TROUBLE_TICKET: self.patch,
            CANCEL_TROUBLE_TICKET: self.cancel,
            CLOSE_TROUBLE_TICKET: self.close,
            REOPEN_TROUBLE_TICKET: self.reopen,
            LIST_INCIDENT: self.list_incidents,
            RETRIEVE_INCIDENT: self.retrieve_incident,
        }
        for op, handler in handlers.items():
            self.bus.handle(op, handler)

    def create(self, msg: Message) -> None:
        body = msg.payload
        problem = _create_problem(body)
        if problem is not None:
            self.bus.respond(msg, 400, error_400(problem))
            return
        product = body["relatedEntity"][0]["id"]
        if product not in self.bus.store(msg.src).products:
            self.bus.respond(
                msg, 422, error_422("referenceNotFound", f"no product {product}", "/relatedEntity/0/id")
            )
            return
        now = self.bus.env.now
        ticket = Ticket(
            Stateful(self.bus.next_id("ticket"), TROUBLE_TICKET, now), msg.src, dict(body), msg.flow, msg.step
        )
        ticket.document.setdefault("note", [])
        self.tickets.setdefault(msg.src, {})[ticket.record.id] = ticket
        self.bus.respond(msg, 201, self.body(ticket))
        self._start(self.work.created, ticket)

    def list(self, msg: Message) -> None:
        query = msg.payload or {}
        wanted = query.get("status")
        external = query.get("externalId")
        offset, limit = int(query.get("offset", 0)), int(query.get("limit", 10))
        items = [
            tb.ticket_find(t.record.id, t.document, t.record.state, t.record.created, t.resolved_at)
            for t in self.tickets.get(msg.src, {}).values()
            if (wanted is None or t.record.state == wanted)
            and (external is None or t.document.get("externalId") == external)
        ]
        self.bus.respond(msg, 200, items[offset : offset + limit])

    def _find(self, msg: Message) -> Ticket | None:
        ticket_id = (msg.payload or {}).get("id")
        ticket = self.tickets.get(msg.src, {}).get(str(ticket_id))
        if ticket is None:
            self.bus.respond(msg, 404, error_404(f"no trouble ticket {ticket_id}"))
        return ticket

    def retrieve(self, msg: Message) -> None:
        ticket = self._find(msg)
        if ticket is not None:
            self.bus.respond(msg, 200, self.body(ticket))

    def patch(self, msg: Message) -> None:
        ticket = self._find(msg)
        if ticket is None:
            return
        update = {k: v for k, v in msg.payload.items() if k != "id"}
        if ticket.record.state in NOT_PATCHABLE:
            self.bus.respond(
                msg, 422, error_422("invalidValue", f"ticket is {ticket.record.state}", "/status")
            )
            return
        unexpected = sorted(set(update) - PATCHABLE_FIELDS)
        if unexpected:
            self.bus.respond(
                msg,
                422,
                error_422("unexpectedProperty", f"cannot update {unexpected[0]}", f"/{unexpected[0]}"),
            )
            return
        for name, allowed in _ENUMS.items():
            if name in update and update[name] not in allowed:
                self.bus.respond(msg, 400, error_400(f"{name} must be one of {', '.join(allowed)}"))
                return
        for item in update.pop("note", []):
            if not isinstance(item, dict) or item.get("source") != "buyer" or not item.get("text"):
                self.bus.respond(
                    msg, 422, error_422("invalidValue", "a buyer note needs source=buyer", "/note")
                )
                return
            ticket.document["note"].append(dict(item))
        ticket.document.update(update)
        self.bus.respond(msg, 200, self.body(ticket))

    def cancel(self, msg: Message) -> Generator[simpy.Event, Any, None]:
        ticket = self._find(msg)
        if ticket is None:
            return
        if ticket.record.state not in CANCELLABLE:
            self.bus.respond(
                msg,
                422,
                error_422("invalidValue", f"cannot cancel a {ticket.record.state} ticket", "/status"),
            )
            return
        self.bus.respond(msg, 204, None)
        self.move(ticket, "assessingCancellation", step=msg.step)
        self._start(self.work.cancelled, ticket)
        yield self.bus.env.timeout(self.cancellation_assessment)
        self.move(ticket, "cancelled", step=msg.step)

    def close(self, msg: Message) -> None:
        ticket = self._find(msg)
        if ticket is None:
            return
        if ticket.record.state != "resolved":
            self.bus.respond(
                msg, 422, error_422("invalidValue", f"cannot close a {ticket.record.state} ticket", "/status")
            )
            return
        ticket.record.move("closed", self.bus.env.now)
        self.bus.respond(msg, 204, None)

    def reopen(self, msg: Message) -> None:
        ticket = self._find(msg)
        if ticket is None:
            return
        reason = msg.payload.get("reason")
        if not isinstance(reason, str) or not reason:
            self.bus.respond(msg, 400, error_400("reopen needs a reason"))
            return
        if ticket.record.state != "resolved":
            self.bus.respond(
                msg,
                422,
                error_422("invalidValue", f"cannot reopen a {ticket.record.state} ticket", "/status"),
            )
            return
        ticket.record.move("reopened", self.bus.env.now)
        self._note(ticket, "buyer", "closureRejection", reason)
        self.bus.respond(msg, 204, None)
        self._start(self.work.reopened, ticket)

    def list_incidents(self, msg: Message) -> None:
        wanted = (msg.payload or {}).get("status")
        items = [
            tb.incident_find(self._incident_body(i))
            for i in self.incidents.get(msg.src, {}).values()
            if wanted is None or i.record.state == wanted
        ]
        self.bus.respond(msg, 200, items)

    def retrieve_incident(self, msg: Message) -> None:
        incident_id = (msg.payload or {}).get("id")
        incident = self.incidents.get(msg.src, {}).get(str(incident_id))
        if incident is None:
            self.bus.respond(msg, 404, error_404(f"no incident {incident_id}"))
            return
        self.bus.respond(msg, 200, self._incident_body(incident))

    # -- internals -----------------------------------------------------------------------------

    def _incident_body(self, incident: Incident) -> dict[str, Any]:
        closed = incident.record.history[-1][0] if incident.record.state == "closed" else None
        return tb.incident(
            incident.record.id,
            incident.product,
            incident.description,
            incident.impact,
            incident.record.state,
            incident.record.created,
            incident.started,
            incident.record.history,
            closed=closed,
        )

    def _note(self, ticket: Ticket, source: str, author: str, text: str) -> None:
        notes: list[dict[str, Any]] = ticket.document["note"]
        notes.append(tb.note(f"note-{len(notes) + 1}", author, source, text, self.bus.env.now))

    def _start(self, hook: Callable[[Ticket], Any] | None, ticket: Ticket) -> None:
        if hook is None:
            return
        body = hook(ticket)
        if body is not None:
            self.bus.start(body)

    def _notify(self, ticket: Ticket, op: Operation, event_type: str, step: str) -> None:
        payload = tb.event(
            event_type,
            "troubleTicket",
            ticket.record.id,
            self.bus.env.now,
            self.bus.next_id("event"),
            ticket.buyer,
        )
        self.hub.publish(ticket.buyer, op, payload, flow=ticket.flow, step=step)

    def _announce(self, incident: Incident, op: Operation, event_type: str, step: str) -> None:
        payload = tb.event(
            event_type,
            "incident",
            incident.record.id,
            self.bus.env.now,
            self.bus.next_id("event"),
            incident.buyer,
        )
        self.hub.publish(incident.buyer, op, payload, flow=incident.flow, step=step)


def _create_problem(body: Any) -> str | None:
    """Why a create body breaks the schema, or ``None`` when it conforms."""
    if not isinstance(body, dict):
        return "the body must be a TroubleTicket_Create object"
    for name in _REQUIRED:
        if name not in body:
            return f"missing required property {name}"
    for name, allowed in _ENUMS.items():
        if body[name] not in allowed:
            return f"{name} must be one of {', '.join(allowed)}"
    if not isinstance(body["description"], str):
        return "description must be a string"
    contacts, entities = body["relatedContactInformation"], body["relatedEntity"]
    if not isinstance(contacts, list) or not contacts or not all(isinstance(c, dict) for c in contacts):
        return "relatedContactInformation needs at least one contact"
    if not isinstance(entities, list) or len(entities) != 1 or not isinstance(entities[0], dict):
        return "relatedEntity needs exactly one entity"
    if not {"@referredType", "id", "role"} <= set(entities[0]):
        return "relatedEntity items need @referredType, id and role"
    return None
