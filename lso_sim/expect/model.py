"""The ``expect:`` block of a scenario: what a run must end with, as pydantic models.

Expectations read only what every thread leaves behind: the trace records and the thread
instance outcomes (``world.outcomes``). So one vocabulary covers every thread:

- ``outcomes``: final state and lead time of the matching thread instances;
- ``messages``: how many records match a selector (per IRP, operation, kind, status...);
- ``steps_reached``: MEF steps each thread must have realised;
- ``must_not``: selectors no record may match;
- ``no_lost_messages``, ``timeouts``, ``errors``, ``end_time``: run-wide bounds.

docs/scenario-format.md#expectations documents the block for users; keep the two in step.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from lso_sim.architecture.roles import Irp, Role
from lso_sim.messages.envelope import Kind
from lso_sim.threads.catalog import EXTRA_STEPS, THREADS


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CountRange(_Strict):
    """A count between ``min`` and ``max`` (both inclusive, either may be left out).

    A bare integer in the file means exactly that many.
    """

    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> CountRange:
        if self.min is None and self.max is None:
            raise ValueError("give 'min', 'max' or both")
        if self.min is not None and self.max is not None and self.max < self.min:
            raise ValueError(f"max ({self.max}) must not be below min ({self.min})")
        return self

    def holds(self, value: float) -> bool:
        """True when ``value`` lies within the range."""
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    def describe(self) -> str:
        """The range in words, e.g. ``between 2 and 5`` or ``exactly 0``."""
        if self.min is not None and self.min == self.max:
            return f"exactly {self.min}"
        if self.min is None:
            return f"at most {self.max}"
        if self.max is None:
            return f"at least {self.min}"
        return f"between {self.min} and {self.max}"


class DurationRange(_Strict):
    """Simulated seconds between ``min`` and ``max``; a bare number in the file means at most."""

    min: float | None = Field(default=None, ge=0)
    max: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> DurationRange:
        if self.min is None and self.max is None:
            raise ValueError("give 'min', 'max' or both")
        if self.min is not None and self.max is not None and self.max < self.min:
            raise ValueError(f"max ({self.max}) must not be below min ({self.min})")
        return self

    def holds(self, value: float) -> bool:
        """True when ``value`` lies within the range."""
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    def describe(self) -> str:
        """The range in words, in seconds."""
        if self.min is None:
            return f"at most {self.max:g} s"
        if self.max is None:
            return f"at least {self.min:g} s"
        return f"between {self.min:g} and {self.max:g} s"


class StatusRange(_Strict):
    """Response statuses between ``min`` and ``max``; a bare integer means that status."""

    min: int | None = Field(default=None, ge=100, le=599)
    max: int | None = Field(default=None, ge=100, le=599)

    @model_validator(mode="after")
    def _some_bound(self) -> StatusRange:
        if self.min is None and self.max is None:
            raise ValueError("give 'min', 'max' or both")
        return self

    def holds(self, status: int) -> bool:
        """True when ``status`` lies within the range."""
        return (self.min is None or status >= self.min) and (self.max is None or status <= self.max)


def _exact_count(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return {"min": value, "max": value}
    return value


def _at_most(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"max": value}
    return value


def _known_thread(value: str | None) -> str | None:
    """Reject a thread id section 10 does not define (the message lists the known ones)."""
    if value is not None and value not in THREADS:
        raise ValueError(f"a thread of MEF 55.0.1 section 10 ({', '.join(THREADS)}), got {value!r}")
    return value


class RecordMatch(_Strict):
    """Selects trace records: every given field must match (``instance`` is a glob, e.g. ``acme/*``)."""

    thread: str | None = None
    instance: str | None = None
    step: str | None = None
    irp: Irp | None = None
    src: str | None = None
    dst: str | None = None
    src_role: Role | None = None
    dst_role: Role | None = None
    kind: Kind | None = None
    operation: str | None = None
    api: str | None = None
    status: StatusRange | None = None

    _status = field_validator("status", mode="before")(_exact_count)
    _thread = field_validator("thread")(_known_thread)


class MessageCount(RecordMatch):
    """How many records match the selector."""

    count: CountRange

    _count = field_validator("count", mode="before")(_exact_count)


class OutcomeExpectation(_Strict):
    """What the matching thread instances end with.

    Attributes:
        thread: only instances of this thread (all threads when left out).
        instance: glob on instance ids (``*`` when left out).
        state: the final state every matching instance must have (e.g. ``completed``).
        lead_time: bounds on each matching instance's lead time (seconds; bare number = at most).
        count: how many instances must match (at least one when left out).
    """

    thread: str | None = None
    instance: str = "*"
    state: str | list[str] | None = None
    lead_time: DurationRange | None = None
    count: CountRange | None = None

    _thread = field_validator("thread")(_known_thread)
    _lead = field_validator("lead_time", mode="before")(_at_most)
    _count = field_validator("count", mode="before")(_exact_count)

    def states(self) -> list[str] | None:
        """The accepted final states, or ``None`` when any state will do."""
        if self.state is None:
            return None
        return [self.state] if isinstance(self.state, str) else list(self.state)


class ExpectModel(_Strict):
    """The ``expect:`` block of a scenario."""

    outcomes: list[OutcomeExpectation] = Field(default_factory=list)
    messages: list[MessageCount] = Field(default_factory=list)
    steps_reached: dict[str, list[str]] = Field(default_factory=dict)
    must_not: list[RecordMatch] = Field(default_factory=list)
    no_lost_messages: bool = False
    timeouts: CountRange | None = None
    errors: CountRange | None = None
    end_time: DurationRange | None = None

    _counts = field_validator("timeouts", "errors", mode="before")(_exact_count)
    _end = field_validator("end_time", mode="before")(_at_most)

    @field_validator("steps_reached")
    @classmethod
    def _known_steps(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for thread, steps in value.items():
            _known_thread(thread)
            known = [*THREADS[thread].steps, *EXTRA_STEPS.get(thread, {})]  # MEF's, then our labels
            unknown = [s for s in steps if known and s not in known]
            if unknown:
                given = ", ".join(map(repr, unknown))
                raise ValueError(f"steps of thread {thread} ({', '.join(known)}); {given} is not one")
        return value
