"""The ``lso-sim`` command line: parse arguments, wire the pieces, print, exit.

Exit codes (docs/faults.md):

- 0: success.
- 1: a run missed its scenario's expectations or invariants (``replay`` and ``check``: a golden
  differs).
- 2: bad input (a scenario, trace, golden, argument or unknown thread), with one line naming the
  file, the place in it and what was expected; never a traceback.
- 3: an internal error, i.e. a bug in lso-sim: one line saying so and naming the file the full
  traceback was written to (``--debug`` prints the traceback instead).
- 130: interrupted (Ctrl-C); a trace being written is closed with an end record marking it cut.

A crash must never look like a missed expectation or like bad input: only :class:`BadInput` gives
2, and any other exception escaping a command, an :class:`LsoSimError` raised inside a run
included, gives 3.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import traceback
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

from rich.console import Console
from rich.text import Text

from lso_sim import __version__
from lso_sim.architecture.export import to_dot, to_mermaid
from lso_sim.cli import (
    check_cmd,
    compare_cmd,
    probe_cmd,
    render,
    replay_cmd,
    report_cmd,
    run_trace,
    serve_cmd,
    step_cmd,
    summary_cmd,
    sweep_cmd,
    trace_cmd,
)
from lso_sim.cli.options import add_set_option
from lso_sim.diagrams.domains import domain_labels
from lso_sim.engine.observers import TraceObserver
from lso_sim.errors import BadInput, UsageError, echo
from lso_sim.expect.evaluate import evaluate
from lso_sim.replay.golden import trace_header
from lso_sim.replay.render import failures_report
from lso_sim.report.progress import run_progress
from lso_sim.scenarios.build import build_architecture
from lso_sim.scenarios.canonical import canonical_scenario
from lso_sim.scenarios.channels import link_settings
from lso_sim.scenarios.loader import load_scenario
from lso_sim.scenarios.overrides import parse_overrides
from lso_sim.scenarios.runner import RunResult, run_scenario
from lso_sim.scenarios.schema import Scenario
from lso_sim.trace.jsonl import JsonlTraceWriter
from lso_sim.trace.summary import TraceSummary

EXIT_OK = 0
EXIT_EXPECTATIONS = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130

_VIEW_COMMANDS = {"trace": trace_cmd.run, "step": step_cmd.run, "report": report_cmd.run}
"""Commands that look at a run's records (diagrams, step-through, metrics)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lso-sim",
        description="Discrete-event simulator of the MEF LSO reference architecture (MEF 55.0.1).",
    )
    parser.add_argument("--version", action="version", version=f"lso-sim {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="on an internal error, print the traceback instead of saving it"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("threads", help="list the operational threads of MEF 55.0.1 section 10")

    arch = sub.add_parser("architecture", help="show the LSO architecture of a scenario")
    _scenario_args(arch)
    arch.add_argument("--format", choices=("tree", "mermaid", "dot"), default="tree")

    run = sub.add_parser("run", help="run a scenario file or a thread's canonical scenario")
    _scenario_args(run)
    run.add_argument("--seed", type=int, help="override the scenario's seed")
    run.add_argument(
        "--until",
        type=_horizon,
        metavar="SECONDS",
        help="stop at this simulated time (overrides the scenario's horizon); open instances end 'open'",
    )
    run.add_argument("--trace-out", type=Path, metavar="FILE", help="write the trace as JSON lines to FILE")
    run.add_argument("--quiet", action="store_true", help="print only the summary, not the message listing")
    trace_cmd.add_run_options(run)
    report_cmd.add_run_options(run)
    summary_cmd.add_run_options(run)
    run_trace.add_run_options(run)

    trace_cmd.add_parser(sub)
    step_cmd.add_parser(sub)
    report_cmd.add_parser(sub)
    replay_cmd.add_parser(sub)
    check_cmd.add_parser(sub)
    sweep_cmd.add_parser(sub)
    compare_cmd.add_parser(sub)
    serve_cmd.add_parser(sub)
    probe_cmd.add_parser(sub)
    return parser


def _horizon(text: str) -> float:
    """A positive, finite number of simulated seconds (``run --until``)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text[:40]!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive, finite number of seconds, got {text[:40]!r}")
    return value


def _scenario_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", nargs="?", type=Path, help="scenario YAML file")
    parser.add_argument("--thread", metavar="ID", help="use the canonical scenario of thread ID (e.g. 10.2)")
    add_set_option(parser)


def _scenario_path(args: argparse.Namespace) -> Path:
    if args.scenario is not None and args.thread is not None:
        raise UsageError("give a scenario file or --thread, not both")
    if args.scenario is None and args.thread is None:
        args.thread = "10.2"
    path: Path = args.scenario if args.scenario is not None else canonical_scenario(args.thread)
    return path


def _traced_file(args: argparse.Namespace) -> Path | None:
    """The scenario file a trace header names; none under ``--set``: the run is not of the file as
    written, so ``replay`` must not re-run the file and call the difference a divergence."""
    return None if args.overrides else _scenario_path(args)


def _scenario(args: argparse.Namespace) -> Scenario:
    return load_scenario(_scenario_path(args), parse_overrides(args.overrides))


def _cmd_threads(console: Console) -> int:
    console.print(render.threads_table())
    return EXIT_OK


def _cmd_architecture(args: argparse.Namespace, console: Console) -> int:
    scenario = _scenario(args)
    arch = build_architecture(scenario)
    if args.format == "mermaid":
        sys.stdout.write(to_mermaid(arch))
    elif args.format == "dot":
        sys.stdout.write(to_dot(arch))
    else:
        console.print(render.architecture_tree(arch))
        console.print(render.channels_table(link_settings(scenario, arch)))
    return EXIT_OK


def _cmd_run(args: argparse.Namespace, console: Console) -> int:
    scenario = _scenario(args)
    if args.seed is not None:
        scenario = scenario.model_copy(update={"seed": args.seed})
    if args.until is not None:
        scenario = scenario.model_copy(update={"horizon": args.until})
    if args.summary == "json":
        return _run_json_summary(args, scenario)
    summary = TraceSummary()
    observers: list[TraceObserver] = [summary]
    with ExitStack() as stack:
        trace = run_trace.RunTrace(args, scenario, _traced_file(args), stack)
        observers += trace.observers
        with run_progress(scenario, console) as progress:
            if progress is not None:
                observers.append(progress)
            result = _run_marking_cut(scenario, observers, trace.writer)
        _show_run(args, console, scenario, result, summary, trace)
        outcomes = result.world.outcomes.values()
        failures = [str(f) for f in evaluate(scenario.expect, trace.records(), outcomes)]
    broken = [] if result.invariants is None else result.invariants.failures()
    if failures or broken:
        console.print(failures_report(failures, broken))
        return EXIT_EXPECTATIONS
    return EXIT_OK


def _run_json_summary(args: argparse.Namespace, scenario: Scenario) -> int:
    """``run --summary json``: the summary alone, a trace written only if ``--trace-out`` asks."""
    with ExitStack() as stack:
        writer: JsonlTraceWriter | None = None
        if args.trace_out is not None:
            try:
                stream = stack.enter_context(open(args.trace_out, "w", encoding="utf-8", newline="\n"))
            except OSError as exc:
                raise BadInput(f"{args.trace_out}: cannot write the trace ({exc.strerror or exc})") from None
            writer = JsonlTraceWriter(stream, trace_header(scenario, _traced_file(args), args.trace_out))
        observers: list[TraceObserver] = [] if writer is None else [writer]
        return summary_cmd.run(args, scenario, observers, lambda s, obs: _run_marking_cut(s, obs, writer))


def _show_run(
    args: argparse.Namespace,
    console: Console,
    scenario: Scenario,
    result: RunResult,
    summary: TraceSummary,
    trace: run_trace.RunTrace,
) -> None:
    """Print a finished run: listing (memory mode), summary, invariants, then report and diagram."""
    console.print(
        Text.assemble((scenario.name, "bold"), f" (seed {scenario.seed}): {scenario.description}")
    )
    kept = [] if trace.memory is None else trace.memory.records
    listing = not args.quiet and trace.memory is not None
    tables = [render.listing_table(kept), render.step_legend(kept)] if listing else []
    checked = [] if result.invariants is None else [render.invariants_table(result.invariants)]
    render.print_all(console, [*tables, *render.summary_tables(result.world, summary), *checked])
    if not args.quiet and trace.memory is None:
        console.print(Text(f"listing: not shown, trace mode {trace.mode} keeps no records"))
    if args.trace_out is not None:
        console.print(Text(f"trace: {args.trace_out} ({trace.written} records)"))
    if not (args.report or args.plot is not None or args.diagram is not None):
        return
    title = f"{scenario.name} (seed {scenario.seed})"
    # The report reads a streamed run's trace back pass by pass; only a diagram needs it whole.
    report_cmd.after_run(args, console, trace.records(), title)
    drawn = trace.record_list() if args.diagram is not None else []
    trace_cmd.after_run(
        args, console, drawn, title, domain_labels(result.world.sim.architecture, result.world.sim.actors)
    )


def _run_marking_cut(
    scenario: Scenario, observers: list[TraceObserver], writer: JsonlTraceWriter | None
) -> RunResult:
    """Run ``scenario``; the trace being written gets its end record, marked cut if the run stops early.

    A run stopped by Ctrl-C or by a failure inside lso-sim leaves a trace that must never pass
    for a complete one (``replay`` and ``check`` refuse it), so the end record says why it ends.
    """
    try:
        result = run_scenario(scenario, observers)
    except KeyboardInterrupt:
        if writer is not None:
            writer.finish(complete=False, reason="interrupted (Ctrl-C)")
        raise
    except Exception as exc:
        if writer is not None:
            reason = f"stopped by an error: {type(exc).__name__}: {echo(str(exc))}"
            writer.finish(complete=False, reason=reason)
        raise
    if writer is not None:
        writer.finish(complete=True)
    return result


def _dispatch(args: argparse.Namespace, console: Console) -> int:
    if args.command == "threads":
        return _cmd_threads(console)
    if args.command == "architecture":
        return _cmd_architecture(args, console)
    if args.command in _VIEW_COMMANDS:
        return _VIEW_COMMANDS[args.command](args, console)
    if args.command == "replay":
        return replay_cmd.run(args, console)
    if args.command == "check":
        return check_cmd.run(args, console)
    if args.command == "sweep":
        return sweep_cmd.run(args, console)
    if args.command == "compare":
        return compare_cmd.run(args, console)
    if args.command == "serve":
        return serve_cmd.run(args, console)
    if args.command == "probe":
        return probe_cmd.run(args, console)
    return _cmd_run(args, console)


def _say(text: Text) -> None:
    """One line on standard error; user text inside is never read as console markup."""
    Console(stderr=True, highlight=False, soft_wrap=True).print(text)


def _internal_error(exc: BaseException, debug: bool) -> int:
    """Report a bug in lso-sim: one line, and the traceback in a file (or on stderr with --debug)."""
    details = "".join(traceback.format_exception(exc))
    what = f"{type(exc).__name__}: {echo(str(exc))}"
    if debug:
        sys.stderr.write(details)
        where = "the traceback is above"
    else:
        try:
            handle, name = tempfile.mkstemp(prefix="lso-sim-crash-", suffix=".txt")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(f"lso-sim {__version__}\n{details}")
            where = f"the traceback is in {name}"
        except OSError:
            sys.stderr.write(details)
            where = "the traceback is above (it could not be saved to a file)"
    _say(
        Text.assemble(
            ("lso-sim: internal error: ", "bold red"),
            f"this is a bug in lso-sim, not in your input ({what}); {where}; please report it",
        )
    )
    return EXIT_INTERNAL


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``lso-sim`` console script; returns the exit code (see the module doc)."""
    args = _parser().parse_args(argv)
    # Piped or captured output gets wide tables rather than wrapped cells: it is read as a log.
    console = Console() if sys.stdout.isatty() else Console(width=200)
    try:
        return _dispatch(args, console)
    except BadInput as exc:
        # One line, always: a CI log greps it, and a message from a library may carry newlines.
        _say(Text.assemble(("lso-sim: error: ", "bold red"), " ".join(str(exc).splitlines())))
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        _say(Text("lso-sim: interrupted", style="bold red"))
        return EXIT_INTERRUPTED
    except Exception as exc:
        return _internal_error(exc, args.debug)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
