"""Opt-in chaos for buyer robustness: the failure modes a buyer integration meets in production.

``--chaos late,duplicate,lost-notification,409,503,held,pending`` with ``--chaos-rate R`` (the
chance of each, per event, request or order; default 0.1):

- ``lost-notification``: an event is not POSTed;
- ``duplicate``: an event is POSTed twice;
- ``late``: an event is held back and POSTed with the next batch (after newer ones);
- ``409``: a request that changes something (POST, PATCH, DELETE) is answered ``409 conflict``
  without reaching the seller, where the operation defines a 409;
- ``503``: any request is answered ``503 serviceUnavailable`` (with ``Retry-After``) without
  reaching the seller; MEF's definitions declare no 503, so the served ``/openapi.json`` adds one
  to every operation while this chaos is on (:func:`lso_sim.serve.routes.openapi_document`);
- ``held``: an order, once ``inProgress``, is detoured through ``held.assessingCharge`` (its items
  ``held``) for :data:`DETOUR_FOR` simulated seconds before its fulfilment starts, every change
  announced on the buyer's hub: legal MEF transitions a buyer may not expect;
- ``pending``: the same detour through ``pending.assessingModification`` (items ``pending``), the
  other state MEF's order machine allows to leave ``inProgress`` for and come back from.

Every chaos act is a ``fault`` record (operation ``chaos``) in the trace, beside the seller's
messages, so a session shows what the buyer was put through. Draws come from the simulation's
seeded stream ``serve/chaos``, never from ``random``'s globals.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from typing import Any

import simpy

from lso_sim.messages.envelope import Message
from lso_sim.sonata.api import snapshot
from lso_sim.sonata.order import OrderApi
from lso_sim.sonata.store import Resource

KINDS = ("late", "duplicate", "lost-notification", "409", "503", "held", "pending")
"""The chaos kinds available."""
PLANNED: tuple[str, ...] = ()
"""Named in the issue, not available yet (docs/sandbox.md says what they will do)."""
DETOURS = {"held": ("held.assessingCharge", "held"), "pending": ("pending.assessingModification", "pending")}
"""Chaos kind -> (the order state, the items' state) of its detour from ``inProgress``."""


def parse_kinds(text: str) -> frozenset[str]:
    """The kinds of a ``--chaos`` list.

    Raises:
        ValueError: an unknown or not yet available kind, named with the available ones.
    """
    kinds = frozenset(k.strip() for k in text.split(",") if k.strip())
    for kind in sorted(kinds):
        if kind not in KINDS:
            later = " (not available yet)" if kind in PLANNED else ""
            raise ValueError(f"--chaos: {kind!r}{later}; choose from {', '.join(KINDS)}")
    return kinds


@dataclass(slots=True)
class Chaos:
    """Which chaos is on, how often, and the seeded stream it draws from."""

    kinds: frozenset[str]
    rate: float
    rng: random.Random
    late: list[object] = field(default_factory=list)

    def hit(self, kind: str) -> bool:
        """Whether ``kind`` strikes now (one draw whenever the kind is on)."""
        return kind in self.kinds and self.rng.random() < self.rate


DETOUR_FOR = 3600.0
"""Simulated seconds a ``held`` or ``pending`` detour keeps an order out of ``inProgress``."""


def detour_orders(
    orders: OrderApi, chaos: Chaos, record: Callable[[str, str, dict[str, Any]], None]
) -> None:
    """Chaos ``held``/``pending``: wrap the seller's order fulfilment with the detours switched on
    (see the module doc); each order takes at most one, drawn in :data:`DETOURS` order."""
    fulfil = orders.fulfil
    kinds = [kind for kind in DETOURS if kind in chaos.kinds]

    def detoured(msg: Message, order: Resource) -> Generator[simpy.Event, Any, str]:
        kind = next((k for k in kinds if order.state == "inProgress" and chaos.hit(k)), None)
        if kind is not None:
            state, item_state = DETOURS[kind]
            record(kind, msg.src, {"productOrder": order.id, "state": state, "seconds": DETOUR_FOR})
            before = snapshot(order)
            orders.move(order, state)
            for item_id, item in order.items.items():
                if item.state != item_state and item.machine.can(item.state, item_state):
                    order.move_item(item_id, item_state, orders.now)
            orders.announce(order, before, final=False)
            yield orders.actor.env.timeout(DETOUR_FOR)
            if order.state != state:
                return "cancelled"  # cancelled while detoured: the cancellation ends the order
            before = snapshot(order)
            orders.move(order, "inProgress")
            orders.announce(order, before, final=False)
        return (yield from fulfil(msg, order))

    orders.fulfil = detoured


def no_chaos() -> Chaos:
    """Chaos switched off."""
    return Chaos(frozenset(), 0.0, random.Random(0))


def describe(kinds: Iterable[str], rate: float) -> str:
    """One line for the start-up banner."""
    return f"chaos {', '.join(sorted(kinds))} at rate {rate:g}" if kinds else "no chaos"


__all__ = [
    "DETOURS",
    "DETOUR_FOR",
    "KINDS",
    "Chaos",
    "describe",
    "detour_orders",
    "no_chaos",
    "parse_kinds",
]
