"""``lso-sim run --summary json``: one run's summary as JSON on standard output, no trace kept.

The summary (:func:`lso_sim.report.summary.run_summary`, documented in docs/reports.md) is made
by an engine observer while the run streams; the records are kept only when the scenario's
``expect:`` block needs them (:func:`lso_sim.expect.evaluate.needs_records`). Missed expectations
and broken invariants go into the JSON (``expectations_missed``, ``invariants_broken``) and onto
standard error, and the exit code is 1, as for a plain run.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from rich.console import Console

from lso_sim.engine.observers import MemoryTrace, TraceObserver
from lso_sim.errors import UsageError
from lso_sim.expect.evaluate import evaluate, needs_records
from lso_sim.replay.render import failures_report
from lso_sim.report.summary import SummaryObserver, run_summary
from lso_sim.scenarios.runner import RunResult
from lso_sim.scenarios.schema import Scenario
from lso_sim.trace.records import to_record

Runner = Callable[[Scenario, list[TraceObserver]], RunResult]
"""Runs a scenario with extra observers (the CLI's, which also finishes a trace being written)."""


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """``run --summary {text,json}``."""
    parser.add_argument(
        "--summary",
        choices=("text", "json"),
        default="text",
        help="json: print only the run's summary as JSON (outcomes, lead-time percentiles, "
        "messages and bytes per IRP, utilisation, fall-out), keeping no trace",
    )


def run(args: argparse.Namespace, scenario: Scenario, observers: list[TraceObserver], runner: Runner) -> int:
    """Run ``scenario`` and print its summary as JSON; returns the exit code (0, or 1 on a miss)."""
    if getattr(args, "report", False) or getattr(args, "plot", None) or getattr(args, "diagram", None):
        raise UsageError("--summary json prints the summary only: leave out --report, --plot and --diagram")
    summary = SummaryObserver()
    memory = MemoryTrace() if needs_records(scenario.expect) else None
    extra: list[TraceObserver] = [summary] if memory is None else [summary, memory]
    result = runner(scenario, [*observers, *extra])
    records = [] if memory is None else [to_record(msg) for msg in memory.records]
    failures = [str(f) for f in evaluate(scenario.expect, records, result.world.outcomes.values())]
    broken = [] if result.invariants is None else result.invariants.failures()
    data = run_summary(
        summary,
        result.world.outcomes.values(),
        scenario=scenario.name,
        seed=scenario.seed,
        end_time=result.end_time,
        cut=result.cut,
        invariants=broken,
    )
    data["expectations_missed"] = failures
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    if failures or broken:
        Console(stderr=True, width=200).print(failures_report(failures, broken))
        return 1
    return 0
