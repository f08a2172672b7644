"""lso-sim against bare simpy, and lso-sim's cost per order as the workload grows (``make bench``).

One command, one process for the comparison, so the ratios compare like with like on whatever
(noisy, shared) machine runs them:

- **bare simpy**: two processes exchanging request/response messages through ``Store``\\ s with a
  latency ``Timeout`` each way, written the fastest honest way (a delivery is a timeout whose
  callback puts the message in the receiver's store: one timeout, one put, one get per message,
  and the sender is not blocked while its message travels, as on an lso-sim channel).
- **lso-sim**: thread 10.2 workloads of 1k, 10k and 100k generated orders (``--quick``: 200 and
  2,000), their trace streamed as JSON lines to the null device. Each size runs in a fresh
  subprocess, so its peak RSS is its own and earlier runs leave no garbage behind.

Printed per size: microseconds per trace record, records per order, milliseconds per order and its
ratio to the smallest size, peak RSS. The last line is the headline figure::

    overhead per traced message vs bare simpy: X

where X is lso-sim's wall time per trace record (at the largest size) divided by bare simpy's
wall time per message, measured right after that size (best of three). The line before it gives
the same ratio in CPU time: on a machine shared with other work, wall time also counts the time a
process waits for a core, and the two sides of the ratio seldom wait alike. Targets (issue 13,
docs/performance.md): X <= 3; cost per order at the largest size within 15% of the smallest;
peak RSS of a streamed 100k-order run under 500 MB.

``--term SECONDS`` gives every generated order a term (``generate.term``): its product is
disconnected that long after delivery, so the live inventory is one a minute times the term
whatever the size (churn); with ``--retention`` the run then forgets what ended, and its peak
RSS should stay flat from one size to the next (docs/performance.md, "Churn").

``--mode summary`` runs the lso-sim sizes in summary-only mode (nothing written, figures
computed online), the mode a 1M-order sweep point uses: ``--mode summary --sizes 1000000``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import simpy

ROOT = Path(__file__).resolve().parent.parent
BASE_SCENARIO = ROOT / "scenarios" / "thread-10.2.yaml"
FULL_SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (200, 2_000)
LATENCY = 0.01
"""One-way latency of the bare simpy exchange (any constant: the clock does not cost)."""


# -- bare simpy -------------------------------------------------------------------------------------


def bare_simpy(exchanges: int) -> tuple[float, float]:
    """Wall and CPU seconds per message of two simpy processes doing request/response through Stores."""
    env = simpy.Environment()
    to_server = simpy.Store(env)
    to_client = simpy.Store(env)
    timeout = env.timeout

    def send(store: simpy.Store, item: int) -> None:
        arrival = timeout(LATENCY, item)
        arrival.callbacks.append(lambda event: store.put(event.value))

    def client() -> Any:
        for i in range(exchanges):
            send(to_server, i)
            yield to_client.get()

    def server() -> Any:
        get = to_server.get
        while True:
            item = yield get()
            send(to_client, item)

    env.process(client())
    env.process(server())
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    env.run()
    messages = 2 * exchanges
    return (time.perf_counter() - start) / messages, (time.process_time() - cpu) / messages


# -- one lso-sim size, in a child process -----------------------------------------------------------


INTERARRIVAL = 60
"""Seconds between generated orders (one a minute)."""


def workload(orders: int, retention: float | None = None, term: float | None = None) -> Any:
    """The canonical 10.2 scenario with ``orders`` generated orders, one a minute, links never full.

    ``retention``: the sellers' (``sellers.retention``): without one they keep every order,
    quote and qualification for the whole run, and memory grows with it. ``term``: each delivered
    product is disconnected that many seconds later (``generate.term``; churn): the live
    inventory is then one a minute times the term, whatever the size.
    """
    from lso_sim.scenarios import load_scenario
    from lso_sim.scenarios.schema import Scenario

    data = load_scenario(BASE_SCENARIO).model_dump(mode="json")
    for link in data["topology"]["links"]:
        link["capacity_mbps"] = 1e12
    for customer in data["customers"]:
        for site in customer["sites"]:
            site["capacity_mbps"] = 1e12
    generate: dict[str, Any] = {"count": orders, "interarrival": INTERARRIVAL, "bandwidth_mbps": [10]}
    if term is not None:
        generate["term"] = term
    data["workload"] = [{"thread": "10.2", "generate": generate}]
    data.pop("expect", None)
    data["sellers"] = {"retention": retention}
    return Scenario.model_validate(data)


class Progress:
    """An observer printing, every ``every`` simulated seconds, how far a long run has got.

    One line per mark on standard error: simulated days, orders arrived so far (one a minute),
    records, CPU seconds, the CPU milliseconds per order since the previous mark and the current
    RSS. A run of hours shows from its first hour whether its cost per order and its memory stay
    flat, and a run cut short still leaves how far it got.
    """

    def __init__(self, every: float, orders: int) -> None:
        self.every = every
        self.total = orders
        self.mark = every
        self.records = 0
        self.cpu = time.process_time()
        self.orders = 0

    def on_record(self, record: Any) -> None:
        self.records += 1
        if record.time >= self.mark:
            self._print(self.mark)
            self.mark += self.every * (1 + (record.time - self.mark) // self.every)

    def _print(self, at: float) -> None:
        cpu, orders = time.process_time(), min(int(at // INTERARRIVAL) + 1, self.total)
        arrived = orders - self.orders
        rate = f"{(cpu - self.cpu) / arrived * 1e3:.2f} ms/order" if arrived else "no new orders"
        self.cpu, self.orders = cpu, orders
        print(
            f"progress: day {at / 86400:.2f}, {orders:,} orders arrived, {self.records:,} records, "
            f"CPU {cpu:.0f} s ({rate} since the last mark), "
            f"RSS {_current_rss_mb():.1f} MB",
            file=sys.stderr,
            flush=True,
        )


def _current_rss_mb() -> float:
    """This process's resident set now (``ru_maxrss`` is only the peak); 0 where /proc is absent."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return 0.0


