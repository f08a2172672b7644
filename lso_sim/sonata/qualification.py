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
from lso_sim.lifecycle.machines import PRODUCT_OFFERING_QUALIFICATION, PRODUCT_OFFERING_QUALIFICATION_ITEM
from lso_sim.messages import bodies
from lso_sim.messages.envelope import Message
from lso_sim.messages.operations import (
    CREATE_POQ,
    LIST_POQ,
    RETRIEVE_POQ,
    Operation,
)
from lso_sim.sonata.api import ApiHandler, snapshot
from lso_sim.sonata.checks import PLACE_REFS, Schema, check
from lso_sim.sonata.lifecycle import LifecycleApi
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


class QualificationApi(LifecycleApi):
    """POQ of one seller; ``event_step`` is the MEF step its notifications realise in the thread."""

    api = "productOfferingQualificationManagement"
    kind = "productOfferingQualification"
    prefix = "poq"
    machine = PRODUCT_OFFERING_QUALIFICATION
    item_machine = PRODUCT_OFFERING_QUALIFICATION_ITEM
    item_key = "productOfferingQualificationItem"
    summary_fields = ("id", "href", "state", "instantSyncQualification")

    def __init__(self, actor: RoleActor, assess: Assess = _instant_assess, event_step: str = "-") -> None:
        super().__init__(actor)
        self.assess = assess
        self.event_step = event_step
        # A purged qualification can no longer be cited by a quote (BUS waits on ``poq:ID`` only
        # for one its store still has): its signal, which carries the design, goes with it.
        self.state.forget[self.kind] = lambda poq: actor.waiting.drop(f"poq:{poq.id}")

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
        admission = self.admitted(msg, body)
        resource = self.create_resource(
            msg,
            admission.request,
            lambda ident: bodies.poq(ident, body, "acknowledged", "acknowledged", self.now),
        )
        if admission.refusal is not None:
            resource.private["refusal"] = admission.refusal
        ident = resource.id
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
        if not ready:
            self.note_reason(resource, final)
        for item in resource.items:
            resource.move_item(item, final, self.now)
            for shown in resource.body["productOfferingQualificationItem"]:
                if shown["id"] == item:
                    shown["serviceabilityConfidence"] = "green" if ready else "red"


    def _guarded_assess(self, msg: Message, resource: Resource) -> Generator[simpy.Event, Any, bool]:
        if "refusal" in resource.private:  # admission found the request cannot be served as it is
            resource.private["reason"] = resource.private["refusal"]
            return False
        return (yield from self.guarded(resource, self.assess(msg, resource), False))
