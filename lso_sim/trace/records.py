"""Trace records as JSON: the contract every user's tooling and CI relies on.

Field names and meanings are documented in docs/trace-format.md. Keep them stable: add fields,
never rename or remove one. :data:`TRACE_FORMAT_VERSION` changes when the meaning of an existing
field changes.
"""

from __future__ import annotations

import json
from typing import Any

from lso_sim.messages.envelope import Message

TRACE_FORMAT_VERSION = 2
"""Version of the trace file layout.

1: message records only. 2: a header record first (see :mod:`lso_sim.trace.header`); the message
records are unchanged, so version-1 records compare equal to version-2 records of the same run.
"""

COMPATIBLE_VERSIONS: frozenset[int] = frozenset({1, 2})
"""Format versions whose message records mean what this version's records mean."""

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
"""Record keys, in the order they are written."""

_DIGITS = 6
"""Times are rounded to microseconds: enough for any latency model, stable to print."""


def to_record(msg: Message) -> dict[str, Any]:
    """A message as a plain JSON-ready dict with keys in :data:`FIELDS` order."""
    return {
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


def dumps(msg: Message) -> str:
    """One JSONL line (without the newline) for ``msg``; deterministic for equal messages."""
    return json.dumps(to_record(msg), ensure_ascii=False, separators=(",", ":"))
