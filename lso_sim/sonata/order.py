"""productOrderManagement: product orders with MEF order and order-item states.

An order is ``acknowledged`` when created (the 201), then ``inProgress`` while the seller's back
office fulfils it (``fulfil``: 10.2's service orders, partner orders and activation), then
``completed`` (its ``add`` items become products in the inventory), ``failed`` or ``partial``.
Items move with it; ``held``/``pending`` are item states the seller uses while it assesses a
cancellation or a delivery-date change.

Buyer requests on a running order:

- ``createCancelProductOrder``: on an order that has ended the request is refused with the MEF 422.
  Otherwise it is acknowledged (201), the order goes ``assessingCancellation`` (items ``pending``)
  and the back office (``cancel_hook``) stops its work and releases what it holds. When it can, the
  order goes ``pendingCancellation`` (items ``cancelled``) -> ``cancelled`` and the request ``done``;
  when the order is past the seller's point of no return, the request ends ``rejected`` with
  MEF's ``cancellationDeniedReason`` and the order returns to ``inProgress``. Every state change is
  announced (the order's on its hub, the request's as ``cancelProductOrderStateChangeEvent``).
- ``createModifyProductOrderItemRequestedDeliveryDate``: accepted on an item still in progress
  (the item's ``requestedCompletionDate`` changes, the request ends ``done``); otherwise 422.
- ``modify`` and ``delete`` items name a product the buyer has (``product.id``; else 422
  ``missingProperty``/``referenceNotFound``) that is ``active`` (else 422 ``invalidValue``: a product
  being changed or already terminated), at most once per order. A ``modify`` item carries the new
  ``productConfiguration`` (``missingProperty`` without one), a ``delete`` item nothing but the id
  (``unexpectedProperty``). While the order is in progress the product shows
  ``active.pendingChange`` / ``pendingTerminate``; when the item ends the inventory applies it
  (new configuration, or ``terminated``) or restores ``active``. Each item ends in its own state:
  the back office reports them (``item_outcomes``), so a mixed order ends ``partial`` with the
  right items ``failed``.
- ``patchProductOrder``: changes administrative fields (``externalId``, contacts, notes) of an
  order that has not ended; a finished order answers 409.

Charges (MEF ``charge``, use case "initiate charge"): an item whose ``requestedCompletionDate`` is
earlier than the offering's standard interval after the order (or that sets ``expediteIndicator``)
is an expedite. The seller raises a one-off ``expedite`` charge (``chargeCreateEvent``), puts the
order in ``held.assessingCharge`` and the item ``held``, and starts no work until the buyer answers
with ``patchCharge``. The charge is non-blocking: accepted, the item keeps its date with
``expediteAcceptedIndicator`` and a reference to the charge; declined (or unanswered by its
``responseDueDate``: charge ``timeout``), the expedite is dropped and the item's requested date
becomes the standard one. Either way the order then proceeds.
A ``createModifyProductOrderItemRequestedDeliveryDate`` that brings a date before the standard
one raises a blocking charge instead: the request stays ``inProgress.assessingCharge``, the order
``pending.assessingModification`` and the item ``pending``; accepted, the date changes (``done``);
declined or timed out, nothing changes (``done.declined``).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping, Sequence
from typing import Any

import simpy

from lso_sim.actors.roles import RoleActor
from lso_sim.lifecycle.machines import CANCEL_PRODUCT_ORDER, PRODUCT_ORDER, PRODUCT_ORDER_ITEM
from lso_sim.lifecycle.state_machine import Stateful, StateMachine, machine
from lso_sim.messages import bodies
from lso_sim.messages.envelope import Message
from lso_sim.messages.operations import (
    CANCEL_PRODUCT_ORDER_STATE_CHANGE,
    CHARGE_CREATE,
    CHARGE_STATE_CHANGE,
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
    PRODUCT_ORDER_ITEM_EXPECTED_DATE_SET,
    RETRIEVE_CANCEL_PRODUCT_ORDER,
    RETRIEVE_CHARGE,
    RETRIEVE_MODIFY_DELIVERY_DATE,
    RETRIEVE_PRODUCT_ORDER,
    Operation,
)
from lso_sim.sonata.api import ApiHandler, snapshot, split_params
from lso_sim.sonata.checks import PRODUCT_WITH_PLACES, Schema, check, param
from lso_sim.sonata.errors import conflict, not_found, unprocessable
from lso_sim.sonata.inventory import InventoryApi
from lso_sim.sonata.lifecycle import LifecycleApi
from lso_sim.sonata.listing import field, page
from lso_sim.sonata.quote import QuoteApi
from lso_sim.sonata.store import Resource

Fulfil = Callable[[Message, Resource], Generator[simpy.Event, Any, str]]
"""Back office: deliver an order; returns its final state (``completed``, ``failed``, ``partial``)."""
CancelHook = Callable[[Message, Resource], Generator[simpy.Event, Any, str | None]]
"""Back office: stop an order's work and release what it holds; returns ``None`` when done, or
the reason the order can no longer be cancelled (past the seller's point of no return)."""
DateHook = Callable[[Message, Resource, str], None]
"""Back office: an item's requested delivery date changed (a ``createModifyProductOrderItemRequested
DeliveryDate`` ended ``done``); called with the request, the order and the item id (10.2 9 b) option b
releases the partner's work on it)."""

FINAL = frozenset({"completed", "failed", "partial", "cancelled", "rejected"})
CANCELLABLE = frozenset({"acknowledged", "inProgress", "held.assessingCharge"})

CHARGE: StateMachine = machine(
    "charge",
    "awaitingResponse",
    {"awaitingResponse": "completed timeout withdrawnBySeller"},
)
"""MEF's charge states (``MEFProductOrderChargeStateType``)."""
CHARGE_PATCH: Schema = {
    "type": "object",
    "required": ["chargeItem"],
    "properties": {
        "chargeItem": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "acceptanceIndicator"],
                "properties": {
                    "id": {"type": "string"},
                    "acceptanceIndicator": {"type": "string", "enum": ["accepted", "rejected"]},
                },
            },
        }
    },
}

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
                    "product": PRODUCT_WITH_PLACES,
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
CHARGE_STEP = "charge"
"""Step label of charge notifications a seller raises by itself (10.2 defines no step for them)."""


