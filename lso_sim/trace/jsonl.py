"""Streaming JSONL trace: one JSON object per record, in send order, written as it happens.

The writer is an engine observer: records are serialised only here, when written, so the engine's
hot path never builds JSON. Reading back gives plain dicts (see :func:`read_trace`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from lso_sim.errors import LsoSimError
from lso_sim.messages.envelope import Message
from lso_sim.trace.records import dumps


class JsonlTraceWriter:
    """Writes each record to ``stream`` as one line of JSON.

    Args:
        stream: a text stream opened for writing (the caller owns and closes it).
    """

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self.written = 0

    def on_record(self, record: Message) -> None:
        self._stream.write(dumps(record))
        self._stream.write("\n")
        self.written += 1


def read_trace(path: str | Path) -> Iterator[dict[str, Any]]:
    """The records of a JSONL trace file, as dicts.

    Raises:
        LsoSimError: the file cannot be read or a line is not a JSON object (names file and line).
    """
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
            yield record
    finally:
        handle.close()
