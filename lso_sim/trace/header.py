"""The header record: the first line of a trace, saying what format it is and what produced it.

A trace that names its scenario and seed can be re-run and compared (``lso-sim replay``), and a
reader can tell a file written in another layout from a broken one. Traces of format version 1
had no header; :func:`parse_header` and :func:`lso_sim.trace.jsonl.read_header` tell them apart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from lso_sim.errors import LsoSimError
from lso_sim.trace.records import TRACE_FORMAT_VERSION

FORMAT_NAME = "lso-sim-trace"
"""Value of the header's ``format`` key: marks the file as an lso-sim trace."""

HEADER_KIND = "header"
"""Value of the header's ``record`` key; message records have no ``record`` key."""


class TraceFormatError(LsoSimError):
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
    """

    scenario: str | None
    name: str
    seed: int
    lso_sim: str
    version: int = TRACE_FORMAT_VERSION

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
        }

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
        raise TraceFormatError(f"{source}: header 'version' must be an integer, got {version!r}")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TraceFormatError(f"{source}: header 'seed' must be an integer, got {seed!r}")
    if scenario is not None and not isinstance(scenario, str):
        raise TraceFormatError(f"{source}: header 'scenario' must be a path or null, got {scenario!r}")
    return TraceHeader(
        scenario=scenario,
        name=str(record.get("name", "")),
        seed=seed,
        lso_sim=str(record.get("lso_sim", "")),
        version=version,
    )
