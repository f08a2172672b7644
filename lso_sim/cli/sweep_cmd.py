"""``lso-sim sweep SCENARIO --param PATH=V1,V2 ... --replications N --out DIR``: what-if grids.

Every grid point is checked like a scenario file before anything runs (a bad value exits 2 naming
the field), the runs are planned with their seeds (lso_sim/sweep/plan.py), executed here, in
``--jobs`` processes or on a Dask cluster (``--dask``), each keeping only its summary, and the
results written to ``DIR/runs.csv``, ``DIR/summary.csv``, ``DIR/summary.svg`` and ``DIR/sweep.json``
(the plan, to re-run it). See docs/what-if.md. Exit codes: 0, 2 bad input, 3 when runs failed
inside lso-sim (a bug; their tracebacks are in ``DIR/errors.txt``).
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from lso_sim import __version__
from lso_sim.cli.options import add_set_option
from lso_sim.errors import BadInput, UsageError
from lso_sim.report.progress import show_progress
from lso_sim.scenarios.loader import load_scenario_text, read_scenario_text
from lso_sim.scenarios.overrides import parse_override, parse_overrides
from lso_sim.sweep.backends import OnResult, execute
from lso_sim.sweep.plan import Param, RunSpec, grid, parse_param, plan
from lso_sim.sweep.plot import write_plot
from lso_sim.sweep.results import (
    DEFAULT_SHOWN,
    PointEstimate,
    metric_names,
    runs_csv,
    shown,
    summarise,
    summary_csv,
    write_text,
)
from lso_sim.sweep.run_one import RunRow

EXIT_OK = 0
EXIT_RUNS_FAILED = 3


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a whole number, got {text[:40]!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"0 or more, got {value}")
    return value


def add_parser(sub: Any) -> None:
    """Register ``sweep`` on ``sub`` (an argparse sub-parsers action)."""
    parser = sub.add_parser(
        "sweep", help="run a scenario over a grid of parameter values, with replications (what-if)"
    )
    parser.add_argument("scenario", type=Path, help="scenario YAML file")
    parser.add_argument(
        "--param",
        dest="params",
        action="append",
        default=[],
        metavar="PATH=V1,V2,...",
        help="a scenario field and the values to sweep (repeatable; the grid is every combination)",
    )
    parser.add_argument("--replications", type=_count, default=1, metavar="N", help="runs per grid point")
    parser.add_argument(
        "--jobs", type=_count, default=1, metavar="J", help="local processes (0: one per CPU; default 1)"
    )
    parser.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="run on a dask.distributed cluster (tcp://host:8786); needs lso-sim[dask]",
    )
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for the result files")
    parser.add_argument(
        "--common-seeds",
        action="store_true",
        help="every grid point runs replication r with the same seed (common random numbers)",
    )
    parser.add_argument("--until", type=float, metavar="SECONDS", help="horizon of every run")
    parser.add_argument(
        "--metric",
        dest="metrics",
        action="append",
        metavar="GLOB",
        help=f"metrics for the table and the plot (repeatable; default {' '.join(DEFAULT_SHOWN)})",
    )
    add_set_option(parser)


def _check_points(text: str, source: str, fixed: Sequence[str], params: Sequence[Param]) -> int:
    """Load the scenario at every grid point (exit 2 on a bad value); returns its seed."""
    base = load_scenario_text(text, source, parse_overrides(fixed))
    for values in grid(params):
        texts = [*fixed, *(f"{p.path}={v}" for p, v in zip(params, values, strict=True))]
        load_scenario_text(text, source, [parse_override(t) for t in texts])
    return base.seed


@contextmanager
def _progress(console: Console, total: int) -> Iterator[OnResult]:
    if not show_progress(console):
        yield lambda _row: None
        return
    bar = Progress(
        TextColumn("sweep"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    with bar:
        task = bar.add_task("runs", total=total)
        yield lambda _row: bar.advance(task)


def run(args: argparse.Namespace, console: Console) -> int:
    """Plan, check, run and write a sweep; print its table."""
    params = [parse_param(text) for text in args.params]
    fixed = list(args.overrides or [])
    if args.dask is not None and args.jobs != 1:
        raise UsageError("give --jobs or --dask, not both (the Dask cluster has its own workers)")
    if args.until is not None and not 0 < args.until < float("inf"):
        raise UsageError(f"--until: a positive, finite number of seconds, got {args.until}")
    text = read_scenario_text(args.scenario)
    seed = _check_points(text, str(args.scenario), fixed, params)
    specs = plan(
        str(args.scenario),
        text,
        seed,
        params,
        args.replications,
        fixed=fixed,
        until=args.until,
        common_seeds=args.common_seeds,
    )
    out: Path = args.out
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInput(f"{out}: cannot create the folder ({exc.strerror or exc})") from None
    jobs = args.jobs or (os.cpu_count() or 1)
    with _progress(console, len(specs)) as on_result:
        rows = execute(specs, jobs=jobs, dask=args.dask, on_result=on_result)
    points = grid(params)
    estimates = summarise(rows, points)
    chosen = shown(metric_names(rows), args.metrics or DEFAULT_SHOWN)
    write_text(out / "runs.csv", runs_csv(params, rows))
    write_text(out / "summary.csv", summary_csv(params, estimates))
    write_text(out / "sweep.json", json.dumps(_manifest(args, seed, params, fixed, specs), indent=2) + "\n")
    files = ["runs.csv", "summary.csv", "sweep.json"]
    try:
        write_plot(out / "summary.svg", params, estimates, chosen)
        files.append("summary.svg")
    except BadInput as exc:
        console.print(f"summary.svg not drawn: {exc}", markup=False, highlight=False)
    console.print(_table(params, points, rows, estimates, chosen))
    console.print(
        f"{len(rows)} runs: {', '.join(str(out / f) for f in files)}", markup=False, highlight=False
    )
    failed = [row for row in rows if row.error is not None]
    if failed:
        text = "\n".join(
            f"run {r.spec.index} (point {r.spec.point}, seed {r.spec.seed}):\n{r.error}" for r in failed
        )
        write_text(out / "errors.txt", text)
        console.print(
            f"[bold red]{len(failed)} of {len(rows)} runs failed inside lso-sim (a bug; please report it); "
            f"their tracebacks are in {escape(str(out / 'errors.txt'))}[/]"
        )
        return EXIT_RUNS_FAILED
    return EXIT_OK


def _manifest(
    args: argparse.Namespace,
    seed: int,
    params: Sequence[Param],
    fixed: Sequence[str],
    specs: Sequence[RunSpec],
) -> dict[str, Any]:
    return {
        "scenario": str(args.scenario),
        "seed": seed,
        "params": {p.path: list(p.values) for p in params},
        "set": list(fixed),
        "replications": args.replications,
        "until": args.until,
        "runs": len(specs),
        "seeds": "numpy SeedSequence(entropy=seed mod 2**64, spawn_key=(point, replication)), 63 bits",
        "common_seeds": args.common_seeds,
        "lso_sim": __version__,
    }


def _table(
    params: Sequence[Param],
    points: Sequence[tuple[str, ...]],
    rows: Sequence[RunRow],
    estimates: Sequence[PointEstimate],
    metrics: Sequence[str],
) -> Table:
    """One row per grid point: its values, its runs, and each shown metric as mean +- CI half-width."""
    table = Table(title="Sweep: mean +- 95% CI half-width (Student t) over the replications")
    for param in params:
        table.add_column(escape(param.path))
    table.add_column("runs", justify="right")
    for metric in metrics:
        table.add_column(escape(metric), justify="right")
    found = {(e.point, e.metric): e.estimate for e in estimates}
    for p, values in enumerate(points):
        runs = [r for r in rows if r.spec.point == p]
        ok = sum(1 for r in runs if r.error is None)
        cells = []
        for metric in metrics:
            est = found.get((p, metric))
            if est is None:
                cells.append("-")
            elif est.ci95_high is None:
                cells.append(_number(est.mean))
            else:
                cells.append(f"{_number(est.mean)} +- {_number(est.ci95_high - est.mean)}")
        table.add_row(*map(escape, values), f"{ok}" if ok == len(runs) else f"{ok} of {len(runs)}", *cells)
    return table


def _number(value: float) -> str:
    """``15,204`` for large figures (seconds, bytes), ``0.95`` for small ones."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
