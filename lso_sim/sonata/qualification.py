"""productOfferingQualificationManagement: can the seller deliver this product at these places?

A qualification starts ``acknowledged``. With ``instantSyncQualification`` the seller assesses
before answering and the 201 carries the final state (``done.ready`` or ``done.unableToProvide``);
otherwise the 201 says ``acknowledged``, the qualification goes ``inProgress`` and the buyer hears
the final state through ``poqStateChangeEvent`` (or reads it with
``retrieveProductOfferingQualification``). How the seller assesses is its back office: the
``assess`` callable given by the thread (10.2: SOF serviceability checks and partner POQs).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import simpy

from lso_sim.actors.roles import RoleActor
from lso_sim.errors import LsoSimError
from lso_sim.lifecycle.machines import PRODUCT_OFFERING_QUALIFICATION, PRODUCT_OFFERING_QUALIFICATION_ITEM
from lso_sim.lifecycle.state_machine import Stateful
from lso_sim.messages import bodies
from lso_sim.messages.envelope import Message
from lso_sim.messages.operations import (
    CREATE_POQ,
    LIST_POQ,
    RETRIEVE_POQ,
    Operation,
)
from lso_sim.sonata.api import ApiHandler, SellerApi, snapshot
from lso_sim.sonata.checks import PLACE_REFS, Schema, check, param
from lso_sim.sonata.errors import not_found
from lso_sim.sonata.listing import field, page, summary
from lso_sim.sonata.store import Resource

Assess = Callable[[Message, Resource], Generator[simpy.Event, Any, bool]]
"""Back office: decide whether a qualification's items can be delivered (True: ``done.ready``)."""

_PRODUCT_REF: Schema = {
    "type": "object",
    "properties": {"productOffering": {"type": "object", "required": ["id"]}, "place": PLACE_REFS},
}
POQ_CREATE: Schema = {
    "type": "object",
    "required": ["productOfferingQualificationItem"],
    "properties": {
        "instantSyncQualification": {"type": "boolean"},
        "relatedContactInformation": {"type": "array"},
        "productOfferingQualificationItem": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "action"],
                "properties": {
                    "id": {"type": "string"},
                    "action": {"type": "string", "enum": ["add", "modify", "delete"]},
                    "product": _PRODUCT_REF,
                },
            },
        },
    },
}


def _instant_assess(msg: Message, resource: Resource) -> Generator[simpy.Event, Any, bool]:
    return True
    yield  # pragma: no cover - makes this a generator


class QualificationApi(SellerApi):
    """POQ of one seller; ``event_step`` is the MEF step its notifications realise in the thread."""

    api = "productOfferingQualificationManagement"

    def __init__(self, actor: RoleActor, assess: Assess = _instant_assess, event_step: str = "-") -> None:
        super().__init__(actor)
        self.assess = assess
        self.event_step = event_step

    def routes(self) -> dict[Operation, ApiHandler]:
        return {
            CREATE_POQ: self.create,
            LIST_POQ: self.list,
            RETRIEVE_POQ: self.retrieve,
        }

    def create(self, msg: Message) -> Generator[simpy.Event, Any, None]:
        body = check(msg.payload, POQ_CREATE)
        if "relatedContactInformation" not in body:
            body = dict(body, relatedContactInformation=[])
        ident = self.next_id("poq")
        resource = Resource(
            "productOfferingQualification",
            ident,
            bodies.poq(ident, body, "acknowledged", "acknowledged", self.now),
            Stateful(ident, PRODUCT_OFFERING_QUALIFICATION, self.now),
        )
        resource.add_items(PRODUCT_OFFERING_QUALIFICATION_ITEM, self.now, "productOfferingQualificationItem")
        resource.private["request"] = body
        self.store(msg).add(resource)
        if body.get("instantSyncQualification"):
            ready = yield from self._guarded_assess(msg, resource)
            self._conclude(resource, ready)
            self.actor.waiting.fire(f"poq:{ident}", resource.private.get("design"))  # quotes may cite it
            self.reply(msg, 201, resource.body)
            return
        self.reply(msg, 201, dict(resource.body))
        self.watch(resource, msg)
        before = snapshot(resource)
        self._progress(resource)
        self.announce(resource, before, final=False)
        ready = yield from self._guarded_assess(msg, resource)
        before = snapshot(resource)
        self._conclude(resource, ready)
        self.actor.waiting.fire(f"poq:{ident}", resource.private.get("design"))
        self.announce(resource, before, final=True)

    def _progress(self, resource: Resource) -> None:
        resource.move("inProgress", self.now)
        for item in resource.items:
            resource.move_item(item, "inProgress", self.now)

    def _conclude(self, resource: Resource, ready: bool) -> None:
        final = "done.ready" if ready else "done.unableToProvide"
        resource.move(final, self.now)
        reason = resource.private.get("reason")
        if not ready and reason:  # MEF: the state change log carries the seller's comment
            change = {"state": final, "changeDate": bodies.timestamp(self.now), "changeReason": str(reason)}
            resource.body.setdefault("stateChange", []).append(change)
        for item in resource.items:
            resource.move_item(item, final, self.now)
            for shown in resource.body["productOfferingQualificationItem"]:
                if shown["id"] == item:
                    shown["serviceabilityConfidence"] = "green" if ready else "red"


    def _guarded_assess(self, msg: Message, resource: Resource) -> Generator[simpy.Event, Any, bool]:
        """Run the back office; when it gives up (a request got no answer), the answer is negative
        with that reason, instead of the resource staying ``inProgress`` forever."""
        try:
            return (yield from self.assess(msg, resource))
        except LsoSimError as exc:
            resource.private.setdefault("reason", str(exc))
            return False

    def list(self, msg: Message) -> None:
        items = (
            summary(r.body, ("id", "href", "state", "instantSyncQualification"))
            for r in self.store(msg).each("productOfferingQualification")
        )
        self.reply(msg, 200, page(items, msg.payload, {"state": field("state")}))

    def retrieve(self, msg: Message) -> None:
        ident = str(param(msg.payload, "id"))
        resource = self.store(msg).get("productOfferingQualification", ident)
        if resource is None:
            raise not_found("productOfferingQualification", ident)
        self.reply(msg, 200, resource.body)
