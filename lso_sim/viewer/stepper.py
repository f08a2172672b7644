"""The position of a reader in a sequence of trace records: next, previous, jump."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lso_sim.errors import BadInput
from lso_sim.threads.explain import Explained, explain_records


@dataclass(slots=True)
class Stepper:
    """A cursor over ``records``; steps are numbered from 1 as a reader counts them.

    Attributes:
        records: the records in send order.
        position: the current step, from 1 to ``len(records)`` (0 before the first).
        explained: what each record means (worked out from ``records`` when not given; pass the
            explanations of the whole run when ``records`` is a filtered part of it, so states
            before and after and set-up marks see everything).
        before: lines saying what came before the first record and is not shown.
    """

    records: Sequence[Mapping[str, Any]]
    position: int = 0
    explained: Sequence[Explained] = field(default=())
    before: Sequence[str] = field(default=())

    def __post_init__(self) -> None:
        if not self.records:
            raise BadInput("nothing to step through: no records (check the filters)")
        if len(self.explained) != len(self.records):
            self.explained = explain_records(self.records)

    @property
    def total(self) -> int:
        """Number of steps."""
        return len(self.records)

    @property
    def current(self) -> Mapping[str, Any] | None:
        """The record at the current step, or ``None`` before the first."""
        return self.records[self.position - 1] if self.position else None

    @property
    def current_explained(self) -> Explained | None:
        """What the record at the current step means, or ``None`` before the first."""
        return self.explained[self.position - 1] if self.position else None

    def jump(self, step: int) -> None:
        """Go to ``step``, clamped to the first and last step."""
        self.position = max(1, min(self.total, step))

    def next(self) -> bool:
        """Move one step on; False when already at the last step."""
        if self.position >= self.total:
            return False
        self.position += 1
        return True

    def previous(self) -> bool:
        """Move one step back; False when already at the first step."""
        if self.position <= 1:
            return False
        self.position -= 1
        return True
