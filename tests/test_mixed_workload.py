"""A mixed workload (scenarios/whatif/mixed-load.yaml): every thread it names runs in one world and
ends its instances, and its rate and percentile expectations hold."""

from __future__ import annotations

from collections import Counter

from conftest import SCENARIOS

from lso_sim.expect import evaluate
from lso_sim.scenarios import load_scenario, run_scenario
from lso_sim.trace.select import SUCCESS_STATES

MIXED = SCENARIOS / "whatif" / "mixed-load.yaml"


def test_a_mixed_workload_runs_every_thread_it_names() -> None:
    scenario = load_scenario(MIXED)
    named = {work.thread for work in scenario.workload}
    assert named == {"10.2", "10.3", "10.4", "10.5", "10.6", "10.7"}
    result = run_scenario(scenario)
    outcomes = list(result.world.outcomes.values())
    succeeded = Counter(o.thread for o in outcomes if o.state in SUCCESS_STATES)
    assert set(succeeded) == named, f"threads without a successful instance: {named - set(succeeded)}"
    assert all(o.ended is not None for o in outcomes)
    assert result.invariants is not None and result.invariants.failures() == []
    assert evaluate(scenario.expect, [], outcomes) == []
