"""How thread instances ended: :class:`Outcome`, and :class:`Outcomes`, the run's table of them.

A run keeps one outcome per thread instance for its whole length: the summary, the report, the
expectations and the invariants read them when it ends, and a later instance may read an earlier
one's (a trouble report reads the product its order made). In a run of a million orders with
churn, these were all that still grew: two instances an order (the order and its disconnect),
about 0.55 KB each as objects (the :class:`Outcome`, its detail dict, two floats and the strings in
it; docs/performance.md, "Eighth pass").

So an instance that ended is kept as one bytes object (its times packed, the rest as JSON), about
a quarter of that, and becomes an :class:`Outcome` again when read. Readers see the same fields,
in the same order of instances. What they must not do is change an ended outcome read back: it is
a copy. Nothing does: an instance ends once (:meth:`lso_sim.actors.world.World.finish`), and what
it says is fixed then. An outcome whose detail would not come back from JSON as itself (a tuple,
a float that is not finite) stays an object.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from lso_sim.engine.actor import Actor
from lso_sim.messages.cold import round_trips


@dataclass(slots=True)
class Outcome:
    """How one thread instance ended, as the actor that drove it saw it.

    Attributes:
        thread: thread id.
        instance: instance id.
        started: simulated time it started.
        driver: the actor whose process is the instance's life line (it signs the outcome record).
        ended: simulated time it ended (``None`` while still running).
        state: final state in MEF terms (e.g. the product order state), or why it stopped
            (docs/faults.md lists the end states).
        reason: why it ended there, for any end but a success; ``None`` when there is nothing to say.
        detail: extra facts for summaries (order id, product id...).
    """

    thread: str
    instance: str
    started: float
    driver: Actor | None = None
    ended: float | None = None
    state: str = "running"
    reason: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def lead_time(self) -> float | None:
        """Ended minus started, when ended."""
        return None if self.ended is None else self.ended - self.started


_TIMES = struct.Struct("<dd")
"""Started and ended, at the head of a packed outcome (exact: a double is a Python float)."""


class Outcomes(MutableMapping[str, Outcome]):
    """Outcomes by instance id, in the order the instances began; the ended ones kept packed.

    A mapping like the dict it replaces: ``outcomes[instance]``, ``get``, ``in``, ``values()``.
    :meth:`settle` packs an ended instance's outcome (``World.finish`` calls it once the outcome
    record is written); reading it back gives an equal :class:`Outcome`, a fresh one each time.

    Args:
        actor: finds the driver of a packed outcome by its id (the simulation's actors).
    """

    def __init__(self, actor: Callable[[str], Actor]) -> None:
        self._kept: dict[str, Outcome | bytes] = {}
        self._actor = actor

    def __getitem__(self, instance: str) -> Outcome:
        kept = self._kept[instance]
        return kept if isinstance(kept, Outcome) else self._unpack(instance, kept)

    def __setitem__(self, instance: str, outcome: Outcome) -> None:
        self._kept[instance] = outcome

    def __delitem__(self, instance: str) -> None:
        del self._kept[instance]

    def __iter__(self) -> Iterator[str]:
        return iter(self._kept)

    def __len__(self) -> int:
        return len(self._kept)

    def __contains__(self, instance: object) -> bool:
        return instance in self._kept

    def running(self, instance: str) -> bool:
        """Whether ``instance`` began and has not ended (read without unpacking anything)."""
        kept = self._kept.get(instance)
        return isinstance(kept, Outcome) and kept.ended is None

    def ended(self, instance: str) -> bool:
        """Whether ``instance`` began and has ended."""
        kept = self._kept.get(instance)
        return kept is not None and (isinstance(kept, bytes) or kept.ended is not None)

    def still_running(self) -> list[Outcome]:
        """The outcomes of the instances not ended yet, in the order they began (none unpacked)."""
        return [kept for kept in self._kept.values() if isinstance(kept, Outcome) and kept.ended is None]

    def settle(self, instance: str) -> None:
        """Pack the outcome of ``instance``, which has ended (left as it is if it cannot be)."""
        outcome = self._kept[instance]
        if not isinstance(outcome, Outcome) or outcome.ended is None:
            return
        if not round_trips(outcome.detail):
            return
        rest: list[Any] = [outcome.thread, outcome.state, outcome.reason, _driver_id(outcome.driver)]
        if outcome.detail:
            rest.append(outcome.detail)
        self._kept[instance] = _TIMES.pack(outcome.started, outcome.ended) + orjson.dumps(rest)

    def packed(self) -> int:
        """How many outcomes are kept packed (for tests and the bench)."""
        return sum(isinstance(kept, bytes) for kept in self._kept.values())

    def _unpack(self, instance: str, packed: bytes) -> Outcome:
        started, ended = _TIMES.unpack_from(packed)
        rest = orjson.loads(packed[_TIMES.size :])
        thread, state, reason, driver = rest[:4]
        detail: dict[str, Any] = rest[4] if len(rest) > 4 else {}
        actor = None if driver is None else self._actor(driver)
        return Outcome(thread, instance, started, actor, ended, state, reason, detail)


def _driver_id(driver: Actor | None) -> str | None:
    return None if driver is None else driver.id


__all__ = ["Outcome", "Outcomes"]
