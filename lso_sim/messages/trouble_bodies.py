"""Payload builders of the trouble ticketing API (troubleTicketManagement and its notifications).

Shapes follow MEF's troubleTicketManagement / troubleTicketNotification definitions, so a ticket a
seller returns validates against ``TroubleTicket`` and a list item against ``TroubleTicket_Find``.
The seller keeps the buyer's create body as the ticket's document and adds what it owns (id,
status, seller priority and severity, dates, status history, seller notes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lso_sim.messages.bodies import contact, timestamp

JsonObject = dict[str, Any]

TICKET_TYPES = ("assistance", "information", "installation", "maintenance")
IMPACTS = ("degraded", "intermittent", "down")
PRIORITIES = ("low", "medium", "high", "critical")
SEVERITIES = ("minor", "moderate", "significant", "extensive")

SEVERITY_OF_IMPACT = {"down": "extensive", "degraded": "significant", "intermittent": "moderate"}
PRIORITY_OF_IMPACT = {"down": "critical", "degraded": "high", "intermittent": "medium"}


def ticket_create(
    reporter: str, product_id: str, description: str, impact: str, *, external_id: str | None = None
) -> JsonObject:
    """Body of createTroubleTicket: a buyer reports an issue with one of its product instances."""
    body: JsonObject = {
        "description": description,
        "observedImpact": impact,
        "priority": PRIORITY_OF_IMPACT.get(impact, "medium"),
        "severity": SEVERITY_OF_IMPACT.get(impact, "moderate"),
        "ticketType": "assistance",
        "relatedContactInformation": [contact(reporter, "reporterContact")],
        "relatedEntity": [{"@referredType": "Product", "id": product_id, "role": "affectedProduct"}],
    }
    if external_id is not None:
        body["externalId"] = external_id
    return body


def note(note_id: str, author: str, source: str, text: str, now: float) -> JsonObject:
    """One ticket note (notes are only ever appended)."""
    return {"id": note_id, "author": author, "date": timestamp(now), "source": source, "text": text}


def ticket(
    ticket_id: str,
    document: Mapping[str, Any],
    status: str,
    created: float,
    history: Sequence[tuple[float, str]],
    *,
    resolved: float | None = None,
) -> JsonObject:
    """A full ``TroubleTicket``: the buyer's fields plus the seller's."""
    body: JsonObject = dict(document)
    body.update(
        {
            "id": ticket_id,
            "href": f"/troubleTicket/{ticket_id}",
            "status": status,
            "creationDate": timestamp(created),
            "sellerPriority": document.get("priority", "medium"),
            "sellerSeverity": document.get("severity", "moderate"),
            "statusChange": [{"status": state, "changeDate": timestamp(when)} for when, state in history],
        }
    )
    if resolved is not None:
        body["resolutionDate"] = timestamp(resolved)
    return body


def ticket_find(
    ticket_id: str, document: Mapping[str, Any], status: str, created: float, resolved: float | None
) -> JsonObject:
    """One item of listTroubleTicket (``TroubleTicket_Find``: every field is required there)."""
    return {
        "id": ticket_id,
        "creationDate": timestamp(created),
        "description": document["description"],
        "expectedResolutionDate": timestamp(created + 86400.0),
        "externalId": document.get("externalId", ""),
        "observedImpact": document["observedImpact"],
        "priority": document["priority"],
        "relatedEntity": list(document["relatedEntity"]),
        "resolutionDate": timestamp(resolved if resolved is not None else created),
        "sellerPriority": document["priority"],
        "sellerSeverity": document["severity"],
        "severity": document["severity"],
        "status": status,
        "ticketType": document["ticketType"],
    }


def incident(
    incident_id: str,
    product_id: str,
    description: str,
    impact: str,
    status: str,
    created: float,
    started: float,
    history: Sequence[tuple[float, str]],
    *,
    closed: float | None = None,
) -> JsonObject:
    """A seller-raised ``Incident`` about one of the buyer's products (proactive detection)."""
    body: JsonObject = {
        "id": incident_id,
        "href": f"/incident/{incident_id}",
        "creationDate": timestamp(created),
        "situationStartDate": timestamp(started),
        "status": status,
        "description": description,
        "impact": impact,
        "incidentType": "repair",
        "priority": PRIORITY_OF_IMPACT.get(impact, "medium"),
        "severity": SEVERITY_OF_IMPACT.get(impact, "moderate"),
        "relatedContactInformation": [contact("Seller operations", "incidentContact")],
        "relatedEntity": [{"@referredType": "Product", "id": product_id, "role": "affectedProduct"}],
        "statusChange": [{"status": state, "changeDate": timestamp(when)} for when, state in history],
    }
    if closed is not None:
        body["closedDate"] = timestamp(closed)
    return body


def incident_find(full: Mapping[str, Any]) -> JsonObject:
    """One item of listIncident, cut from the full incident."""
    keys = (
        "id",
        "href",
        "creationDate",
        "situationStartDate",
        "status",
        "description",
        "impact",
        "incidentType",
        "priority",
        "severity",
        "relatedEntity",
        "closedDate",
    )
    return {k: full[k] for k in keys if k in full}


def event(
    event_type: str, resource: str, resource_id: str, now: float, event_id: str, buyer: str
) -> JsonObject:
    """A troubleTicketNotification event (ticket or incident) as the seller posts it to the hub."""
    return {
        "eventId": event_id,
        "eventType": event_type,
        "eventTime": timestamp(now),
        "event": {"id": resource_id, "href": f"/{resource}/{resource_id}", "buyerId": buyer},
    }
