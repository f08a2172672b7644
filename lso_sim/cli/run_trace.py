"""``run --trace-mode``: which observers a run gets, and where its records are found afterwards.

See :mod:`lso_sim.trace.modes` for the modes. The CLI only wires them: a memory trace in
``memory`` mode; the trace file (``--trace-out``) in ``streamed`` mode, read back for what needs
the records after the run; in ``summary`` mode nothing, unless the expectations, ``--report`` or
``--diagram`` need records: then they go through a temporary trace file, read back and deleted.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from lso_sim.engine.observers import MemoryTrace, TraceObserver
from lso_sim.errors import BadInput, UsageError
from lso_sim.expect.evaluate import needs_records
from lso_sim.replay.golden import trace_header
from lso_sim.scenarios.schema import Scenario
from lso_sim.trace.jsonl import JsonlTraceWriter, TraceRecords
from lso_sim.trace.modes import TraceMode
from lso_sim.trace.records import to_record


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """``run --trace-mode``."""
    parser.add_argument(
        "--trace-mode",
        choices=[str(m) for m in TraceMode],
        help="memory: keep every record (default; the listing needs it); streamed: write them to "
        "--trace-out and keep nothing (default with --quiet --trace-out); summary: keep and write "
        "nothing, figures computed online (default with --quiet alone)",
    )


class RunTrace:
    """The trace sinks of one ``run`` and, after it, its records.

    Args:
        args: the ``run`` arguments (``trace_mode``, ``trace_out``, ``quiet``, ``report``...).
        scenario: the scenario run (its expectations may need records).
        scenario_path: the file it came from (named in the trace header; ``None`` under ``--set``,
            when the run is not of the file as written).
        stack: closes the trace file (and removes a temporary one) when the command ends.
    """

    def __init__(
        self, args: argparse.Namespace, scenario: Scenario, scenario_path: Path | None, stack: ExitStack
    ) -> None:
        given = args.trace_mode
        self.mode = TraceMode(given) if given else TraceMode.default(
            quiet=args.quiet, trace_out=args.trace_out is not None
        )
        if self.mode is TraceMode.STREAMED and args.trace_out is None:
            raise UsageError("--trace-mode streamed needs --trace-out FILE (where the records go)")
        if self.mode is TraceMode.SUMMARY and args.trace_out is not None:
            raise UsageError("--trace-mode summary writes no trace: drop --trace-out, or use streamed")
        self.memory = MemoryTrace() if self.mode is TraceMode.MEMORY else None
        self.writer: JsonlTraceWriter | None = None
        self.path: Path | None = args.trace_out
        wanted = needs_records(scenario.expect) or args.report or args.plot is not None or args.diagram
        if self.path is None and self.mode is TraceMode.SUMMARY and wanted:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="lso-sim-"))
            self.path = Path(folder) / "run.jsonl"
        if self.path is not None:
            try:
                stream = stack.enter_context(open(self.path, "w", encoding="utf-8", newline="\n"))  # noqa: SIM115
            except OSError as exc:
                raise BadInput(f"{self.path}: cannot write the trace ({exc.strerror or exc})") from None
            self.writer = JsonlTraceWriter(stream, trace_header(scenario, scenario_path, self.path))

    @property
    def observers(self) -> list[TraceObserver]:
        """What to give the run, besides the summary and the progress display."""
        sinks: list[TraceObserver] = []
        if self.memory is not None:
            sinks.append(self.memory)
        if self.writer is not None:
            sinks.append(self.writer)
        return sinks

    @property
    def written(self) -> int:
        """Records written to the trace file (0 when none is written)."""
        return self.writer.written if self.writer is not None else 0

    def records(self) -> Iterable[dict[str, Any]]:
        """The run's records as JSON dicts: from memory, or read back from the (finished) trace file."""
        if self.memory is not None:
            return [to_record(msg) for msg in self.memory.records]
        if self.path is not None:
            return TraceRecords(self.path)
        return []

    def record_list(self) -> list[dict[str, Any]]:
        """:meth:`records` as a list (a report or a diagram needs them all at once)."""
        records = self.records()
        return records if isinstance(records, list) else list(records)
