"""Per-buyer resource stores of a seller, and deterministic id allocation.

A seller (BUS-sp towards customers over CANTATA, BUS-partner towards BUS-sp over SONATA) keeps
every resource it creates in the store of the buyer that asked for it: ``SellerState.buyer(id)``.
Look-ups go through that store only, so a buyer asking for another buyer's order gets the same
404 as for an order that does not exist (MEF sellers must not reveal other buyers' resources).

A :class:`Resource` holds the MEF representation the seller answers with (``body``: plain JSON,
exactly what the definitions define), the state machine it moves through (``entity``) and, for
resources with items, one state machine per item. ``private`` is the seller's own bookkeeping
(designs, prices, links to its fulfilment) that never goes on the wire.

Retention (``sellers.retention`` in a scenario, :meth:`SellerState.retain`): a seller may forget a
resource whose lifecycle has ended, as real sellers do. A resource has ended once its state
machine is in a final state (an order completed, failed or cancelled; a quote accepted, declined
or expired; a POQ done; a product terminated); ``retention`` seconds later it is *purged*: every
look-up and list of its buyer's store behaves as if it had never existed (a retrieve answers 404,
a later quote or order citing it is refused as citing an unknown resource). Whether a resource is
purged is decided from its own history at each look-up, so the moment memory is actually freed
(a few resources per new resource, oldest first) changes no answer. Without a retention (the
default) a seller keeps everything for the whole run.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from lso_sim.lifecycle.state_machine import Stateful, StateMachine
from lso_sim.sonata.cold import freeze, thaw


class Resource:
    """One MEF resource kept by a seller for one buyer.

    Attributes:
        kind: resource name as in the MEF path (``productOrder``, ``quote``...).
        id: the seller-assigned id.
        body: the MEF representation (JSON) the seller answers with; ``state`` fields are kept in
            step with ``entity`` and ``items`` by :meth:`move` and :meth:`move_item`. While the
            resource is at rest it may be held frozen (:meth:`freeze`, :mod:`lso_sim.sonata.cold`):
            reading ``body`` thaws it, so callers see and change a live dict as always.
        entity: the resource's state machine, or ``None`` for stateless resources (addresses).
        items: state machines of the items, by item id; ``item_key`` names the body's item list.
        private: the seller's bookkeeping, never sent.
        rank: its place in its store's creation order (:meth:`BuyerResources.tagged` sorts by it).
        tags: the keys its store filed it under (:meth:`BuyerResources.tag`), unfiled when purged.
    """

    __slots__ = ("_body", "_frozen", "entity", "id", "item_key", "items", "kind", "private", "rank", "tags")

    def __init__(
        self,
        kind: str,
        id: str,
        body: dict[str, Any],
        entity: Stateful | None = None,
        items: dict[str, Stateful] | None = None,
        item_key: str | None = None,
        private: dict[str, Any] | None = None,
    ) -> None:
        self.kind = kind
        self.id = id
        self._body: dict[str, Any] | None = body
        self._frozen: bytes | None = None
        self.entity = entity
        self.items: dict[str, Stateful] = {} if items is None else items
        self.item_key = item_key
        self.private: dict[str, Any] = {} if private is None else private
        # Kept on the resource rather than in the store's dicts keyed by (kind, id): a store keeps
        # every delivered product, and an entry with its tuple key cost more than the two slots.
        self.rank = 0
        self.tags: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"Resource({self.kind!r}, {self.id!r}, state={self.state!r})"

    @property
    def body(self) -> dict[str, Any]:
        """The MEF representation, live (thawed first if it was frozen)."""
        if self._body is None:
            assert self._frozen is not None
            self._body = thaw(self._frozen)
            self._frozen = None
        return self._body

    @body.setter
    def body(self, value: dict[str, Any]) -> None:
        self._body, self._frozen = value, None

    def peek(self) -> dict[str, Any]:
        """The body to read only: a frozen one is decoded into a copy and stays frozen (what a
        check over every resource at the end of a run uses, so that it does not thaw them all)."""
        if self._body is not None:
            return self._body
        return thaw(self._frozen) if self._frozen is not None else {}

    @property
    def frozen(self) -> bool:
        """True while the body is held as bytes."""
        return self._frozen is not None

    def freeze(self) -> bool:
        """Hold the body as compact bytes until it is next read; False if it cannot be."""
        if self._body is None:
            return True
        frozen = freeze(self._body)
        if frozen is None:
            return False
        self._body, self._frozen = None, frozen
        return True

    @property
    def state(self) -> str:
        """Current state ('' for a stateless resource)."""
        return self.entity.state if self.entity is not None else ""

    def ended_at(self) -> float | None:
        """When its lifecycle ended (it reached a final state), or ``None`` while it has not."""
        entity = self.entity
        if entity is None or not entity.machine.is_final(entity.state):
            return None
        return entity.moved_at

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


SWEEP_PER_ADD = 4
"""Resources a store examines each time it keeps a new one (to purge or freeze): enough to keep up
with one new resource per add, while long-lived ones rotate to the back."""

REST_AFTER = 3600.0
"""Seconds without a state change after which a resource in a resting state is at rest and its
body may be frozen (:mod:`lso_sim.sonata.cold`)."""

RESTING: dict[str, frozenset[str]] = {"product": frozenset({"active"})}
"""The states in which a resource of a kind rests: a delivered product, for as long as the run.

