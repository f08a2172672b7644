"""Streaming JSONL trace: a header line, then one JSON object per record, in send order.

The writer is an engine observer: records are serialised only here, when written, so the engine's
hot path never builds JSON. Reading back gives plain dicts (see :func:`read_trace`) and the header
apart (see :func:`read_header`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from lso_sim.errors import LsoSimError
from lso_sim.messages.envelope import Message
from lso_sim.trace.header import TraceHeader, is_header, parse_header
from lso_sim.trace.records import dumps


class JsonlTraceWriter:
    """Writes each record to ``stream`` as one line of JSON.

    Args:
        stream: a text stream opened for writing (the caller owns and closes it).
        header: written as the first line when given (format version 2 and later).
    """

    def __init__(self, stream: IO[str], header: TraceHeader | None = None) -> None:
        self._stream = stream
        self.written = 0
        if header is not None:
            stream.write(header.dumps())
            stream.write("\n")

    def on_record(self, record: Message) -> None:
        self._stream.write(dumps(record))
        self._stream.write("\n")
        self.written += 1


def _lines(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, JSON object) for every non-blank line of ``path``."""
    try:
        handle = open(path, encoding="utf-8")  # noqa: SIM115 - closed in the finally below
    except OSError as exc:
        raise LsoSimError(f"{path}: cannot read the trace ({exc.strerror or exc})") from None
    try:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise LsoSimError(f"{path}:{number}: not a JSON record ({exc.msg})") from None
            if not isinstance(record, dict):
                raise LsoSimError(f"{path}:{number}: expected a JSON object")
            yield number, record
    finally:
        handle.close()


def read_trace(path: str | Path) -> Iterator[dict[str, Any]]:
    """The message records of a JSONL trace file, as dicts (the header, if any, is skipped).

    Raises:
        LsoSimError: the file cannot be read or a line is not a JSON object (names file and line).
    """
    for _, record in _lines(path):
        if not is_header(record):
            yield record


def read_header(path: str | Path) -> TraceHeader | None:
    """The header of a trace file, or ``None`` for a trace without one (format version 1).

    Raises:
        LsoSimError: the file cannot be read or its first line is not JSON.
        TraceFormatError: the header is malformed.
    """
    for _, record in _lines(path):
        return parse_header(record, str(path)) if is_header(record) else None
    return None
