"""Where a sweep's runs execute: this process, local worker processes, or a Dask cluster.

Each backend runs the same planned list with :func:`~lso_sim.sweep.run_one.run_one` and returns
the rows in plan order (``Client.gather`` keeps input order; local futures are sorted by index),
so the files written afterwards do not depend on the backend or on which run finished first.
``on_result`` sees each row as it arrives, for a progress bar.

Dask is optional (``pip install 'lso-sim[dask]'``) and imported only here, only with ``--dask``.
A Dask task key is derived from the sweep's plan and the run's index: tasks with equal keys run
once, so two runs must never share one, and the same sweep submitted twice may reuse results.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from lso_sim.errors import BadInput, echo
from lso_sim.sweep.plan import RunSpec
from lso_sim.sweep.run_one import RunRow, run_one

OnResult = Callable[[RunRow], None]
"""Called with each finished run, in finishing order."""

DASK_CONNECT_TIMEOUT = "20s"
"""How long to wait for the Dask scheduler before giving up (bad address, cluster down)."""


def _ignore(_row: RunRow) -> None:
    return None


def execute(
    specs: Sequence[RunSpec], *, jobs: int = 1, dask: str | None = None, on_result: OnResult | None = None
) -> list[RunRow]:
    """Run every spec; rows in plan (index) order.

    Args:
        specs: the planned runs.
        jobs: local processes (1: in this process); ignored with ``dask``.
        dask: address of a running dask.distributed scheduler (``tcp://host:8786``).
        on_result: progress callback.
    """
    seen = on_result or _ignore
    if dask is not None:
        return _on_dask(specs, dask, seen)
    if jobs <= 1 or len(specs) <= 1:
        rows = []
        for spec in specs:
            row = run_one(spec)
            seen(row)
            rows.append(row)
        return rows
    with ProcessPoolExecutor(max_workers=min(jobs, len(specs))) as pool:
        futures = [pool.submit(run_one, spec) for spec in specs]
        for future in as_completed(futures):
            seen(future.result())
        return sorted((f.result() for f in futures), key=lambda row: row.spec.index)


def plan_digest(specs: Sequence[RunSpec]) -> str:
    """A short digest of a plan, naming its Dask tasks."""
    return hashlib.sha256(repr(tuple(specs)).encode("utf-8")).hexdigest()[:16]


def _on_dask(specs: Sequence[RunSpec], address: str, seen: OnResult) -> list[RunRow]:
    try:
        distributed: Any = importlib.import_module("distributed")
    except ImportError:
        raise BadInput("--dask needs dask.distributed: pip install 'lso-sim[dask]'") from None
    try:
        client: Any = distributed.Client(address, timeout=DASK_CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise BadInput(
            f"--dask {echo(address)}: cannot reach the Dask scheduler ({echo(str(exc))})"
        ) from None
    try:
        digest = plan_digest(specs)
        futures = client.map(run_one, list(specs), key=[f"lso-sim-run-{digest}-{s.index}" for s in specs])
        for future in futures:  # in plan order: no default client needed, progress a little late
            seen(future.result())
        rows: list[RunRow] = client.gather(futures)
        return rows
    finally:
        client.close()
