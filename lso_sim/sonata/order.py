"""productOrderManagement: product orders with MEF order and order-item states.

An order is ``acknowledged`` when created (the 201), then ``inProgress`` while the seller's back
office fulfils it (``fulfil``: 10.2's service orders, partner orders and activation), then
``completed`` (its ``add`` items become products in the inventory), ``failed`` or ``partial``.
Items move with it; ``held``/``pending`` are item states the seller uses while it assesses a
cancellation or a delivery-date change.

Buyer requests on a running order:

- ``createCancelProductOrder``: accepted while the order is ``acknowledged`` or ``inProgress``:
  the order goes ``assessingCancellation`` -> ``pendingCancellation`` -> ``cancelled`` and the
  request ``done``; on a finished order the request is refused with the MEF 422.
- ``createModifyProductOrderItemRequestedDeliveryDate``: accepted on an item still in progress
  (the item's ``requestedCompletionDate`` changes, the request ends ``done``); otherwise 422.
- ``patchProductOrder``: changes administrative fields (``externalId``, contacts, notes) of an
  order that has not ended; a finished order answers 409.

No charges are raised by the simulated sellers: ``listCharge`` is empty, ``retrieveCharge`` and
``patchCharge`` answer 404.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import simpy

from lso_sim.actors.roles import RoleActor
from lso_sim.lifecycle.machines import CANCEL_PRODUCT_ORDER, PRODUCT_ORDER, PRODUCT_ORDER_ITEM
from lso_sim.lifecycle.state_machine import Stateful
from lso_sim.messages import bodies
from lso_sim.messages.envelope import Message
from lso_sim.messages.operations import (
    CANCEL_PRODUCT_ORDER_STATE_CHANGE,
    CREATE_CANCEL_PRODUCT_ORDER,
    CREATE_MODIFY_DELIVERY_DATE,
    CREATE_PRODUCT_ORDER,
    LIST_CANCEL_PRODUCT_ORDER,
    LIST_CHARGE,
    LIST_MODIFY_DELIVERY_DATE,
    LIST_PRODUCT_ORDER,
    MODIFY_DELIVERY_DATE_STATE_CHANGE,
    PATCH_CHARGE,
    PATCH_PRODUCT_ORDER,
    RETRIEVE_CANCEL_PRODUCT_ORDER,
    RETRIEVE_CHARGE,
    RETRIEVE_MODIFY_DELIVERY_DATE,
    RETRIEVE_PRODUCT_ORDER,
    Operation,
)
from lso_sim.sonata.api import ApiHandler, SellerApi, snapshot, split_params
from lso_sim.sonata.checks import Schema, check, param
from lso_sim.sonata.errors import conflict, not_found, unprocessable
from lso_sim.sonata.inventory import InventoryApi
from lso_sim.sonata.listing import field, page, summary
from lso_sim.sonata.quote import QuoteApi
from lso_sim.sonata.store import Resource

Fulfil = Callable[[Message, Resource], Generator[simpy.Event, Any, str]]
"""Back office: deliver an order; returns its final state (``completed``, ``failed``, ``partial``)."""

FINAL = frozenset({"completed", "failed", "partial", "cancelled", "rejected"})
CANCELLABLE = frozenset({"acknowledged", "inProgress"})

ORDER_CREATE: Schema = {
    "type": "object",
    "required": ["productOrderItem", "relatedContactInformation"],
    "properties": {
        "externalId": {"type": "string"},
        "relatedContactInformation": {"type": "array"},
        "productOrderItem": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "action"],
                "properties": {
                    "id": {"type": "string"},
                    "action": {"type": "string", "enum": ["add", "modify", "delete"]},
                    "quoteItem": {"type": "object", "required": ["id", "quoteId"]},
                },
            },
        },
    },
}
CANCEL_CREATE: Schema = {
    "type": "object",
    "required": ["productOrder", "relatedContactInformation"],
    "properties": {"productOrder": {"type": "object", "required": ["productOrderId"]}},
}
MODIFY_DATE_CREATE: Schema = {
    "type": "object",
    "required": ["productOrderItem", "requestedCompletionDate", "relatedContactInformation"],
    "properties": {
        "productOrderItem": {"type": "object", "required": ["productOrderId", "productOrderItemId"]},
        "requestedCompletionDate": {"type": "string"},
    },
}
PATCHABLE = ("externalId", "relatedContactInformation", "note", "projectId")


class OrderApi(SellerApi):
    """Product orders of one seller."""

    api = "productOrderManagement"

    def __init__(
        self,
        actor: RoleActor,
        fulfil: Fulfil,
        inventory: InventoryApi,
        quotes: QuoteApi | None,
        event_step: str = "-",
    ) -> None:
        super().__init__(actor)
        self.fulfil = fulfil
        self.inventory = inventory
        self.quotes = quotes
        self.event_step = event_step

    def routes(self) -> dict[Operation, ApiHandler]:
        return {
            CREATE_PRODUCT_ORDER: self.create,
            LIST_PRODUCT_ORDER: self.list,
            RETRIEVE_PRODUCT_ORDER: self.retrieve,
            PATCH_PRODUCT_ORDER: self.patch,
            CREATE_CANCEL_PRODUCT_ORDER: self.cancel,
            LIST_CANCEL_PRODUCT_ORDER: self._lister("cancelProductOrder"),
            RETRIEVE_CANCEL_PRODUCT_ORDER: self._retriever("cancelProductOrder"),
            CREATE_MODIFY_DELIVERY_DATE: self.modify_delivery_date,
            LIST_MODIFY_DELIVERY_DATE: self._lister("modifyProductOrderItemRequestedDeliveryDate"),
            RETRIEVE_MODIFY_DELIVERY_DATE: self._retriever("modifyProductOrderItemRequestedDeliveryDate"),
            LIST_CHARGE: self._lister("charge"),
            RETRIEVE_CHARGE: self._retriever("charge"),
            PATCH_CHARGE: self.patch_charge,
        }

    # -- the order -----------------------------------------------------------------------------

    def create(self, msg: Message) -> Generator[simpy.Event, Any, None]:
        body = check(msg.payload, ORDER_CREATE)
        if self.quotes is not None:
            for index, item in enumerate(body["productOrderItem"]):
                if item["action"] == "add" and "quoteItem" not in item:
                    raise unprocessable(
                        "this seller takes orders on an approved quote only",
                        "missingProperty",
                        f"/productOrderItem/{index}/quoteItem",
                    )
            for item in body["productOrderItem"]:
                if "quoteItem" in item:
                    self.quotes.accept(msg.src, str(item["quoteItem"]["quoteId"]), msg)
        ident = self.next_id("order")
        resource = Resource(
            "productOrder",
            ident,
            bodies.order(ident, body, "acknowledged", "acknowledged", self.now),
            Stateful(ident, PRODUCT_ORDER, self.now),
        )
        resource.add_items(PRODUCT_ORDER_ITEM, self.now, "productOrderItem")
        resource.private["request"] = body
        self.store(msg).add(resource)
        self.actor.respond(
            msg,
            201,
            dict(resource.body, productOrderItem=[dict(i) for i in resource.body["productOrderItem"]]),
        )
        self.watch(resource, msg)
        before = snapshot(resource)
        self.move(resource, "inProgress")
        self.announce(resource, before, final=False)
        outcome = yield from self.fulfil(msg, resource)
        if resource.state != "inProgress":
            return  # cancelled (or otherwise ended) while the back office worked
        before = snapshot(resource)
        self.move(resource, outcome)
        if outcome in ("completed", "partial"):
            for item in resource.body["productOrderItem"]:
                if item["action"] == "add" and item.get("state") == "completed":
                    product = self.inventory.create(msg.src, resource, item)
                    resource.private.setdefault("products", []).append(product.id)
        self.announce(resource, before, final=True)

    def move(self, resource: Resource, target: str) -> None:
        """Move an order and its unfinished items (``partial``: the first item completes, others fail)."""
        resource.move(target, self.now)
        item_target = {
            "inProgress": "inProgress",
            "completed": "completed",
            "failed": "failed",
            "cancelled": "cancelled",
            "assessingCancellation": "pending",
        }
        for index, (item_id, item) in enumerate(resource.items.items()):
            wanted = item_target.get(target)
            if target == "partial":
                wanted = "completed" if index == 0 else "failed"
            if target == "pendingCancellation":
                wanted = "cancelled"
            if wanted and item.state != wanted and item.machine.can(item.state, wanted):
                resource.move_item(item_id, wanted, self.now)

    def _order(self, msg: Message, ident: str) -> Resource:
        resource = self.store(msg).get("productOrder", ident)
        if resource is None:
            raise not_found("productOrder", ident)
        return resource

    def list(self, msg: Message) -> None:
        items = (
            summary(r.body, ("id", "href", "state", "orderDate", "externalId"))
            for r in self.store(msg).all("productOrder")
        )
        filters = {"state": field("state"), "externalId": field("externalId")}
        self.actor.respond(msg, 200, page(items, msg.payload, filters))

    def retrieve(self, msg: Message) -> None:
        self.actor.respond(msg, 200, self._order(msg, str(param(msg.payload, "id"))).body)

    def patch(self, msg: Message) -> None:
        params, body = split_params(msg.payload)
        resource = self._order(msg, str(param(params, "id")))
        check(body, {"type": "object"})
        if resource.state in FINAL:
            raise conflict(f"product order {resource.id} is {resource.state}; it can no longer be changed")
        for name in PATCHABLE:
            if name in body:
                resource.body[name] = body[name]
        self.actor.respond(msg, 200, resource.body)

    # -- cancellation --------------------------------------------------------------------------

    def cancel(self, msg: Message) -> None:
        """``createCancelProductOrder``: cancel an order that has not ended."""
        body = check(msg.payload, CANCEL_CREATE)
        order_id = str(body["productOrder"]["productOrderId"])
        order = self.store(msg).get("productOrder", order_id)
        if order is None:
            raise unprocessable(
                f"no product order {order_id}", "referenceNotFound", "/productOrder/productOrderId"
            )
        if order.state not in CANCELLABLE:
            raise unprocessable(
                f"product order {order_id} is {order.state}; only an acknowledged or in-progress order "
                "can be cancelled",
                "invalidValue",
                "/productOrder/productOrderId",
            )
        ident = self.next_id("cancel")
        request = Resource(
            "cancelProductOrder",
            ident,
            {
                "id": ident,
                "href": f"/cancelProductOrder/{ident}",
                "state": "acknowledged",
                "productOrder": {"productOrderId": order_id, "productOrderHref": f"/productOrder/{order_id}"},
                "relatedContactInformation": body["relatedContactInformation"],
                **{k: body[k] for k in ("cancellationReason", "cancellationReasonType") if k in body},
            },
            Stateful(ident, CANCEL_PRODUCT_ORDER, self.now),
        )
        self.store(msg).add(request)
        self.actor.respond(msg, 201, dict(request.body))
        for target in ("assessingCancellation", "pendingCancellation", "cancelled"):
            before = snapshot(order)
            self.move(order, target)
            self.announce(order, before, final=target == "cancelled", step=msg.step)
        request.move("done", self.now)
        self.publish(
            msg.src,
            CANCEL_PRODUCT_ORDER_STATE_CHANGE,
            bodies.state_change_event(
                "cancelProductOrderStateChangeEvent",
                "cancelProductOrder",
                ident,
                "done",
                self.now,
                self.next_id("event"),
            ),
            flow=msg.flow,
            step=msg.step,
        )

    # -- requested delivery date ---------------------------------------------------------------

    def modify_delivery_date(self, msg: Message) -> None:
        body = check(msg.payload, MODIFY_DATE_CREATE)
        ref = body["productOrderItem"]
        order = self.store(msg).get("productOrder", str(ref["productOrderId"]))
        if order is None:
            raise unprocessable(
                f"no product order {ref['productOrderId']}",
                "referenceNotFound",
                "/productOrderItem/productOrderId",
            )
        item = order.items.get(str(ref["productOrderItemId"]))
        if item is None or item.state not in ("acknowledged", "inProgress", "held", "pending"):
            state = item.state if item is not None else "unknown"
            raise unprocessable(
                f"order item {ref['productOrderItemId']} is {state}; its date can no longer change",
                "invalidValue",
                "/productOrderItem/productOrderItemId",
            )
        ident = self.next_id("rdd")
        request = Resource(
            "modifyProductOrderItemRequestedDeliveryDate",
            ident,
            {
                "id": ident,
                "href": f"/modifyProductOrderItemRequestedDeliveryDate/{ident}",
                "state": "acknowledged",
                "productOrderItem": dict(ref),
                "requestedCompletionDate": body["requestedCompletionDate"],
                "relatedContactInformation": body["relatedContactInformation"],
            },
            Stateful(ident, CANCEL_PRODUCT_ORDER, self.now),
        )
        self.store(msg).add(request)
        self.actor.respond(msg, 201, dict(request.body))
        for shown in order.body["productOrderItem"]:
            if shown["id"] == ref["productOrderItemId"]:
                shown["requestedCompletionDate"] = body["requestedCompletionDate"]
        request.move("done", self.now)
        self.publish(
            msg.src,
            MODIFY_DELIVERY_DATE_STATE_CHANGE,
            bodies.state_change_event(
                "modifyProductOrderItemRequestedDeliveryDateStateChangeEvent",
                "modifyProductOrderItemRequestedDeliveryDate",
                ident,
                "done",
                self.now,
                self.next_id("event"),
            ),
            flow=msg.flow,
            step=msg.step,
        )

    # -- charges (none are raised) and generic list/retrieve -----------------------------------

    def patch_charge(self, msg: Message) -> None:
        params, _body = split_params(msg.payload)
        raise not_found("charge", str(param(params, "id")))

    def _lister(self, kind: str) -> ApiHandler:
        def handler(msg: Message) -> None:
            items = (r.body for r in self.store(msg).all(kind))
            self.actor.respond(msg, 200, page(items, msg.payload, {"state": field("state")}))

        return handler

    def _retriever(self, kind: str) -> ApiHandler:
        def handler(msg: Message) -> None:
            ident = str(param(msg.payload, "id"))
            resource = self.store(msg).get(kind, ident)
            if resource is None:
                raise not_found(kind, ident)
            self.actor.respond(msg, 200, resource.body)

        return handler
