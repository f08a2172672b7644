"""``lso-sim report``: the metrics of a trace for architects, as tables, JSON and plots.

Also adds ``--report`` and ``--plot DIR`` to ``lso-sim run`` so the same figures follow a run's
summary without writing the trace first.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from rich.console import Console

from lso_sim.cli.trace_cmd import TRACE_SUFFIXES, add_filter_args, record_filter, source_from_path
from lso_sim.errors import BadInput
from lso_sim.report.metrics import compute_report
from lso_sim.report.plots import PLOT_FORMATS, write_plots
from lso_sim.report.tables import report_tables
from lso_sim.trace.select import DrawableRecords


def _plot_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--plot",
        type=Path,
        metavar="DIR",
        help="write plots (timeline, messages per IRP, lead times) to DIR with matplotlib",
    )
    parser.add_argument(
        "--plot-format",
        choices=(*PLOT_FORMATS, "both"),
        default="both",
        help="file format of the plots (default: both svg and png)",
    )


def _formats(args: argparse.Namespace) -> tuple[str, ...]:
    return PLOT_FORMATS if args.plot_format == "both" else (args.plot_format,)


def add_parser(sub: Any) -> None:
    """Register ``lso-sim report``."""
    parser = sub.add_parser(
        "report", help="metrics of a trace: lead times, messages and bytes per IRP, latency, load, fall-out"
    )
    parser.add_argument(
        "source", type=Path, metavar="TRACE", help="a JSONL trace (or a scenario YAML file, run in memory)"
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")
    _plot_args(parser)
    add_filter_args(parser)


def show(
    console: Console, records: Iterable[Mapping[str, Any]], args: argparse.Namespace, title: str
) -> None:
    """Print the report of ``records`` and write its plots when ``--plot`` is set.

    ``records`` is a list, or a trace file read back on each pass (a long run's trace is never
    held whole: the report keeps figures, the plots a few dozen timelines).
    """
    report = compute_report(records)
    if getattr(args, "format", "table") == "json":
        sys.stdout.write(json.dumps(report.to_json(), indent=2) + "\n")
    else:
        for table in report_tables(report):
            console.print(table)
            console.print()
    if args.plot is not None:
        for path in write_plots(report, records, args.plot, formats=_formats(args), title=title):
            (console if getattr(args, "format", "table") != "json" else Console(stderr=True)).print(
                f"plot: {path}", highlight=False, markup=False
            )


def run(args: argparse.Namespace, console: Console) -> int:
    """``lso-sim report``."""
    records: Iterable[Mapping[str, Any]]
    if args.source.suffix.lower() in TRACE_SUFFIXES:  # read back pass by pass, never held whole
        records, title = DrawableRecords(args.source, record_filter(args)), args.source.name
    else:
        source = source_from_path(args.source)
        records, title = record_filter(args).apply(source.records), source.title
    if next(iter(records), None) is None:
        raise BadInput(f"{args.source}: no records to report on (check the filters)")
    show(console, records, args, title)
    return 0


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """``run --report`` and ``run --plot DIR``."""
    parser.add_argument(
        "--report",
        action="store_true",
        help="add the architect's metrics (lead time per step, latency, load) to the summary",
    )
    _plot_args(parser)


def after_run(
    args: argparse.Namespace, console: Console, records: Iterable[Mapping[str, Any]], title: str
) -> None:
    """Print the report after a run's summary when ``--report`` or ``--plot`` was given."""
    if not args.report and args.plot is None:
        return
    if args.report:
        show(console, records, args, title)
        return
    report = compute_report(records)
    for path in write_plots(report, records, args.plot, formats=_formats(args), title=title):
        console.print(f"plot: {path}", highlight=False, markup=False)
