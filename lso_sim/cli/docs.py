"""Regenerate the diagrams of ``docs/`` from real runs: ``python -m lso_sim.cli.docs``.

Hand-drawn diagrams drift from the code; these cannot, because each one is drawn from the trace of
the canonical scenario of a thread, run with its own seed (so the output is byte-for-byte the same
until the behaviour changes). For every implemented thread it writes:

* ``threads/thread-<id>.sequence.mmd``: the Mermaid sequence diagram of the run;
* ``threads/<id>.md``: the same diagram as a fenced ``mermaid`` block (GitHub renders it) between
  ``<!-- BEGIN GENERATED SEQUENCE -->`` and ``<!-- END GENERATED SEQUENCE -->``, and, where the
  page has ``<!-- BEGIN GENERATED HOPS -->``/``<!-- END GENERATED HOPS -->``, the table of the hops
  the run really sent; the hand-written text around the markers is kept as it is.

* ``threads/thread-<id>.sequence.puml``: the same diagram in PlantUML;

from the run of the 10.2 scenario, the examples of the viewing and report pages: in ``viewing.md``
a frame of ``lso-sim step`` between ``<!-- BEGIN GENERATED STEP -->`` and its END marker; in
``reports.md`` the report's IRP table between ``<!-- BEGIN GENERATED REPORT -->`` and its END
marker, and the Gantt timeline ``images/timeline-10.2.svg`` (matplotlib, deterministic SVG);
and, from the architecture of the 10.2 scenario, ``architecture.mmd`` plus the same diagram in
``architecture.md`` between ``<!-- BEGIN GENERATED ARCHITECTURE -->`` and its END marker; and
the worked questions of ``what-if.md`` with their plots ``images/what-if-<key>.svg``, answered by
real sweeps (:mod:`lso_sim.cli.whatif_docs`).

Files are rewritten only when their content changes, so a second run changes nothing; ``--check``
writes nothing and exits 1 when a file is out of date, for CI.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lso_sim.architecture.export import to_mermaid
from lso_sim.architecture.model import Architecture
from lso_sim.cli import whatif_docs
from lso_sim.diagrams.domains import domain_labels
from lso_sim.diagrams.plantuml import to_plantuml_sequence
from lso_sim.diagrams.sequence import to_mermaid_sequence
from lso_sim.engine.observers import MemoryTrace
from lso_sim.errors import LsoSimError
from lso_sim.report.metrics import compute_report
from lso_sim.report.plots import write_plots
from lso_sim.scenarios.canonical import canonical_scenario
from lso_sim.scenarios.loader import load_scenario
from lso_sim.scenarios.runner import run_scenario
from lso_sim.threads.catalog import thread_info
from lso_sim.threads.registry import runnable_threads
from lso_sim.trace.records import to_record
from lso_sim.viewer.frame import render_frame
from lso_sim.viewer.stepper import Stepper

BEGIN_SEQUENCE = "<!-- BEGIN GENERATED SEQUENCE -->"
END_SEQUENCE = "<!-- END GENERATED SEQUENCE -->"
BEGIN_HOPS = "<!-- BEGIN GENERATED HOPS -->"
END_HOPS = "<!-- END GENERATED HOPS -->"
BEGIN_STEP = "<!-- BEGIN GENERATED STEP -->"
END_STEP = "<!-- END GENERATED STEP -->"
BEGIN_REPORT = "<!-- BEGIN GENERATED REPORT -->"
END_REPORT = "<!-- END GENERATED REPORT -->"
BEGIN_ARCHITECTURE = "<!-- BEGIN GENERATED ARCHITECTURE -->"
END_ARCHITECTURE = "<!-- END GENERATED ARCHITECTURE -->"

ARCHITECTURE_THREAD = "10.2"
"""Thread whose canonical scenario the architecture diagram shows."""

EXIT_OK = 0
EXIT_OUT_OF_DATE = 1
EXIT_ERROR = 2

_COMMAND = "python -m lso_sim.cli.docs"


def default_docs_dir() -> Path:
    """The repository's ``docs/`` folder (beside ``lso_sim/`` in a source checkout)."""
    return Path(__file__).resolve().parents[2] / "docs"


@dataclass(frozen=True, slots=True)
class CanonicalRun:
    """What the docs need from one canonical run.

    Attributes:
        thread: thread id.
        scenario_file: file name of the canonical scenario.
        seed: the seed it ran with.
        records: the trace, as JSON records.
        architecture: the actor graph the run was built on.
    """

    thread: str
    scenario_file: str
    seed: int
    records: list[dict[str, Any]]
    architecture: Architecture


def run_canonical(thread_id: str) -> CanonicalRun:
    """Run the canonical scenario of ``thread_id`` and keep the thread's own records and architecture.

    Threads 10.3 to 10.7 act on a service their scenario first establishes through thread 10.2;
    those records carry thread ``10.2`` and are left out here, so a thread's page and diagram show
    its own steps only (10.2's page shows how the service was established).
    """
    path = canonical_scenario(thread_id)
    scenario = load_scenario(path)
    memory = MemoryTrace()
    result = run_scenario(scenario, [memory])
    records = [to_record(msg) for msg in memory.records if msg.thread == thread_id]
    return CanonicalRun(thread_id, path.name, scenario.seed, records, result.world.sim.architecture)


