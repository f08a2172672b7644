"""The ``expect:`` block of a scenario: what a run must end with, as pydantic models.

Expectations read only what every thread leaves behind: the trace records and the thread
instance outcomes (``world.outcomes``). So one vocabulary covers every thread:

- ``outcomes``: final state and lead time of the matching thread instances;
- ``messages``: how many records match a selector (per IRP, operation, kind, status, and
  payload fields by dotted path);
- ``steps_reached``: MEF steps each thread must have realised;
- ``instance_steps``: MEF steps every matching instance of a thread must have realised;
- ``must_not``: selectors no record may match;
- ``no_lost_messages``, ``timeouts``, ``errors``, ``end_time``: run-wide bounds.

docs/scenario-format.md#expectations documents the block for users; keep the two in step.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Final

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

from lso_sim.architecture.roles import Irp, Role
from lso_sim.messages.envelope import Kind
from lso_sim.threads.catalog import EXTRA_STEPS, THREADS


class _Strict(BaseModel):
    # Finite floats and bounded strings, as in the scenario schema (lso_sim.scenarios.schema).
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, str_max_length=10_000)


class _Range(_Strict):
    """Bounds ``min`` and ``max``, both inclusive, at least one given (subclasses set their types)."""

    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> _Range:
        if self.min is None and self.max is None:
            raise ValueError("give 'min', 'max' or both")
        if self.min is not None and self.max is not None and self.max < self.min:
            raise ValueError(f"max ({self.max}) must not be below min ({self.min})")
        return self

    def holds(self, value: float) -> bool:
        """True when ``value`` lies within the range."""
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)


class CountRange(_Range):
    """A count between ``min`` and ``max`` (both inclusive, either may be left out).

    A bare integer in the file means exactly that many.
    """

    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)

    def describe(self) -> str:
        """The range in words, e.g. ``between 2 and 5`` or ``exactly 0``."""
        if self.min is not None and self.min == self.max:
            return f"exactly {self.min}"
        if self.min is None:
            return f"at most {self.max}"
        if self.max is None:
            return f"at least {self.min}"
        return f"between {self.min} and {self.max}"


_UNITS: Final = {"s": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "d": 86400.0}
"""Units a duration may be written in (``90s``, ``30m``, ``5h``, ``1.5d``)."""


def seconds(value: Any) -> Any:
    """A duration written with a unit (``5h``) in seconds; numbers and other values pass as they are."""
    if not isinstance(value, str):
        return value
    text = value.strip().lower()
    number = text.rstrip("abcdefghijklmnopqrstuvwxyz ")
    unit = text[len(number) :].strip() or "s"
    try:
        amount = float(number)
    except ValueError:
        amount = math.nan
    if unit not in _UNITS or not math.isfinite(amount):
        raise ValueError(f"a duration: seconds, or a number with s, m, h or d (got {value[:40]!r})")
    return amount * _UNITS[unit]


class DurationRange(_Range):
    """Simulated seconds between ``min`` and ``max``; a bare number in the file means at most.

    Either bound may be written with a unit: ``5h``, ``30m``, ``1.5d``, ``90s``.
    """

    min: float | None = Field(default=None, ge=0)
    max: float | None = Field(default=None, ge=0)

    _units = field_validator("min", "max", mode="before")(seconds)

    def describe(self) -> str:
        """The range in words, in seconds."""
        if self.min is None:
            return f"at most {self.max:g} s"
        if self.max is None:
            return f"at least {self.min:g} s"
        return f"between {self.min:g} and {self.max:g} s"


def fraction(value: Any) -> Any:
    """``95%`` as ``0.95``; numbers and other values pass as they are."""
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            return float(value.strip()[:-1]) / 100
        except ValueError:
            raise ValueError(f"a percentage such as 95% (got {value[:40]!r})") from None
    return value


class RateRange(_Range):
    """A share of instances between ``min`` and ``max`` (0 to 1, or percentages: ``95%``).

    A bare number or percentage means at least; ``">= 95%"`` and ``"<= 5%"`` say which bound.
    """

    min: float | None = Field(default=None, ge=0, le=1)
    max: float | None = Field(default=None, ge=0, le=1)

    _percent = field_validator("min", "max", mode="before")(fraction)

    def describe(self) -> str:
        """The range in words, in percent."""
        if self.min is None:
            return f"at most {self.max * 100 if self.max is not None else 0:g}%"
        if self.max is None:
            return f"at least {self.min * 100:g}%"
        return f"between {self.min * 100:g}% and {self.max * 100:g}%"


def _rate_shorthand(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"min": value}
    if isinstance(value, str):
        text = value.strip()
        for sign, bound in ((">=", "min"), ("<=", "max")):
            if text.startswith(sign):
                return {bound: text[len(sign) :].strip()}
        return {"min": text}
    return value


PERCENTILE_KEY = re.compile(r"^p(100|[1-9][0-9]?(\.[0-9]+)?)$|^mean$")
"""Keys of ``percentiles``: ``p50``, ``p95``, ``p99.9``... or ``mean``."""


class StatusRange(_Range):
    """Response statuses between ``min`` and ``max``; a bare integer means that status."""

    min: int | None = Field(default=None, ge=100, le=599)
    max: int | None = Field(default=None, ge=100, le=599)



def _exact_count(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return {"min": value, "max": value}
    return value


def _at_most(value: Any) -> Any:
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        return {"max": value}
    return value


def _known_thread(value: str | None) -> str | None:
    """Reject a thread id section 10 does not define (the message lists the known ones)."""
    if value is not None and value not in THREADS:
        raise ValueError(f"a thread of MEF 55.0.1 section 10 ({', '.join(THREADS)}), got {value!r}")
    return value


def _known_steps(thread: str, steps: list[str]) -> list[str]:
    """Reject a step the catalog does not know for ``thread`` (the message lists the known ones)."""
    known = [*THREADS[thread].steps, *EXTRA_STEPS.get(thread, {})]  # MEF's, then our labels
    unknown = [s for s in steps if known and s not in known]
    if unknown:
        given = ", ".join(map(repr, unknown))
        raise ValueError(f"steps of thread {thread} ({', '.join(known)}); {given} is not one")
    return steps


Scalar = str | int | float | bool | None
"""A JSON scalar a payload field may be compared with."""

MISSING: Final = object()
"""What :func:`lookup` returns for a path the payload does not have."""


def _payload_path(path: str) -> str:
    """Reject a dotted path with an empty segment (``a..b``, ``.a``, ``a.``, ``""``)."""
    if not path or any(segment == "" for segment in path.split(".")):
        raise ValueError(
            "a dotted path of field names and list indices, e.g. productOrderItem.0.state (no empty segment)"
        )
    return path


PayloadPath = Annotated[str, AfterValidator(_payload_path)]


def lookup(payload: Any, path: str) -> Any:
    """The value at the dotted ``path`` in ``payload``, or :data:`MISSING`.

    Each segment is a key of a mapping or, in a list, a 0-based index; a segment that names
    nothing there (an absent key, an index past the end, a scalar in the way) means the payload
    does not have the path, which no test matches.
    """
    node = payload
    for segment in path.split("."):
        if isinstance(node, Mapping):
            if segment not in node:
                return MISSING
            node = node[segment]
        elif isinstance(node, Sequence) and not isinstance(node, str | bytes):
            if not (segment.isascii() and segment.isdigit()) or int(segment) >= len(node):
                return MISSING
            node = node[int(segment)]
        else:
            return MISSING
    return node


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def same_value(wanted: Scalar, value: Any) -> bool:
    """JSON equality: numbers compare by value (``1`` is ``1.0``), but ``true`` is not ``1``."""
    if _is_number(wanted) and _is_number(value):
        return bool(wanted == value)
    return type(wanted) is type(value) and bool(wanted == value)


def _plain_word(text: str) -> bool:
    """True for a string that reads unambiguously without quotes (not ``1``, ``true``, ``a b``)."""
    if not text or not all(c.isalnum() or c in "-_/:@." for c in text) or text in ("true", "false", "null"):
        return False
    try:
        float(text)
    except ValueError:
        return True
    return False


def show_value(value: Any) -> str:
    """A value as a failure message shows it: a plain word bare, anything else as JSON."""
    if value is MISSING:
        return "missing"
    if isinstance(value, str) and _plain_word(value):
        return value
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


class PayloadTest(_Strict):
    """What the payload field at one dotted path must hold.

    In the file it is a value (that value), a list (any one of them) or ``{min, max}`` (a number
    within both inclusive bounds). Nested conditions are written as dotted paths, not mappings,
    so a mapping here is always a range.
    """

    one_of: tuple[Scalar, ...] | None = Field(default=None, min_length=1)
    min: float | None = Field(default=None, strict=True)
    max: float | None = Field(default=None, strict=True)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, PayloadTest):
            return value
        if isinstance(value, Mapping):
            unknown = [str(key) for key in value if key not in ("min", "max")]
            if unknown:
                raise ValueError(
                    "a value, a list of values or a number range {min, max}; "
                    f"{', '.join(map(repr, unknown))} is not a bound (write a nested field as a dotted path)"
                )
            if not value:
                raise ValueError("a number range needs 'min', 'max' or both")
            return value
        values = value if isinstance(value, list) else [value]
        if not values:
            raise ValueError("a list of accepted values needs at least one value")
        odd = [(i, v) for i, v in enumerate(values) if not (v is None or isinstance(v, str | int | float))]
        if odd:
            at, what = odd[0]
            raise ValueError(
                "values to compare are strings, numbers, true/false or null (write a nested field "
                f"as a dotted path, quote a date); item {at} is a {type(what).__name__}"
            )
        return {"one_of": values}

    @model_serializer
    def _as_written(self) -> Any:
        """Dump as the file writes it, so a dumped scenario validates back to the same test."""
        if self.one_of is not None:
            return self.one_of[0] if len(self.one_of) == 1 else list(self.one_of)
        return {name: bound for name, bound in (("min", self.min), ("max", self.max)) if bound is not None}

    @model_validator(mode="after")
    def _ordered(self) -> PayloadTest:
        if self.min is not None and self.max is not None and self.max < self.min:
            raise ValueError(f"max ({self.max:g}) must not be below min ({self.min:g})")
        return self

    def holds(self, value: Any) -> bool:
        """True when ``value`` (possibly :data:`MISSING`) passes the test."""
        if value is MISSING:
            return False
        if self.one_of is not None:
            return any(same_value(wanted, value) for wanted in self.one_of)
        if not _is_number(value):
            return False
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    def describe(self, name: str) -> str:
        """The test on field ``name`` in words, e.g. ``payload.state=completed``."""
        if self.one_of is not None:
            if len(self.one_of) == 1:
                return f"{name}={show_value(self.one_of[0])}"
            return f"{name} in ({'|'.join(show_value(v) for v in self.one_of)})"
        if self.min is not None and self.min == self.max:
            return f"{name}={self.min:g}"
        if self.max is None:
            return f"{name}>={self.min:g}"
        if self.min is None:
            return f"{name}<={self.max:g}"
        return f"{name} in [{self.min:g}..{self.max:g}]"


class RecordMatch(_Strict):
    """Selects trace records: every given field must match (``instance`` is a glob, e.g. ``acme/*``).

    ``payload`` maps dotted paths into the record's payload (``productOrderItem.0.state``) to
    a :class:`PayloadTest`; a record whose payload lacks a path does not match.
    """

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
    payload: dict[PayloadPath, PayloadTest] | None = Field(default=None, min_length=1)

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
        reason: a text every matching instance's end reason must contain (case ignored), so that
            a scenario can say not only that an order failed but why.
        lead_time: bounds on each matching instance's lead time (seconds; bare number = at most).
        count: how many instances must match (at least one when left out). With a count, ``state``
            and ``reason`` choose the instances counted instead of binding all of them:
            ``{thread: "10.2", state: completed, count: {min: 100}}`` reads "at least 100 orders
            completed", whatever the others did.
        rate: the share of the thread/instance's instances that ``state`` and ``reason`` choose
            (like ``count``, they then choose rather than bind): ``{state: completed, rate: 95%}``.
        percentiles: bounds on lead-time percentiles (nearest rank) or the mean of the instances
            (those chosen, with a count or rate): ``{p95: 5h}`` reads "p95 lead time at most 5 h".
    """

    thread: str | None = None
    instance: str = "*"
    state: str | list[str] | None = None
    reason: str | None = Field(default=None, min_length=1, max_length=1000)
    lead_time: DurationRange | None = None
    count: CountRange | None = None
    rate: RateRange | None = None
    percentiles: dict[str, DurationRange] = Field(default_factory=dict)

    _thread = field_validator("thread")(_known_thread)
    _lead = field_validator("lead_time", mode="before")(_at_most)
    _count = field_validator("count", mode="before")(_exact_count)
    _rate = field_validator("rate", mode="before")(_rate_shorthand)

    @field_validator("percentiles", mode="before")
    @classmethod
    def _percentile_keys(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        for key in value:
            if not isinstance(key, str) or not PERCENTILE_KEY.match(key):
                raise ValueError(f"percentile names such as p50, p95, p99.9 or mean (got {str(key)[:40]!r})")
        return {key: _at_most(bound) for key, bound in value.items()}

    @model_validator(mode="after")
    def _rate_of_something(self) -> OutcomeExpectation:
        if self.rate is not None and self.state is None and self.reason is None:
            raise ValueError("a 'rate' is the share of instances with a 'state' (or 'reason'): give one")
        return self

    def states(self) -> list[str] | None:
        """The accepted final states, or ``None`` when any state will do."""
        if self.state is None:
            return None
        return [self.state] if isinstance(self.state, str) else list(self.state)


class InstanceSteps(_Strict):
    """MEF steps every matching instance of one thread must have reached.

    Attributes:
        thread: the thread whose instances are checked.
        instance: glob on instance ids (``*`` when left out); at least one instance must match.
        steps: the steps each of those instances must show in its records.
    """

    thread: str
    instance: str = "*"
    steps: list[str] = Field(min_length=1)

    _thread = field_validator("thread")(_known_thread)

    @field_validator("steps")
    @classmethod
    def _steps_of_thread(cls, value: list[str], info: ValidationInfo) -> list[str]:
        thread = info.data.get("thread")
        return value if thread is None else _known_steps(thread, value)


class ExpectModel(_Strict):
    """The ``expect:`` block of a scenario."""

    outcomes: list[OutcomeExpectation] = Field(default_factory=list)
    messages: list[MessageCount] = Field(default_factory=list)
    steps_reached: dict[str, list[str]] = Field(default_factory=dict)
    instance_steps: list[InstanceSteps] = Field(default_factory=list)
    must_not: list[RecordMatch] = Field(default_factory=list)
    no_lost_messages: bool = False
    timeouts: CountRange | None = None
    errors: CountRange | None = None
    end_time: DurationRange | None = None

    _counts = field_validator("timeouts", "errors", mode="before")(_exact_count)
    _end = field_validator("end_time", mode="before")(_at_most)

    @field_validator("steps_reached")
    @classmethod
    def _steps_of_threads(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for thread, steps in value.items():
            _known_thread(thread)
            _known_steps(thread, steps)
        return value
