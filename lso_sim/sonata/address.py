"""geographicAddressManagement: validate a partial address, and read a known address by id.

The buyer submits an address, often incomplete or misspelt. The seller ranks the addresses it knows
by confidence (:func:`lso_sim.sonata.places.rank`) and answers with MEF's three outcomes:

- ``success``: one known address is clearly the one meant (confidence at least
  :data:`BEST_MATCH`, and :data:`MARGIN` ahead of the next): it is ``bestMatchGeographicAddress``;
- ``partial``: candidates but no clear winner: all go to ``alternateGeographicAddress``;
- ``fail``: nothing reaches :data:`ALTERNATE` confidence: no address at all.

Alternates are ranked best first; the best match is never repeated among them. MEF bodies have no
confidence field, so each validation is also recorded as a ``matchAddress`` activity of the seller
listing every candidate with its confidence (the trace shows why the seller answered as it did).
Validation does not depend on the buyer: addresses are public facts. Which sites exist at an
address, and who may see them, is the site API's business (:mod:`lso_sim.sonata.site`).
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from typing import Any

import simpy

from lso_sim.actors.roles import RoleActor
from lso_sim.messages.envelope import Message
from lso_sim.messages.operations import RETRIEVE_ADDRESS, VALIDATE_ADDRESS, Operation
from lso_sim.sonata.api import ApiHandler, SellerApi
from lso_sim.sonata.checks import Schema, check, param
from lso_sim.sonata.errors import not_found
from lso_sim.sonata.places import KnownPlace, rank

BEST_MATCH = 0.75
"""Lowest confidence of a best match."""
MARGIN = 0.1
"""How far a best match must be ahead of the next candidate."""
ALTERNATE = 0.3
"""Lowest confidence of an alternate."""

VALIDATION_CREATE: Schema = {
    "type": "object",
    "required": ["provideAlternative", "submittedGeographicAddress"],
    "properties": {
        "provideAlternative": {"type": "boolean"},
        "submittedGeographicAddress": {"type": "object"},
    },
}


def address_body(place: KnownPlace) -> dict[str, Any]:
    """The MEF ``FieldedAddress`` of a known place, with its seller-assigned id."""
    return {
        "id": place.site,
        "href": f"/geographicAddress/{place.site}",
        "allowsNewSite": True,
        "hasPublicSite": False,
        **place.address,
    }


class AddressApi(SellerApi):
    """Address validation over the places one seller knows."""

    api = "geographicAddressManagement"

    def __init__(self, actor: RoleActor, places: Sequence[KnownPlace]) -> None:
        super().__init__(actor)
        self.places = list(places)

    def routes(self) -> dict[Operation, ApiHandler]:
        return {VALIDATE_ADDRESS: self.validate, RETRIEVE_ADDRESS: self.retrieve}

    def validate(self, msg: Message) -> Generator[simpy.Event, Any, None]:
        body = check(msg.payload, VALIDATION_CREATE)
        submitted = body["submittedGeographicAddress"]
        ranked = rank(submitted, self.places, ALTERNATE)
        yield from self.actor.activity(
            "matchAddress",
            flow=msg.flow,
            step=msg.step,
            payload={"candidates": [{"id": p.site, "confidence": c} for c, p in ranked]},
        )
        clear = len(ranked) == 1 or (len(ranked) > 1 and ranked[0][0] - ranked[1][0] >= MARGIN)
        best = ranked[0][1] if ranked and ranked[0][0] >= BEST_MATCH and clear else None
        answer: dict[str, Any] = {
            "provideAlternative": body["provideAlternative"],
            "submittedGeographicAddress": submitted,
            "validationResult": "success" if best else ("partial" if ranked else "fail"),
        }
        if best is not None:
            answer["bestMatchGeographicAddress"] = address_body(best)
        alternates = [address_body(p) for _c, p in ranked if p is not best]
        if alternates:
            answer["alternateGeographicAddress"] = alternates
        self.reply(msg, 200, answer)

    def retrieve(self, msg: Message) -> None:
        ident = str(param(msg.payload, "id"))
        place = next((p for p in self.places if p.site == ident), None)
        if place is None:
            raise not_found("geographicAddress", ident)
        self.reply(msg, 200, address_body(place))
