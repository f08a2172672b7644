"""Streaming JSONL trace: a header line, one JSON object per record in send order, an end line.

The writer is an engine observer: records are serialised only here, when written, so the engine's
hot path never builds JSON. Reading back is strict (see :func:`read_trace_file`): every line must
be UTF-8, a JSON object no deeper than :data:`MAX_DEPTH`, and a well-formed record; the first bad
line stops the read with a message naming the file, the line and what is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from lso_sim.errors import BadInput, TraceError, echo
from lso_sim.messages.envelope import Message
from lso_sim.trace.header import TraceEnd, TraceHeader, is_end, is_header, parse_end, parse_header
from lso_sim.trace.records import dumps_line, record_problem

MAX_DEPTH = 64
"""Deepest nesting of objects and arrays a trace line may have (MEF bodies need about ten)."""

MAX_LINE = 16 * 1024 * 1024
"""Longest trace line read, in bytes: longer is not a record lso-sim wrote."""


def _end_time(msg: Message) -> float:
    return msg.delivered if msg.delivered is not None and msg.delivered > msg.time else msg.time


class JsonlTraceWriter:
    """Writes each record to ``stream`` as one line of JSON, and an end record on :meth:`finish`.

    Args:
        stream: a text stream opened for writing (the caller owns and closes it).
        header: written as the first line when given (format version 2 and later).
    """

    def __init__(self, stream: IO[str], header: TraceHeader | None = None) -> None:
        self._stream = stream
        self.written = 0
        self.last_time = 0.0
        self.finished = False
        if header is not None:
            stream.write(header.dumps())
            stream.write("\n")

    def on_record(self, record: Message) -> None:
        self._stream.write(dumps_line(record))
        self.written += 1
        end = _end_time(record)
        if end > self.last_time:
            self.last_time = end

    def finish(self, *, complete: bool, reason: str | None = None) -> None:
        """Write the end record (once): ``complete`` for a finished run, else cut with ``reason``."""
        if self.finished:
            return
        self.finished = True
        end = TraceEnd(complete, self.written, round(self.last_time, 6), None if complete else reason)
        self._stream.write(end.dumps())
        self._stream.write("\n")
        self._stream.flush()


def end_of(records: list[dict[str, Any]]) -> TraceEnd:
    """The end record of a complete trace holding ``records`` (as :class:`JsonlTraceWriter` writes it)."""
    last = 0.0
    for record in records:
        delivered = record.get("delivered")
        last = max(last, float(record["time"]), float(delivered) if delivered is not None else 0.0)
    return TraceEnd(True, len(records), round(last, 6))


def _depth_exceeds(value: Any, limit: int) -> bool:
    """True when ``value`` nests containers deeper than ``limit`` (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _decode(raw: bytes, where: str) -> dict[str, Any]:
    """One trace line as a JSON object, or a located :class:`TraceError`."""
    if len(raw) > MAX_LINE:
        raise TraceError(f"{where}: line of {len(raw):,} bytes, longer than any record ({MAX_LINE:,})")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TraceError(
            f"{where}: not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})"
        ) from None
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TraceError(f"{where}: not a JSON record ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise TraceError(f"{where}: JSON nested too deep (more than {MAX_DEPTH} levels)") from None
    if not isinstance(record, dict):
        raise TraceError(f"{where}: expected a JSON object, got {echo(record)}")
    if _depth_exceeds(record, MAX_DEPTH):
        raise TraceError(f"{where}: JSON nested too deep (more than {MAX_DEPTH} levels)")
    return record


def _lines(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, JSON object) for every non-blank line of ``path``."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed in the finally below
    except OSError as exc:
        raise BadInput(f"{path}: cannot read the trace ({exc.strerror or exc})") from None
    try:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            yield number, _decode(raw, f"{path}:{number}")
    except OSError as exc:
        raise BadInput(f"{path}: cannot read the trace ({exc.strerror or exc})") from None
    finally:
        handle.close()


@dataclass(frozen=True, slots=True)
class TraceFile:
    """A whole trace file read back: header (``None`` in version 1), records, end record.

    ``end`` is ``None`` when the file has no end record: a version 1 or 2 trace, or a version 3
    trace whose process was killed.
    """

    header: TraceHeader | None
    records: list[dict[str, Any]]
    end: TraceEnd | None

    @property
    def version(self) -> int:
        """Format version of the file (1 when it has no header)."""
        return 1 if self.header is None else self.header.version

    @property
    def cut(self) -> str | None:
        """Why the trace is not known to be complete (version 3 and later), or ``None``."""
        if self.version < 3:
            return None
        if self.end is None:
            return "it has no end record (the run was killed or the file was cut)"
        if not self.end.complete:
            return f"its end record says it is cut ({self.end.reason or 'no reason given'})"
        return None


def iter_trace(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) for the header, message and end records of ``path``, each checked.

    Raises:
        BadInput: the file cannot be read.
        TraceError: a line is not UTF-8, not a JSON object, nested too deep, a malformed record,
            a header that is not first or names an unknown version, or a line after the end record.
    """
    ended = False
    first = True
    for number, record in _lines(path):
        where = f"{path}:{number}"
        if ended:
            raise TraceError(f"{where}: a record after the end record")
        if is_header(record):
            if not first:
                raise TraceError(f"{where}: a header record is only allowed on the first line")
            parse_header(record, where)
        elif is_end(record):
            ended = True
        elif "record" in record:
            raise TraceError(f"{where}: unknown record {echo(record['record'])} (expected a message record)")
        else:
            problem = record_problem(record)
            if problem is not None:
                raise TraceError(f"{where}: {problem}")
        first = False
        yield number, record


def read_trace_file(path: str | Path) -> TraceFile:
    """Read and check the whole trace at ``path`` (see :func:`iter_trace` for what is refused).

    Also refuses an end record whose count disagrees with the records read.
    """
    header: TraceHeader | None = None
    end: TraceEnd | None = None
    records: list[dict[str, Any]] = []
    for number, record in iter_trace(path):
        if is_header(record):
            header = parse_header(record, f"{path}:{number}")
        elif is_end(record):
            end = parse_end(record, f"{path}:{number}")
            if end.records != len(records):
                raise TraceError(
                    f"{path}:{number}: the end record counts {end.records} records, "
                    f"the file has {len(records)}"
                )
        else:
            records.append(record)
    return TraceFile(header, records, end)


def read_trace(path: str | Path) -> Iterator[dict[str, Any]]:
    """The message records of a JSONL trace file, as dicts (header and end record skipped).

    Raises:
        BadInput: the file cannot be read, or a line is bad (see :func:`iter_trace`).
    """
    for _, record in iter_trace(path):
        if not is_header(record) and not is_end(record):
            yield record


class TraceRecords:
    """The message records of a trace file, read back anew on each iteration: nothing is kept.

    What needs a streamed run's records after the run (expectations, a report) iterates this
    instead of a list; each pass reads and checks the file again (see :func:`read_trace`).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = path

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return read_trace(self.path)


def read_header(path: str | Path) -> TraceHeader | None:
    """The header of a trace file, or ``None`` for a trace without one (format version 1).

    Raises:
        BadInput: the file cannot be read or its first line is bad.
    """
    for number, record in _lines(path):
        return parse_header(record, f"{path}:{number}") if is_header(record) else None
    return None
