"""productCatalog: the seller's categories, product offerings and product specifications.

Offerings come from the scenario's ``offerings``; each names the MEF product specification (its
schema URN) its configurations follow. Used by 10.2 step 1 (browse) and by on-boarding (10.1).

A seller shows every buyer its whole catalog unless it :meth:`CatalogApi.share`-s with that buyer
on chosen terms: which offerings, and the level of detail (``full``: offerings with their billing
terms and quality objectives, and their specifications; ``summary``: offerings only, their
specifications answered as not found). A seller may later change an offering
(:meth:`CatalogApi.change`): every buyer it shares with hears it through its catalog hub.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from lso_sim.actors.roles import RoleActor
from lso_sim.messages import bodies
from lso_sim.messages.envelope import Flow, Message
from lso_sim.messages.operations import (
    LIST_CATEGORY,
    LIST_PRODUCT_OFFERING,
    LIST_PRODUCT_SPECIFICATION,
    PRODUCT_OFFERING_CHANGE,
    PRODUCT_OFFERING_STATUS_CHANGE,
    RETRIEVE_CATEGORY,
    RETRIEVE_PRODUCT_OFFERING,
    RETRIEVE_PRODUCT_SPECIFICATION,
    Operation,
)
from lso_sim.sonata.api import ApiHandler, SellerApi, publish
from lso_sim.sonata.checks import param
from lso_sim.sonata.errors import not_found
from lso_sim.sonata.listing import field, page

Detail = Literal["full", "summary"]
"""How much a seller shares with a buyer it on-boards with (MEF 10.1: the partner chooses)."""

OFFERING_EVENT_TYPES = {
    PRODUCT_OFFERING_CHANGE.name: "productOfferingAttributeValueChangeEvent",
    PRODUCT_OFFERING_STATUS_CHANGE.name: "productOfferingStateChangeEvent",
}
"""Notification operation -> the ``eventType`` MEF's ProductOfferingEventType gives it."""


@dataclasses.dataclass(slots=True)
class Sharing:
    """What a seller shares with one buyer.

    Attributes:
        detail: ``full`` or ``summary`` (see the module docstring).
        offerings: ids of the offerings shared; ``None``: all of them.
        terms: offering id -> the MEF ``productOfferingTerm`` list (billing commitment) shown at
            ``full`` detail.
        objectives: offering id -> quality objectives (name -> value), shown at ``full`` detail
            as a note of the offering.
    """

    detail: Detail = "full"
    offerings: tuple[str, ...] | None = None
    terms: dict[str, list[dict[str, Any]]] = dataclasses.field(default_factory=dict)
    objectives: dict[str, dict[str, float]] = dataclasses.field(default_factory=dict)


