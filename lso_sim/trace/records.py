"""Trace records as JSON: the contract every user's tooling and CI relies on.

Field names and meanings are documented in docs/trace-format.md. Keep them stable: add fields,
never rename or remove one. :data:`TRACE_FORMAT_VERSION` changes when the meaning of an existing
field changes.
"""

from __future__ import annotations

import math
from typing import Any

from lso_sim.errors import echo
from lso_sim.messages.envelope import Kind, Message
from lso_sim.trace.encode import json_line

TRACE_FORMAT_VERSION = 3
"""Version of the trace file layout.

1: message records only. 2: a header record first (see :mod:`lso_sim.trace.header`); the message
records are unchanged, so version-1 records compare equal to version-2 records of the same run.
3: records of kind ``outcome`` (one per thread instance, when it ends) and ``fault`` (an injected
fault), and an end record last: a complete trace says so, a cut one says why, and a trace without
one was killed. The message records are unchanged.
"""

COMPATIBLE_VERSIONS: frozenset[int] = frozenset({1, 2, 3})
"""Format versions whose message records mean what this version's records mean (and that the
readers accept): a version-2 record compares equal to the version-3 record of the same message."""

FIELDS: tuple[str, ...] = (
    "seq",
    "time",
    "delivered",
    "thread",
    "instance",
    "step",
    "irp",
    "src",
    "dst",
    "src_role",
    "dst_role",
    "kind",
    "operation",
    "api",
    "id",
    "correlation_id",
    "status",
    "payload",
)
"""Record keys, in the order they are written (every record has them all)."""

OPTIONAL_FIELDS: tuple[str, ...] = ("auth",)
"""Keys written after :data:`FIELDS` only when set: ``auth``, the credential a request presents
in a guarded run (thread 10.8). Traces written before it, or without security, have none."""

RECORD_KINDS: frozenset[str] = frozenset(str(kind) for kind in Kind)
"""Values a record's ``kind`` may take."""

_TEXT_FIELDS = ("thread", "instance", "step", "src", "dst", "src_role", "dst_role", "kind", "operation", "id")
_OPTIONAL_TEXT_FIELDS = ("irp", "api", "correlation_id")


def record_problem(record: dict[str, Any]) -> str | None:
    """What is wrong with a message record read back from a file, or ``None`` when it is well formed.

    Readers check every record so that a view never draws (or a replay never compares) a record
    it would misread: a missing field or a wrong type is named, with the value cut short.
    """
    for name in FIELDS:
        if name not in record:
            return f"field {name!r} is missing"
    seq = record["seq"]
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        return f"field 'seq' must be a whole number, 0 or more, got {echo(seq)}"
    for name in ("time", "delivered"):
        value = record[name]
        if value is None and name == "delivered":
            continue
        if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
            nullable = " or null" if name == "delivered" else ""
            return f"field {name!r} must be a finite number{nullable}, got {echo(value)}"
    for name in _TEXT_FIELDS:
        if not isinstance(record[name], str):
            return f"field {name!r} must be a string, got {echo(record[name])}"
    for name in _OPTIONAL_TEXT_FIELDS:
        if record[name] is not None and not isinstance(record[name], str):
            return f"field {name!r} must be a string or null, got {echo(record[name])}"
    status = record["status"]
    if status is not None and (not isinstance(status, int) or isinstance(status, bool)):
        return f"field 'status' must be a whole number or null, got {echo(status)}"
    auth = record.get("auth")
    if auth is not None and not isinstance(auth, str):
        return f"field 'auth' must be a string, got {echo(auth)}"
    if record["kind"] not in RECORD_KINDS:
        return f"field 'kind' must be one of {', '.join(sorted(RECORD_KINDS))}, got {echo(record['kind'])}"
    return None


_DIGITS = 6
"""Times are rounded to microseconds: enough for any latency model, stable to print."""


def to_record(msg: Message) -> dict[str, Any]:
    """A message as a plain JSON-ready dict with keys in :data:`FIELDS` order (then ``auth``)."""
    record = {
        "seq": msg.seq,
        "time": round(float(msg.time), _DIGITS),
        "delivered": None if msg.delivered is None else round(msg.delivered, _DIGITS),
        "thread": msg.thread,
        "instance": msg.instance,
        "step": msg.step,
        "irp": msg.irp,
        "src": msg.src,
        "dst": msg.dst,
        "src_role": msg.src_role,
        "dst_role": msg.dst_role,
        "kind": str(msg.kind),
        "operation": msg.operation,
        "api": msg.api,
        "id": msg.id,
        "correlation_id": msg.correlation_id,
        "status": msg.status,
        "payload": msg.payload,
    }
    if msg.auth is not None:
        record["auth"] = msg.auth
    return record


def dumps(msg: Message) -> str:
    """One JSONL line (without the newline) for ``msg``; deterministic for equal messages."""
    return json_line(to_record(msg))[:-1]


def dumps_line(msg: Message) -> str:
    """One JSONL line for ``msg``, with its newline (what a trace file holds)."""
    return json_line(to_record(msg))
