"""Replaying goldens and checking scenarios: the work behind ``lso-sim replay`` and ``check``
and the pytest plugin.

Results are plain picklable dataclasses, so ``lso-sim check --jobs N`` can compute them in other
processes and every front end (terminal, JUnit XML, pytest) renders the same facts.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Literal

from lso_sim import __version__
from lso_sim.errors import BadInput, TraceError
from lso_sim.expect.evaluate import evaluate, expectation_count
from lso_sim.replay.compare import Comparison, compare
from lso_sim.replay.golden import (
    Golden,
    Recording,
    check_version,
    header_hint,
    read_golden,
    record_run,
    version_note,
    write_golden,
)
from lso_sim.replay.paths import GOLDENS_DIR, golden_path, resolve_scenario
from lso_sim.scenarios.overrides import Override
from lso_sim.trace.header import TraceFormatError

GoldenState = Literal["identical", "differs", "missing", "created", "updated", "none"]


@dataclass(frozen=True, slots=True)
class ReplayResult:
    """A golden replayed against a fresh run.

    Attributes:
        golden: the golden file.
        scenario: the scenario file that was run.
        seed: the seed it ran with.
        comparison: golden versus run (``None`` when a golden was created from nothing).
        updated: the golden file was (re)written from the run.
        notes: facts worth showing (the golden's lso-sim version or format version differs...).
    """

    golden: Path
    scenario: Path
    seed: int
    comparison: Comparison | None
    updated: bool = False
    notes: tuple[str, ...] = ()

    @property
    def identical(self) -> bool:
        """True when the run matched the golden (or the golden was just rewritten)."""
        return self.updated or (self.comparison is not None and self.comparison.identical)


def replay(
    golden: Path,
    *,
    scenario: Path | None = None,
    seed: int | None = None,
    ignore: Iterable[str] = (),
    update: bool = False,
    recording: Recording | None = None,
) -> ReplayResult:
    """Re-run the scenario that produced ``golden`` and compare, or rewrite it when ``update``.

    Args:
        golden: the golden trace file (it may be missing when ``update`` and ``scenario`` are given).
        scenario: the scenario file; by default the one the golden's header names.
        seed: the seed to run with; by default the golden's, else the scenario's own.
        ignore: field patterns left out of the comparison (see :func:`lso_sim.replay.compare.compare`).
        update: write the run as the new golden instead of failing on a difference.
        recording: a run already made of that scenario and seed (saves running it again).

    Raises:
        TraceFormatError: the golden's format version cannot be compared (see
            :func:`lso_sim.replay.golden.check_version`).
        BadInput: the golden or scenario cannot be read.
    """
    old: Golden | None = None
    if golden.is_file() or not update:
        try:
            old = read_golden(golden)
        except TraceError:
            hint = header_hint(golden) if update and scenario is None else None
            if not update or (scenario is None and hint is None):
                raise  # a broken golden is only overwritten when we know what to run
            if hint is not None:
                scenario = resolve_scenario(hint[0], golden)
                seed = hint[1] if seed is None else seed
    if old is not None and not update:
        check_version(old, scenario_given=scenario is not None or old.header is not None)
    header = old.header if old is not None else None
    if scenario is None:
        if header is None or header.scenario is None:
            if old is None:
                raise BadInput(f"{golden}: no golden yet; give --scenario FILE to record one")
            check_version(old, scenario_given=False)
            raise BadInput(f"{golden}: the golden does not name its scenario; give it with --scenario")
        scenario = resolve_scenario(header.scenario, golden)
    if seed is None and header is not None:
        seed = header.seed
    notes: list[str] = []
    note = None if old is None else version_note(old)
    if note is not None:
        notes.append(note)
    if header is not None and header.lso_sim != __version__:
        notes.append(f"the golden was recorded by lso-sim {header.lso_sim}, this is {__version__}")
    if recording is None or (seed is not None and recording.scenario.seed != seed):
        recording = record_run(scenario, seed=seed, trace=golden)
    comparison: Comparison | None = None
    if old is not None:
        try:
            check_version(old, scenario_given=True)
        except TraceFormatError:
            if not update:
                raise
        else:
            comparison = compare(old.records, recording.records, ignore)
    if update:
        write_golden(golden, recording.header, recording.records)
    return ReplayResult(golden, scenario, recording.scenario.seed, comparison, update, tuple(notes))


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One scenario file checked: its expectations and its golden.

    Attributes:
        scenario: the scenario file.
        name: the scenario's name (the file name when it could not be loaded).
        seed: the seed it ran with.
        records: trace records of the run.
        expectations: how many expectations the scenario states.
        failures: the failed expectations, one line each.
        invariants: the broken invariants of the run, one line each (docs/faults.md).
        golden: what became of the golden (``none`` when the scenario has none).
        replay: the golden comparison, when there was one.
        error: why the scenario could not be checked (bad input), else ``None``.
        seconds: wall-clock time the check took (reporting only; never in a trace).
    """

    scenario: Path
    name: str
    seed: int | None = None
    records: int = 0
    expectations: int = 0
    failures: tuple[str, ...] = ()
    golden: GoldenState = "none"
    replay: ReplayResult | None = None
    error: str | None = None
    seconds: float = field(default=0.0, compare=False)
    invariants: tuple[str, ...] = ()

    @property
    def status(self) -> Literal["passed", "failed", "error"]:
        """``error`` for bad input, ``failed`` for a missed expectation or a differing golden."""
        if self.error is not None:
            return "error"
        if self.failures or self.invariants or self.golden in ("differs", "missing"):
            return "failed"
        return "passed"