Only these: a seller's process may still hold a part of a body it read before (an order's item
gets its product id as the order completes), and a frozen body read again is a new dict, so a
resource is frozen only in a state no process holds it in. Finished orders, quotes and
qualifications are not frozen but purged (``sellers.retention``); ``tests/test_cold_storage.py``
runs scenarios freezing at once and never, and compares their traces byte for byte."""


class BuyerResources:
    """The resources of one buyer, by kind then id, in creation order.

    Args:
        retention: seconds a resource is kept after its lifecycle ended; ``None``: kept forever.
        clock: the simulated time (needed only with a retention).
    """

    def __init__(self, retention: float | None = None, clock: Callable[[], float] | None = None) -> None:
        # Without a clock (a store built by hand) nothing is purged or frozen.
        self._by_kind: dict[str, dict[str, Resource]] = {}
        self._count = 0
        """Resources kept so far: the next one's ``rank``, to list tagged resources oldest first."""
        self._tags: dict[tuple[str, str], dict[str, Resource]] = {}
        """(kind, id) -> the keys it is filed under, to unfile it when purged."""
        if retention is not None and clock is None:
            raise ValueError("a retention needs a clock")
        self.retention = retention
        self._clock = clock
        self._sweep: deque[Resource] = deque()
        """Kept resources, examined a few at a time: purged when expired, frozen when at rest."""
        self.purged = 0
        """How many resources this store has forgotten (retention)."""
        self.froze = 0
        """How many times it froze a resting resource's body (cold storage)."""
        self.on_purge: Callable[[Resource], object] | None = None
        """Called with each resource forgotten, so that what its seller keeps about it goes too."""

    def add(self, resource: Resource) -> Resource:
        """Keep ``resource`` (its id must be new for its kind)."""
        kind = self._by_kind.setdefault(resource.kind, {})
        if resource.id in kind:
            raise ValueError(f"{resource.kind} {resource.id} already exists")
        kind[resource.id] = resource
        resource.rank = self._count
        self._count += 1
        if self._clock is not None:
            self._sweep_some()
            self._sweep.append(resource)
        return resource

    def retain(self, seconds: float | None, clock: Callable[[], float] | None) -> None:
        """Change the retention (resources kept so far join the sweep)."""
        if seconds is not None and clock is None:
            raise ValueError("a retention needs a clock")
        self.retention, self._clock = seconds, clock
        self._sweep = deque(self) if clock is not None else deque()

    def expired(self, resource: Resource) -> bool:
        """True once ``resource``'s lifecycle ended at least ``retention`` seconds ago."""
        if self.retention is None or self._clock is None:
            return False
        ended = resource.ended_at()
        return ended is not None and self._clock() - ended >= self.retention

    def _sweep_some(self) -> None:
        """Purge the expired among the next few resources of the sweep; rotate the others."""
        sweep = self._sweep
        for _ in range(min(SWEEP_PER_ADD, len(sweep))):
            resource = sweep.popleft()
            if self._by_kind.get(resource.kind, {}).get(resource.id) is not resource:
                continue  # purged on a look-up already
            if self.expired(resource):
                self._purge(resource)
                continue
            if not resource.frozen and self._at_rest(resource) and resource.freeze():
                self.froze += 1
            sweep.append(resource)

    def _at_rest(self, resource: Resource) -> bool:
        """In a resting state (:data:`RESTING`), unchanged for :data:`REST_AFTER` seconds."""
        entity = resource.entity
        if entity is None or self._clock is None or entity.state not in RESTING.get(resource.kind, ()):
            return False
        return self._clock() - entity.moved_at >= REST_AFTER

    def _purge(self, resource: Resource) -> None:
        del self._by_kind[resource.kind][resource.id]
        for tag in resource.tags:
            filed = self._tags.get((resource.kind, tag))
            if filed is not None:
                filed.pop(resource.id, None)
                if not filed:
                    del self._tags[(resource.kind, tag)]
        self.purged += 1
        if self.on_purge is not None:
            self.on_purge(resource)

    def _live(self, resource: Resource) -> bool:
        """False (and purged now) when ``resource`` has expired."""
        if self.retention is not None and self.expired(resource):
            self._purge(resource)
            return False
        return True

    def tag(self, resource: Resource, key: str) -> None:
        """File a kept ``resource`` under ``key`` as well (say, the id of an order that touched it).

        A list filtered on such a key then costs its answer, not the buyer's whole history: a
        run of a year of orders keeps tens of thousands of products per buyer.
        """
        self._tags.setdefault((resource.kind, key), {})[resource.id] = resource
        resource.tags = (*resource.tags, key)

    def tagged(self, kind: str, key: str) -> list[Resource]:
        """The buyer's resources of ``kind`` filed under ``key``, oldest first."""
        found = [r for r in self._tags.get((kind, key), {}).values() if not self.expired(r)]
        return sorted(found, key=lambda r: r.rank)

    def get(self, kind: str, ident: str) -> Resource | None:
        """The buyer's ``kind`` with id ``ident``, or ``None`` (never kept, or purged)."""
        resource = self._by_kind.get(kind, {}).get(ident)
        if resource is None or not self._live(resource):
            return None
        return resource

    def all(self, kind: str) -> list[Resource]:
        """The buyer's resources of ``kind``, oldest first."""
        return list(self.each(kind))

    def each(self, kind: str, state: str | None = None) -> Iterator[Resource]:
        """:meth:`all` without the copy, for a lazy page: do not add resources while iterating.

        ``state``: only the resources in that state (read from their machine, so a list filtered
        on the state its bodies show passes over the others without decoding or summarising them:
        a customer listing its active products walks past the terminated ones a retention keeps).
        """
        kept: Iterable[Resource] = self._by_kind.get(kind, {}).values()
        if state is not None:
            kept = (r for r in kept if r.entity is not None and r.entity.state == state)
        if self.retention is None:
            return iter(kept)
        return (r for r in kept if not self.expired(r))  # filtered, not purged: no change mid-walk

    def __iter__(self) -> Iterator[Resource]:
        for kind in self._by_kind:
            yield from self.each(kind)


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

    def __init__(self, seller: str, clock: Callable[[], float] | None = None) -> None:
        self.seller = seller
        self.retention: float | None = None
        """Seconds a resource is kept after its lifecycle ended (:meth:`retain`); ``None``: forever."""
        self._clock = clock
        self.buyers: dict[str, BuyerResources] = {}
        self.subscriptions: dict[str, Subscription] = {}
        self.undelivered: dict[str, int] = {}
        """Per buyer: events it had no hub for (it polls instead)."""
        self.forget: dict[str, Callable[[Resource], object]] = {}
        """By kind: what the seller's APIs drop of their own when a resource of that kind is purged."""
        self._counter = 0

    def buyer(self, buyer: str) -> BuyerResources:
        """The store of ``buyer`` (created on first contact)."""
        store = self.buyers.get(buyer)
        if store is None:
            store = BuyerResources(self.retention, self._clock)
            store.on_purge = self._purged
            self.buyers[buyer] = store
        return store

    def _purged(self, resource: Resource) -> None:
        forget = self.forget.get(resource.kind)
        if forget is not None:
            forget(resource)

    def retain(self, seconds: float | None) -> None:
        """Keep resources ``seconds`` after their lifecycle ended (``None``: for the whole run)."""
        if seconds is not None and self._clock is None:
            raise ValueError(f"seller {self.seller} has no clock for a retention")
        self.retention = seconds
        for store in self.buyers.values():
            store.retain(seconds, self._clock)

    def next_id(self, prefix: str) -> str:
        """A new id, unique for this seller and deterministic (a counter, not a random draw)."""
        self._counter += 1
        return f"{prefix}-{self.seller}-{self._counter}"

    def hubs(self, buyer: str, api: str) -> list[Subscription]:
        """The subscriptions ``buyer`` holds on ``api``, oldest first."""
        return [s for s in self.subscriptions.values() if s.buyer == buyer and s.api == api]
