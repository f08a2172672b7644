"""Comparing two traces record by record: what changed in the message flow, and where first.

Records are aligned on what a message *is* (thread, instance, step, IRP, sender, receiver, kind,
operation), not on its position, so one dropped step shows as a few removed records and not as
every later record shifted by one. Aligned records are then compared field by field; ``seq`` and
``id`` are positions and are left out, and ``correlation_id`` is compared through the alignment
(a response still answering "the same request" is unchanged even if that request moved).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any, Literal

from lso_sim.replay.align import align

Record = Mapping[str, Any]

KEY_FIELDS: tuple[str, ...] = ("thread", "instance", "step", "irp", "src", "dst", "kind", "operation")
"""Fields that say which message a record is; records are aligned on them."""

POSITION_FIELDS: frozenset[str] = frozenset({"seq", "id"})
"""Fields that only number records; never compared directly."""

TIMING_FIELDS: tuple[str, ...] = ("time", "delivered", "payload.**.*Date", "payload.**.*Time")
"""What ``--ignore-timings`` ignores: send and arrival times and the timestamps bodies carry."""


class _Missing:
    """Marks a key one side has and the other has not."""

    def __repr__(self) -> str:
        return "(absent)"


MISSING: Any = _Missing()


@dataclass(frozen=True, slots=True)
class FieldDiff:
    """One value that differs: its dotted path in the record and both sides' values."""

    path: str
    golden: Any
    actual: Any


@dataclass(frozen=True, slots=True)
class Divergence:
    """One record that differs between the golden and the run.

    Attributes:
        change: ``changed`` (both sides, different fields), ``removed`` (only in the golden) or
            ``added`` (only in the run).
        golden: the golden's record (``None`` when added).
        actual: the run's record (``None`` when removed).
        fields: the differing values, for ``changed``.
    """

    change: Literal["changed", "added", "removed"]
    golden: Record | None
    actual: Record | None
    fields: tuple[FieldDiff, ...] = ()


@dataclass(frozen=True, slots=True)
class Comparison:
    """The result of comparing a golden trace with a run.

    Attributes:
        golden_records: records in the golden.
        actual_records: records in the run.
        unchanged: aligned records that are equal.
        changed: aligned records with differing fields.
        added: records only the run has.
        removed: records only the golden has.
        first: the earliest divergence, ``None`` when the traces are the same.
        ignored: the ignore patterns in force.
    """

    golden_records: int
    actual_records: int
    unchanged: int
    changed: int
    added: int
    removed: int
    first: Divergence | None
    ignored: tuple[str, ...] = field(default=())

    @property
    def identical(self) -> bool:
        """True when no record differs (ignored fields aside)."""
        return self.first is None

    def counts(self) -> str:
        """The counts in words: ``2 changed, 1 added, 0 removed, 104 unchanged``."""
        return (
            f"{self.changed} changed, {self.added} added, {self.removed} removed, {self.unchanged} unchanged"
        )


def message_key(record: Record) -> tuple[str, ...]:
    """What a record is, independent of when it happened and where it sits in the trace."""
    return tuple(str(record.get(name)) for name in KEY_FIELDS)


def compare(golden: Sequence[Record], actual: Sequence[Record], ignore: Iterable[str] = ()) -> Comparison:
    """Compare a golden trace with a run's, ignoring the fields matching ``ignore``.

    Args:
        golden: the golden's message records, in trace order.
        actual: the run's message records, in trace order.
        ignore: dotted field patterns (``time``, ``payload.state``, ``payload.**.eventTime``):
            ``*`` matches within one segment, ``**`` any number of segments.
    """
    patterns = tuple(dict.fromkeys(ignore))
    opcodes = align([message_key(r) for r in golden], [message_key(r) for r in actual])
    aligned: dict[int, int] = {}
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            for k in range(min(i2 - i1, j2 - j1)):
                aligned[i1 + k] = j1 + k
    unchanged = changed = added = removed = 0
    first: Divergence | None = None
    for tag, i1, i2, j1, j2 in opcodes:
        pairs = i2 - i1 if tag == "equal" else 0
        for k in range(pairs):
            diffs = record_diff(golden[i1 + k], actual[j1 + k], aligned, patterns)
            if diffs:
                changed += 1
                first = first or Divergence("changed", golden[i1 + k], actual[j1 + k], tuple(diffs))
            else:
                unchanged += 1
        for i in range(i1 + pairs, i2):
            removed += 1
            first = first or Divergence("removed", golden[i], None)
        for j in range(j1 + pairs, j2):
            added += 1
            first = first or Divergence("added", None, actual[j])
    return Comparison(len(golden), len(actual), unchanged, changed, added, removed, first, patterns)


def record_diff(
    golden: Record, actual: Record, aligned: Mapping[int, int], ignore: Sequence[str] = ()
) -> list[FieldDiff]:
    """Differing values of two aligned records (positions and ignored fields left out)."""
    diffs: list[FieldDiff] = []
    for name in _keys(golden, actual):
        if name in POSITION_FIELDS or ignored((name,), ignore):
            continue
        want, got = golden.get(name, MISSING), actual.get(name, MISSING)
        if name == "correlation_id":
            want = _realigned(want, aligned)
        _diff(want, got, (name,), ignore, diffs)
    return diffs


def ignored(path: Sequence[str], patterns: Sequence[str]) -> bool:
    """True when the field at ``path`` matches one of the dotted ``patterns``."""
    return any(_match(tuple(path), tuple(p.split("."))) for p in patterns)


def _match(path: tuple[str, ...], pattern: tuple[str, ...]) -> bool:
    if not pattern:
        return not path
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return any(_match(path[k:], rest) for k in range(len(path) + 1))
    return bool(path) and fnmatchcase(path[0], head) and _match(path[1:], rest)


def _realigned(correlation: Any, aligned: Mapping[int, int]) -> Any:
    """The golden's correlation id renumbered to the run's record it now refers to."""
    if isinstance(correlation, str) and correlation[:1] == "m" and correlation[1:].isdigit():
        target = aligned.get(int(correlation[1:]))
        if target is not None:
            return f"m{target}"
    return correlation


def _keys(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    return list(dict.fromkeys([*a, *b]))


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _diff(want: Any, got: Any, path: tuple[str, ...], ignore: Sequence[str], out: list[FieldDiff]) -> None:
    if ignored(path, ignore):
        return
    if isinstance(want, dict) and isinstance(got, dict):
        for key in _keys(want, got):
            _diff(want.get(key, MISSING), got.get(key, MISSING), (*path, str(key)), ignore, out)
    elif isinstance(want, list) and isinstance(got, list):
        for index in range(max(len(want), len(got))):
            _diff(
                want[index] if index < len(want) else MISSING,
                got[index] if index < len(got) else MISSING,
                (*path, str(index)),
                ignore,
                out,
            )
    elif not _same(want, got):
        out.append(FieldDiff(".".join(path), want, got))
