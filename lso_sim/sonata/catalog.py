"""productCatalog: the seller's categories, product offerings and product specifications.

Offerings come from the scenario's ``offerings``; each names the MEF product specification (its
schema URN) its configurations follow. Used by 10.2 step 1 (browse) and by on-boarding.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lso_sim.actors.roles import RoleActor
from lso_sim.messages import bodies
from lso_sim.messages.envelope import Message
from lso_sim.messages.operations import (
    LIST_CATEGORY,
    LIST_PRODUCT_OFFERING,
    LIST_PRODUCT_SPECIFICATION,
    RETRIEVE_CATEGORY,
    RETRIEVE_PRODUCT_OFFERING,
    RETRIEVE_PRODUCT_SPECIFICATION,
    Operation,
)
from lso_sim.sonata.api import ApiHandler, SellerApi
from lso_sim.sonata.checks import param
from lso_sim.sonata.errors import not_found
from lso_sim.sonata.listing import field, page


class CatalogApi(SellerApi):
    """The product catalog of one seller (the same for every buyer)."""

    api = "productCatalog"

    def __init__(self, actor: RoleActor, offerings: Sequence[Mapping[str, Any]]) -> None:
        super().__init__(actor)
        self.offerings = list(offerings)

    def routes(self) -> dict[Operation, ApiHandler]:
        return {
            LIST_CATEGORY: self.list_categories,
            RETRIEVE_CATEGORY: self.retrieve_category,
            LIST_PRODUCT_OFFERING: self.list_offerings,
            RETRIEVE_PRODUCT_OFFERING: self.retrieve_offering,
            LIST_PRODUCT_SPECIFICATION: self.list_specifications,
            RETRIEVE_PRODUCT_SPECIFICATION: self.retrieve_specification,
        }

    def _offerings(self) -> list[dict[str, Any]]:
        return [bodies.offering_summary(o) for o in self.offerings]

    def _specifications(self) -> list[dict[str, Any]]:
        specs = dict.fromkeys(str(o["specification"]) for o in self.offerings)
        return [bodies.specification(s) for s in specs]

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
        self.reply(msg, 200, page(self._offerings(), msg.payload, filters))

    def retrieve_offering(self, msg: Message) -> None:
        ident = str(param(msg.payload, "id"))
        found = next((o for o in self._offerings() if o["id"] == ident), None)
        if found is None:
            raise not_found("productOffering", ident)
        self.reply(msg, 200, found)

    def list_specifications(self, msg: Message) -> None:
        filters = {"lifecycleStatus": field("lifecycleStatus"), "name": field("name")}
        self.reply(msg, 200, page(self._specifications(), msg.payload, filters))

    def retrieve_specification(self, msg: Message) -> None:
        ident = str(param(msg.payload, "id"))
        found = next((s for s in self._specifications() if s["id"] == ident), None)
        if found is None:
            raise not_found("productSpecification", ident)
        self.reply(msg, 200, found)
