"""Per-buyer resource stores of a seller, and deterministic id allocation.

A seller (BUS-sp towards customers over CANTATA, BUS-partner towards BUS-sp over SONATA) keeps
every resource it creates in the store of the buyer that asked for it: ``SellerState.buyer(id)``.
Look-ups go through that store only, so a buyer asking for another buyer's order gets the same
404 as for an order that does not exist (MEF sellers must not reveal other buyers' resources).

A :class:`Resource` holds the MEF representation the seller answers with (``body``: plain JSON,
exactly what the definitions define), the state machine it moves through (``entity``) and, for
resources with items, one state machine per item. ``private`` is the seller's own bookkeeping
(designs, prices, links to its fulfilment) that never goes on the wire.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lso_sim.lifecycle.state_machine import Stateful, StateMachine


@dataclass(slots=True)
class Resource:
    """One MEF resource kept by a seller for one buyer.

    Attributes:
        kind: resource name as in the MEF path (``productOrder``, ``quote``...).
        id: the seller-assigned id.
        body: the MEF representation (JSON) the seller answers with; ``state`` fields are kept in
            step with ``entity`` and ``items`` by :meth:`move` and :meth:`move_item`.
        entity: the resource's state machine, or ``None`` for stateless resources (addresses).
        items: state machines of the items, by item id; ``item_key`` names the body's item list.
        private: the seller's bookkeeping, never sent.
    """

    kind: str
    id: str
    body: dict[str, Any]
    entity: Stateful | None = None
    items: dict[str, Stateful] = field(default_factory=dict)
    item_key: str | None = None
    private: dict[str, Any] = field(default_factory=dict)

    @property
    def state(self) -> str:
        """Current state ('' for a stateless resource)."""
        return self.entity.state if self.entity is not None else ""

    def move(self, target: str, now: float, field_name: str = "state") -> None:
        """Move the resource to ``target`` (checked by its machine) and show it in ``body``.

        Raises:
            ProtocolError: the machine does not allow the move.
        """
        assert self.entity is not None, f"{self.kind} {self.id} has no state machine"
        self.entity.move(target, now)
        self.body[field_name] = target

    def move_item(self, item_id: str, target: str, now: float) -> None:
        """Move one item to ``target`` and show it in the body's item list."""
        self.items[item_id].move(target, now)
        for item in self.body.get(self.item_key or "", []):
            if item.get("id") == item_id:
                item["state"] = target

    def add_items(self, machine: StateMachine, now: float, key: str) -> None:
        """Give every item of ``body[key]`` its own state machine, starting in its initial state."""
        self.item_key = key
        for item in self.body.get(key, []):
            entity = Stateful(f"{self.id}/{item['id']}", machine, now)
            self.items[str(item["id"])] = entity
            item["state"] = entity.state


class BuyerResources:
    """The resources of one buyer, by kind then id, in creation order."""

    def __init__(self) -> None:
        self._by_kind: dict[str, dict[str, Resource]] = {}
        self._rank: dict[tuple[str, str], int] = {}
        """(kind, id) -> position in creation order, to list tagged resources oldest first."""
        self._tags: dict[tuple[str, str], dict[str, Resource]] = {}

    def add(self, resource: Resource) -> Resource:
        """Keep ``resource`` (its id must be new for its kind)."""
        kind = self._by_kind.setdefault(resource.kind, {})
        if resource.id in kind:
            raise ValueError(f"{resource.kind} {resource.id} already exists")
        kind[resource.id] = resource
        self._rank[(resource.kind, resource.id)] = len(self._rank)
        return resource

    def tag(self, resource: Resource, key: str) -> None:
        """File a kept ``resource`` under ``key`` as well (say, the id of an order that touched it).

        A list filtered on such a key then costs its answer, not the buyer's whole history: a
        run of a year of orders keeps tens of thousands of products per buyer.
        """
        self._tags.setdefault((resource.kind, key), {})[resource.id] = resource

    def tagged(self, kind: str, key: str) -> list[Resource]:
        """The buyer's resources of ``kind`` filed under ``key``, oldest first."""
        found = self._tags.get((kind, key), {}).values()
        return sorted(found, key=lambda r: self._rank[(r.kind, r.id)])

    def get(self, kind: str, ident: str) -> Resource | None:
        """The buyer's ``kind`` with id ``ident``, or ``None``."""
        return self._by_kind.get(kind, {}).get(ident)

    def all(self, kind: str) -> list[Resource]:
        """The buyer's resources of ``kind``, oldest first."""
        return list(self._by_kind.get(kind, {}).values())

    def each(self, kind: str) -> Iterator[Resource]:
        """:meth:`all` without the copy, for a lazy page: do not add resources while iterating."""
        return iter(self._by_kind.get(kind, {}).values())

    def __iter__(self) -> Iterator[Resource]:
        for kind in self._by_kind.values():
            yield from kind.values()


@dataclass(slots=True)
class Subscription:
    """A buyer's hub registration (MEF ``EventSubscription``) on one management API of a seller.

    Attributes:
        id: the seller-assigned subscription id.
        api: the management API the hub belongs to (``productOrderManagement``...).
        buyer: the actor that registered (events go to it).
        callback: the URL the buyer gave; the simulator delivers to ``buyer``.
        query: the buyer's filter, e.g. ``eventType=productOrderStateChangeEvent``.
    """

    id: str
    api: str
    buyer: str
    callback: str
    query: str | None = None

    def as_body(self) -> dict[str, Any]:
        """The MEF ``EventSubscription`` body."""
        body: dict[str, Any] = {"id": self.id, "callback": self.callback}
        if self.query is not None:
            body["query"] = self.query
        return body


class SellerState:
    """What one seller actor keeps: a store per buyer, hub subscriptions, and an id counter."""

    def __init__(self, seller: str) -> None:
        self.seller = seller
        self.buyers: dict[str, BuyerResources] = {}
        self.subscriptions: dict[str, Subscription] = {}
        self.undelivered: dict[str, int] = {}
        """Per buyer: events it had no hub for (it polls instead)."""
        self._counter = 0

    def buyer(self, buyer: str) -> BuyerResources:
        """The store of ``buyer`` (created on first contact)."""
        store = self.buyers.get(buyer)
        if store is None:
            store = BuyerResources()
            self.buyers[buyer] = store
        return store

    def next_id(self, prefix: str) -> str:
        """A new id, unique for this seller and deterministic (a counter, not a random draw)."""
        self._counter += 1
        return f"{prefix}-{self.seller}-{self._counter}"

    def hubs(self, buyer: str, api: str) -> list[Subscription]:
        """The subscriptions ``buyer`` holds on ``api``, oldest first."""
        return [s for s in self.subscriptions.values() if s.buyer == buyer and s.api == api]