class CatalogApi(SellerApi):
    """The product catalog of one seller: the whole catalog, or what it shares with a buyer."""

    api = "productCatalog"

    def __init__(self, actor: RoleActor, offerings: Sequence[Mapping[str, Any]]) -> None:
        super().__init__(actor)
        self.offerings = list(offerings)
        self.sharing: dict[str, Sharing] = {}
        """Buyer id -> what is shared with it (a buyer not listed sees the whole catalog)."""
        self.status: dict[str, str] = {}
        """Offering id -> its lifecycle status, once changed from ``orderable``."""
        self.updated: dict[str, float] = {}
        """Offering id -> when it last changed."""

    def share(self, buyer: str, sharing: Sharing) -> None:
        """From now on show ``buyer`` only what ``sharing`` says."""
        self.sharing[buyer] = sharing

    def change(self, offering_id: str, status: str | None, *, flow: Flow, step: str) -> int:
        """Change an offering (its lifecycle ``status``, or, without one, its attributes) and tell
        every buyer it is shared with, through their catalog hubs.

        Returns:
            How many hubs heard it (0: no buyer registered one; they see it when they read).
        """
        if status is not None:
            self.status[offering_id] = status
        self.updated[offering_id] = self.now
        op = PRODUCT_OFFERING_STATUS_CHANGE if status is not None else PRODUCT_OFFERING_CHANGE
        sent = 0
        for buyer, sharing in self.sharing.items():
            if sharing.offerings is not None and offering_id not in sharing.offerings:
                continue
            event = {
                "eventId": self.next_id("event"),
                "eventType": OFFERING_EVENT_TYPES[op.name],
                "eventTime": bodies.timestamp(self.now),
                "event": {"id": offering_id, "href": f"/productOffering/{offering_id}"},
            }
            sent += publish(self.actor, buyer, op, event, flow=flow, step=step)
        return sent

    def routes(self) -> dict[Operation, ApiHandler]:
        return {
            LIST_CATEGORY: self.list_categories,
            RETRIEVE_CATEGORY: self.retrieve_category,
            LIST_PRODUCT_OFFERING: self.list_offerings,
            RETRIEVE_PRODUCT_OFFERING: self.retrieve_offering,
            LIST_PRODUCT_SPECIFICATION: self.list_specifications,
            RETRIEVE_PRODUCT_SPECIFICATION: self.retrieve_specification,
        }

    def _shown(self, buyer: str) -> list[Mapping[str, Any]]:
        sharing = self.sharing.get(buyer)
        if sharing is None or sharing.offerings is None:
            return self.offerings
        return [o for o in self.offerings if o["id"] in sharing.offerings]

    def _summary(self, offering: Mapping[str, Any]) -> dict[str, Any]:
        ident = str(offering["id"])
        return bodies.offering_summary(
            offering, self.updated.get(ident, 0.0), self.status.get(ident, "orderable")
        )

    def _offerings(self, buyer: str) -> list[dict[str, Any]]:
        return [self._summary(o) for o in self._shown(buyer)]

    def _specifications(self, buyer: str) -> list[dict[str, Any]]:
        sharing = self.sharing.get(buyer)
        if sharing is not None and sharing.detail == "summary":
            return []
        specs = dict.fromkeys(str(o["specification"]) for o in self._shown(buyer))
        return [bodies.specification(s) for s in specs]

    def _full(self, buyer: str, offering: Mapping[str, Any]) -> dict[str, Any]:
        """An offering as ``buyer`` reads it: at ``full`` detail with its terms and objectives."""
        body = self._summary(offering)
        sharing = self.sharing.get(buyer)
        if sharing is None or sharing.detail != "full":
            return body
        ident = str(offering["id"])
        if ident in sharing.terms:
            body["productOfferingTerm"] = sharing.terms[ident]
        objectives = sharing.objectives.get(ident)
        if objectives:
            text = ", ".join(f"{name} {value:g}" for name, value in sorted(objectives.items()))
            body["note"] = [
                {
                    "id": f"{ident}-objectives",
                    "author": self.actor.id,
                    "date": bodies.timestamp(self.updated.get(ident, 0.0)),
                    "source": "seller",
                    "text": f"quality objectives: {text}",
                }
            ]
        return body

    def list_categories(self, msg: Message) -> None:
        items = [bodies.category(self.offerings)]
        self.reply(msg, 200, page(items, msg.payload, {"name": field("name")}))

    def retrieve_category(self, msg: Message) -> None:
        ident = str(param(msg.payload, "id"))
        if ident != bodies.CATEGORY_ID:
            raise not_found("category", ident)
        self.reply(msg, 200, bodies.category(self.offerings))

    def list_offerings(self, msg: Message) -> None:
        filters = {"lifecycleStatus": field("lifecycleStatus"), "name": field("name")}
        self.reply(msg, 200, page(self._offerings(msg.src), msg.payload, filters))

    def retrieve_offering(self, msg: Message) -> None:
        ident = str(param(msg.payload, "id"))
        found = next((o for o in self._shown(msg.src) if o["id"] == ident), None)
        if found is None:
            raise not_found("productOffering", ident)
        self.reply(msg, 200, self._full(msg.src, found))

    def list_specifications(self, msg: Message) -> None:
        filters = {"lifecycleStatus": field("lifecycleStatus"), "name": field("name")}
        self.reply(msg, 200, page(self._specifications(msg.src), msg.payload, filters))

    def retrieve_specification(self, msg: Message) -> None:
        ident = str(param(msg.payload, "id"))
        found = next((s for s in self._specifications(msg.src) if s["id"] == ident), None)
        if found is None:
            raise not_found("productSpecification", ident)
        self.reply(msg, 200, bodies.specification_detail(ident))
