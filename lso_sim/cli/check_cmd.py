"""``lso-sim check PATH...``: run every scenario with its expectations and its golden.

Prints a summary table and the details of what failed; ``--junit FILE`` writes JUnit XML for CI
systems, ``--markdown FILE`` a Markdown report (a CI job summary); ``--jobs N`` checks scenarios
in N processes (results stay in file order).
Exit codes: 0 all passed, 1 an expectation failed or a golden differs (or is missing with
``--require-goldens``), 2 a scenario or golden could not be read.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from lso_sim.cli.options import add_set_option
from lso_sim.cli.replay_cmd import add_ignore_args, ignore_patterns
from lso_sim.cli.trace_cmd import write_output
from lso_sim.errors import BadInput, UsageError
from lso_sim.replay.check import check_all
from lso_sim.replay.junit import write_junit
from lso_sim.replay.render import check_report, summary_table
from lso_sim.scenarios.overrides import parse_overrides
from lso_sim.viewer.review import check_markdown

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


def add_parser(sub: Any) -> None:
    """Register the ``check`` sub-command on ``sub`` (an argparse sub-parsers action)."""
    parser = sub.add_parser("check", help="run scenarios with their expectations and goldens (for CI)")
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="scenario files or folders")
    parser.add_argument("--junit", type=Path, metavar="FILE", help="write a JUnit XML report to FILE")
    parser.add_argument(
        "--markdown",
        type=Path,
        metavar="FILE",
        help="write a Markdown report to FILE (e.g. $GITHUB_STEP_SUMMARY): table, failures, golden diffs",
    )
    parser.add_argument(
        "--jobs", type=_jobs, default=1, metavar="N", help="processes to use (0: one per CPU; default 1)"
    )
    parser.add_argument(
        "--update-goldens", action="store_true", help="(re)write each scenario's golden from its run"
    )
    parser.add_argument(
        "--require-goldens", action="store_true", help="fail a scenario that has no golden trace"
    )
    add_ignore_args(parser)
    add_set_option(parser)


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a number of processes, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"0 or more processes, got {value}")
    return value or (os.cpu_count() or 1)


def run(args: argparse.Namespace, console: Console) -> int:
    """Check the scenarios, print the table and the failures, write JUnit XML if asked."""
    overrides = parse_overrides(args.overrides)
    if overrides and args.update_goldens:
        raise UsageError("--update-goldens records the scenario files as written: leave out --set")
    results = check_all(
        args.paths,
        overrides=overrides,
        jobs=args.jobs,
        ignore=ignore_patterns(args),
        update_goldens=args.update_goldens,
        require_golden=args.require_goldens,
    )
    console.print(summary_table(results))
    for result in results:
        parts = check_report(result)
        if parts:
            console.print()
            console.rule(escape(f"{result.scenario}: {result.status}"), style="red")
            for part in parts:
                console.print(part)
    if args.junit is not None:
        try:
            write_junit(args.junit, results)
        except OSError as exc:
            raise BadInput(
                f"{args.junit}: cannot write the JUnit report ({exc.strerror or exc})"
            ) from None
        console.print(f"JUnit report: {args.junit}", markup=False)
    if args.markdown is not None:
        write_output(check_markdown(results), args.markdown)
        console.print(f"Markdown report: {args.markdown}", markup=False)
    statuses = {r.status for r in results}
    passed = sum(1 for r in results if r.status == "passed")
    console.print(f"{passed} of {len(results)} scenarios passed")
    if "error" in statuses:
        return EXIT_BAD_INPUT
    return EXIT_FAILED if "failed" in statuses else EXIT_OK
