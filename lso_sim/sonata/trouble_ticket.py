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
from dataclasses import dataclass
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
from lso_sim.sonata.api import ApiHandler, SellerApi, split_params
from lso_sim.sonata.checks import int_param, param, problems
from lso_sim.sonata.errors import bad_request, error_body, not_found
from lso_sim.sonata.store import Resource

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


class TicketDesk(SellerApi):
    """A seller's tickets and incidents, kept per buyer in the framework's stores."""

    api = "troubleTicketManagement"

    def __init__(self, bus: BusinessApplications, work: TicketWork | None = None) -> None:
        super().__init__(bus)
        self.bus = bus
        self.work = work or TicketWork()
        self.cancellation_assessment = 600.0

    def tickets(self, buyer: str) -> list[Ticket]:
        """``buyer``'s tickets, oldest first."""
        return [r.private["ticket"] for r in self.state.buyer(buyer).all("troubleTicket")]

    def incidents(self, buyer: str) -> list[Incident]:
        """``buyer``'s incidents, oldest first."""
        return [r.private["incident"] for r in self.state.buyer(buyer).all("incident")]

    # -- for the thread ------------------------------------------------------------------------

    def move(self, ticket: Ticket, status: str, *, step: str, note: str | None = None) -> None:
        """Move ``ticket`` (seller side) and notify the buyer's listener."""
        now = self.now
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
        record = Stateful(self.next_id("incident"), INCIDENT, self.now)
        incident = Incident(record, buyer, product, description, impact, started, flow)
        self.state.buyer(buyer).add(
            Resource("incident", record.id, {}, record, private={"incident": incident})
        )
        self._announce(incident, INCIDENT_CREATE, "incidentCreateEvent", step)
        return incident

    def move_incident(self, incident: Incident, status: str, *, step: str) -> None:
        """Move an incident and tell its buyer."""
        incident.record.move(status, self.now)
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

    def routes(self) -> dict[Operation, ApiHandler]:
        """The API's operations (the framework adds the hub's)."""
        return {
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

    def _refuse(self, msg: Message, code: str, reason: str, path: str | None = None) -> None:
        """422 in the shape these operations define: a list of ``Error422``."""
        self.reply(msg, 422, [error_body(422, code, reason, path)])

    def create(self, msg: Message) -> None:
        body = msg.payload
        problem = problems(body, TICKET_CREATE_SCHEMA)
        if problem is not None and problem.status == 422:
            self._refuse(msg, problem.code, problem.reason, problem.property_path)
            return
        if problem is not None:
            raise problem
        if len(body["relatedEntity"]) != 1:
            self._refuse(msg, "invalidValue", "a ticket is about exactly one entity", "/relatedEntity")
            return
        product = body["relatedEntity"][0]["id"]
        if self.store(msg).get("product", str(product)) is None:
            self._refuse(msg, "referenceNotFound", f"no product {product}", "/relatedEntity/0/id")
            return
        record = Stateful(self.next_id("ticket"), TROUBLE_TICKET, self.now)
        ticket = Ticket(record, msg.src, dict(body), msg.flow, msg.step)
        ticket.document["note"] = list(ticket.document.get("note", []))
        self.store(msg).add(Resource("troubleTicket", record.id, {}, record, private={"ticket": ticket}))
        self.reply(msg, 201, self.body(ticket))
        self._start(self.work.created, ticket)

    def list(self, msg: Message) -> None:
        wanted = param(msg.payload, "status", required=False)
        external = param(msg.payload, "externalId", required=False)
        offset, limit = int_param(msg.payload, "offset", 0), int_param(msg.payload, "limit", 10)
        items = [
            tb.ticket_find(t.record.id, t.document, t.record.state, t.record.created, t.resolved_at)
            for t in self.tickets(msg.src)
            if (wanted is None or t.record.state == wanted)
            and (external is None or t.document.get("externalId") == external)
        ]
        self.reply(msg, 200, items[offset : offset + limit])

    def _find(self, msg: Message, params: Any = None) -> Ticket:
        ticket_id = str(param(msg.payload if params is None else params, "id"))
        resource = self.store(msg).get("troubleTicket", ticket_id)
        if resource is None:
            raise not_found("troubleTicket", ticket_id)
        ticket: Ticket = resource.private["ticket"]
        return ticket

    def retrieve(self, msg: Message) -> None:
        self.reply(msg, 200, self.body(self._find(msg)))

    def patch(self, msg: Message) -> None:
        params, update = split_params(msg.payload)
        ticket = self._find(msg, params)
        if not isinstance(update, dict):
            raise bad_request("the body must be a TroubleTicket_Update object")
        if ticket.record.state in NOT_PATCHABLE:
            self._refuse(msg, "invalidValue", f"ticket is {ticket.record.state}", "/status")
            return
        unexpected = sorted(set(update) - PATCHABLE_FIELDS)
        if unexpected:
            self._refuse(msg, "unexpectedProperty", f"cannot update {unexpected[0]}", f"/{unexpected[0]}")
            return
        for name, allowed in _ENUMS.items():
            if name in update and update[name] not in allowed:
                self._refuse(msg, "invalidValue", f"{name} must be one of {', '.join(allowed)}", f"/{name}")
                return
        notes = update.get("note", [])
        if not isinstance(notes, list) or not all(
            isinstance(n, dict) and n.get("source") == "buyer" and n.get("text") for n in notes
        ):
            self._refuse(msg, "invalidValue", "buyer notes need source=buyer and a text", "/note")
            return
        ticket.document["note"].extend(dict(n) for n in notes)
        ticket.document.update({k: v for k, v in update.items() if k != "note"})
        self.reply(msg, 200, self.body(ticket))

    def cancel(self, msg: Message) -> Generator[simpy.Event, Any, None]:
        ticket = self._find(msg)
        if ticket.record.state not in CANCELLABLE:
            self._refuse(msg, "invalidValue", f"cannot cancel a {ticket.record.state} ticket", "/status")
            return
        self.reply(msg, 204, None)
        self.move(ticket, "assessingCancellation", step=msg.step)
        self._start(self.work.cancelled, ticket)
        yield self.bus.env.timeout(self.cancellation_assessment)
        self.move(ticket, "cancelled", step=msg.step)

    def close(self, msg: Message) -> None:
        ticket = self._find(msg)
        if ticket.record.state != "resolved":
            self._refuse(msg, "invalidValue", f"cannot close a {ticket.record.state} ticket", "/status")
            return
        ticket.record.move("closed", self.now)
        self.reply(msg, 204, None)

    def reopen(self, msg: Message) -> None:
        params, body = split_params(msg.payload)
        ticket = self._find(msg, params)
        reason = body.get("reason") if isinstance(body, dict) else None
        if not isinstance(reason, str) or not reason:
            raise bad_request("reopen needs a reason")
        if ticket.record.state != "resolved":
            self._refuse(msg, "invalidValue", f"cannot reopen a {ticket.record.state} ticket", "/status")
            return
        ticket.record.move("reopened", self.now)
        self._note(ticket, "buyer", "closureRejection", reason)
        self.reply(msg, 204, None)
        self._start(self.work.reopened, ticket)

    def list_incidents(self, msg: Message) -> None:
        wanted = param(msg.payload, "status", required=False)
        items = [
            tb.incident_find(self._incident_body(i))
            for i in self.incidents(msg.src)
            if wanted is None or i.record.state == wanted
        ]
        self.reply(msg, 200, items)

    def retrieve_incident(self, msg: Message) -> None:
        incident_id = str(param(msg.payload, "id"))
        resource = self.store(msg).get("incident", incident_id)
        if resource is None:
            raise not_found("incident", incident_id)
        self.reply(msg, 200, self._incident_body(resource.private["incident"]))

    # -- internals -----------------------------------------------------------------------------

    def _incident_body(self, incident: Incident) -> dict[str, Any]:
        closed = incident.record.moved_at if incident.record.state == "closed" else None
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
        notes.append(tb.note(f"note-{len(notes) + 1}", author, source, text, self.now))

    def _start(self, hook: Callable[[Ticket], Any] | None, ticket: Ticket) -> None:
        if hook is None:
            return
        body = hook(ticket)
        if body is not None:
            self.bus.start(body)

    def _notify(self, ticket: Ticket, op: Operation, event_type: str, step: str) -> None:
        payload = tb.event(
            event_type, "troubleTicket", ticket.record.id, self.now, self.next_id("event"), ticket.buyer
        )
        self.publish(ticket.buyer, op, payload, flow=ticket.flow, step=step)

    def _announce(self, incident: Incident, op: Operation, event_type: str, step: str) -> None:
        payload = tb.event(
            event_type, "incident", incident.record.id, self.now, self.next_id("event"), incident.buyer
        )
        self.publish(incident.buyer, op, payload, flow=incident.flow, step=step)


_RELATED_ENTITY = {"type": "object", "required": ["@referredType", "id", "role"]}
_CONTACT = {"type": "object", "required": ["emailAddress", "name", "number", "role"]}
TICKET_CREATE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": list(_REQUIRED),
    "properties": {
        "description": {"type": "string"},
        **{name: {"type": "string", "enum": list(values)} for name, values in _ENUMS.items()},
        "relatedContactInformation": {"type": "array", "minItems": 1, "items": _CONTACT},
        "relatedEntity": {"type": "array", "minItems": 1, "items": _RELATED_ENTITY},
        "note": {"type": "array"},
    },
}
"""The parts of MEF's ``TroubleTicket_Create`` a seller checks (required fields and enumerations)."""
