"""``lso-sim step``: walk through a run one record at a time, each tied to its MEF step.

For students: the sequence so far as lanes, the current message, the MEF step it realises with our
explanation, and the payload. Interactive on a terminal; ``--steps N`` prints the first N frames
and exits, for scripts, handouts and tests.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from lso_sim.cli.trace_cmd import add_filter_args, record_filter, source_from_path, source_from_thread
from lso_sim.errors import BadInput
from lso_sim.threads.explain import explain_records, hidden_before, setup_threads
from lso_sim.viewer.frame import DEFAULT_WINDOW, render_frame
from lso_sim.viewer.interactive import interact
from lso_sim.viewer.stepper import Stepper

SEPARATOR = "=" * 72


def add_parser(sub: Any) -> None:
    """Register ``lso-sim step``."""
    parser = sub.add_parser(
        "step", help="step through a run message by message, with each MEF step explained"
    )
    parser.add_argument(
        "source",
        nargs="?",
        type=Path,
        metavar="SCENARIO|TRACE",
        help="a scenario YAML file (run in memory) or a JSONL trace",
    )
    parser.add_argument(
        "--thread",
        metavar="ID",
        help="run the canonical scenario of thread ID and show that thread's records",
    )
    parser.add_argument("--seed", type=int, help="override the scenario's seed")
    parser.add_argument(
        "--with-setup",
        action="store_true",
        help="also show the set-up of the threads shown (the 10.2 order that establishes their service)",
    )
    parser.add_argument(
        "--steps", type=int, metavar="N", help="print the first N steps and exit (no keyboard)"
    )
    parser.add_argument("--start", type=int, default=1, metavar="K", help="first step to show (default 1)")
    parser.add_argument(
        "--window",
        type=int,
        default=DEFAULT_WINDOW,
        metavar="ROWS",
        help=f"earlier rows drawn above the current one (default {DEFAULT_WINDOW})",
    )
    add_filter_args(parser, thread_flag="--only-thread")


def run(args: argparse.Namespace, console: Console) -> int:
    """``lso-sim step``."""
    if (args.source is None) == (args.thread is None):
        raise BadInput("give a scenario or trace file, or --thread ID (one of them)")
    if args.steps is not None and args.steps < 1:
        raise BadInput(f"--steps must be 1 or more, got {args.steps}")
    if args.thread is not None:
        source = source_from_thread(args.thread, args.seed)
        if not args.f_threads:
            args.f_threads = [args.thread]
    else:
        source = source_from_path(args.source, args.seed)
    if args.with_setup:
        if not args.f_threads:
            raise BadInput("--with-setup adds the set-up of the threads shown: name them with --only-thread")
        setups = setup_threads(source.records)
        args.f_threads.extend(t for t, served in setups.items() if served in args.f_threads)
    records = record_filter(args).apply(source.records)
    if not records:
        raise BadInput("nothing to step through: no records (check the filters)")
    meaning = dict(zip((r["seq"] for r in source.records), explain_records(source.records), strict=True))
    before = hidden_before(source.records, records)
    if before and not args.with_setup and any("(set-up:" in line for line in before):
        before.append("to show the set-up too, add --with-setup")
    stepper = Stepper(records, explained=[meaning[r["seq"]] for r in records], before=before)
    stepper.jump(args.start)
    if args.steps is None and sys.stdin.isatty():
        interact(stepper, console, window=max(0, args.window))
        return 0
    count = args.steps if args.steps is not None else stepper.total
    for shown in range(count):
        if shown:
            sys.stdout.write(SEPARATOR + "\n")
        sys.stdout.write(render_frame(stepper, window=max(0, args.window)))
        if not stepper.next():
            break
    return 0
