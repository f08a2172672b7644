"""Students read every message next to the MEF step it realises: each step a trace names is explained."""

from __future__ import annotations

from pathlib import Path

import pytest

from lso_sim.engine.observers import MemoryTrace
from lso_sim.scenarios.loader import load_scenario
from lso_sim.scenarios.runner import run_scenario
from lso_sim.threads.catalog import explain_step

SCENARIOS = sorted((Path(__file__).resolve().parents[1] / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_step_in_a_canonical_trace_has_an_explanation(path: Path) -> None:
    trace = MemoryTrace()
    run_scenario(load_scenario(path), [trace])
    steps = {(m.thread, m.step) for m in trace.records}
    assert len(steps) > 5
    assert sorted(step for step in steps if not explain_step(*step)) == []
