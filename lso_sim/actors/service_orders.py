"""A SOF's service orders: found by id or by the buyer's own id, finished ones kept compactly.

BUS reads a service order back (LEGATO ``retrieveServiceOrder``) by its id, or by the
``externalId`` it gave when the create's answer never reached it. Every order of a run stays
readable (the SOF has no retention), so two things must not grow with the run beyond what they
hold: the look-up by ``externalId`` is an index, not a scan of every request (which made a run
quadratic), and the request of an order in a final state, which nothing changes any more, is
held as its compact JSON (:mod:`lso_sim.messages.cold`; about a fifth of the dicts' size) and
decoded, as a fresh dict, when read. Answers are unchanged: the decoded request equals the live
one key for key and type for type, or it is not frozen.

With a retention (``sellers.retention``, :meth:`ServiceOrderBook.retain`) an order in a final
state is forgotten ``retention`` seconds after it ended, index entries and all: a read answers
404, as a seller's does (:mod:`lso_sim.actors.service_retention`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable
from typing import Any

from lso_sim.lifecycle.state_machine import Stateful
from lso_sim.messages.cold import freeze, thaw

EXAMINED_PER_ORDER = 2
"""Orders not yet frozen examined each time one is added (oldest first; one still open goes to
the back): freezing keeps pace with a run at a fixed cost per order."""


class _Entry:
    """One service order: its state and the request it was made from (a dict, or frozen)."""

    __slots__ = ("external", "order", "request")

    def __init__(self, order: Stateful, request: dict[str, Any] | bytes) -> None:
        self.order = order
        self.request = request
        self.external: tuple[str, Hashable] | None = None
        """Its key in the ``externalId`` index, if it is the one filed there."""


class ServiceOrderBook:
    """Every service order a SOF accepted (``add`` and changes), by id, in the order accepted."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        self._by_external: dict[tuple[str, Hashable], str] = {}
        """``(buyer, externalId)`` -> the first ``add`` order that buyer made with it."""
        self._odd_external: list[str] = []
        """Orders whose ``externalId`` cannot be hashed (a list from a probe): scanned in order."""
        self._buyers: dict[str, str] = {}
        """Buyer of each order in ``_odd_external``."""
        self._unfrozen: deque[str] = deque()
        self.froze = 0
        """Requests frozen so far (tests check that a comparison froze something)."""
        self.retention: float | None = None
        """Seconds a finished order is kept (:meth:`retain`); ``None``: for the whole run."""
        self._clock: Callable[[], float] | None = None
        self.purged = 0
        """Orders forgotten so far (retention)."""
        self.on_purge: Callable[[str], object] | None = None
        """Told the id of each order forgotten (the SOF drops what it kept beside it)."""

    def retain(self, seconds: float | None, clock: Callable[[], float]) -> None:
        """Forget a finished order ``seconds`` after it ended (``None``: keep every order)."""
        self.retention, self._clock = seconds, clock

    def add(self, order: Stateful, request: dict[str, Any], buyer: str | None = None) -> None:
        """File ``order`` made from ``request``; with ``buyer``, findable by its ``externalId``."""
        self._freeze_finished()
        entry = self._entries[order.id] = _Entry(order, request)
        self._unfrozen.append(order.id)
        external = request.get("externalId")
        if buyer is None or external is None:
            return
        if isinstance(external, Hashable):
            if self._by_external.setdefault((buyer, external), order.id) == order.id:
                entry.external = (buyer, external)
        else:
            self._odd_external.append(order.id)
            self._buyers[order.id] = buyer

    def get(self, ident: str) -> tuple[Stateful, dict[str, Any]] | None:
        """The order ``ident`` and its request (a fresh dict if it was frozen), or ``None``."""
        entry = self._entries.get(ident)
        if entry is None:
            return None
        request = entry.request
        return entry.order, thaw(request) if isinstance(request, bytes) else request

    def find(self, buyer: str, external: Any) -> str | None:
        """The first ``add`` order ``buyer`` made with ``externalId`` equal to ``external``."""
        if isinstance(external, Hashable):
            return self._by_external.get((buyer, external))
        for ident in self._odd_external:
            request = self.get(ident)
            if (
                request is not None
                and self._buyers[ident] == buyer
                and request[1].get("externalId") == external
            ):
                return ident
        return None

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, ident: object) -> bool:
        return ident in self._entries

    def _freeze_finished(self) -> None:
        """Freeze the requests of a few orders that reached a final state (see the module); with a
        retention, forget those that ended long enough ago (the others stay in the sweep)."""
        for _ in range(min(EXAMINED_PER_ORDER, len(self._unfrozen))):
            ident = self._unfrozen.popleft()
            entry = self._entries[ident]
            if not entry.order.final:
                self._unfrozen.append(ident)
                continue
            if self.retention is not None and self._clock is not None:
                if self._clock() - entry.order.moved_at >= self.retention:
                    self._forget(ident, entry)
                    continue
                self._unfrozen.append(ident)
            if isinstance(entry.request, dict):
                frozen = freeze(entry.request)
                if frozen is not None:
                    entry.request = frozen
                    self.froze += 1

    def _forget(self, ident: str, entry: _Entry) -> None:
        del self._entries[ident]
        if entry.external is not None:
            del self._by_external[entry.external]
        if ident in self._buyers:
            del self._buyers[ident]
            self._odd_external.remove(ident)
        self.purged += 1
        if self.on_purge is not None:
            self.on_purge(ident)


__all__ = ["EXAMINED_PER_ORDER", "ServiceOrderBook"]
