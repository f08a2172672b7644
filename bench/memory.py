"""What a run keeps, by source line: tracemalloc after a small and a larger run.

Peak RSS says how much a run costs; this says who holds it. Two sizes of the bench's 10.2
workload run each in a fresh interpreter (a run's world is not entirely freed when it ends:
something global still holds it, so one process would count the first run twice), in
summary-only mode (no trace kept, so what is left is the simulated world itself). After each,
with its result still alive and after a full collection, a tracemalloc snapshot is written; the
difference between the two, grouped by the
source line that allocated, is what the extra orders cost and who keeps it, printed as a table
(KB per order, count of blocks per order)::

    python bench/memory.py --sizes 2000 4000 --top 25
    python bench/memory.py --sizes 1000 2000 --term 86400 --retention 3600   # churn: ~0 per order

Everything a finished run still holds appears here (seller stores, records, ledgers); the peak
during a run (in-flight timers, queues) does not: ``bench.py`` measures that.
"""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys
import tempfile
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import workload  # bench/ is not a package: bench.py found through sys.path

ROOT = Path(__file__).resolve().parent.parent


def run_and_snapshot(
    orders: int, retention: float | None, term: float | None = None
) -> tuple[Any, tracemalloc.Snapshot]:
    """Run ``orders`` orders summary-only; snapshot with the result still alive."""
    from lso_sim.scenarios import run_scenario
    from lso_sim.trace.summary import TraceSummary

    result = run_scenario(workload(orders, retention, term), [TraceSummary()])
    gc.collect()
    return result, tracemalloc.take_snapshot()


def short(filename: str) -> str:
    """A path relative to the project or to site-packages, for the table."""
    for marker in ("/site-packages/", "/lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    try:
        return str(Path(filename).relative_to(ROOT))
    except ValueError:
        return filename


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=(2000, 4000), metavar=("SMALL", "LARGE"))
    parser.add_argument("--top", type=int, default=25, help="lines to print")
    parser.add_argument("--retention", type=float, help="sellers.retention in seconds (default: none)")
    parser.add_argument(
        "--term", type=float, help="generate.term in seconds: products disconnected (default: kept)"
    )
    parser.add_argument("--group", choices=("lineno", "filename"), default="lineno")
    parser.add_argument("--child", nargs=2, metavar=("ORDERS", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        tracemalloc.start(1)
        result, snapshot = run_and_snapshot(int(args.child[0]), args.retention, args.term)
        snapshot.dump(args.child[1])
        del result
        return
    small, large = args.sizes
    kept = [] if args.retention is None else ["--retention", repr(args.retention)]
    kept += [] if args.term is None else ["--term", repr(args.term)]
    with tempfile.TemporaryDirectory() as tmp:
        for n in (small, large):
            subprocess.run(
                [sys.executable, __file__, "--child", str(n), f"{tmp}/{n}.snapshot", *kept], check=True
            )
        before = tracemalloc.Snapshot.load(f"{tmp}/{small}.snapshot")
        after = tracemalloc.Snapshot.load(f"{tmp}/{large}.snapshot")
    extra = large - small
    stats = after.compare_to(before, args.group)
    total = sum(s.size_diff for s in stats)
    print(f"retained growth from {small:,} to {large:,} orders: {total / extra / 1024:.1f} KB per order")
    print("| where (allocated at) | KB per order | blocks per order | share |")
    print("| --- | --- | --- | --- |")
    for stat in stats[: args.top]:
        frame = stat.traceback[0]
        where = short(frame.filename) + (f":{frame.lineno}" if args.group == "lineno" else "")
        print(
            f"| `{where}` | {stat.size_diff / extra / 1024:.2f} | {stat.count_diff / extra:.1f} "
            f"| {stat.size_diff / total:.1%} |"
        )


if __name__ == "__main__":
    main()
