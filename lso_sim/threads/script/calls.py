"""What a script may call: the operations the simulated sellers serve, and the events they send.

Every BUS (the SP's and each partner's) serves the same MEF product APIs, installed by the threads
that give them a back office: the 10.2 APIs by thread 10.2, trouble tickets by 10.5, bills by 10.7.
:data:`SELLER_API_THREADS` pairs each API (the ``api`` of its seller class) with that thread; the
operations are the catalogue's requests of those APIs, hub operations included, so a new operation
declared in :mod:`lso_sim.messages.operations` for one of them becomes callable at once.
(``tests/test_api_script.py`` checks that this is exactly what the sellers route.)

A script names an operation by its MEF operationId. ``registerListener``, ``unregisterListener``
and ``retrieveHub`` exist in several APIs; they are named ``<api>:<operationId>``
(``productOrderManagement:registerListener``), which any operation may use.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from lso_sim.messages.envelope import Kind
from lso_sim.messages.operations import CATALOG, NOTIFICATION_HUB, Operation
from lso_sim.sonata.address import AddressApi
from lso_sim.sonata.billing import BillingDesk
from lso_sim.sonata.catalog import CatalogApi
from lso_sim.sonata.inventory import InventoryApi
from lso_sim.sonata.order import OrderApi
from lso_sim.sonata.qualification import QualificationApi
from lso_sim.sonata.quote import QuoteApi
from lso_sim.sonata.site import SiteApi
from lso_sim.sonata.trouble_ticket import TicketDesk

SELLER_API_THREADS: dict[str, str] = {
    CatalogApi.api: "10.2",
    AddressApi.api: "10.2",
    SiteApi.api: "10.2",
    QualificationApi.api: "10.2",
    QuoteApi.api: "10.2",
    InventoryApi.api: "10.2",
    OrderApi.api: "10.2",
    TicketDesk.api: "10.5",
    BillingDesk.api: "10.7",
}
"""MEF management API a BUS serves -> the thread that installs it with its back office."""


def seller_operations() -> dict[str, Operation]:
    """Every operation a script may call, by the name a script uses for it.

    The name is the operationId when only one seller API has it; otherwise ``<api>:<operationId>``.
    """
    found = [op for (api, _), op in CATALOG.items() if api in SELLER_API_THREADS and op.kind is Kind.REQUEST]
    counts: dict[str, int] = {}
    for op in found:
        counts[op.name] = counts.get(op.name, 0) + 1
    return {op.name if counts[op.name] == 1 else f"{op.api}:{op.name}": op for op in found}


def resolve(call: str) -> Operation:
    """The operation a script's ``call`` names.

    Raises:
        ValueError: unknown or ambiguous; the message lists the names a script may use.
    """
    named = seller_operations()
    if call in named:
        return named[call]
    api, _, name = call.rpartition(":")
    for op in named.values():
        if api and op.api == api and op.name == name:
            return op
    if not api and any(key.endswith(f":{call}") for key in named):
        choices = ", ".join(sorted(k for k in named if k.endswith(f":{call}")))
        raise ValueError(f"{call!r} is served by several APIs: name one of {choices}")
    close = difflib.get_close_matches(call, list(named), n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    raise ValueError(f"an operationId the sellers serve ({', '.join(sorted(named))}), got {call!r}{hint}")


def threads_called(calls: Iterable[str]) -> list[str]:
    """The threads whose sellers the named operations belong to, first use first (for installing)."""
    needed: list[str] = []
    for call in calls:
        thread = SELLER_API_THREADS[str(resolve(call).api)]
        if thread not in needed:
            needed.append(thread)
    return needed


def event_type(op: Operation) -> str:
    """The ``eventType`` a notification operation carries (``listenToQuoteStateChangeEvent`` ->
    ``quoteStateChangeEvent``; MEF's billing names are words: ``customerBillCreateEvent``)."""
    name = op.name.removeprefix("listenTo").removeprefix("listen to ")
    words = name.split()
    if len(words) > 1:
        name = "".join(w[:1].upper() + w[1:] for w in words)
    return name[:1].lower() + name[1:]


def seller_events() -> dict[str, Operation]:
    """Every event a seller may send to a buyer's hub, by ``eventType``."""
    return {
        event_type(op): op
        for (api, _), op in CATALOG.items()
        if op.kind is Kind.NOTIFICATION
        and api in NOTIFICATION_HUB
        and NOTIFICATION_HUB[api] in SELLER_API_THREADS
    }


def hub_api(event: str) -> str:
    """The management API whose hub delivers ``event`` (an ``eventType`` of :func:`seller_events`)."""
    return NOTIFICATION_HUB[str(seller_events()[event].api)]


__all__ = [
    "SELLER_API_THREADS",
    "event_type",
    "hub_api",
    "resolve",
    "seller_events",
    "seller_operations",
    "threads_called",
]
