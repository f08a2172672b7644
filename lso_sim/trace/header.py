"""The header record: the first line of a trace, saying what format it is and what produced it.

A trace that names its scenario and seed can be re-run and compared (``lso-sim replay``), and a
reader can tell a file written in another layout from a broken one. Traces of format version 1
had no header; :func:`parse_header` and :func:`lso_sim.trace.jsonl.read_header` tell them apart.

From format version 3 a trace also ends with an end record (:class:`TraceEnd`): a run that
finished writes ``complete: true``; a run stopped by Ctrl-C or by an internal error writes
``complete: false`` and the reason; a killed process leaves none. A golden must be complete.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from lso_sim.errors import TraceError, echo
from lso_sim.trace.records import COMPATIBLE_VERSIONS, TRACE_FORMAT_VERSION

FORMAT_NAME = "lso-sim-trace"
"""Value of the header's ``format`` key: marks the file as an lso-sim trace."""

HEADER_KIND = "header"
"""Value of the header's ``record`` key; message records have no ``record`` key."""

END_KIND = "end"
"""Value of the end record's ``record`` key (format version 3 and later)."""


class TraceFormatError(TraceError):
    """A trace file's header is malformed or names a format this lso-sim does not read."""


@dataclass(frozen=True, slots=True)
class TraceHeader:
    """What a trace's first line says about it.

    Attributes:
        scenario: the scenario file, relative to the project root (``scenarios/thread-10.2.yaml``),
            or ``None`` when the run did not come from a file.
        name: the scenario's ``name``.
        seed: the seed the run used (after any ``--seed`` override).
        lso_sim: version of lso-sim that wrote the trace (informative; not compared).
        version: trace format version of the records that follow.
        sandbox: set for a session of ``lso-sim serve``: what a replay of it needs besides the
            scenario and seed (``role``, ``speed``, ``chaos``, ``chaos_rate``; see
            :data:`SANDBOX_KEYS`); absent from the line of any other trace.
    """

    scenario: str | None
    name: str
    seed: int
    lso_sim: str
    version: int = TRACE_FORMAT_VERSION
    sandbox: dict[str, Any] | None = None

    def to_record(self) -> dict[str, Any]:
        """The header as a JSON-ready dict, keys in a fixed order."""
        return {
            "record": HEADER_KIND,
            "format": FORMAT_NAME,
            "version": self.version,
            "scenario": self.scenario,
            "name": self.name,
            "seed": self.seed,
            "lso_sim": self.lso_sim,
        } | ({} if self.sandbox is None else {"sandbox": self.sandbox})

    def dumps(self) -> str:
        """The header line (without the newline), written like the message records."""
        return json.dumps(self.to_record(), ensure_ascii=False, separators=(",", ":"))


def is_header(record: dict[str, Any]) -> bool:
    """True for a header record (message records carry no ``record`` key)."""
    return record.get("record") == HEADER_KIND


def parse_header(record: dict[str, Any], source: str) -> TraceHeader:
    """The header in ``record``; ``source`` names the file in errors.

    Raises:
        TraceFormatError: not an lso-sim trace header, or a field has the wrong type.
    """
    if record.get("format") != FORMAT_NAME:
        raise TraceFormatError(
            f"{source}: header says format {record.get('format')!r}, expected {FORMAT_NAME!r}"
        )
    version = record.get("version")
    seed = record.get("seed")
    scenario = record.get("scenario")
    if not isinstance(version, int) or isinstance(version, bool):
        raise TraceFormatError(f"{source}: header 'version' must be an integer, got {echo(version)}")
    if version not in COMPATIBLE_VERSIONS:
        raise TraceFormatError(
            f"{source}: trace format version {version}; this lso-sim reads versions "
            f"{readable_versions()} (re-record the trace with this lso-sim, e.g. make goldens)"
        )
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TraceFormatError(f"{source}: header 'seed' must be an integer, got {echo(seed)}")
    if scenario is not None and not isinstance(scenario, str):
        raise TraceFormatError(f"{source}: header 'scenario' must be a path or null, got {echo(scenario)}")
    sandbox = record.get("sandbox")
    if sandbox is not None:
        problem = sandbox_problem(sandbox)
        if problem is not None:
            raise TraceFormatError(f"{source}: header 'sandbox' {problem}")
    return TraceHeader(
        sandbox=sandbox,
        scenario=scenario,
        name=str(record.get("name", ""))[:200],
        seed=seed,
        lso_sim=str(record.get("lso_sim", "")),
        version=version,
    )


SANDBOX_KEYS = ("role", "speed", "chaos", "chaos_rate")
"""The keys of a sandbox session's header entry, in order."""


def sandbox_problem(value: Any) -> str | None:
    """What is wrong with a header's ``sandbox`` entry, or ``None``."""
    if not isinstance(value, dict) or set(value) != set(SANDBOX_KEYS):
        return f"must be a mapping of {', '.join(SANDBOX_KEYS)}, got {echo(value)}"
    if value["role"] not in ("partner", "sp"):
        return f"role must be partner or sp, got {echo(value['role'])}"
    for key in ("speed", "chaos_rate"):
        number = value[key]
        if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number):
            return f"{key} must be a number, got {echo(number)}"
    chaos = value["chaos"]
    if not isinstance(chaos, list) or not all(isinstance(kind, str) for kind in chaos):
        return f"chaos must be a list of kinds, got {echo(chaos)}"
    return None


def readable_versions() -> str:
    """The trace format versions this lso-sim reads, for messages: ``"1, 2, 3"``."""
    return ", ".join(str(v) for v in sorted(COMPATIBLE_VERSIONS))


def is_end(record: dict[str, Any]) -> bool:
    """True for an end record."""
    return record.get("record") == END_KIND


@dataclass(frozen=True, slots=True)
class TraceEnd:
    """What a trace's last line says about how the run ended (format version 3).

    Attributes:
        complete: the run finished; ``False`` when it was stopped (Ctrl-C, an internal error).
        records: how many records (header and end record excluded) the trace holds.
        time: simulated time of the last event recorded (latest send, arrival or activity end).
        reason: why the trace is cut; ``None`` for a complete trace.
    """

    complete: bool
    records: int
    time: float
    reason: str | None = None

    def to_record(self) -> dict[str, Any]:
        """The end record as a JSON-ready dict, keys in a fixed order."""
        return {
            "record": END_KIND,
            "complete": self.complete,
            "records": self.records,
            "time": self.time,
            "reason": self.reason,
        }

    def dumps(self) -> str:
        """The end line (without the newline)."""
        return json.dumps(self.to_record(), ensure_ascii=False, separators=(",", ":"))


def parse_end(record: dict[str, Any], source: str) -> TraceEnd:
    """The end record in ``record``; ``source`` names the file and line in errors.

    Raises:
        TraceFormatError: a field is missing or has the wrong type.
    """
    complete, count, time, reason = (record.get(k) for k in ("complete", "records", "time", "reason"))
    if not isinstance(complete, bool):
        raise TraceFormatError(f"{source}: end record 'complete' must be true or false, got {echo(complete)}")
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise TraceFormatError(f"{source}: end record 'records' must be a count, got {echo(count)}")
    if not isinstance(time, int | float) or isinstance(time, bool) or not math.isfinite(time):
        raise TraceFormatError(f"{source}: end record 'time' must be a finite number, got {echo(time)}")
    if reason is not None and not isinstance(reason, str):
        raise TraceFormatError(f"{source}: end record 'reason' must be text or null, got {echo(reason)}")
    return TraceEnd(complete, count, float(time), reason)
