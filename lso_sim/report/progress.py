"""A progress bar for long runs, on a terminal only.

A run has no wall-clock end to measure against, so the bar counts what the scenario announces
up front: its orders (explicit ones plus generated ones), each a 10.2 thread instance that also
carries the work of the other threads. The bar advances as orders start, and its text shows the
simulated clock, the records so far and every thread instance seen, so the tail of the run (the
last orders finishing) still visibly moves.

It is an engine observer like the trace writers. It is shown only when standard output is a
terminal and the ``CI`` environment variable is unset: piped output and CI logs stay clean.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from lso_sim.messages.envelope import Message
from lso_sim.scenarios.schema import Scenario

ORDER_THREAD = "10.2"
"""Thread whose instances the bar counts."""

_EVERY = 512
"""Records between two updates of the text (new orders update it at once)."""


def expected_orders(scenario: Scenario) -> int:
    """Orders the scenario will start: explicit ones plus generated ones, over all workload items."""
    return sum(len(work.orders) + (work.generate.count if work.generate else 0) for work in scenario.workload)


def show_progress(console: Console, environ: Mapping[str, str] | None = None) -> bool:
    """True when a bar helps: output is a terminal and this is not a CI job."""
    env = os.environ if environ is None else environ
    return console.is_terminal and not env.get("CI")


class RunProgress:
    """Observer advancing a rich task as orders start and the simulated clock moves."""

    def __init__(self, progress: Progress, task: TaskID) -> None:
        self._progress = progress
        self._task = task
        self._orders: set[str] = set()
        self._instances: set[tuple[str, str]] = set()
        self._records = 0

    def on_record(self, record: Message) -> None:
        self._records += 1
        key = (record.thread, record.instance)
        new = key not in self._instances
        if new:
            self._instances.add(key)
            if record.thread == ORDER_THREAD:
                self._orders.add(record.instance)
        if new or self._records % _EVERY == 0:
            self._progress.update(
                self._task,
                completed=len(self._orders),
                clock=f"t = {record.time / 3600:,.1f} h",
                detail=f"{self._records:,} records, {len(self._instances)} thread instances",
            )


@contextmanager
def run_progress(scenario: Scenario, console: Console) -> Iterator[RunProgress | None]:
    """A progress observer for the run of ``scenario``, or ``None`` when no bar should show."""
    if not show_progress(console):
        yield None
        return
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[clock]}  {task.fields[detail]}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    total = expected_orders(scenario)
    with progress:
        task = progress.add_task("orders started", total=total or None, clock="t = 0.0 h", detail="")
        yield RunProgress(progress, task)
