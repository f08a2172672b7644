"""``lso-sim replay GOLDEN``: re-run the scenario a golden trace names and compare.

``--all`` lists every difference grouped by thread instance and step; ``--format markdown`` writes
a report for a pull request or a CI job summary (:mod:`lso_sim.viewer.review`).

Exit codes: 0 identical (or ``--update`` rewrote the golden), 1 the run differs (the first
divergence is shown side by side, with counts), 2 bad input (unreadable golden or scenario, a
format version this lso-sim cannot compare).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console

from lso_sim.cli.trace_cmd import write_output
from lso_sim.errors import BadInput
from lso_sim.replay.check import replay
from lso_sim.replay.compare import TIMING_FIELDS
from lso_sim.replay.render import replay_report
from lso_sim.viewer.review import replay_markdown

EXIT_OK = 0
EXIT_DIFFERS = 1

FORMATS = ("text", "markdown")
"""Output formats of ``replay``: rich text for a terminal, Markdown for a pull request."""


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
    parser.add_argument(
        "--all",
        action="store_true",
        help="list every difference (added, removed, changed, moved), grouped by instance and step",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="markdown: a report for a pull request or a CI job summary (counts, table, Mermaid diagram)",
    )
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="write the markdown report to FILE")
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
    if args.output is not None and args.format != "markdown":
        raise BadInput("--output goes with --format markdown")
    from lso_sim.serve.replay import is_sandbox_trace, replay_session  # the sandbox's world, no HTTP

    if is_sandbox_trace(args.golden):
        if args.update or args.seed is not None:
            raise BadInput(f"{args.golden}: a sandbox session is replayed as recorded (no --update, --seed)")
        result = replay_session(args.golden, scenario=args.scenario, ignore=ignore_patterns(args))
    else:
        result = replay(
            args.golden,
            scenario=args.scenario,
            seed=args.seed,
            ignore=ignore_patterns(args),
            update=args.update,
        )
    if args.format == "markdown":
        write_output(replay_markdown(result), args.output)
        if args.output is not None:
            console.print(f"markdown: {args.output}", highlight=False, markup=False)
    else:
        for part in replay_report(result, every=args.all):
            console.print(part)
    return EXIT_OK if result.identical else EXIT_DIFFERS
