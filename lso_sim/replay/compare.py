"""Comparing two traces record by record: what changed in the message flow, and where first.

Records are aligned on what a message *is* (thread, instance, step, IRP, sender, receiver, kind,
operation), not on its position, so one dropped step shows as a few removed records and not as
every later record shifted by one. A record the alignment drops in one place and adds in another
(same key) is paired up as **moved**, so a reordering reads as one move, not as one removal and
one addition. Aligned records are then compared field by field; ``seq`` and
``id`` are positions and are left out, and ``correlation_id`` is compared through the alignment
(a response still answering "the same request" is unchanged even if that request moved).
"""

from __future__ import annotations

from collections import deque
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
        change: ``changed`` (both sides, different fields), ``removed`` (only in the golden),
            ``added`` (only in the run) or ``moved`` (both sides, at another place in the order;
            its fields may differ too).
        golden: the golden's record (``None`` when added).
        actual: the run's record (``None`` when removed).
        fields: the differing values, for ``changed`` and ``moved``.
        golden_index: the golden record's index in the golden (``None`` when added).
        actual_index: the run record's index in the run (``None`` when removed).
    """

    change: Literal["changed", "added", "removed", "moved"]
    golden: Record | None
    actual: Record | None
    fields: tuple[FieldDiff, ...] = ()
    golden_index: int | None = None
    actual_index: int | None = None


StretchEntry = tuple[Literal["same", "changed", "added", "removed", "moved", "moved-away"], Record, int]
"""One row of a changed stretch: how it differs, the record drawn (the run's, or the golden's
for ``removed`` and ``moved-away``), and the index of its :class:`Divergence` (-1 for ``same``)."""

STRETCH_CONTEXT = 2
"""Unchanged records kept on each side of a changed stretch."""

STRETCH_LIMIT = 120
"""Most rows the changed stretches keep in all (the rest is cut, and said to be)."""


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
        moved: aligned records found at another place in the order.
        differences: every divergence, in trace order (``first`` is the first of them).
        stretches: the changed stretches, like a diff's hunks: the run's records around each run
            of differences, with the golden's removed records in place (at most
            :data:`STRETCH_LIMIT` rows in all).
        stretch_cut: rows of the stretches left out beyond the limit.
    """

    golden_records: int
    actual_records: int
    unchanged: int
    changed: int
    added: int
    removed: int
    first: Divergence | None
    ignored: tuple[str, ...] = field(default=())
    moved: int = 0
    differences: tuple[Divergence, ...] = ()
    stretches: tuple[tuple[StretchEntry, ...], ...] = ()
    stretch_cut: int = 0

    @property
    def identical(self) -> bool:
        """True when no record differs (ignored fields aside)."""
        return self.first is None

    def counts(self) -> str:
        """The counts in words: ``2 changed, 1 added, 0 removed, 104 unchanged`` (and ``1 moved``
        before the unchanged count when a record moved)."""
        moved = f"{self.moved} moved, " if self.moved else ""
        return (
            f"{self.changed} changed, {self.added} added, {self.removed} removed, {moved}"
            f"{self.unchanged} unchanged"
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
    removed_at: list[int] = []
    added_at: dict[tuple[str, ...], deque[int]] = {}
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            for k in range(min(i2 - i1, j2 - j1)):
                aligned[i1 + k] = j1 + k
        removed_at.extend(range(i1, i2) if tag == "delete" else ())
        for j in range(j1, j2) if tag == "insert" else ():
            added_at.setdefault(message_key(actual[j]), deque()).append(j)
    moves: dict[int, int] = {}
    for i in removed_at:
        waiting = added_at.get(message_key(golden[i]))
        if waiting:
            moves[i] = waiting.popleft()
    aligned.update(moves)
    moved_from = {j: i for i, j in moves.items()}
    unchanged = changed = added = removed = 0
    differences: list[Divergence] = []
    rows: list[StretchEntry] = []
    reported: dict[int, int] = {}

    def move(i: int) -> int:
        """The index of the divergence of the record moved from golden index ``i`` (made once,
        where the walk first meets either end of the move)."""
        if i not in reported:
            j = moves[i]
            fields = tuple(record_diff(golden[i], actual[j], aligned, patterns))
            reported[i] = len(differences)
            differences.append(Divergence("moved", golden[i], actual[j], fields, i, j))
        return reported[i]
    for tag, i1, i2, j1, j2 in opcodes:
        pairs = i2 - i1 if tag == "equal" else 0
        for k in range(pairs):
            diffs = record_diff(golden[i1 + k], actual[j1 + k], aligned, patterns)
            if diffs:
                changed += 1
                rows.append(("changed", actual[j1 + k], len(differences)))
                differences.append(
                    Divergence("changed", golden[i1 + k], actual[j1 + k], tuple(diffs), i1 + k, j1 + k)
                )
            else:
                unchanged += 1
                rows.append(("same", actual[j1 + k], -1))
        for i in range(i1 + pairs, i2):
            if i in moves:
                rows.append(("moved-away", golden[i], move(i)))
                continue
            removed += 1
            rows.append(("removed", golden[i], len(differences)))
            differences.append(Divergence("removed", golden[i], None, (), i, None))
        for j in range(j1 + pairs, j2):
            if j in moved_from:
                rows.append(("moved", actual[j], move(moved_from[j])))
                continue
            added += 1
            rows.append(("added", actual[j], len(differences)))
            differences.append(Divergence("added", None, actual[j], (), None, j))
    stretches, cut = _stretches(rows)
    return Comparison(
        len(golden),
        len(actual),
        unchanged,
        changed,
        added,
        removed,
        differences[0] if differences else None,
        patterns,
        len(moves),
        tuple(differences),
        stretches,
        cut,
    )


def _stretches(rows: list[StretchEntry]) -> tuple[tuple[tuple[StretchEntry, ...], ...], int]:
    """The changed stretches: runs of differences with :data:`STRETCH_CONTEXT` unchanged rows
    around them (two stretches closer than twice that are one), at most :data:`STRETCH_LIMIT`
    rows in all; and how many rows were cut beyond the limit."""
    spans: list[list[int]] = []
    for n, row in enumerate(rows):
        if row[0] == "same":
            continue
        if spans and n - spans[-1][1] <= 2 * STRETCH_CONTEXT + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    kept: list[tuple[StretchEntry, ...]] = []
    room, cut = STRETCH_LIMIT, 0
    for first, last in spans:
        start, end = max(0, first - STRETCH_CONTEXT), min(len(rows), last + STRETCH_CONTEXT + 1)
        take = min(room, end - start)
        if take:
            kept.append(tuple(rows[start : start + take]))
        room -= take
        cut += end - start - take
    return tuple(kept), cut


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