ORDER_EVENTS = (
    "productOrderStateChangeEvent",
    "productOrderItemStateChangeEvent",
    "productOrderItemExpectedCompletionDateSet",
)
"""The product order events a buyer registers for: the order's and each item's moves, and the
seller's commitment (``expectedCompletionDate``) when it is set after the order was created."""


class OrderApi(LifecycleApi):
    """Product orders of one seller."""

    api = "productOrderManagement"
    kind = "productOrder"
    prefix = "order"
    machine = PRODUCT_ORDER
    item_machine = PRODUCT_ORDER_ITEM
    item_key = "productOrderItem"
    summary_fields = ("id", "href", "state", "orderDate", "externalId")
    list_filters = ("state", "externalId")

    def __init__(
        self,
        actor: RoleActor,
        fulfil: Fulfil,
        inventory: InventoryApi,
        quotes: QuoteApi | None,
        event_step: str = "-",
        cancel_hook: CancelHook | None = None,
        offerings: Sequence[Mapping[str, Any]] = (),
        date_hook: DateHook | None = None,
    ) -> None:
        super().__init__(actor)
        self.fulfil = fulfil
        self.cancel_hook = cancel_hook
        self.date_hook = date_hook
        self.offerings = {str(o["id"]): o for o in offerings}
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
            LIST_CHARGE: self._lister("charge", by_order=True),
            RETRIEVE_CHARGE: self._retriever("charge"),
            PATCH_CHARGE: self.patch_charge,
        }

    # -- the order -----------------------------------------------------------------------------

    def create(self, msg: Message) -> Generator[simpy.Event, Any, None]:
        body = check(msg.payload, ORDER_CREATE)
        self._check_changes(msg, body["productOrderItem"])
        admission = self.admitted(msg, body)
        if admission.refusal is not None:
            raise unprocessable(admission.refusal, "invalidValue", admission.property_path)
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
        resource = self.create_resource(
            msg,
            admission.request,
            lambda ident: bodies.order(ident, body, "acknowledged", "acknowledged", self.now),
        )
        resource.private["buyer"] = msg.src
        for item in resource.body["productOrderItem"]:
            if not self._charged(resource, item):
                self.commit_date(item, self._due(resource, item))
        self.reply(msg, 201, resource.body)
        self.watch(resource, msg)
        faults = self.actor.sim.faults
        rejection = faults.hit("order_rejection", self.actor.id, self.actor.id, msg.flow) if faults else None
        if rejection is not None:
            self.reject(resource, str(rejection.params.get("reason") or "rejected by the seller"))
            return
        for item in resource.body["productOrderItem"]:
            terms = self._expedite(resource, item, item.get("requestedCompletionDate"))
            if terms is None and item.get("expediteIndicator"):
                terms = self._terms(item)
            if terms is None:
                continue
            before = snapshot(resource)
            if resource.state != "held.assessingCharge":
                resource.move("held.assessingCharge", self.now)
            resource.move_item(str(item["id"]), "held", self.now)
            self.announce(resource, before, final=False)
            accepted = yield from self._charge(msg, resource, item, terms, blocking=False)
            if resource.state != "held.assessingCharge":
                return  # cancelled while the charge waited
            if accepted:
                item["expediteAcceptedIndicator"] = True
            else:
                item["requestedCompletionDate"] = bodies.timestamp(self._standard_date(resource, terms))
                if item.get("expediteIndicator"):
                    item["expediteAcceptedIndicator"] = False
            self.commit_date(item, self._due(resource, item))
            self._publish_expected(resource, str(item["id"]))
        before = snapshot(resource)
        self.move(resource, "inProgress")
        for item in self._changes(resource):
            self.inventory.begin_change(msg.src, str(item["product"]["id"]), str(item["action"]))
            resource.private["changing"] = True
        self.announce(resource, before, final=False)
        # When the back office gives up (a request to SOF or a partner got no answer), the order
        # fails with that reason instead of staying inProgress while the buyer polls forever.
        outcome = yield from self.guarded(resource, self.fulfil(msg, resource), "failed")
        resource.private["outcome"] = outcome
        if resource.state == "inProgress":
            self.finish(resource, outcome)
        # Otherwise a cancellation is being assessed (it finishes the order if it is refused) or
        # has ended the order.

    def reject(self, resource: Resource, reason: str) -> None:
        """End an acknowledged order ``rejected``: a business validation failed after the 201.

        MEF 123 (product order state machine): once the order is acknowledged an error response can
        no longer be given, so the order moves to ``rejected``; the first item is ``rejected`` with a
        ``terminationError`` saying why, the others ``rejected.validated``. An injected
        ``order_rejection`` fault does this (see docs/faults.md).
        """
        before = snapshot(resource)
        resource.move("rejected", self.now)
        for index, (item_id, _) in enumerate(list(resource.items.items())):
            resource.move_item(item_id, "rejected" if index == 0 else "rejected.validated", self.now)
        first = resource.body["productOrderItem"][0]
        first["terminationError"] = [{"code": "otherIssue", "value": reason}]
        self.announce(resource, before, final=True)

    def _check_changes(self, msg: Message, items: Sequence[Mapping[str, Any]]) -> None:
        """``modify`` and ``delete`` items act on an ``active`` product of the buyer, once each;
        MEF's rules on what such an item carries are checked here (see the module doc)."""
        named: set[str] = set()
        for index, item in enumerate(items):
            where = f"/productOrderItem/{index}"
            product = item.get("product")
            if item["action"] == "add":
                if isinstance(product, Mapping) and "id" in product:
                    raise unprocessable(
                        "an add item may not name a product: the seller assigns its id",
                        "unexpectedProperty",
                        f"{where}/product/id",
                    )
                continue
            ident = product.get("id") if isinstance(product, Mapping) else None
            if not isinstance(ident, str):
                raise unprocessable(
                    f"a {item['action']} item names the product it changes",
                    "missingProperty",
                    f"{where}/product/id",
                )
            assert isinstance(product, Mapping)
            found = self.inventory.state.buyer(msg.src).get("product", ident)
            if found is None:
                raise unprocessable(f"no product {ident}", "referenceNotFound", f"{where}/product/id")
            if found.state != "active" or ident in named:
                reason = (
                    f"product {ident} is {found.state}; only an active product can be changed"
                    if found.state != "active"
                    else f"product {ident} is named by more than one item of the order"
                )
                raise unprocessable(reason, "invalidValue", f"{where}/product/id")
            named.add(ident)
            if item["action"] == "delete":
                extra = sorted(set(product) - {"id", "href", "@type"})
                if extra:
                    raise unprocessable(
                        "a delete item names the product and nothing else",
                        "unexpectedProperty",
                        f"{where}/product/{extra[0]}",
                    )
                continue
            configuration = product.get("productConfiguration")
            if not isinstance(configuration, Mapping) or bodies.configured_bandwidth(configuration) is None:
                raise unprocessable(
                    "a modify item carries the product's new configuration (with its bandwidth)",
                    "missingProperty",
                    f"{where}/product/productConfiguration",
                )
            kind = found.body.get("productConfiguration", {}).get("@type")
            if kind is not None and configuration.get("@type") != kind:
                raise unprocessable(
                    f"product {ident} is a {kind}; its configuration keeps that type",
                    "invalidValue",
                    f"{where}/product/productConfiguration/@type",
                )
            offering = product.get("productOffering", {}).get("id")
            if offering is not None and offering != found.body["productOffering"]["id"]:
                raise unprocessable(
                    f"product {ident} is of offering {found.body['productOffering']['id']}",
                    "invalidValue",
                    f"{where}/product/productOffering/id",
                )

    def _charged(self, order: Resource, item: Mapping[str, Any]) -> bool:
        """Whether ``item`` is an expedite: its date is known only once the buyer settles the charge."""
        early = self._expedite(order, item, item.get("requestedCompletionDate")) is not None
        return early or bool(item.get("expediteIndicator"))

    def _due(self, order: Resource, item: Mapping[str, Any]) -> str:
        """The date the seller commits to: the requested one when given, else the standard one.

        A requested date earlier than the standard one reaches here only once its charge has
        settled (accepted; declined replaces it by the standard date).
        """
        requested = item.get("requestedCompletionDate")
        if isinstance(requested, str):
            return requested
        return bodies.timestamp(self._standard_date(order, self._terms(item)))

    @staticmethod
    def commit_date(item: dict[str, Any], date: str) -> None:
        """Set the item's MEF ``expectedCompletionDate``: the seller's commitment (10.2 step 6).

        Set in the 201 when the seller can commit at once, so a buyer (BUS-sp ordering a
        partner's part) has the partner's commitment on the order it placed.
        """
        item["expectedCompletionDate"] = date

    def _publish_expected(self, order: Resource, item_id: str) -> None:
        """Tell the buyer an item's expected date was set after the 201 (MEF's own event for it)."""
        watched = order.private.get("watch")
        if watched is None:
            return
        buyer, flow, step = watched
        event = bodies.state_change_event(
            "productOrderItemExpectedCompletionDateSet",
            "productOrder",
            order.id,
            order.state,
            self.now,
            self.next_id("event"),
            item=("orderItemId", item_id),
        )
        del event["event"]["state"]  # MEF's payload names the item; the buyer reads the new date
        self.publish(buyer, PRODUCT_ORDER_ITEM_EXPECTED_DATE_SET, event, flow=flow, step=step)

    def _changes(self, resource: Resource) -> list[dict[str, Any]]:
        """The order's ``modify`` and ``delete`` items (as the order body shows them)."""
        return [i for i in resource.body["productOrderItem"] if i["action"] != "add"]

    def finish(self, resource: Resource, outcome: str) -> None:
        """End an order the back office delivered: final state, products, announcement."""
        if outcome == "cancelled":
            self._end_changes(resource, completed=set())
            return  # the back office stopped for a cancellation, which ends the order itself
        before = snapshot(resource)
        self.move(resource, outcome)
        if outcome != "completed":
            self.note_reason(resource, outcome)
        buyer = str(resource.private["buyer"])
        done = {str(i["id"]) for i in resource.body["productOrderItem"] if i.get("state") == "completed"}
        for item in resource.body["productOrderItem"]:
            if item["action"] == "add" and str(item["id"]) in done:
                product = self.inventory.create(buyer, resource, item)
                resource.private.setdefault("products", []).append(product.id)
                # MEF: once the seller has assigned the product's id, the order shows it.
                item["product"] = dict(item.get("product") or {}, id=product.id)
        for item in resource.body["productOrderItem"]:
            item["completionDate"] = bodies.timestamp(self.now)  # MEF: set once every item has ended
        self._end_changes(resource, done)
        self.announce(resource, before, final=True)

    def _end_changes(self, resource: Resource, completed: set[str]) -> None:
        """Apply (or undo the pending status of) the products the order's change items name."""
        if not resource.private.get("changing"):
            return
        resource.private["changing"] = False
        buyer = str(resource.private["buyer"])
        for item in self._changes(resource):
            product_id = str(item["product"]["id"])
            self.inventory.end_change(buyer, product_id, resource, item, str(item["id"]) in completed)

    def move(self, resource: Resource, target: str) -> None:
        """Move an order and its unfinished items.

        ``partial``: each item ends as the back office reported it (``item_outcomes``); without a
        report the first item completes and the others fail.
        """
        resource.move(target, self.now)
        item_target = {
            "inProgress": "inProgress",
            "completed": "completed",
            "failed": "failed",
            "cancelled": "cancelled",
            "assessingCancellation": "pending",
            "held.assessingCharge": "held",
        }
        outcomes: Mapping[str, str] = resource.private.get("item_outcomes", {})
        for index, (item_id, item) in enumerate(resource.items.items()):
            wanted = item_target.get(target)
            if target == "partial":
                wanted = outcomes.get(item_id, "completed" if index == 0 else "failed")
            if target == "pendingCancellation":
                wanted = "cancelled"
            if wanted and item.state != wanted and item.machine.can(item.state, wanted):
                resource.move_item(item_id, wanted, self.now)

    def patch(self, msg: Message) -> None:
        params, body = split_params(msg.payload)
        resource = self.find(msg, str(param(params, "id")))
        check(body, {"type": "object"})
        if resource.state in FINAL:
            raise conflict(f"product order {resource.id} is {resource.state}; it can no longer be changed")
        for name in PATCHABLE:
            if name in body:
                resource.body[name] = body[name]
        self.reply(msg, 200, resource.body)

    # -- cancellation --------------------------------------------------------------------------

    def cancel(self, msg: Message) -> Generator[simpy.Event, Any, None]:
        """``createCancelProductOrder``: cancel an order that has not ended (see the module doc)."""
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
        self.reply(msg, 201, dict(request.body))
        before = snapshot(order)
        self.move(order, "assessingCancellation")
        self.announce(order, before, final=False, step=msg.step)
        denied = None
        if self.cancel_hook is not None:
            denied = yield from self.cancel_hook(msg, order)
        if denied is not None:
            request.body["cancellationDeniedReason"] = denied
            request.move("rejected", self.now)
            before = snapshot(order)
            self.move(order, "inProgress")
            self.announce(order, before, final=False, step=msg.step)
            self._publish_request(msg, request)
            if "outcome" in order.private:
                self.finish(order, str(order.private["outcome"]))
            return
        self._withdraw_charges(msg, order)
        for target in ("pendingCancellation", "cancelled"):
            before = snapshot(order)
            self.move(order, target)
            self.announce(order, before, final=target == "cancelled", step=msg.step)
        request.move("done", self.now)
        self._publish_request(msg, request)

    def _publish_request(self, msg: Message, request: Resource) -> None:
        self.publish(
            msg.src,
            CANCEL_PRODUCT_ORDER_STATE_CHANGE,
            bodies.state_change_event(
                "cancelProductOrderStateChangeEvent",
                "cancelProductOrder",
                request.id,
                request.state,
                self.now,
                self.next_id("event"),
            ),
            flow=msg.flow,
            step=msg.step,
        )

    # -- requested delivery date ---------------------------------------------------------------

    def modify_delivery_date(self, msg: Message) -> Generator[simpy.Event, Any, None]:
        """``createModifyProductOrderItemRequestedDeliveryDate``: an earlier-than-standard date is charged."""
        body = check(msg.payload, MODIFY_DATE_CREATE)
        ref = body["productOrderItem"]
        order = self.store(msg).get("productOrder", str(ref["productOrderId"]))
        if order is None:
            raise unprocessable(
                f"no product order {ref['productOrderId']}",
                "referenceNotFound",
                "/productOrderItem/productOrderId",
            )
        item_id = str(ref["productOrderItemId"])
        item = order.items.get(item_id)
        if item is None or item.state not in ("acknowledged", "inProgress", "held", "pending"):
            state = item.state if item is not None else "unknown"
            raise unprocessable(
                f"order item {item_id} is {state}; its date can no longer change",
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
                "creationDate": bodies.timestamp(self.now),
                "productOrderItem": dict(ref),
                "requestedCompletionDate": body["requestedCompletionDate"],
                "relatedContactInformation": body["relatedContactInformation"],
                **({"expediteIndicator": body["expediteIndicator"]} if "expediteIndicator" in body else {}),
            },
            Stateful(ident, CANCEL_PRODUCT_ORDER, self.now),
        )
        self.store(msg).add(request)
        self.reply(msg, 201, dict(request.body))
        shown = next(i for i in order.body["productOrderItem"] if str(i["id"]) == item_id)
        terms = self._expedite(order, shown, body["requestedCompletionDate"])
        if terms is not None and order.state == "inProgress" and item.state == "inProgress":
            request.move("inProgress.assessingCharge", self.now)
            self._publish_modify(msg, request)
            before = snapshot(order)
            order.move("pending.assessingModification", self.now)
            order.move_item(item_id, "pending", self.now)
            self.announce(order, before, final=False, step=msg.step)
            accepted = yield from self._charge(msg, order, shown, terms, blocking=True, modify=ident)
            if order.state != "pending.assessingModification":
                return
            before = snapshot(order)
            order.move("inProgress", self.now)
            order.move_item(item_id, "inProgress", self.now)
            if accepted:
                shown["requestedCompletionDate"] = body["requestedCompletionDate"]
                self.commit_date(shown, body["requestedCompletionDate"])
                shown["expediteAcceptedIndicator"] = True
            request.move("done" if accepted else "done.declined", self.now)
            self.announce(order, before, final=False, step=msg.step)
            if accepted:
                self._publish_expected(order, item_id)
            self._publish_modify(msg, request)
            if "outcome" in order.private:
                self.finish(order, str(order.private["outcome"]))
            elif accepted and self.date_hook is not None:
                self.date_hook(msg, order, item_id)
            return
        shown["requestedCompletionDate"] = body["requestedCompletionDate"]
        self.commit_date(shown, body["requestedCompletionDate"])  # the new commitment
        request.move("done", self.now)
        self._publish_modify(msg, request)
        self._publish_expected(order, item_id)
        if self.date_hook is not None and order.state not in FINAL:
            self.date_hook(msg, order, item_id)

    def _publish_modify(self, msg: Message, request: Resource) -> None:
        self.publish(
            msg.src,
            MODIFY_DELIVERY_DATE_STATE_CHANGE,
            bodies.state_change_event(
                "modifyProductOrderItemRequestedDeliveryDateStateChangeEvent",
                "modifyProductOrderItemRequestedDeliveryDate",
                request.id,
                request.state,
                self.now,
                self.next_id("event"),
            ),
            flow=msg.flow,
            step=msg.step,
        )

    # -- charges (none are raised) and generic list/retrieve -----------------------------------

    def _terms(self, item: Mapping[str, Any]) -> Mapping[str, Any]:
        offering = item.get("product", {}).get("productOffering", {}).get("id")
        return self.offerings.get(str(offering), {})

    def _standard_date(self, order: Resource, terms: Mapping[str, Any]) -> float:
        return bodies.seconds(order.body["orderDate"]) + float(terms.get("standard_interval", 2_592_000.0))

    def _expedite(self, order: Resource, item: Mapping[str, Any], date: Any) -> Mapping[str, Any] | None:
        """The offering terms when ``date`` is before the item's standard delivery date, else None."""
        if not isinstance(date, str):
            return None
        terms = self._terms(item)
        try:
            wanted = bodies.seconds(date)
        except ValueError:
            return None
        return terms if wanted < self._standard_date(order, terms) else None

    def _charge(
        self,
        msg: Message,
        order: Resource,
        item: Mapping[str, Any],
        terms: Mapping[str, Any],
        *,
        blocking: bool,
        modify: str | None = None,
    ) -> Generator[simpy.Event, Any, bool]:
        """Raise an expedite charge on ``item``; True when the buyer accepted it before it was due."""
        ident = self.next_id("charge")
        due = self.now + float(terms.get("charge_response", 259_200.0))
        ref = {
            "productOrderId": order.id,
            "productOrderHref": f"/productOrder/{order.id}",
            "productOrderItemId": str(item["id"]),
        }
        price = float(terms.get("expedite_price", 500.0))
        charge = Resource(
            "charge",
            ident,
            bodies.charge(ident, self.now, due, price, blocking=blocking, item=ref, modify=modify),
            Stateful(ident, CHARGE, self.now),
        )
        answered = self.actor.env.event()
        charge.private["answered"] = answered
        charge.private["order"] = order.id
        self.store(msg).add(charge)
        order.private.setdefault("charges", []).append(ident)
        flow = order.private.get("watch", (msg.src, msg.flow, msg.step))[1]
        event = bodies.charge_event("chargeCreateEvent", ident, self.now, self.next_id("event"))
        self.publish(msg.src, CHARGE_CREATE, event, flow=flow, step=CHARGE_STEP)
        result = yield answered | self.actor.env.timeout(due - self.now)
        if answered not in result:
            charge.move("timeout", self.now)
            for line in charge.body["chargeItem"]:
                line["state"] = "declinedByBuyer"
            event = bodies.charge_event("chargeStateChangeEvent", ident, self.now, self.next_id("event"))
            self.publish(msg.src, CHARGE_STATE_CHANGE, event, flow=flow, step=CHARGE_STEP)
            return False
        accepted = bool(result[answered])
        if accepted:
            for shown in order.body["productOrderItem"]:
                if shown["id"] == item["id"]:
                    shown.setdefault("charge", []).append({"id": ident, "href": f"/charge/{ident}"})
        return accepted

    def patch_charge(self, msg: Message) -> None:
        """``patchCharge``: the buyer accepts or rejects the items of a charge awaiting its answer."""
        params, body = split_params(msg.payload)
        ident = str(param(params, "id"))
        charge = self.store(msg).get("charge", ident)
        if charge is None:
            raise not_found("charge", ident)
        check(body, CHARGE_PATCH)
        if charge.state != "awaitingResponse":
            raise conflict(f"charge {ident} is {charge.state}; it no longer takes an answer")
        lines = {str(line["id"]): line for line in charge.body["chargeItem"]}
        answers = {str(a["id"]): str(a["acceptanceIndicator"]) for a in body["chargeItem"]}
        if set(answers) != set(lines):
            raise unprocessable(
                f"answer each item of charge {ident} ({', '.join(sorted(lines))})",
                "invalidValue",
                "/chargeItem",
            )
        for line_id, indicator in answers.items():
            lines[line_id]["acceptanceIndicator"] = indicator
            lines[line_id]["state"] = "acceptedByBuyer" if indicator == "accepted" else "declinedByBuyer"
        charge.move("completed", self.now)
        self.reply(msg, 200, charge.body)
        event = bodies.charge_event("chargeStateChangeEvent", ident, self.now, self.next_id("event"))
        self.publish(msg.src, CHARGE_STATE_CHANGE, event, flow=msg.flow, step=msg.step)
        answered: simpy.Event = charge.private["answered"]
        if not answered.triggered:
            answered.succeed(all(v == "accepted" for v in answers.values()))

    def _withdraw_charges(self, msg: Message, order: Resource) -> None:
        """A cancelled order's charges still awaiting an answer are withdrawn by the seller."""
        for ident in order.private.get("charges", []):
            charge = self.store(msg).get("charge", ident)
            if charge is None or charge.state != "awaitingResponse":
                continue
            charge.move("withdrawnBySeller", self.now)
            for line in charge.body["chargeItem"]:
                line["state"] = "withdrawnBySeller"
            event = bodies.charge_event("chargeStateChangeEvent", ident, self.now, self.next_id("event"))
            self.publish(msg.src, CHARGE_STATE_CHANGE, event, flow=msg.flow, step=msg.step)
            answered: simpy.Event = charge.private["answered"]
            if not answered.triggered:
                answered.succeed(False)

    def _lister(self, kind: str, by_order: bool = False) -> ApiHandler:
        filters = {"state": field("state")}
        if by_order:  # MEF's productOrderId parameter (charges refer to their order's item)
            filters["productOrderId"] = lambda item: item.get("productOrderItem", {}).get("productOrderId")

        def handler(msg: Message) -> None:
            items = (r.body for r in self.store(msg).each(kind))
            self.reply(msg, 200, page(items, msg.payload, filters))

        return handler

    def _retriever(self, kind: str) -> ApiHandler:
        def handler(msg: Message) -> None:
            ident = str(param(msg.payload, "id"))
            resource = self.store(msg).get(kind, ident)
            if resource is None:
                raise not_found(kind, ident, self.state.retention)
            self.reply(msg, 200, resource.body)

        return handler
