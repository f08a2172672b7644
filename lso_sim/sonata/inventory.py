"""productInventoryManagement: the buyer's product instances, created by completed product orders.

A product starts ``pendingActive`` when its ``add`` order item completes and goes ``active`` at
once (the service is activated and tested before the item completes). A ``modify`` item in
progress shows it ``active.pendingChange`` (back to ``active``, with the new configuration when
the item completed); a ``delete`` item ``pendingTerminate``, then ``terminated`` (or ``active``
again when the item failed). Each order item that created or changed a product is listed in its
``productOrderItem``. A change of the product's service that no order asked for (10.3, a
partner component changed over INTERLUDE) reaches the product through
:mod:`lso_sim.threads.inventory_sync` (:meth:`InventoryApi.follow_service`). The inventory never
shows one buyer another's products.
"""

from __future__ import annotations

from typing import Any

from lso_sim.actors.roles import RoleActor
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

    def __init__(self, actor: RoleActor) -> None:
        super().__init__(actor)
        self._unclaimed: dict[str, tuple[float | None, str]] = {}

    def routes(self) -> dict[Operation, ApiHandler]:
        return {LIST_PRODUCT: self.list, RETRIEVE_PRODUCT: self.retrieve}

    def note_service_without_product(self, service_id: str, bandwidth_mbps: float | None, state: str) -> None:
        """A service read before the order delivering it created its product: a lossy channel can
        bring SOF's service events before BUS learns that its service order completed (a service
        built, then taken down by compensation). The product shows that state when it is created."""
        self._unclaimed[service_id] = (bandwidth_mbps, state)

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
        store = self.state.buyer(buyer)
        store.add(resource)
        store.tag(resource, order.id)
        early = self._unclaimed.pop(f"svc-{order.id}", None)
        if early is not None:
            self.follow_service(resource, *early)
        return resource

    def begin_change(self, buyer: str, product_id: str, action: str) -> None:
        """An order item starts changing the product: MEF's status while the change is worked on."""
        resource = self.state.buyer(buyer).get("product", product_id)
        assert resource is not None  # checked when the order was accepted
        target = "active.pendingChange" if action == "modify" else "pendingTerminate"
        resource.move(target, self.now, field_name="status")
        resource.body["lastUpdateDate"] = bodies.timestamp(self.now)

    def end_change(
        self, buyer: str, product_id: str, order: Resource, item: dict[str, Any], completed: bool
    ) -> None:
        """The item that changed the product ended: apply it (``completed``) or restore ``active``."""
        resource = self.state.buyer(buyer).get("product", product_id)
        assert resource is not None
        body = resource.body
        if resource.state in ("active.pendingChange", "pendingTerminate"):
            delete = item["action"] == "delete"
            resource.move("terminated" if completed and delete else "active", self.now, field_name="status")
        if completed:
            configuration = (item.get("product") or {}).get("productConfiguration")
            if item["action"] == "modify" and configuration:
                body["productConfiguration"] = dict(configuration)
            if item["action"] == "delete":
                body["terminationDate"] = bodies.timestamp(self.now)
            body["productOrderItem"].append(
                {
                    "productOrderHref": f"/productOrder/{order.id}",
                    "productOrderId": order.id,
                    "productOrderItemId": str(item["id"]),
                }
            )
            self.state.buyer(buyer).tag(resource, order.id)
        body["lastUpdateDate"] = bodies.timestamp(self.now)

    def product_of_service(self, service_id: str) -> Resource | None:
        """The product (of any buyer) whose order established SOF's service ``service_id``.

        A seller names the service of a product after the order that delivered it, and files the
        product under that order's id (:meth:`create`): the look-up reads that entry, not every
        product of the run.
        """
        if not service_id.startswith("svc-"):
            return None
        order = service_id[len("svc-") :]
        for store in self.state.buyers.values():
            for resource in store.tagged("product", order):
                if resource.private.get("order") == order:
                    return resource
        return None

    def follow_service(self, resource: Resource, bandwidth_mbps: float | None, state: str) -> bool:
        """Show what SOF's service now is: its bandwidth, or ``terminated``. True when it changed."""
        body = resource.body
        changed = False
        if state == "terminated":
            if resource.state != "terminated":
                # Through MEF's states: a change in progress ends, then the termination.
                assert resource.entity is not None
                machine = resource.entity.machine
                if resource.state == "active.pendingChange":
                    resource.move("active", self.now, field_name="status")
                for target in ("pendingTerminate", "suspendedPendingTerminate", "terminated"):
                    if machine.can(resource.state, target):
                        resource.move(target, self.now, field_name="status")
                body["terminationDate"] = bodies.timestamp(self.now)
                changed = resource.state == "terminated"
        else:
            configuration = body.get("productConfiguration")
            shown = bodies.configured_bandwidth(configuration)
            if configuration and bandwidth_mbps is not None and shown != bandwidth_mbps:
                body["productConfiguration"] = bodies.reconfigured(configuration, bandwidth_mbps)
                changed = True
        if changed:
            body["lastUpdateDate"] = bodies.timestamp(self.now)
        return changed

    def list(self, msg: Message) -> None:
        # productOrderId reads the full body (the summary does not show the order items).
        # Products are filed under the ids of the orders that touched them (``create``, ``end_change``).
        wanted = param(msg.payload, "productOrderId", required=False)
        status = param(msg.payload, "status", required=False)
        store = self.store(msg)
        if wanted is None:
            # A product's machine and its body's status move together (``Resource.move``).
            found = store.each("product", None if status is None else str(status))
        else:
            found = iter(store.tagged("product", str(wanted)))
        items = (
            summary(r.body, _SUMMARY)
            for r in found
            if wanted is None or any(str(i["productOrderId"]) == wanted for i in r.body["productOrderItem"])
        )
        filters = {
            "status": field("status"),
            "productOfferingId": lambda item: item.get("productOffering", {}).get("id"),
        }
        self.reply(msg, 200, page(items, msg.payload, filters))

    def retrieve(self, msg: Message) -> None:
        ident = str(param(msg.payload, "id"))
        resource = self.store(msg).get("product", ident)
        if resource is None:
            raise not_found("product", ident, self.state.retention)
        self.reply(msg, 200, resource.body)
