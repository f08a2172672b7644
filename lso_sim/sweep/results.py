"""A sweep's results: per-run rows, per-point estimates, and the CSV files they are written to.

``runs.csv``: one row per run (``run``, ``point``, each parameter, ``replication``, ``seed``,
``error``, then every metric). ``summary.csv``: one row per grid point and metric (each
parameter, ``metric``, ``mean``, ``std``, ``ci95_low``, ``ci95_high``, ``n``). Numbers are
written as the shortest text that reads back to the same float (rounded to 9 decimals), so the
same runs give byte-identical files whatever backend or number of processes made them.

A run where a thread never reached a state has no ``rate``/``count`` for it: that is a rate of 0,
and is written and averaged as 0. A lead time of a state never reached is no number: the cell is
empty and ``n`` counts only the runs that had one. Runs that failed (``error``) are left out of
the estimates and reported.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from lso_sim.errors import BadInput
from lso_sim.sweep.plan import Param
from lso_sim.sweep.run_one import RunRow
from lso_sim.sweep.stats import Estimate, estimate

ZERO_WHEN_MISSING = ("rate.", "count.", "success.")
"""Metric prefixes whose absence from a run means 0 (a state no instance ended in)."""

DEFAULT_SHOWN = ("rate.*.completed", "lead_time.*.all.mean", "lead_time.*.all.p95", "fallout.lost")
"""Metrics the table and the plot show when ``--metric`` is not given (all go to the CSV files)."""

SUMMARY_COLUMNS = ("metric", "mean", "std", "ci95_low", "ci95_high", "n")


def fmt(value: float | None) -> str:
    """A CSV cell: empty for no value, an integer as such, a float rounded to 9 decimals."""
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return repr(round(float(value), 9))


def metric_names(rows: Iterable[RunRow]) -> list[str]:
    """Every metric any successful run has, sorted."""
    return sorted({name for row in rows if row.error is None for name in row.metrics})


def value(row: RunRow, name: str) -> float | None:
    """``row``'s value of metric ``name`` (0 for a missing rate or count; ``None`` otherwise)."""
    if row.error is not None:
        return None
    found = row.metrics.get(name)
    if found is None and name.startswith(ZERO_WHEN_MISSING):
        return 0
    return found


@dataclass(frozen=True, slots=True)
class PointEstimate:
    """One metric's estimate at one grid point."""

    point: int
    values: tuple[str, ...]
    metric: str
    estimate: Estimate


def summarise(rows: Sequence[RunRow], points: Sequence[tuple[str, ...]]) -> list[PointEstimate]:
    """Estimates per grid point (in grid order) and metric (sorted)."""
    names = metric_names(rows)
    by_point: dict[int, list[RunRow]] = {}
    for row in rows:
        by_point.setdefault(row.spec.point, []).append(row)
    found: list[PointEstimate] = []
    for p, values in enumerate(points):
        runs = sorted(by_point.get(p, []), key=lambda r: r.spec.replication)
        for name in names:
            numbers = [v for v in (value(r, name) for r in runs) if v is not None]
            if numbers:
                found.append(PointEstimate(p, values, name, estimate([float(v) for v in numbers])))
    return found


def shown(names: Iterable[str], patterns: Sequence[str]) -> list[str]:
    """The metric names matching any glob of ``patterns``, in the order of the patterns."""
    chosen: list[str] = []
    for pattern in patterns:
        chosen += [n for n in names if fnmatchcase(n, pattern) and n not in chosen]
    return chosen


def runs_csv(params: Sequence[Param], rows: Sequence[RunRow]) -> str:
    """The text of ``runs.csv``."""
    names = metric_names(rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["run", "point", *(p.path for p in params), "replication", "seed", "error", *names])
    for row in sorted(rows, key=lambda r: r.spec.index):
        spec = row.spec
        error = "" if row.error is None else row.error.strip().splitlines()[-1]
        writer.writerow(
            [
                spec.index,
                spec.point,
                *spec.values,
                spec.replication,
                spec.seed,
                error,
                *(fmt(value(row, n)) for n in names),
            ]
        )
    return out.getvalue()


def summary_csv(params: Sequence[Param], estimates: Sequence[PointEstimate]) -> str:
    """The text of ``summary.csv``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*(p.path for p in params), *SUMMARY_COLUMNS])
    for e in estimates:
        est = e.estimate
        writer.writerow(
            [*e.values, e.metric, fmt(est.mean), fmt(est.std), fmt(est.ci95_low), fmt(est.ci95_high), est.n]
        )
    return out.getvalue()


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (LF line ends), as bad input when it cannot be written."""
    try:
        path.write_text(text, encoding="utf-8", newline="\n")
    except OSError as exc:
        raise BadInput(f"{path}: cannot write ({exc.strerror or exc})") from None


def read_runs(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """A ``runs.csv``: its parameter columns and its rows (for ``lso-sim compare``).

    Raises:
        BadInput: not readable, or not a runs.csv (its fixed columns missing).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path}: cannot read ({getattr(exc, 'strerror', None) or exc})") from None
    reader = csv.DictReader(io.StringIO(text))
    header = list(reader.fieldnames or [])
    fixed = ("run", "point", "replication", "seed", "error")
    if any(name not in header for name in fixed):
        raise BadInput(f"{path}: not a sweep's runs.csv (expected the columns {', '.join(fixed)})")
    params = header[header.index("point") + 1 : header.index("replication")]
    return params, list(reader)
