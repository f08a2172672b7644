"""Opt-in chaos for buyer robustness: the failure modes a buyer integration meets in production.

``--chaos late,duplicate,lost-notification,409`` with ``--chaos-rate R`` (the chance of each, per
event or per request; default 0.1):

- ``lost-notification``: an event is not POSTed;
- ``duplicate``: an event is POSTed twice;
- ``late``: an event is held back and POSTed with the next batch (after newer ones);
- ``409``: a request that changes something (POST, PATCH, DELETE) is answered ``409 conflict``
  without reaching the seller, where the operation defines a 409;
- ``held``: an order, once ``inProgress``, is detoured through ``held.assessingCharge`` (its items
  ``held``) for :data:`HELD_FOR` simulated seconds before its fulfilment starts, every change
  announced on the buyer's hub: legal MEF transitions a buyer may not expect.

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

KINDS = ("late", "duplicate", "lost-notification", "409", "held")
"""The chaos kinds available."""
PLANNED = ("503",)
"""Named in the issue, not available yet (docs/sandbox.md says what they will do)."""


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


HELD_FOR = 3600.0
"""Simulated seconds a ``held`` detour keeps an order held."""


def hold_orders(orders: OrderApi, chaos: Chaos, record: Callable[[str, str, dict[str, Any]], None]) -> None:
    """Chaos ``held``: wrap the seller's order fulfilment with the detour (see the module doc)."""
    fulfil = orders.fulfil

    def detoured(msg: Message, order: Resource) -> Generator[simpy.Event, Any, str]:
        if order.state == "inProgress" and chaos.hit("held"):
            record("held", msg.src, {"productOrder": order.id, "seconds": HELD_FOR})
            before = snapshot(order)
            orders.move(order, "held.assessingCharge")
            orders.announce(order, before, final=False)
            yield orders.actor.env.timeout(HELD_FOR)
            if order.state != "held.assessingCharge":
                return "cancelled"  # cancelled while held: the cancellation ends the order
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


__all__ = ["HELD_FOR", "KINDS", "Chaos", "describe", "hold_orders", "no_chaos", "parse_kinds"]
