"""A buyer finds the seller's id of a place before qualifying a product there (10.2 steps 2 and 3d).

The buyer knows its site by an address line. It asks the seller to validate the address (sending
what a person would type: number, street name, city and country, without the street type), takes the
best match, then lists the seller's sites at that address. The site found is what the buyer's POQ,
quote and order place the product at. Without a best match, or without a site there, the buyer
cannot go on: the caller ends the instance and says why.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from lso_sim.actors.roles import RoleActor
from lso_sim.messages.envelope import Flow
from lso_sim.messages.operations import LIST_SITE, VALIDATE_ADDRESS
from lso_sim.sonata.places import parse_address


def submitted_address(line: str) -> dict[str, Any]:
    """The partial ``FieldedAddress`` a buyer submits for an address line."""
    fields = parse_address(line)
    return {k: v for k, v in fields.items() if k != "streetType" and v}


def locate_site(
    buyer: RoleActor, seller: str, line: str, *, flow: Flow, step: str
) -> Generator[simpy.Event, Any, str | None]:
    """The seller's site id at address ``line``, or ``None`` when the seller knows none."""
    body = {"provideAlternative": True, "submittedGeographicAddress": submitted_address(line)}
    answer = yield from buyer.call(seller, VALIDATE_ADDRESS, body, flow=flow, step=step)
    if answer.status != 200 or answer.payload.get("validationResult") != "success":
        return None
    address_id = answer.payload["bestMatchGeographicAddress"]["id"]
    answer = yield from buyer.call(
        seller, LIST_SITE, {"geographicAddress.id": address_id}, flow=flow, step=step
    )
    if answer.status != 200 or not answer.payload:
        return None
    return str(answer.payload[0]["id"])