def sequence_diagram(run: CanonicalRun) -> str:
    """The Mermaid sequence diagram of a canonical run, with a do-not-edit comment."""
    info = thread_info(run.thread)
    actors = {str(r["src"]) for r in run.records} | {str(r["dst"]) for r in run.records}
    text = to_mermaid_sequence(
        run.records,
        title=f"Thread {run.thread}: {info.title} ({run.scenario_file}, seed {run.seed})",
        domains=domain_labels(run.architecture, sorted(actors)),
    )
    head, _, body = text.partition("\n")
    return f"{head}\n  %% Generated by {_COMMAND} from {run.scenario_file}. Do not edit.\n{body}"


def hop_table(records: Iterable[Mapping[str, Any]]) -> str:
    """Markdown table of the distinct hops and activities of a trace, by role, in MEF step order.

    Responses are left out (each request gets one, over the same IRP) and instances are folded
    into their roles, so the table reads as the thread's design while the count says how many
    times the run did it (fan-out to several ICMs or ECMs shows there). Rows are sorted by MEF
    step (stable, so within a step they keep the order the run first did them).
    """
    rows: dict[tuple[str, ...], int] = {}
    for record in records:
        kind = str(record.get("kind"))
        if kind == "response":
            continue
        local = kind not in ("request", "notification")
        key = (
            str(record.get("step") or ""),
            str(record.get("src_role") or ""),
            "" if local else str(record.get("irp") or ""),
            "" if local else str(record.get("dst_role") or ""),
            str(record.get("operation") or ""),
            kind,
            str(record.get("api") or ""),
        )
        rows[key] = rows.get(key, 0) + 1
    lines = [
        "| Step | From | IRP | To | Operation | Kind | MEF API | Count |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    ordered = sorted(rows.items(), key=lambda row: _step_key(row[0][0]))
    for (step, src, irp, dst, operation, kind, api), count in ordered:
        api_cell = f"`{api}`" if api else "-"
        cells = [step, src, irp or "-", dst or "-", f"`{operation}`", kind, api_cell, str(count)]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


def _step_key(step: str) -> tuple[int, str]:
    """Sort key of a MEF step number: ``"9b"`` -> ``(9, "b")``; unnumbered steps go last."""
    match = re.match(r"(\d+)(.*)", step)
    return (int(match.group(1)), match.group(2)) if match else (sys.maxsize, step)


def mermaid_block(diagram: str) -> str:
    """A fenced ``mermaid`` block around ``diagram`` (which ends with a newline)."""
    return f"```mermaid\n{diagram}```"


def inject(text: str, begin: str, end: str, content: str, *, append: bool = True) -> str:
    """Replace what lies between the ``begin`` and ``end`` marker lines of ``text`` with ``content``.

    A marker counts only on a line of its own, so a page may quote it in prose. Everything
    outside the markers is kept byte for byte, so hand-written prose survives every regeneration.
    A page without the markers gets them appended at its end when ``append`` is true, and is
    returned unchanged otherwise.

    Raises:
        LsoSimError: only one of the markers is present, or they are out of order.
    """
    start = _marker_at(text, begin)
    stop = _marker_at(text, end)
    if start < 0 and stop < 0:
        if not append:
            return text
        sep = "" if not text or text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
        return f"{text}{sep}{begin}\n{content}\n{end}\n"
    if start < 0 or stop < 0 or stop < start:
        raise LsoSimError(f"markers {begin} and {end} must both be present, in that order")
    return f"{text[: start + len(begin)]}\n{content}\n{text[stop:]}"


def _marker_at(text: str, marker: str) -> int:
    """Offset of ``marker`` standing alone on a line (so prose quoting it is not taken), or -1."""
    match = re.search(rf"^{re.escape(marker)}[ \t]*$", text, flags=re.MULTILINE)
    return match.start() if match else -1


def _thread_page_stub(thread_id: str) -> str:
    info = thread_info(thread_id)
    return (
        f"# Thread {thread_id}: {info.title}\n\n"
        "## Hops\n\n"
        f"{BEGIN_HOPS}\n{END_HOPS}\n\n"
        "## Sequence diagram\n\n"
        f"{BEGIN_SEQUENCE}\n{END_SEQUENCE}\n"
    )


_ARCHITECTURE_STUB = f"# Architecture\n\n{BEGIN_ARCHITECTURE}\n{END_ARCHITECTURE}\n"


def generated_files(out: Path) -> dict[Path, str]:
    """Every generated file under ``out`` and the content it should have.

    Markdown pages are read (when they exist) so their hand-written text is carried over.
    """
    files: dict[Path, str] = {}
    for thread_id in runnable_threads():
        run = run_canonical(thread_id)
        diagram = sequence_diagram(run)
        files[out / "threads" / f"thread-{thread_id}.sequence.mmd"] = diagram
        files[out / "threads" / f"thread-{thread_id}.sequence.puml"] = to_plantuml_sequence(
            run.records,
            title=f"Thread {run.thread} ({run.scenario_file}, seed {run.seed})",
            domains=domain_labels(run.architecture, _actors(run.records)),
        )
        page_path = out / "threads" / f"{thread_id}.md"
        page = _read(page_path) or _thread_page_stub(thread_id)
        page = inject(page, BEGIN_HOPS, END_HOPS, hop_table(run.records), append=False)
        page = inject(page, BEGIN_SEQUENCE, END_SEQUENCE, mermaid_block(diagram))
        files[page_path] = page
        if thread_id == ARCHITECTURE_THREAD:
            arch = to_mermaid(run.architecture)
            files[out / "architecture.mmd"] = arch
            arch_path = out / "architecture.md"
            arch_page = _read(arch_path) or _ARCHITECTURE_STUB
            files[arch_path] = inject(arch_page, BEGIN_ARCHITECTURE, END_ARCHITECTURE, mermaid_block(arch))
            files.update(_example_files(out, run))
    files.update(_what_if_files(out))
    return files


def _what_if_files(out: Path) -> dict[Path, str]:
    """what-if.md's worked questions and their plots, from real sweeps (:mod:`lso_sim.cli.whatif_docs`)."""
    path = out / "what-if.md"
    page = _read(path) or "# What-if\n"
    files: dict[Path, str] = {}
    for question in whatif_docs.QUESTIONS:
        block, svg = whatif_docs.answer(question)
        begin, end = whatif_docs.markers(question)
        page = inject(page, begin, end, block)
        files[out / "images" / f"what-if-{question.key}.svg"] = svg
    files[path] = page
    return files


def _actors(records: Iterable[Mapping[str, Any]]) -> list[str]:
    return sorted({str(r["src"]) for r in records} | {str(r["dst"]) for r in records})


EXAMPLE_STEP = 12
"""The ``lso-sim step`` frame shown in viewing.md (a LEGATO request with a payload worth reading)."""


def _example_files(out: Path, run: CanonicalRun) -> dict[Path, str]:
    """The examples of viewing.md and reports.md, drawn from the canonical run of ``run.thread``."""
    stepper = Stepper(run.records)
    stepper.jump(EXAMPLE_STEP)
    frame = render_frame(stepper, window=4)
    viewing_path = out / "viewing.md"
    viewing = _read(viewing_path) or f"# Viewing a run\n\n{BEGIN_STEP}\n{END_STEP}\n"
    report = compute_report(run.records)
    reports_path = out / "reports.md"
    reports = _read(reports_path) or f"# Reports\n\n{BEGIN_REPORT}\n{END_REPORT}\n"
    rows = ["| IRP | messages | bytes | requests | responses | notifications | lost |", "|" + " --- |" * 7]
    for m in report.irps:
        cells = (m.irp, m.messages, m.bytes, m.requests, m.responses, m.notifications, m.lost)
        rows.append("| " + " | ".join(str(c) for c in cells) + " |")
    image = f"images/timeline-{run.thread}.svg"
    block = "\n".join([*rows, "", f"![Timeline of the canonical {run.thread} run]({image})"])
    with tempfile.TemporaryDirectory(prefix="lso-sim-docs-") as tmp:
        (svg,) = write_plots(report, run.records, Path(tmp), formats=("svg",), title=f"thread {run.thread}")[
            :1
        ]
        timeline = svg.read_text(encoding="utf-8")
    return {
        viewing_path: inject(viewing, BEGIN_STEP, END_STEP, f"```text\n{frame}```"),
        reports_path: inject(reports, BEGIN_REPORT, END_REPORT, block),
        out / image: timeline,
    }


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise LsoSimError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=_COMMAND,
        description="Regenerate the diagrams in docs/ from runs of the canonical scenarios.",
    )
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="docs folder to update (default: the repository's docs/)"
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a generated file is missing or stale"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Regenerate (or ``--check``) the generated parts of the docs folder.

    Returns:
        0 when everything was written or already up to date, 1 when ``--check`` found a stale
        file, 2 on an error (a scenario that does not load, a file that cannot be written).
    """
    args = _parser().parse_args(argv)
    out: Path = args.out if args.out is not None else default_docs_dir()
    try:
        stale: list[Path] = []
        for path, content in generated_files(out).items():
            if _read(path) == content:
                print(f"unchanged  {path}")
                continue
            stale.append(path)
            if args.check:
                print(f"outdated   {path}")
                continue
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                with open(path, "w", encoding="utf-8", newline="\n") as handle:
                    handle.write(content)
            except OSError as exc:
                raise LsoSimError(f"{path}: cannot write ({exc.strerror or exc})") from None
            print(f"wrote      {path}")
    except LsoSimError as exc:
        print(f"{_COMMAND}: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if args.check and stale:
        print(f"{len(stale)} generated file(s) out of date: run {_COMMAND}", file=sys.stderr)
        return EXIT_OUT_OF_DATE
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
