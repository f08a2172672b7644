"""A sweep's plan: the grid of parameter values, its replications and their seeds, fixed before running.

Every run is indexed up front (point, replication) and carries everything it needs, so any
backend (in-process, local processes, a Dask cluster) runs the same list and the results are put
back in index order whatever order they finish in.

**Seeds.** Replication ``r`` of grid point ``p`` runs with the first 63 bits of
``numpy.random.SeedSequence(entropy=scenario_seed mod 2**64, spawn_key=(p, r)).generate_state(1,
uint64)``. SeedSequence hashes its entropy and spawn key so that streams for different keys are
independent for all practical purposes (numpy's documented design for parallel streams), the
seeds depend only on the scenario's seed, the point and the replication (not on ``--jobs`` or
the backend), and the sweep of a given scenario always runs the same seeds.

With ``common_seeds`` every point uses point 0's seeds (common random numbers): since each
channel, actor and workload draws from its own named stream, a changed parameter then changes
little else, and differences between points are sharper for as many runs.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from lso_sim.errors import UsageError, echo
from lso_sim.scenarios.overrides import parse_override

MAX_RUNS = 1_000_000
"""Most runs a sweep may plan (grid points times replications): a typo, not a study, beyond."""


@dataclass(frozen=True, slots=True)
class Param:
    """One ``--param PATH=V1,V2,...``: a scenario field and the values the sweep gives it."""

    path: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RunSpec:
    """Everything one run needs, picklable, so that any worker can run it.

    Attributes:
        index: position in the plan (point-major): results are sorted by it.
        point: index of the grid point.
        replication: index of the replication at that point, from 0.
        seed: the run's seed (see the module docstring).
        scenario: the scenario file's name (for messages).
        text: the scenario file's text: workers (a remote Dask cluster's too) need no copy of it.
        overrides: ``--set`` texts, the sweep's fixed ones first, then the point's values.
        values: the point's value of each swept parameter, as written.
        until: a horizon overriding the scenario's, if any.
    """

    index: int
    point: int
    replication: int
    seed: int
    scenario: str
    text: str
    overrides: tuple[str, ...]
    values: tuple[str, ...] = ()
    until: float | None = None


def split_values(text: str) -> list[str]:
    """``0.1,0.2`` -> ``["0.1", "0.2"]``; commas inside ``[]`` or ``{}`` do not split."""
    values: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth = max(0, depth - 1)
        if char == "," and depth == 0:
            values.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    values.append("".join(current).strip())
    return values


def parse_param(text: str) -> Param:
    """Read one ``--param PATH=V1,V2,...``.

    Raises:
        UsageError: no ``=``, an empty value, a value repeated, or a value that is not YAML.
    """
    path, sep, raw = text.partition("=")
    path = path.strip()
    if not sep or not path or not raw.strip():
        raise UsageError(
            f"--param {echo(text)}: expected PATH=V1,V2,..., e.g. channels.SONATA.latency.mean=0.15,0.6"
        )
    if path == "seed":
        raise UsageError("--param seed: each run's seed comes from the replications (see docs/what-if.md)")
    values = split_values(raw)
    if any(not v for v in values):
        raise UsageError(f"--param {echo(text)}: an empty value between commas")
    if len(set(values)) != len(values):
        raise UsageError(f"--param {echo(text)}: each value once")
    for value in values:
        parse_override(f"{path}={value}")  # the path's and the value's syntax, as --set checks them
    return Param(path, tuple(values))


def grid(params: Sequence[Param]) -> list[tuple[str, ...]]:
    """Every combination of the parameters' values, the first parameter varying slowest."""
    paths = [p.path for p in params]
    if len(set(paths)) != len(paths):
        raise UsageError("each --param path once")
    return list(itertools.product(*(p.values for p in params))) if params else [()]


def run_seed(scenario_seed: int, point: int, replication: int) -> int:
    """The seed of one run (see the module docstring)."""
    import numpy

    sequence = numpy.random.SeedSequence(entropy=scenario_seed % 2**64, spawn_key=(point, replication))
    return int(sequence.generate_state(1, numpy.uint64)[0]) & (2**63 - 1)


def plan(
    scenario: str,
    text: str,
    scenario_seed: int,
    params: Sequence[Param],
    replications: int,
    *,
    fixed: Sequence[str] = (),
    until: float | None = None,
    common_seeds: bool = False,
) -> list[RunSpec]:
    """The runs of a sweep, point-major: every replication of point 0, then of point 1...

    Args:
        scenario: the scenario file's name.
        text: its text.
        scenario_seed: the seed the file (with ``fixed`` overrides) gives.
        params: the swept parameters.
        replications: runs per grid point.
        fixed: ``--set`` texts applied to every run, before the point's values.
        until: a horizon for every run.
        common_seeds: every point runs replication ``r`` with the same seed (that of point 0),
            so points differ by their parameters only, not by their draws (common random numbers).
    """
    points = grid(params)
    if replications < 1:
        raise UsageError(f"--replications: 1 or more, got {replications}")
    if len(points) * replications > MAX_RUNS:
        raise UsageError(f"a sweep of at most {MAX_RUNS:,} runs, got {len(points) * replications:,}")
    specs: list[RunSpec] = []
    for p, values in enumerate(points):
        overrides = (*fixed, *(f"{param.path}={value}" for param, value in zip(params, values, strict=True)))
        for r in range(replications):
            seed = run_seed(scenario_seed, 0 if common_seeds else p, r)
            specs.append(RunSpec(len(specs), p, r, seed, scenario, text, overrides, tuple(values), until))
    return specs