def check_scenario(
    path: Path,
    *,
    ignore: Sequence[str] = (),
    update_goldens: bool = False,
    require_golden: bool = False,
    overrides: Sequence[Override] = (),
) -> CheckResult:
    """Run the scenario at ``path``, evaluate its ``expect:`` block and replay its golden.

    Never raises for bad input: an unreadable scenario or golden is a result with ``error`` set,
    so one broken file does not hide the others' results.
    """
    started = time.perf_counter()
    name = path.stem
    try:
        recording = record_run(path, trace=golden_path(path), overrides=overrides)
        scenario = recording.scenario
        name = scenario.name
        failures = evaluate(scenario.expect, recording.records, recording.result.world.outcomes.values())
        invariants = recording.result.invariants
        golden_file = golden_path(path)
        outcome: ReplayResult | None = None
        state: GoldenState
        if update_goldens:
            existed = golden_file.is_file()
            outcome = replay(
                golden_file,
                scenario=path,
                seed=scenario.seed,
                update=True,
                recording=recording,
                ignore=ignore,
            )
            unchanged = outcome.comparison is not None and outcome.comparison.identical
            state = ("identical" if unchanged else "updated") if existed else "created"
        elif golden_file.is_file():
            outcome = replay(golden_file, scenario=path, recording=recording, ignore=ignore)
            state = "identical" if outcome.identical else "differs"
        else:
            state = "missing" if require_golden else "none"
        return CheckResult(
            path,
            name,
            scenario.seed,
            len(recording.records),
            expectation_count(scenario.expect),
            tuple(str(f) for f in failures),
            state,
            outcome,
            seconds=time.perf_counter() - started,
            invariants=tuple(invariants.failures()) if invariants is not None else (),
        )
    except BadInput as exc:
        return CheckResult(path, name, error=str(exc), seconds=time.perf_counter() - started)


def discover(paths: Iterable[Path]) -> list[Path]:
    """The scenario files among ``paths``: files as given, folders searched for ``*.yaml``/``*.yml``
    (goldens folders skipped), each once, in a stable order.

    Raises:
        BadInput: a path does not exist, or no scenario file was found.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            files = [*path.rglob("*.yaml"), *path.rglob("*.yml")]
            found.extend(sorted(f for f in files if GOLDENS_DIR not in f.relative_to(path).parts[:-1]))
        else:
            raise BadInput(f"{path}: no such scenario file or folder")
    unique = list(dict.fromkeys(found))
    if not unique:
        raise BadInput(f"no scenario files (*.yaml) in {', '.join(str(p) for p in paths)}")
    return unique


def check_all(
    paths: Sequence[Path],
    *,
    jobs: int = 1,
    ignore: Sequence[str] = (),
    update_goldens: bool = False,
    require_golden: bool = False,
    overrides: Sequence[Override] = (),
) -> list[CheckResult]:
    """Check every scenario file of ``paths``, in ``jobs`` processes; results in file order.

    ``overrides`` (``--set``) apply to every scenario; a golden recorded without them will differ.
    """
    files = discover(paths)
    work = partial(
        check_scenario,
        ignore=tuple(ignore),
        update_goldens=update_goldens,
        require_golden=require_golden,
        overrides=tuple(overrides),
    )
    if jobs <= 1 or len(files) == 1:
        return [work(f) for f in files]
    with ProcessPoolExecutor(max_workers=min(jobs, len(files))) as pool:
        return list(pool.map(work, files))
