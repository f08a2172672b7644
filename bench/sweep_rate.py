"""Sweep benchmark: what a run's summary costs, and how runs per second scale with --jobs.

Run by hand or with ``make bench``. Prints ratios against baselines measured in the same run.
Goals (issue 12): gathering the summary while a run streams costs about what keeping the trace in
memory costs (most of it is encoding each payload to count its bytes), without the memory growing
with the run; ``--jobs 2`` runs a sweep at least 1.5 times as fast as ``--jobs 1`` on two idle
cores once runs outweigh process start-up. Timings are the fastest of ``--repeats``: on a shared
machine read the ratios, not the seconds, and run it twice.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from lso_sim.engine.observers import MemoryTrace
from lso_sim.report.summary import SummaryObserver
from lso_sim.scenarios import load_scenario, run_scenario
from lso_sim.scenarios.loader import read_scenario_text
from lso_sim.scenarios.overrides import parse_override
from lso_sim.sweep.backends import execute
from lso_sim.sweep.plan import parse_param, plan

SCENARIO = "scenarios/thread-10.2.yaml"


def _best(runs: int, work: Callable[[], Any]) -> float:
    """Fastest of ``runs`` timings (shared machines are noisy; the minimum is the least disturbed)."""
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return min(timings)


def summary_cost(orders: int, repeats: int) -> None:
    scenario = load_scenario(
        SCENARIO,
        [
            parse_override(
                f"workload.0.generate={{count: {orders}, interarrival: 600, bandwidth_mbps: [1]}}"
            ),
            parse_override("expect=null"),
        ],
    )
    bare = _best(repeats, lambda: run_scenario(scenario))
    summary = _best(repeats, lambda: run_scenario(scenario, [SummaryObserver()]))
    memory = _best(repeats, lambda: run_scenario(scenario, [MemoryTrace()]))
    print(f"{orders} orders: no observer {bare:.2f} s", end=", ")
    print(f"summary {summary / bare:.2f}x, trace in memory {memory / bare:.2f}x")


def jobs_scaling(replications: int) -> None:
    specs = plan(
        SCENARIO,
        read_scenario_text(SCENARIO),
        7,
        [parse_param("channels.SONATA.latency.mean=0.15,0.6")],
        replications,
    )
    one = _best(1, lambda: execute(specs, jobs=1))
    two = _best(1, lambda: execute(specs, jobs=2))
    print(f"{len(specs)} runs: --jobs 1 {len(specs) / one:.1f} runs/s, --jobs 2 {one / two:.2f}x as fast")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--replications", type=int, default=10)
    args = parser.parse_args()
    summary_cost(args.orders, args.repeats)
    jobs_scaling(args.replications)


if __name__ == "__main__":
    main()
