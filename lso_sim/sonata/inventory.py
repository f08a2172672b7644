"""productInventoryManagement: the buyer's product instances, created by completed product orders.

A product starts ``pendingActive`` when its ``add`` order item completes and goes ``active`` at
once (the service is activated and tested before the item completes). The inventory never shows
one buyer another's products.
"""

from __future__ import annotations

from lso_sim.lifecycle.machines import PRODUCT
from lso_sim.lifecycle.state_machine import Stateful
from lso_sim.messages import bodies
from lso_sim.messages.envelope import Message
from lso_sim.messages.operations import LIST_PRODUCT, RETRIEVE_PRODUCT, Operation
from lso_sim.sonata.api import ApiHandler, SellerApi
from lso_sim.sonata.checks import param
from lso_sim.sonata.errors import not_found
from lso_sim.sonata.listing import field, page, summary
from lso_sim.sonata.store import Resource

_SUMMARY = ("id", "href", "status", "startDate", "lastUpdateDate", "productOffering", "place")


class InventoryApi(SellerApi):
    """Product inventory of one seller."""

    api = "productInventoryManagement"

    def routes(self) -> dict[Operation, ApiHandler]:
        return {LIST_PRODUCT: self.list, RETRIEVE_PRODUCT: self.retrieve}

    def create(self, buyer: str, order: Resource, item: dict[str, object]) -> Resource:
        """Record the product that ``order``'s ``add`` ``item`` delivered, and make it ``active``."""
        product = item.get("product") or {}
        assert isinstance(product, dict)
        ident = self.next_id("product")
        places = [str(p["id"]) for p in product.get("place", []) if "id" in p]
        offering = product.get("productOffering") or {"id": "unknown"}
        resource = Resource(
            "product",
            ident,
            bodies.product(
                ident,
                "pendingActive",
                offering,
                places,
                product.get("productConfiguration"),
                order.id,
                self.now,
            ),
            Stateful(ident, PRODUCT, self.now),
        )
        resource.move("active", self.now, field_name="status")
        resource.private["order"] = order.id
        self.state.buyer(buyer).add(resource)
        return resource

    def list(self, msg: Message) -> None:
        items = (summary(r.body, _SUMMARY) for r in self.store(msg).all("product"))
        filters = {
            "status": field("status"),
            "productOfferingId": lambda item: item.get("productOffering", {}).get("id"),
        }
        self.reply(msg, 200, page(items, msg.payload, filters))

    def retrieve(self, msg: Message) -> None:
        ident = str(param(msg.payload, "id"))
        resource = self.store(msg).get("product", ident)
        if resource is None:
            raise not_found("product", ident)
        self.reply(msg, 200, resource.body)
