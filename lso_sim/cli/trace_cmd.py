"""``lso-sim trace``: draw a trace as a text listing, Mermaid, PlantUML or an HTML report.

Also home of what the viewing commands share (``trace``, ``step``, ``report`` and ``run
--diagram``): where the records come from (a JSONL trace, or a scenario run in memory) and the
filters that narrow them down.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from lso_sim.diagrams.domains import domain_labels
from lso_sim.diagrams.plantuml import to_plantuml_sequence
from lso_sim.diagrams.sequence import to_mermaid_sequence
from lso_sim.diagrams.text import to_text_listing
from lso_sim.engine.observers import MemoryTrace
from lso_sim.errors import BadInput
from lso_sim.scenarios.canonical import canonical_scenario
from lso_sim.scenarios.loader import load_scenario
from lso_sim.scenarios.runner import run_scenario
from lso_sim.threads.explain import hidden_before
from lso_sim.trace.records import to_record
from lso_sim.trace.select import RecordFilter, infer_domains, load_records
from lso_sim.viewer.html import to_html_report

FORMATS = ("text", "mermaid", "plantuml", "html")
"""Output formats of ``trace`` and ``run --diagram``."""

TRACE_SUFFIXES = (".jsonl", ".ndjson", ".json")
"""A source with one of these suffixes is read as a trace; anything else as a scenario."""


@dataclass(frozen=True, slots=True)
class Source:
    """Records to show and how to title them.

    Attributes:
        records: trace records, in send order.
        title: what they are (file name, or scenario and seed).
        domains: actor id -> management domain label, for grouping participants.
        skipped: trace lines that were not drawable records (a header...).
    """

    records: list[dict[str, Any]]
    title: str
    domains: dict[str, str]
    skipped: int = 0


def source_from_trace(path: Path) -> Source:
    """The records of a JSONL trace file, domains worked out from the records."""
    loaded = load_records(path)
    return Source(loaded.records, path.name, infer_domains(loaded.records), loaded.skipped)


def source_from_scenario(path: Path, seed: int | None = None) -> Source:
    """Run the scenario at ``path`` in memory (``seed`` overrides its own) and keep its records."""
    scenario = load_scenario(path)
    if seed is not None:
        scenario = scenario.model_copy(update={"seed": seed})
    memory = MemoryTrace()
    result = run_scenario(scenario, [memory])
    records = [to_record(msg) for msg in memory.records]
    actors = {str(r["src"]) for r in records} | {str(r["dst"]) for r in records}
    domains = domain_labels(result.world.sim.architecture, sorted(actors))
    return Source(records, f"{scenario.name} (seed {scenario.seed})", domains)


def source_from_path(path: Path, seed: int | None = None) -> Source:
    """A trace file or a scenario file, told apart by the suffix."""
    if path.suffix.lower() in TRACE_SUFFIXES:
        if seed is not None:
            raise BadInput("--seed applies to a scenario, not to a trace file")
        return source_from_trace(path)
    return source_from_scenario(path, seed)


def source_from_thread(thread_id: str, seed: int | None = None) -> Source:
    """Run the canonical scenario of ``thread_id``."""
    return source_from_scenario(canonical_scenario(thread_id), seed)


def add_filter_args(parser: argparse.ArgumentParser, *, thread_flag: str = "--thread") -> None:
    """The record filters every viewing command accepts (each may be repeated)."""
    group = parser.add_argument_group("filters (repeat a flag to keep several values)")
    group.add_argument(thread_flag, dest="f_threads", action="append", metavar="ID", help="keep thread ID")
    group.add_argument(
        "--instance",
        dest="f_instances",
        action="append",
        metavar="ID",
        help="keep thread instance ID (e.g. acme/order-1)",
    )
    group.add_argument("--irp", dest="f_irps", action="append", metavar="IRP", help="keep messages over IRP")
    group.add_argument(
        "--actor",
        dest="f_actors",
        action="append",
        metavar="ID",
        help="keep records sent or received by actor ID",
    )
    group.add_argument(
        "--from",
        dest="f_start",
        type=float,
        metavar="SECONDS",
        help="keep records ending at or after this simulated time",
    )
    group.add_argument(
        "--to",
        dest="f_end",
        type=float,
        metavar="SECONDS",
        help="keep records sent at or before this simulated time",
    )


def record_filter(args: argparse.Namespace) -> RecordFilter:
    """The filter the parsed filter flags describe."""
    return RecordFilter.of(
        threads=args.f_threads,
        instances=args.f_instances,
        irps=args.f_irps,
        actors=args.f_actors,
        start=args.f_start,
        end=args.f_end,
    )


def render(
    fmt: str,
    records: Sequence[Mapping[str, Any]],
    *,
    title: str,
    domains: Mapping[str, str],
    brief: bool = False,
    before: Sequence[str] = (),
) -> str:
    """``records`` drawn in ``fmt`` (one of :data:`FORMATS`); ``brief``: a text listing without
    the step headings and the sentence under each record (one line per record, for grep and diff);
    ``before``: what came before the first record and was filtered out (text and HTML say it)."""
    if fmt == "mermaid":
        return to_mermaid_sequence(records, title=title, domains=domains)
    if fmt == "plantuml":
        return to_plantuml_sequence(records, title=title, domains=domains)
    if fmt == "html":
        return to_html_report(records, title=title, domains=domains, before=before)
    return to_text_listing(records, title=title, explain=not brief, before=() if brief else before)


def write_output(text: str, out: Path | None) -> None:
    """Write ``text`` to ``out``, or to standard output when ``out`` is ``None``."""
    if out is None:
        sys.stdout.write(text)
        return
    try:
        out.write_text(text, encoding="utf-8", newline="\n")
    except OSError as exc:
        raise BadInput(f"{out}: cannot write ({exc.strerror or exc})") from None


def add_parser(sub: Any) -> None:
    """Register ``lso-sim trace``."""
    parser = sub.add_parser(
        "trace", help="draw a trace: text listing, Mermaid, PlantUML or a self-contained HTML report"
    )
    parser.add_argument(
        "source", type=Path, metavar="TRACE", help="a JSONL trace (or a scenario YAML file, run in memory)"
    )
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE instead of stdout")
    parser.add_argument("--title", help="diagram title (default: the file name)")
    parser.add_argument(
        "--brief",
        action="store_true",
        help="text: one line per record, without step headings and explanations (for grep and diff)",
    )
    add_filter_args(parser)


def run(args: argparse.Namespace, console: Console) -> int:
    """``lso-sim trace``: load, filter, draw, write."""
    if args.brief and args.format != "text":
        raise BadInput(f"--brief shortens the text listing; it does not apply to --format {args.format}")
    source = source_from_path(args.source)
    records = record_filter(args).apply(source.records)
    if not records:
        raise BadInput(f"{args.source}: no records left to draw (check the filters)")
    write_output(
        render(
            args.format,
            records,
            title=args.title or source.title,
            domains=source.domains,
            brief=args.brief,
            before=hidden_before(source.records, records),
        ),
        args.output,
    )
    if args.output is not None:
        console.print(f"{args.format}: {args.output} ({len(records)} records)", highlight=False, markup=False)
    return 0


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """``run --diagram FORMAT [--diagram-out FILE]``."""
    parser.add_argument(
        "--diagram",
        choices=FORMATS,
        metavar="FORMAT",
        help=f"also draw the run as one of {', '.join(FORMATS)}",
    )
    parser.add_argument(
        "--diagram-out",
        type=Path,
        metavar="FILE",
        help="write the --diagram to FILE (default: after the summary, on stdout)",
    )


def after_run(
    args: argparse.Namespace,
    console: Console,
    records: Sequence[Mapping[str, Any]],
    title: str,
    domains: Mapping[str, str],
) -> None:
    """Draw the finished run when ``--diagram`` was given."""
    if args.diagram is None:
        if args.diagram_out is not None:
            raise BadInput("--diagram-out needs --diagram FORMAT")
        return
    write_output(render(args.diagram, records, title=title, domains=domains), args.diagram_out)
    if args.diagram_out is not None:
        console.print(f"{args.diagram}: {args.diagram_out}", highlight=False, markup=False)
