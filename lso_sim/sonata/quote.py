"""quoteManagement: quotes with MEF quote and quote-item states, instant or deferred.

``instantSyncQuote`` asks for an answer in the response: the seller prices before answering and
the 201 carries ``approved.orderable`` (or ``unableToProvide``). Otherwise the 201 says
``acknowledged``, the quote goes ``inProgress`` and the buyer hears the outcome through
``listenToQuoteStateChangeEvent`` (or reads it). The buyer may ``cancelQuote`` a quote still in
progress (-> ``cancelled``) and ``rejectQuote`` an approved one (-> ``declined``); any other state
gets the MEF 422. A product order accepting the quote moves it to ``accepted``. Pricing is the
back office's ``price`` callable (``None``: unable to provide).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import simpy

from lso_sim.actors.roles import RoleActor
from lso_sim.errors import LsoSimError
from lso_sim.lifecycle.machines import QUOTE, QUOTE_ITEM
from lso_sim.lifecycle.state_machine import Stateful
from lso_sim.messages import bodies
from lso_sim.messages.envelope import Message
from lso_sim.messages.operations import (
    CANCEL_QUOTE,
    CREATE_QUOTE,
    LIST_QUOTE,
    REJECT_QUOTE,
    RETRIEVE_QUOTE,
    Operation,
)
from lso_sim.sonata.api import ApiHandler, SellerApi, snapshot
from lso_sim.sonata.checks import PRODUCT_WITH_PLACES, Schema, check, param
from lso_sim.sonata.errors import not_found, unprocessable
from lso_sim.sonata.listing import field, page, summary
from lso_sim.sonata.store import Resource

Price = Callable[[Message, Resource], Generator[simpy.Event, Any, float | None]]
"""Back office: the monthly price of a quote, or ``None`` when the seller cannot provide it."""

QUOTE_CREATE: Schema = {
    "type": "object",
    "required": ["quoteItem", "relatedContactInformation"],
    "properties": {
        "instantSyncQuote": {"type": "boolean"},
        "relatedContactInformation": {"type": "array"},
        "quoteItem": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "action"],
                "properties": {
                    "id": {"type": "string"},
                    "action": {"type": "string", "enum": ["add", "modify", "delete"]},
                    "product": PRODUCT_WITH_PLACES,
                },
            },
        },
    },
}
QUOTE_OPERATION: Schema = {
    "type": "object",
    "required": ["quoteId"],
    "properties": {"quoteId": {"type": "string"}, "reason": {"type": "string"}},
}

APPROVED = ("approved.orderable", "approved.orderableAlternate")
ITEM_STATE_OF: dict[str, str | None] = {
    "accepted": "approved.orderable",
    "declined": None,
    "cancelled": "abandoned",
}
"""Quote state -> its items' state where MEF's item states differ (``None``: the items keep theirs)."""


class QuoteApi(SellerApi):
    """Quotes of one seller; ``event_step`` is the MEF step its notifications realise."""

    api = "quoteManagement"

    def __init__(self, actor: RoleActor, price: Price, event_step: str = "-") -> None:
        super().__init__(actor)
        self.price = price
        self.event_step = event_step

    def routes(self) -> dict[Operation, ApiHandler]:
        return {
            CREATE_QUOTE: self.create,
            LIST_QUOTE: self.list,
            RETRIEVE_QUOTE: self.retrieve,
            CANCEL_QUOTE: self.cancel,
            REJECT_QUOTE: self.reject,
        }

    def create(self, msg: Message) -> Generator[simpy.Event, Any, None]:
        body = check(msg.payload, QUOTE_CREATE)
        ident = self.next_id("quote")
        resource = Resource(
            "quote",
            ident,
            bodies.quote(ident, body, "acknowledged", self.now, None),
            Stateful(ident, QUOTE, self.now),
        )
        resource.add_items(QUOTE_ITEM, self.now, "quoteItem")
        resource.private["request"] = body
        self.store(msg).add(resource)
        if body.get("instantSyncQuote"):
            monthly = yield from self._guarded_price(msg, resource)
            self._conclude(resource, monthly)
            self.reply(msg, 201, resource.body)
            return
        self.reply(
            msg, 201, dict(resource.body, quoteItem=[dict(i) for i in resource.body["quoteItem"]])
        )
        self.watch(resource, msg)
        before = snapshot(resource)
        self.move(resource, "inProgress")
        self.announce(resource, before, final=False)
        monthly = yield from self._guarded_price(msg, resource)
        if resource.state != "inProgress":
            return  # cancelled by the buyer meanwhile: the price is not given
        before = snapshot(resource)
        self._conclude(resource, monthly)
        self.announce(resource, before, final=True)


    def _guarded_price(self, msg: Message, resource: Resource) -> Generator[simpy.Event, Any, float | None]:
        """Run the back office; when it gives up (a request got no answer), the answer is negative
        with that reason, instead of the resource staying ``inProgress`` forever."""
        try:
            return (yield from self.price(msg, resource))
        except LsoSimError as exc:
            resource.private.setdefault("reason", str(exc))
            return None

    def move(self, resource: Resource, target: str) -> None:
        """Move a quote and its items (items of a priced quote show ``approved.orderable``)."""
        resource.move(target, self.now)
        item_state = ITEM_STATE_OF.get(target, target)
        for item in resource.items:
            if item_state is not None and resource.items[item].state != item_state:
                resource.move_item(item, item_state, self.now)

    def _conclude(self, resource: Resource, monthly: float | None) -> None:
        if monthly is None:
            self.move(resource, "unableToProvide")
            reason = resource.private.get("reason")
            if reason:
                change = {"state": "unableToProvide", "changeDate": bodies.timestamp(self.now)}
                resource.body.setdefault("stateChange", []).append(dict(change, changeReason=reason))
            return
        resource.private["monthly"] = monthly
        priced = bodies.quote(
            resource.id, resource.private["request"], "approved.orderable", self.now, monthly
        )
        resource.body["quoteItem"] = priced["quoteItem"]
        self.move(resource, "approved.orderable")

    def list(self, msg: Message) -> None:
        items = (
            summary(r.body, ("id", "href", "state", "quoteDate", "instantSyncQuote"))
            for r in self.store(msg).each("quote")
        )
        self.reply(msg, 200, page(items, msg.payload, {"state": field("state")}))

    def _find(self, msg: Message, ident: str) -> Resource:
        resource = self.store(msg).get("quote", ident)
        if resource is None:
            raise not_found("quote", ident)
        return resource

    def retrieve(self, msg: Message) -> None:
        self.reply(msg, 200, self._find(msg, str(param(msg.payload, "id"))).body)

    def _operate(self, msg: Message, allowed: tuple[str, ...], target: str) -> None:
        body = check(msg.payload, QUOTE_OPERATION)
        ident = str(body["quoteId"])
        resource = self._find(msg, ident)
        if resource.state not in allowed:
            raise unprocessable(
                f"quote {ident} is {resource.state}; only {' or '.join(allowed)} allows {target}",
                "invalidValue",
                "/quoteId",
            )
        before = snapshot(resource)
        self.move(resource, target)
        self.reply(msg, 200, dict(body))
        if "watch" not in resource.private:
            self.watch(resource, msg)  # an instant quote: its buyer hears of the change from now on
        self.announce(resource, before, final=True, step=msg.step)

    def cancel(self, msg: Message) -> None:
        """``cancelQuote``: withdraw a quote still being prepared."""
        self._operate(msg, ("acknowledged", "inProgress", "inProgress.draft"), "cancelled")

    def reject(self, msg: Message) -> None:
        """``rejectQuote``: decline an approved quote."""
        self._operate(msg, APPROVED, "declined")

    def accept(self, buyer: str, ident: str, msg: Message | None = None) -> Resource:
        """Accept an approved quote for a product order.

        Raises:
            ApiError: 422 when the quote is unknown to this buyer or not orderable.
        """
        resource = self.state.buyer(buyer).get("quote", ident)
        if resource is None:
            raise unprocessable(
                f"no quote {ident}", "referenceNotFound", "/productOrderItem/0/quoteItem/quoteId"
            )
        if resource.state not in APPROVED:
            raise unprocessable(
                f"quote {ident} is {resource.state}, not orderable",
                "invalidValue",
                "/productOrderItem/0/quoteItem/quoteId",
            )
        before = snapshot(resource)
        self.move(resource, "accepted")
        if msg is not None:
            self.announce(resource, before, final=True, step=msg.step)
        return resource
