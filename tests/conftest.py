"""Shared fixtures: canonical scenarios and a helper that runs one into memory.

Hypothesis: property tests run whole simulations, so no example has a deadline (a slow CI
machine must not turn them flaky); with ``CI`` set, examples are derandomized so a pipeline run is
the same every time (exploring new examples is the job of runs on developers' machines).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from lso_sim.engine.observers import MemoryTrace
from lso_sim.scenarios import load_scenario, run_scenario
from lso_sim.scenarios.runner import RunResult
from lso_sim.scenarios.schema import Scenario

settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, database=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


@pytest.fixture
def scenario_10_2() -> Scenario:
    """The canonical scenario of thread 10.2."""
    return load_scenario(SCENARIOS / "thread-10.2.yaml")


Runner = Callable[..., tuple[RunResult, MemoryTrace]]


@pytest.fixture
def run() -> Runner:
    """Run a scenario (with optional field overrides) and keep its trace in memory."""

    def _run(scenario: Scenario, **updates: Any) -> tuple[RunResult, MemoryTrace]:
        if updates:
            data = scenario.model_dump(mode="json")
            data.update(updates)
            scenario = Scenario.model_validate(data)
        trace = MemoryTrace()
        return run_scenario(scenario, [trace]), trace

    return _run


@pytest.fixture
def scenario_project(tmp_path: Path) -> Path:
    """A throw-away project (a ``pyproject.toml`` marks its root) holding a copy of the canonical
    10.2 scenario at ``scenarios/thread-10.2.yaml``, without a golden yet."""
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "thread-10.2.yaml").write_bytes((SCENARIOS / "thread-10.2.yaml").read_bytes())
    return tmp_path


def run_to_file(path: Path, out: Path) -> tuple[RunResult, bytes]:
    """Run the scenario at ``path`` with its trace written to ``out``; the run and the trace's bytes.

    A soak scenario is cut to 40 orders: enough for a byte-for-byte comparison of two settings
    (freezing at once and never, say), at a fraction of its time. Every invariant must hold.
    """
    from lso_sim.scenarios.overrides import parse_overrides
    from lso_sim.trace.jsonl import JsonlTraceWriter

    with out.open("w", encoding="utf-8") as sink:
        overrides = parse_overrides(["workload.0.generate.count=40"] if "soak" in path.name else [])
        result = run_scenario(load_scenario(path, overrides=overrides), [JsonlTraceWriter(sink)])
    assert result.invariants is not None and result.invariants.ok
    return result, out.read_bytes()
