"""One resource lifecycle for the sellers' stateful resources: POQs, quotes and product orders.

MEF's qualification, quote and order APIs follow the same pattern: a create request is checked,
the seller gives the resource an id and a state machine (one more per item, all starting in their
initial state), keeps it in the buyer's store, answers, then moves it through its states while
its back office works, telling the buyer through its hub. Retrieve and list read the buyer's
store only. :class:`LifecycleApi` holds that pattern once, so the three APIs differ only in what
their back office does and which states they end in; an HTTP front end (``lso-sim serve``) then
sees the same validation and the same answers whichever API it exposes.

A subclass sets :attr:`LifecycleApi.kind` (MEF's resource name), :attr:`~LifecycleApi.prefix`
(of its ids), the two machines, :attr:`~LifecycleApi.item_key` and what a list shows
(:attr:`~LifecycleApi.summary_fields`, :attr:`~LifecycleApi.list_filters`).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from typing import Any, ClassVar, TypeVar

import simpy

from lso_sim.errors import LsoSimError
from lso_sim.lifecycle.state_machine import Stateful, StateMachine
from lso_sim.messages import bodies
from lso_sim.messages.envelope import Message
from lso_sim.sonata.admission import Admission, Admit
from lso_sim.sonata.api import SellerApi
from lso_sim.sonata.checks import param
from lso_sim.sonata.errors import not_found
from lso_sim.sonata.listing import field, page, summary
from lso_sim.sonata.store import Resource

T = TypeVar("T")


class LifecycleApi(SellerApi):
    """A seller API whose main resource has a state machine and items with their own."""

    kind: ClassVar[str] = ""
    """MEF's resource name (``productOrder``...), the store's kind and the 404's wording."""
    prefix: ClassVar[str] = ""
    """Prefix of the ids the seller gives (``order-<seller>-<n>``)."""
    machine: ClassVar[StateMachine]
    item_machine: ClassVar[StateMachine]
    item_key: ClassVar[str] = ""
    """The body's list of items (``productOrderItem``...)."""
    summary_fields: ClassVar[tuple[str, ...]] = ("id", "href", "state")
    """What a list operation shows of each resource (MEF's ``*_Find`` schemas)."""
    list_filters: ClassVar[tuple[str, ...]] = ("state",)
    """Top-level fields a list operation filters on (query parameters of the same names)."""
    admit: Admit | None = None
    """The back office's admission of create requests (:mod:`lso_sim.sonata.admission`)."""

    def admitted(self, msg: Message, body: Mapping[str, Any]) -> Admission:
        """What the back office will work on; ``body`` itself when no admission is installed."""
        return Admission(body) if self.admit is None else self.admit(msg, body, self.item_key)

    def create_resource(
        self, msg: Message, request: Mapping[str, Any], build: Callable[[str], dict[str, Any]]
    ) -> Resource:
        """A new resource for the buyer of ``msg``: id, MEF body (``build(id)``), machines, store.

        ``private["request"]`` keeps the request as checked, for the back office.
        """
        ident = self.next_id(self.prefix)
        resource = Resource(self.kind, ident, build(ident), Stateful(ident, self.machine, self.now))
        resource.add_items(self.item_machine, self.now, self.item_key)
        resource.private["request"] = request
        self.store(msg).add(resource)
        return resource

    def find(self, msg: Message, ident: str) -> Resource:
        """The buyer's resource ``ident``.

        Raises:
            ApiError: 404 when this buyer has none (another buyer's is not found either).
        """
        resource = self.store(msg).get(self.kind, ident)
        if resource is None:
            raise not_found(self.kind, ident, self.state.retention)
        return resource

    def retrieve(self, msg: Message) -> None:
        """``retrieve*``: the full representation, as it is now."""
        self.reply(msg, 200, self.find(msg, str(param(msg.payload, "id"))).body)

    def list(self, msg: Message) -> None:
        """``list*``: the buyer's resources, summarised, filtered and paged."""
        items = (summary(r.body, self.summary_fields) for r in self.store(msg).each(self.kind))
        self.reply(msg, 200, page(items, msg.payload, {name: field(name) for name in self.list_filters}))

    def guarded(
        self, resource: Resource, work: Generator[simpy.Event, Any, T], gave_up: T
    ) -> Generator[simpy.Event, Any, T]:
        """Run the back office's ``work``; when it gives up (a request got no answer), return
        ``gave_up`` and keep the reason, instead of leaving the resource ``inProgress`` forever."""
        try:
            return (yield from work)
        except LsoSimError as exc:
            resource.private.setdefault("reason", str(exc))
            return gave_up

    def note_reason(self, resource: Resource, state: str) -> None:
        """MEF: the state change log carries the seller's comment when a resource ends badly."""
        reason = resource.private.get("reason")
        if reason:
            change = {"state": state, "changeDate": bodies.timestamp(self.now), "changeReason": str(reason)}
            resource.body.setdefault("stateChange", []).append(change)


__all__ = ["LifecycleApi"]
