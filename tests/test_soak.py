"""The soak scenarios: 20% loss on every IRP, 200 orders; every run ends, every instance with its reason."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from lso_sim.engine.observers import MemoryTrace
from lso_sim.expect import evaluate
from lso_sim.scenarios.loader import load_scenario
from lso_sim.scenarios.runner import run_scenario
from lso_sim.trace.records import to_record

SOAKS = sorted((Path(__file__).resolve().parents[1] / "scenarios" / "faults").glob("soak-*.yaml"))




@pytest.mark.parametrize("path", SOAKS, ids=lambda p: p.stem)
def test_a_lossy_soak_ends_with_an_outcome_and_a_reason_for_every_order(path: Path) -> None:
    scenario, trace = load_scenario(path), MemoryTrace()
    result = run_scenario(scenario, [trace])
    outcomes = list(result.world.outcomes.values())
    assert not result.cut, "the run ended by itself, long before its horizon"
    assert len(outcomes) == 200 and all(o.ended is not None for o in outcomes)
    states = Counter(o.state for o in outcomes)
    assert states["completed"] >= 100 and "open" not in states
    assert all(o.reason for o in outcomes if o.state != "completed"), "every failure says why"
    records = [to_record(r) for r in trace.records]
    assert [str(f) for f in evaluate(scenario.expect, records, outcomes)] == []
    assert result.invariants is not None
    assert [r.name for r in result.invariants.results if not r.held] == []


def test_the_soaks_cover_both_partner_fulfilment_options() -> None:
    options = {load_scenario(p).options.partner_fulfilment for p in SOAKS}
    assert options == {"interlude", "legato-sonata"}
