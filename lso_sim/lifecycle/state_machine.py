"""Explicit state machines for orders, quotes, qualifications, services and products.

Each machine is a table of allowed transitions; an entity moves only along it and keeps the
history of its states with their simulated times, which summaries and tests read. An illegal move
raises :class:`~lso_sim.errors.ProtocolError`, which a seller turns into the MEF error response.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from lso_sim.errors import ProtocolError


@dataclass(frozen=True, slots=True)
class StateMachine:
    """States and allowed transitions of one kind of entity.

    Attributes:
        name: what the entity is, e.g. ``"productOrder"``.
        initial: state of a new entity.
        transitions: allowed targets of each state; a state absent from the keys is final.
    """

    name: str
    initial: str
    transitions: Mapping[str, frozenset[str]]

    @property
    def states(self) -> frozenset[str]:
        """Every state the machine knows."""
        found = set(self.transitions) | {self.initial}
        for targets in self.transitions.values():
            found |= targets
        return frozenset(found)

    def is_final(self, state: str) -> bool:
        """True when no transition leaves ``state``."""
        return not self.transitions.get(state)

    def allowed(self, state: str) -> frozenset[str]:
        """States reachable from ``state`` in one move."""
        return self.transitions.get(state, frozenset())

    def can(self, state: str, target: str) -> bool:
        """True when ``state -> target`` is allowed."""
        return target in self.transitions.get(state, frozenset())


def machine(name: str, initial: str, table: Mapping[str, str]) -> StateMachine:
    """Build a machine from ``{state: "target target ..."}`` (space-separated, for readability)."""
    return StateMachine(
        name, initial, {state: frozenset(targets.split()) for state, targets in table.items()}
    )


@dataclass(slots=True)
class Stateful:
    """An entity moving through a :class:`StateMachine`.

    Attributes:
        id: the entity's id (order id, service id...).
        machine: its state machine.
        state: current state.
        trail: its history flat, ``[time, state, time, state, ...]`` (see :attr:`history`).
    """

    id: str
    machine: StateMachine
    created: float
    state: str = ""
    trail: list[float | str] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.state:
            self.state = self.machine.initial
        self.trail.append(self.created)
        self.trail.append(self.state)

    @property
    def history(self) -> list[tuple[float, str]]:
        """``(simulated time, state)`` pairs, oldest first, starting with the initial state.

        Made on each read from :attr:`trail`: a run keeps every live service's and product's
        history, and a pair per move cost a tuple (56 bytes) beside the time and state it holds.
        """
        trail: list[Any] = self.trail  # the very objects moved with: an int time stays an int
        return list(zip(trail[::2], trail[1::2], strict=True))

    @property
    def moved_at(self) -> float:
        """When it last moved (or was created): ``history[-1][0]`` without making the history."""
        return cast(float, self.trail[-2])  # times sit at even places

    def move(self, target: str, now: float) -> None:
        """Go to ``target``.

        Raises:
            ProtocolError: the machine does not allow the move.
        """
        if not self.machine.can(self.state, target):
            raise ProtocolError(
                f"{self.machine.name} {self.id}", self.state, target, self.machine.allowed(self.state)
            )
        self.state = target
        self.trail.append(now)
        self.trail.append(target)

    def path(self, now: float, *targets: str) -> None:
        """Make several moves at the same instant (each must be allowed)."""
        for target in targets:
            self.move(target, now)

    @property
    def final(self) -> bool:
        """True in a final state."""
        return self.machine.is_final(self.state)
