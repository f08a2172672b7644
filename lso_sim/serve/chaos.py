"""Opt-in chaos for buyer robustness: the failure modes a buyer integration meets in production.

``--chaos late,duplicate,lost-notification,409`` with ``--chaos-rate R`` (the chance of each, per
event or per request; default 0.1):

- ``lost-notification``: an event is not POSTed;
- ``duplicate``: an event is POSTed twice;
- ``late``: an event is held back and POSTed with the next batch (after newer ones);
- ``409``: a request that changes something (POST, PATCH, DELETE) is answered ``409 conflict``
  without reaching the seller, where the operation defines a 409.

Every chaos act is a ``fault`` record (operation ``chaos``) in the trace, beside the seller's
messages, so a session shows what the buyer was put through. Draws come from the simulation's
seeded stream ``serve/chaos``, never from ``random``'s globals.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field

KINDS = ("late", "duplicate", "lost-notification", "409")
"""The chaos kinds available."""
PLANNED = ("held", "503")
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


def no_chaos() -> Chaos:
    """Chaos switched off."""
    return Chaos(frozenset(), 0.0, random.Random(0))


def describe(kinds: Iterable[str], rate: float) -> str:
    """One line for the start-up banner."""
    return f"chaos {', '.join(sorted(kinds))} at rate {rate:g}" if kinds else "no chaos"


__all__ = ["KINDS", "Chaos", "describe", "no_chaos", "parse_kinds"]