def measure(
    orders: int,
    mode: str,
    retention: float | None = None,
    term: float | None = None,
    progress: float | None = None,
) -> dict[str, Any]:
    """Run one size (in this process) and return its figures."""
    from lso_sim.scenarios import run_scenario
    from lso_sim.trace.jsonl import JsonlTraceWriter
    from lso_sim.trace.summary import TraceSummary

    scenario = workload(orders, retention, term)
    gc.collect()
    with open(os.devnull, "w", encoding="utf-8") as sink:
        # streamed: every record encoded and written, nothing kept; summary: counted online only.
        observers: list[Any] = [JsonlTraceWriter(sink) if mode == "streamed" else TraceSummary()]
        if progress is not None:
            observers.append(Progress(progress, orders))
        start, cpu = time.perf_counter(), time.process_time()
        result = run_scenario(scenario, observers)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    # One outcome read at a time: a million orders' outcomes are kept packed (lso_sim.actors.outcomes).
    done = sum(o.state == "completed" for i, o in result.world.outcomes.items() if "/order-" in i)
    return {
        "orders": orders,
        "completed": done,
        "records": result.world.sim.records_created,
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def in_child(
    orders: int,
    mode: str,
    retention: float | None = None,
    term: float | None = None,
    progress: float | None = None,
) -> dict[str, Any]:
    """:func:`measure` in a fresh interpreter, so peaks and garbage of other sizes do not mix.

    With ``progress`` the child's standard error is not captured: its progress lines reach the
    terminal as they come.
    """
    kept = [] if retention is None else ["--retention", repr(retention)]
    kept += [] if term is None else ["--term", repr(term)]
    kept += [] if progress is None else ["--progress", repr(progress)]
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(orders), "--mode", mode, *kept],
        stdout=subprocess.PIPE,
        stderr=None if progress is not None else subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    if done.returncode != 0 and done.stderr is None:
        raise SystemExit(f"bench: the run of {orders:,} orders failed (its error is above)")
    if done.returncode != 0:
        # The exception's own line (a traceback's last unindented one), not a trailing detail.
        lines = [line for line in done.stderr.splitlines() if line.strip() and not line[0].isspace()]
        why = lines[-1:] or [f"exit status {done.returncode}"]
        raise SystemExit(f"bench: the run of {orders:,} orders failed: {why[0]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


# -- the report -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """Figures of one size."""

    orders: int
    completed: int
    records: int
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float

    @property
    def us_per_record(self) -> float:
        return self.seconds / self.records * 1e6

    @property
    def cpu_us_per_record(self) -> float:
        return self.cpu_seconds / self.records * 1e6

    @property
    def ms_per_order(self) -> float:
        return self.seconds / self.orders * 1e3

    @property
    def cpu_ms_per_order(self) -> float:
        return self.cpu_seconds / self.orders * 1e3


SMALLEST_RUNS = 3
"""Runs of the smallest size, the reference of every ratio: its median is kept. A 1,000-order run
lasts seconds, and on a shared machine one such run's cost per order moved by a tenth from one run
to the next, while a 100,000-order run averages the load of half an hour."""


def _median(rows: list[Row]) -> Row:
    """The run whose CPU time is the median (wall time and peak RSS come with it, from that run)."""
    return sorted(rows, key=lambda row: row.cpu_seconds)[len(rows) // 2]


def _positive(text: str) -> int:
    """An argparse type: a whole number of 1 or more (a size of 0 orders measures nothing)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {value}")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help=f"sizes {QUICK_SIZES} (well within 90 s)")
    parser.add_argument("--sizes", type=_positive, nargs="+", help="order counts to run (overrides --quick)")
    parser.add_argument("--mode", choices=("streamed", "summary"), default="streamed")
    parser.add_argument(
        "--retention",
        type=float,
        help="sellers.retention in seconds (default: none, every resource kept for the whole run)",
    )
    parser.add_argument(
        "--term",
        type=float,
        help="generate.term in seconds: each delivered product disconnected that long after (churn; "
        "default: none, every product kept for ever)",
    )
    parser.add_argument("--exchanges", type=_positive, help="bare simpy request/response pairs")
    parser.add_argument(
        "--progress",
        type=float,
        metavar="SECONDS",
        help="print how far each run has got every SECONDS of simulated time (86400: daily), "
        "with its CPU per order since the last line and its current RSS",
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.progress is not None and not args.progress > 0:
        parser.error(f"--progress: expected a number of seconds above 0, got {args.progress:g}")
    if args.child is not None:
        print(json.dumps(measure(args.child, args.mode, args.retention, args.term, args.progress)))
        return

    sizes = args.sizes or (QUICK_SIZES if args.quick else FULL_SIZES)
    exchanges = args.exchanges or (20_000 if args.quick else 100_000)
    kept = "every resource kept" if args.retention is None else f"sellers.retention {args.retention:g} s"
    kept += "" if args.term is None else f", products disconnected after {args.term:g} s"
    print(
        f"python {sys.version.split()[0]}, simpy {simpy.__version__}, {os.cpu_count()} cpus, {kept}",
        flush=True,
    )
    options = (args.mode, args.retention, args.term, args.progress)
    rows: list[Row] = []
    bare = bare_cpu = 0.0
    for n in sizes:  # each printed as soon as measured: the 100k size takes a while
        row = _median(
            [Row(**in_child(n, *options)) for _ in range(SMALLEST_RUNS)]
            if not rows
            else [Row(**in_child(n, *options))]
        )
        rows.append(row)
        first = rows[0]
        # Bare simpy right after each size (best of three): the same moment of a shared machine.
        # CPU time is shown beside wall time: other users of a shared machine inflate wall time
        # (a process waiting for a core) far more than CPU time, and not equally for both sides.
        runs = [bare_simpy(exchanges) for _ in range(3)]
        bare, bare_cpu = min(wall for wall, _ in runs), min(cpu for _, cpu in runs)
        note = "" if row.completed == row.orders else f"  ({row.orders - row.completed} not completed)"
        print(
            f"10.2 {row.orders:>9,} orders{'' if len(rows) > 1 else f' (median of {SMALLEST_RUNS})'}, "
            f"{args.mode}: {row.us_per_record:7.2f} us/record, "
            f"{row.records / row.orders:6.1f} records/order, {row.ms_per_order:7.3f} ms/order "
            f"(x{row.ms_per_order / first.ms_per_order:.2f} of {first.orders:,}), "
            f"peak RSS {row.peak_rss_mb:7.1f} MB; bare simpy {bare * 1e6:.3f} us/message, "
            f"ratio {row.us_per_record / (bare * 1e6):.2f}; CPU time: {row.cpu_us_per_record:.2f} "
            f"us/record, {row.cpu_ms_per_order:.3f} ms/order "
            f"(x{row.cpu_ms_per_order / first.cpu_ms_per_order:.2f}), "
            f"bare simpy {bare_cpu * 1e6:.3f} us/message, "
            f"ratio {row.cpu_us_per_record / (bare_cpu * 1e6):.2f}{note}",
            flush=True,
        )
    overhead = rows[-1].us_per_record / (bare * 1e6)
    overhead_cpu = rows[-1].cpu_us_per_record / (bare_cpu * 1e6)
    print(f"the same in CPU time (less sensitive to other users of the machine): {overhead_cpu:.2f}")
    print(f"overhead per traced message vs bare simpy: {overhead:.2f}")


if __name__ == "__main__":
    main()
