"""The typed result of the invariant checks: one line per invariant, short enough for a summary.

An invariant either held, broke (naming at most a few offending items, so one leak in a
million-order run does not print a million lines), or was skipped because the run stopped at a
horizon in the middle of work whose bookkeeping is legitimately half done.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

MAX_LISTED = 3
"""Offending items named in an explanation; the rest are counted."""


class Status(StrEnum):
    """How an invariant fared."""

    HELD = "held"
    BROKEN = "broken"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class InvariantResult:
    """One invariant after a run.

    Attributes:
        name: stable id, used in messages and exit reasons (``requests-answered``...).
        status: see :class:`Status`.
        explanation: one line: what was checked, or what broke with a few examples.
        offenders: total number of offending items (0 when it held).
    """

    name: str
    status: Status
    explanation: str
    offenders: int = 0

    @property
    def held(self) -> bool:
        """True unless the invariant broke (a skipped invariant did not break)."""
        return self.status is not Status.BROKEN

    def __str__(self) -> str:
        return f"{self.name}: {self.status}: {self.explanation}"


@dataclass(frozen=True, slots=True)
class InvariantReport:
    """Every invariant of one run, in a fixed order.

    Attributes:
        results: one per invariant.
        cut: the run stopped at a horizon with work still scheduled.
    """

    results: tuple[InvariantResult, ...]
    cut: bool = False

    @property
    def broken(self) -> tuple[InvariantResult, ...]:
        """The invariants that broke."""
        return tuple(r for r in self.results if not r.held)

    @property
    def ok(self) -> bool:
        """True when no invariant broke."""
        return not self.broken

    def failures(self) -> list[str]:
        """One line per broken invariant, for exit reasons and CI reports."""
        return [f"invariant {r.name} broken: {r.explanation}" for r in self.broken]


def held(name: str, explanation: str) -> InvariantResult:
    """An invariant that held."""
    return InvariantResult(name, Status.HELD, explanation)


def skipped(name: str, explanation: str) -> InvariantResult:
    """An invariant not checked, and why."""
    return InvariantResult(name, Status.SKIPPED, explanation)


def verdict(name: str, offenders: Sequence[str], what: str, fine: str) -> InvariantResult:
    """``held`` with ``fine`` when ``offenders`` is empty, else ``broken`` listing a few of them.

    Args:
        name: the invariant.
        offenders: one short text per offending item.
        what: what the offending items are ("requests without an answer").
        fine: the explanation when nothing offends.
    """
    if not offenders:
        return held(name, fine)
    return InvariantResult(
        name, Status.BROKEN, f"{len(offenders)} {what}: {listed(offenders)}", len(offenders)
    )


def listed(items: Iterable[str], limit: int = MAX_LISTED) -> str:
    """The first ``limit`` items joined, and how many more there are."""
    items = list(items)
    shown = "; ".join(items[:limit])
    rest = len(items) - limit
    return f"{shown}; and {rest} more" if rest > 0 else shown
