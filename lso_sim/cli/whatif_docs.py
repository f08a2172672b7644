"""The worked questions of docs/what-if.md, answered by real sweeps when the docs are regenerated.

Each :class:`Question` is one ``lso-sim sweep --common-seeds`` command on the canonical 10.2
scenario (common random numbers: the points differ by their parameter, not by their draws). ``make
docs`` (:mod:`lso_sim.cli.docs`) runs it in this process (a sweep's files do not depend on the
backend), puts its table between ``<!-- BEGIN GENERATED WHAT-IF <key> -->`` and the matching END
marker, and its plot in ``images/what-if-<key>.svg``. Replications stay few so that the docs check
of ``make test`` stays quick: the intervals are wide, which the page says.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lso_sim.errors import LsoSimError
from lso_sim.scenarios.canonical import canonical_scenario
from lso_sim.scenarios.loader import load_scenario_text, read_scenario_text
from lso_sim.scenarios.overrides import parse_overrides
from lso_sim.sweep.backends import execute
from lso_sim.sweep.plan import grid, parse_param, plan
from lso_sim.sweep.plot import write_plot
from lso_sim.sweep.results import PointEstimate, summarise


@dataclass(frozen=True, slots=True)
class Question:
    """One worked question: the sweep that answers it and the metrics shown."""

    key: str
    params: tuple[str, ...]
    replications: int
    metrics: tuple[str, ...]
    fixed: tuple[str, ...] = ()


THREAD = "10.2"
QUESTIONS = (
    Question(
        "slow-partner",
        ("channels.SONATA.towards.partner-1.latency=0.15,600,3600",),
        3,
        ("lead_time.10.2.all.mean", "lead_time.10.2.all.p95", "rate.10.2.completed"),
    ),
    Question(
        "bottleneck",
        ("actors.ECM.capacity=1,2,4",),
        2,
        ("lead_time.10.2.all.mean", "lead_time.10.2.all.p95", "utilisation.ecm-pe-metro-1"),
        (
            "workload.0.generate={count: 8, interarrival: 60, bandwidth_mbps: [10]}",
            "actors.ECM.service_time={kind: uniform, low: 600, high: 1800}",
        ),
    ),
    Question(
        "partner-loss",
        ("channels.SONATA.towards.partner-1.loss=0,0.1,0.3",),
        3,
        ("rate.10.2.completed", "lead_time.10.2.all.mean", "fallout.lost"),
    ),
)


def command(question: Question) -> str:
    """The ``lso-sim sweep`` command line that answers ``question``."""
    parts = ["lso-sim sweep scenarios/thread-10.2.yaml"]
    parts += [f"--set '{text}'" for text in question.fixed]
    parts += [f"--param {text}" for text in question.params]
    parts += [f"--replications {question.replications} --common-seeds --jobs 2 --out {question.key}/"]
    parts += [f"--metric {m}" for m in question.metrics]
    return " \\\n  ".join(parts)


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def table(question: Question, estimates: list[PointEstimate], paths: list[str]) -> str:
    """A Markdown table: one row per grid point, each metric as mean +- 95% CI half-width."""
    found = {(e.values, e.metric): e.estimate for e in estimates}
    points = sorted({e.values for e in estimates}, key=lambda v: [e.values for e in estimates].index(v))
    header = [*paths, *question.metrics]
    rows = ["| " + " | ".join(f"`{h}`" for h in header) + " |", "|" + " --- |" * len(header)]
    for values in points:
        cells = list(values)
        for metric in question.metrics:
            est = found.get((values, metric))
            if est is None:
                cells.append("-")
            elif est.ci95_high is None:
                cells.append(_number(est.mean))
            else:
                cells.append(f"{_number(est.mean)} ± {_number(est.ci95_high - est.mean)}")
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


@cache
def answer(question: Question) -> tuple[str, str]:
    """Run the question's sweep: the page block (command and table) and the plot (SVG text).

    Cached: the answer depends only on the question and the code, and a docs check in the same
    process (tests regenerate the docs several times) need not run the sweeps again.
    """
    path = canonical_scenario(THREAD)
    params = [parse_param(text) for text in question.params]
    text = read_scenario_text(path)
    seed = load_scenario_text(text, str(path), parse_overrides(question.fixed)).seed
    specs = plan(
        str(path), text, seed, params, question.replications, fixed=question.fixed, common_seeds=True
    )
    rows = execute(specs)
    failed = [row for row in rows if row.error is not None]
    if failed:
        raise LsoSimError(f"what-if question {question.key}: a run failed:\n{failed[0].error}")
    estimates = summarise(rows, grid(params))
    block = "\n".join(
        [
            f"```sh\n{command(question)}\n```",
            "",
            table(question, estimates, [p.path for p in params]),
            "",
            f"![{question.key}](images/what-if-{question.key}.svg)",
        ]
    )
    with tempfile.TemporaryDirectory(prefix="lso-sim-docs-") as tmp:
        svg = Path(tmp) / "summary.svg"
        write_plot(svg, params, estimates, question.metrics)
        return block, svg.read_text(encoding="utf-8")


def markers(question: Question) -> tuple[str, str]:
    """The BEGIN and END marker lines of ``question``'s block in what-if.md."""
    return (
        f"<!-- BEGIN GENERATED WHAT-IF {question.key} -->",
        f"<!-- END GENERATED WHAT-IF {question.key} -->",
    )
