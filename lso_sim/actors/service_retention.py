"""A SOF forgets services that ended, ``retention`` seconds later (``sellers.retention``).

The sellers forget a terminated product and a finished order ``sellers.retention`` seconds after
its lifecycle ended (:mod:`lso_sim.sonata.store`). Below them a SOF keeps, per service, its
record (design, constructs, partner orders), the service orders that made and changed it
(:class:`~lso_sim.actors.service_orders.ServiceOrderBook`, which forgets finished orders itself)
and the indexes pointing at them. With churn (services disconnected after a term) a run of a year
would keep every service that ever existed; with the same setting as the sellers, a SOF forgets:

- a service *record* once its service is ``terminated`` and the order that made it has ended,
  ``retention`` seconds after the later of the two moves;
- with it, what points at it: ``sold_under`` (a partner's buyer order -> the record), the
  order's failure reason, the SLS objectives held for it (``held_to``), its cached metrics.

Forgotten means what MEF's APIs answer for an id they do not know: a LEGATO or INTERLUDE read
answers 404, the reason naming the retention (:func:`gone`). Records are examined a few at a time,
each time a SOF accepts a service order, oldest first (a record not yet expired goes to the back),
so the cost per order is fixed. Without a retention nothing is examined and nothing changes.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lso_sim.actors.roles import ServiceOrchestrator, ServiceRecord

RESEND_WITHOUT_TIMEOUT = 86400.0
"""Seconds between re-sends of an unread event by a SOF without a request timeout (as
:data:`lso_sim.threads.inventory_sync.DEFAULT_RESEND`, which the actors layer cannot import)."""

EXAMINED_PER_ORDER = 3
"""Records examined each time a service order is accepted: more than one, so the sweep keeps up
with a run whose every order adds a record and a disconnect adds none."""


class ServiceRetention:
    """The records of one SOF, swept for those it may forget."""

    def __init__(self, sof: ServiceOrchestrator, retention: float, clock: Callable[[], float]) -> None:
        self.sof = sof
        self.retention = retention
        self._clock = clock
        self._kept: deque[str] = deque(sof.services)
        """Keys of ``sof.services`` not yet forgotten, oldest first."""
        self._ending: deque[str] = deque()
        """Keys of records whose service was terminated (:meth:`ended`), in that order."""
        self.purged = 0
        """How many records this SOF has forgotten."""

    def ended(self, record: ServiceRecord) -> None:
        """``record``'s service was just terminated: forget it once expired, without waiting for
        the sweep to come round to it (a sweep over every live service lags by their number)."""
        self._ending.append(record.order.id)

    def keep(self, key: str) -> None:
        """A record was filed under ``key``: examine a few older ones, and this one later."""
        self.sweep()
        self._kept.append(key)

    def expired(self, record: ServiceRecord) -> bool:
        """True once the service is terminated, its order ended, both ``retention`` seconds ago.

        A service whose end the SOF announced to its BUS (a LEGATO inventory event) and that the
        BUS has not read back since is kept while the SOF may still re-send the event (every
        ``request_timeout``, as often as its retry policy allows): forgotten earlier, the BUS's
        read would find nothing and its product would never learn that the service ended.
        """
        service, order = record.service, record.order
        if service.state != "terminated" or not order.final:
            return False
        ended = max(service.moved_at, order.moved_at)
        kept = self.retention
        if record.events and record.read_at < service.moved_at:
            sof = self.sof
            kept += (sof.request_timeout or RESEND_WITHOUT_TIMEOUT) * sof.retry.attempts
        return self._clock() - ended >= kept

    def sweep(self, count: int = EXAMINED_PER_ORDER) -> None:
        """Examine up to ``count`` records, oldest first: forget the expired ones."""
        services = self.sof.services
        ending = self._ending
        while ending:  # in the order they ended: the first whose retention is not over stops it
            key = ending[0]
            record = services.get(key)
            if record is not None and self._clock() - record.service.moved_at < self.retention:
                break
            ending.popleft()
            if record is not None and self.expired(record):
                self._forget(key, record)
            # else: gone already, or kept for its BUS's read (the round-robin sweep comes to it)
        for _ in range(min(count, len(self._kept))):
            key = self._kept.popleft()
            record = services.get(key)
            if record is None:
                continue
            if self.expired(record):
                self._forget(key, record)
            else:
                self._kept.append(key)

    def _forget(self, key: str, record: ServiceRecord) -> None:
        sof = self.sof
        del sof.services[key]
        bought = str(record.product_order)
        if sof.sold_under.get(bought) == key:
            del sof.sold_under[bought]
            sof.held_to.pop(bought, None)
        sof.order_reasons.pop(key, None)
        sof.metrics_cache.pop(record.service.id, None)
        self.purged += 1


def gone(sof: ServiceOrchestrator, what: str) -> str:
    """The reason of a 404 for ``what`` (``"service svc-1"``): with a retention, it names it, since
    the SOF may have known it and forgotten it (as a seller's :func:`~lso_sim.sonata.errors.not_found`)."""
    if sof.forgetting is None:
        return f"no {what}"
    retention = sof.forgetting.retention
    return f"no {what} (this SOF forgets a service and its orders {retention:.10g} s after they ended)"


__all__ = ["EXAMINED_PER_ORDER", "ServiceRetention", "gone"]
