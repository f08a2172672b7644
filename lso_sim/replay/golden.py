"""Golden traces: recording a scenario's run, reading a golden back, writing one.

A golden is an ordinary trace file (docs/trace-format.md): a header naming the scenario and seed,
then the message records. Writing goes through the same serialisation as ``lso-sim run
--trace-out``, so a golden is byte-identical to the trace file of the same run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lso_sim import __version__
from lso_sim.engine.observers import MemoryTrace
from lso_sim.errors import LsoSimError
from lso_sim.replay.paths import scenario_label
from lso_sim.scenarios.loader import load_scenario
from lso_sim.scenarios.runner import RunResult, run_scenario
from lso_sim.scenarios.schema import Scenario
from lso_sim.trace.header import TraceFormatError, TraceHeader
from lso_sim.trace.jsonl import read_header, read_trace
from lso_sim.trace.records import COMPATIBLE_VERSIONS, TRACE_FORMAT_VERSION, dumps


@dataclass(frozen=True, slots=True)
class Golden:
    """A golden trace read from ``path``: its header (``None`` for format version 1) and records."""

    path: Path
    header: TraceHeader | None
    records: list[dict[str, Any]]


@dataclass(slots=True)
class Recording:
    """A fresh run of a scenario file: the header its trace gets, its records as JSON, the run."""

    header: TraceHeader
    records: list[dict[str, Any]]
    result: RunResult

    @property
    def scenario(self) -> Scenario:
        """The scenario that ran (with the seed it ran with)."""
        return self.result.scenario


def record_run(scenario_path: Path, *, seed: int | None = None, trace: Path | None = None) -> Recording:
    """Run the scenario file at ``scenario_path`` and keep its records as their JSON form.

    Args:
        scenario_path: the scenario file.
        seed: overrides the scenario's seed.
        trace: where the trace will be written, used to name the scenario in the header when it
            lies outside any project (see :func:`lso_sim.replay.paths.scenario_label`).
    """
    scenario = load_scenario(scenario_path)
    if seed is not None:
        scenario = scenario.model_copy(update={"seed": seed})
    memory = MemoryTrace()
    result = run_scenario(scenario, [memory])
    records = [json.loads(dumps(message)) for message in memory.records]
    return Recording(trace_header(scenario, scenario_path, trace), records, result)


def trace_header(scenario: Scenario, scenario_path: Path | None, trace: Path | None = None) -> TraceHeader:
    """The header of a trace of ``scenario`` loaded from ``scenario_path``."""
    label = None if scenario_path is None else scenario_label(scenario_path, trace)
    return TraceHeader(scenario=label, name=scenario.name, seed=scenario.seed, lso_sim=__version__)


def read_golden(path: Path) -> Golden:
    """Read the golden trace at ``path`` (any format version; see :func:`check_version`)."""
    if not path.is_file():
        raise LsoSimError(f"{path}: no such golden trace")
    return Golden(path, read_header(path), list(read_trace(path)))


def check_version(golden: Golden, *, scenario_given: bool) -> None:
    """Refuse a golden whose records this lso-sim cannot compare, saying which version differs.

    Raises:
        TraceFormatError: the golden's format version is not one this lso-sim reads, or it has
            no header (version 1) and no scenario was given to replay it with.
    """
    header = golden.header
    if header is None:
        if not scenario_given:
            raise TraceFormatError(
                f"{golden.path}: trace format version 1 (no header line), this lso-sim writes version "
                f"{TRACE_FORMAT_VERSION}: a version-1 trace does not name its scenario; replay it with "
                "--scenario FILE (and --seed N), or re-record it with --update --scenario FILE"
            )
        return
    if header.version not in COMPATIBLE_VERSIONS:
        readable = ", ".join(str(v) for v in sorted(COMPATIBLE_VERSIONS))
        raise TraceFormatError(
            f"{golden.path}: trace format version {header.version} differs from this lso-sim's "
            f"version {TRACE_FORMAT_VERSION} (it reads versions {readable}); "
            f"re-record the golden with: lso-sim replay {golden.path} --update"
        )


def write_golden(path: Path, header: TraceHeader, records: list[dict[str, Any]]) -> None:
    """Write a golden trace: the header line, then one line per record."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [header.dumps(), *(json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in records)]
    try:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    except OSError as exc:
        raise LsoSimError(f"{path}: cannot write the golden ({exc.strerror or exc})") from None
