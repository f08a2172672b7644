"""Golden traces: recording a scenario's run, reading a golden back, writing one.

A golden is an ordinary trace file (docs/trace-format.md): a header naming the scenario and seed,
then the message records, then an end record saying the run was complete (format version 3).
A cut trace (no end record, or one saying ``complete: false``) is never taken for a golden.
Writing goes through the same serialisation as ``lso-sim run --trace-out``, so a golden is
byte-identical to the trace file of the same run.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lso_sim import __version__
from lso_sim.engine.observers import MemoryTrace
from lso_sim.errors import BadInput
from lso_sim.replay.paths import scenario_label
from lso_sim.scenarios.loader import load_scenario
from lso_sim.scenarios.overrides import Override
from lso_sim.scenarios.runner import RunResult, run_scenario
from lso_sim.scenarios.schema import Scenario
from lso_sim.trace.header import TraceEnd, TraceFormatError, TraceHeader, readable_versions
from lso_sim.trace.jsonl import end_of, read_trace_file
from lso_sim.trace.records import COMPATIBLE_VERSIONS, TRACE_FORMAT_VERSION, dumps


@dataclass(frozen=True, slots=True)
class Golden:
    """A golden trace read from ``path``: its header (``None`` for format version 1), records and
    end record (``None`` before format version 3, or when the trace was cut by a kill)."""

    path: Path
    header: TraceHeader | None
    records: list[dict[str, Any]]
    end: TraceEnd | None = None

    @property
    def version(self) -> int:
        """The golden's trace format version (1 when it has no header)."""
        return 1 if self.header is None else self.header.version


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


def record_run(
    scenario_path: Path,
    *,
    seed: int | None = None,
    trace: Path | None = None,
    overrides: Sequence[Override] = (),
) -> Recording:
    """Run the scenario file at ``scenario_path`` and keep its records as their JSON form.

    Args:
        scenario_path: the scenario file.
        seed: overrides the scenario's seed.
        trace: where the trace will be written, used to name the scenario in the header when it
            lies outside any project (see :func:`lso_sim.replay.paths.scenario_label`).
        overrides: ``--set`` changes applied to the file before it is validated.
    """
    scenario = load_scenario(scenario_path, overrides)
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
        raise BadInput(f"{path}: no such golden trace")
    trace = read_trace_file(path)
    return Golden(path, trace.header, trace.records, trace.end)


def check_version(golden: Golden, *, scenario_given: bool) -> None:
    """Refuse a golden whose records this lso-sim cannot compare, saying which version differs.

    Raises:
        TraceFormatError: the golden's format version is not one this lso-sim reads, it has
            no header (version 1) and no scenario was given to replay it with, or it is cut (a
            version-3 trace without an end record, or whose end record says ``complete: false``).
    """
    header = golden.header
    if golden.version >= 3 and (golden.end is None or not golden.end.complete):
        why = (
            "it has no end record (the run was killed or the file was cut)"
            if golden.end is None
            else f"its end record says the run was cut ({golden.end.reason or 'no reason given'})"
        )
        raise TraceFormatError(
            f"{golden.path}: not a complete trace, so not a golden: {why}; "
            f"re-record it with: lso-sim replay {golden.path} --update (or make goldens)"
        )
    if header is None:
        if not scenario_given:
            raise TraceFormatError(
                f"{golden.path}: trace format version 1 (no header line), this lso-sim writes version "
                f"{TRACE_FORMAT_VERSION}: a version-1 trace does not name its scenario; replay it with "
                "--scenario FILE (and --seed N), or re-record it with --update --scenario FILE"
            )
        return
    if header.version not in COMPATIBLE_VERSIONS:
        raise TraceFormatError(
            f"{golden.path}: trace format version {header.version} differs from this lso-sim's "
            f"version {TRACE_FORMAT_VERSION} (it reads versions {readable_versions()}); "
            f"re-record the golden with: lso-sim replay {golden.path} --update (or make goldens)"
        )


def version_note(golden: Golden) -> str | None:
    """What to tell about a golden of an older format version that is still compared, if anything.

    Version-1 and version-2 message records are version-3 records (the documented conversion),
    but those files carry no end record, so nothing proves they are complete.
    """
    if golden.version >= TRACE_FORMAT_VERSION:
        return None
    layout = "no header line, no end record" if golden.version == 1 else "no end record"
    return (
        f"the golden has trace format version {golden.version} ({layout}), this lso-sim writes version "
        f"{TRACE_FORMAT_VERSION}; its records are compared as version-{TRACE_FORMAT_VERSION} records; "
        "re-record it with make goldens"
    )


def header_hint(path: Path) -> tuple[str, int | None] | None:
    """The scenario and seed a golden's first line names, read leniently, or ``None``.

    Used only to re-record (``--update``) a golden this lso-sim refuses to read (another format
    version, a corrupt record): what to run is all that is needed from it.
    """
    try:
        with path.open("rb") as handle:
            first = json.loads(handle.readline(64 * 1024).decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(first, dict) or not isinstance(first.get("scenario"), str):
        return None
    seed = first.get("seed")
    return first["scenario"], seed if isinstance(seed, int) and not isinstance(seed, bool) else None


def write_golden(path: Path, header: TraceHeader, records: list[dict[str, Any]]) -> None:
    """Write a golden trace: the header line, then one line per record."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        header.dumps(),
        *(json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in records),
        end_of(records).dumps(),
    ]
    try:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    except OSError as exc:
        raise BadInput(f"{path}: cannot write the golden ({exc.strerror or exc})") from None
