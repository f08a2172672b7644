"""The seller side of MEF's billing API (billingManagement): bills and bill items, per buyer.

BUS-sp bills Customers over CANTATA; BUS-partner bills BUS-sp over SONATA. Bills move
``generated`` -> ``paymentDue`` -> ``settled`` (MEF's bill states); each new bill and each state
change is posted to the buyer's hub (``billingNotification``). Rating itself is the thread's
business (:mod:`lso_sim.threads.billing`): it hands finished bills to :meth:`BillingDesk.issue`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lso_sim.actors.roles import RoleActor
from lso_sim.lifecycle.state_machine import Stateful, StateMachine, machine
from lso_sim.messages import billing_bodies as bb
from lso_sim.messages.bodies import timestamp
from lso_sim.messages.envelope import Flow, Message
from lso_sim.messages.operations import (
    BILL_CREATE,
    BILL_STATE_CHANGE,
    LIST_CUSTOMER_BILL,
    RETRIEVE_CUSTOMER_BILL,
    RETRIEVE_CUSTOMER_BILL_ITEM,
    Operation,
)
from lso_sim.sonata.api import ApiHandler, SellerApi
from lso_sim.sonata.checks import int_param, param
from lso_sim.sonata.errors import bad_request, not_found
from lso_sim.sonata.store import Resource

CUSTOMER_BILL: StateMachine = machine(
    "customerBill", "generated", {"generated": "paymentDue", "paymentDue": "settled"}
)
"""MEF's bill states."""

_STATES = ("generated", "paymentDue", "settled")
_CATEGORIES = ("normal", "duplicate", "trial")


class BillingDesk(SellerApi):
    """A seller's bills and bill items, kept per buyer."""

    api = "billingManagement"

    def routes(self) -> dict[Operation, ApiHandler]:
        """The API's operations (the framework adds the hub's)."""
        return {
            LIST_CUSTOMER_BILL: self.list,
            RETRIEVE_CUSTOMER_BILL: self.retrieve,
            RETRIEVE_CUSTOMER_BILL_ITEM: self.retrieve_item,
        }

    # -- for the thread ------------------------------------------------------------------------

    def issue(
        self, buyer: str, body: dict[str, Any], items: Sequence[dict[str, Any]], *, flow: Flow, step: str
    ) -> str:
        """Keep a new bill (body built by :func:`lso_sim.messages.billing_bodies.bill`) and announce it."""
        store = self.state.buyer(buyer)
        entity = Stateful(body["id"], CUSTOMER_BILL, self.now)
        store.add(Resource("customerBill", body["id"], body, entity, private={"flow": flow}))
        for item in items:
            store.add(Resource("customerBillItem", item["id"], item))
        self._announce(buyer, body["id"], BILL_CREATE, "customerBillCreateEvent", flow, step)
        return str(body["id"])

    def move(self, buyer: str, bill_id: str, state: str, *, step: str) -> None:
        """Move a bill (``paymentDue``, ``settled``) and tell the buyer."""
        resource = self.state.buyer(buyer).get("customerBill", bill_id)
        if resource is None:
            raise not_found("customerBill", bill_id)
        resource.move(state, self.now)
        resource.body["lastUpdate"] = timestamp(self.now)
        self._announce(
            buyer, bill_id, BILL_STATE_CHANGE, "customerBillStateChangeEvent", resource.private["flow"], step
        )

    def next_bill_id(self) -> str:
        """A new bill id of this seller."""
        return self.next_id("bill")

    # -- handlers ------------------------------------------------------------------------------

    def list(self, msg: Message) -> None:
        state = param(msg.payload, "state", required=False)
        category = param(msg.payload, "category", required=False)
        if state is not None and state not in _STATES:
            raise bad_request(f"state must be one of {', '.join(_STATES)}", "invalidQuery")
        if category is not None and category not in _CATEGORIES:
            raise bad_request(f"category must be one of {', '.join(_CATEGORIES)}", "invalidQuery")
        offset, limit = int_param(msg.payload, "offset", 0), int_param(msg.payload, "limit", 10)
        bills = [
            bb.bill_find(r.body)
            for r in self.store(msg).each("customerBill")
            if (state is None or r.state == state) and (category is None or r.body["category"] == category)
        ]
        self.reply(msg, 200, bills[offset : offset + limit])

    def retrieve(self, msg: Message) -> None:
        ident = str(param(msg.payload, "id"))
        resource = self.store(msg).get("customerBill", ident)
        if resource is None:
            raise not_found("customerBill", ident)
        self.reply(msg, 200, [resource.body])

    def retrieve_item(self, msg: Message) -> None:
        ident = str(param(msg.payload, "id"))
        resource = self.store(msg).get("customerBillItem", ident)
        if resource is None:
            raise not_found("customerBillItem", ident)
        self.reply(msg, 200, [resource.body])

    def _announce(
        self, buyer: str, bill_id: str, op: Operation, event_type: str, flow: Flow, step: str
    ) -> None:
        self.publish(
            buyer,
            op,
            bb.event(event_type, bill_id, self.now, self.next_id("event"), buyer),
            flow=flow,
            step=step,
        )


def install(actor: RoleActor) -> BillingDesk:
    """Install the billing API on a seller actor and return it."""
    desk = BillingDesk(actor)
    desk.install()
    return desk
