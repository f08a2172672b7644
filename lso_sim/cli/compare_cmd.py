"""``lso-sim compare A B``: per metric, how B differs from A and whether the difference is significant.

A and B are each a run summary (``run --summary json`` output) or a sweep (its folder or its
``runs.csv``). Samples are the runs' metrics; two sweeps with the same parameters are compared
point by point (equal values), and a single run or single-point sweep against a single one.
Significance is Welch's two-sided t-test (unequal variances) at ``--alpha`` (0.05); a side with
fewer than two runs cannot be tested and says so (``n/a``).
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from lso_sim.errors import BadInput, echo
from lso_sim.report.summary import flat_metrics
from lso_sim.sweep.results import ZERO_WHEN_MISSING, read_runs, shown
from lso_sim.sweep.stats import welch

TEST_NAME = "Welch's t-test (two-sided, unequal variances)"


@dataclass(slots=True)
class Sample:
    """The runs of one side at one grid point: metric -> values (one per run)."""

    label: str
    values: dict[str, list[float]] = field(default_factory=dict)
    runs: int = 0


def add_parser(sub: Any) -> None:
    """Register ``compare`` on ``sub`` (an argparse sub-parsers action)."""
    parser = sub.add_parser("compare", help="compare two run summaries or two sweeps, metric by metric")
    parser.add_argument("a", type=Path, metavar="A", help="run summary JSON, sweep folder or runs.csv")
    parser.add_argument("b", type=Path, metavar="B", help="the same kind of thing to compare with A")
    parser.add_argument(
        "--metric", dest="metrics", action="append", metavar="GLOB", help="metrics to show (repeatable)"
    )
    parser.add_argument("--alpha", type=_alpha, default=0.05, help="significance level (default 0.05)")
    parser.add_argument("--format", choices=("table", "json"), default="table")


def _alpha(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a probability, got {text[:40]!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"a probability between 0 and 1, got {value}")
    return value


def load_samples(path: Path) -> dict[tuple[tuple[str, str], ...], Sample]:
    """The samples of ``path`` by grid point (``()`` for a single run), as ``((param, value), ...)``.

    Raises:
        BadInput: not a run summary or a sweep.
    """
    if path.is_dir():
        path = path / "runs.csv"
    if path.suffix == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            metrics = flat_metrics(data)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BadInput(f"{path}: cannot read a run summary ({echo(str(exc))})") from None
        except (KeyError, TypeError, AttributeError):
            raise BadInput(f"{path}: not a run summary (lso-sim run --summary json)") from None
        return {(): Sample(str(path), {k: [float(v)] for k, v in metrics.items()}, 1)}
    params, rows = read_runs(path)
    samples: dict[tuple[tuple[str, str], ...], Sample] = {}
    for n, row in enumerate(rows, start=2):
        if row.get("error"):
            continue
        key = tuple((p, row[p]) for p in params)
        sample = samples.setdefault(key, Sample(str(path)))
        sample.runs += 1
        for name, cell in row.items():
            if name in params or name in ("run", "point", "replication", "seed", "error") or not cell:
                continue
            try:
                number = float(cell)
            except ValueError:
                raise BadInput(f"{path}: line {n}, column {name}: a number, got {echo(cell)}") from None
            if not math.isfinite(number):
                raise BadInput(f"{path}: line {n}, column {name}: a finite number, got {echo(cell)}")
            sample.values.setdefault(name, []).append(number)
    if not samples:
        raise BadInput(f"{path}: no successful run to compare")
    return samples


def pair(
    a: dict[tuple[tuple[str, str], ...], Sample], b: dict[tuple[tuple[str, str], ...], Sample]
) -> list[tuple[str, Sample, Sample]]:
    """The point pairs to compare, each with a label (``""`` for single points)."""
    if len(a) == 1 and len(b) == 1:
        ((key, one),), ((_, two),) = a.items(), b.items()
        return [(", ".join(f"{p}={v}" for p, v in key), one, two)]
    common = [key for key in a if key in b]
    if not common:
        raise BadInput("A and B have no grid point in common (same parameters and values) to compare")
    return [(", ".join(f"{p}={v}" for p, v in key) or "-", a[key], b[key]) for key in common]


def _values(sample: Sample, metric: str) -> list[float]:
    found = sample.values.get(metric)
    if found is None and metric.startswith(ZERO_WHEN_MISSING):
        return [0.0] * sample.runs
    return found or []


def comparisons(
    pairs: Sequence[tuple[str, Sample, Sample]], patterns: Sequence[str], alpha: float
) -> list[dict[str, Any]]:
    """One row per point pair and metric: means, sizes, difference, t, df, p, significance."""
    found = []
    for label, one, two in pairs:
        names = sorted(set(one.values) | set(two.values))
        for metric in shown(names, patterns) if patterns else names:
            a, b = _values(one, metric), _values(two, metric)
            if not a or not b:
                continue
            test = welch(a, b)
            mean_a = math.fsum(a) / len(a)
            found.append(
                {
                    "point": label,
                    "metric": metric,
                    "a_mean": mean_a,
                    "a_n": len(a),
                    "b_mean": mean_a + test.difference,
                    "b_n": len(b),
                    "difference": test.difference,
                    "relative": test.difference / mean_a if mean_a else None,
                    "t": test.t,
                    "df": test.df,
                    "p": test.p,
                    "significant": None if test.p is None else test.p < alpha,
                }
            )
    return found


def run(args: argparse.Namespace, console: Console) -> int:
    """Print the comparison of A and B."""
    rows = comparisons(pair(load_samples(args.a), load_samples(args.b)), args.metrics or [], args.alpha)
    if args.format == "json":
        document = {
            "test": TEST_NAME,
            "alpha": args.alpha,
            "a": str(args.a),
            "b": str(args.b),
            "metrics": rows,
        }
        console.file.write(json.dumps(document, indent=2) + "\n")
        return 0
    table = Table(title=f"B - A per metric; significance: {TEST_NAME}, p < {args.alpha:g}")
    for name in ("point", "metric", "A mean (n)", "B mean (n)", "B - A", "change", "p", "significant"):
        table.add_column(name, justify="left" if name in ("point", "metric") else "right")
    for r in rows:
        verdict = "n/a (n < 2)" if r["significant"] is None else "[bold]yes[/]" if r["significant"] else "no"
        table.add_row(
            escape(r["point"]),
            escape(r["metric"]),
            f"{r['a_mean']:,.6g} ({r['a_n']})",
            f"{r['b_mean']:,.6g} ({r['b_n']})",
            f"{r['difference']:+,.4g}",
            "" if r["relative"] is None else f"{r['relative']:+.1%}",
            "" if r["p"] is None else f"{r['p']:.3g}",
            verdict,
        )
    console.print(table)
    return 0
