"""``lso-sim replay GOLDEN``: re-run the scenario a golden trace names and compare.

Exit codes: 0 identical (or ``--update`` rewrote the golden), 1 the run differs (the first
divergence is shown side by side, with counts), 2 bad input (unreadable golden or scenario, a
format version this lso-sim cannot compare).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console

from lso_sim.replay.check import replay
from lso_sim.replay.compare import TIMING_FIELDS
from lso_sim.replay.render import replay_report

EXIT_OK = 0
EXIT_DIFFERS = 1


def add_parser(sub: Any) -> None:
    """Register the ``replay`` sub-command on ``sub`` (an argparse sub-parsers action)."""
    parser = sub.add_parser(
        "replay", help="re-run the scenario of a golden trace and compare the two message flows"
    )
    parser.add_argument("golden", type=Path, help="golden trace (JSONL) to replay")
    parser.add_argument(
        "--scenario", type=Path, metavar="FILE", help="scenario to run (default: the one the golden names)"
    )
    parser.add_argument("--seed", type=int, help="seed to run with (default: the golden's)")
    parser.add_argument("--update", action="store_true", help="rewrite the golden from the run")
    add_ignore_args(parser)


def add_ignore_args(parser: argparse.ArgumentParser) -> None:
    """``--ignore FIELD`` and ``--ignore-timings``, shared by ``replay`` and ``check``."""
    parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="FIELD",
        help="leave a field out of the comparison: time, payload.state, payload.**.eventTime (repeatable)",
    )
    parser.add_argument(
        "--ignore-timings",
        action="store_true",
        help=f"ignore send/arrival times and body timestamps ({', '.join(TIMING_FIELDS)})",
    )


def ignore_patterns(args: argparse.Namespace) -> list[str]:
    """The ignore patterns the arguments ask for."""
    patterns: list[str] = [p for item in args.ignore for p in item.split(",") if p]
    if args.ignore_timings:
        patterns.extend(TIMING_FIELDS)
    return patterns


def run(args: argparse.Namespace, console: Console) -> int:
    """Replay (or update) one golden; errors propagate as :class:`~lso_sim.errors.LsoSimError`."""
    result = replay(
        args.golden, scenario=args.scenario, seed=args.seed, ignore=ignore_patterns(args), update=args.update
    )
    for part in replay_report(result):
        console.print(part)
    return EXIT_OK if result.identical else EXIT_DIFFERS
