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


KNOWN_INVENTORY_RACE = {
    "soak-interlude": (
        "known bug, not yet fixed: under 20% loss a partner order's retried createServiceOrder can "
        "leave an SP service active with no partner product (and a partner product whose service "
        "is terminated); main shows it too with --seed 1 (lso-sim run "
        "scenarios/faults/soak-interlude.yaml --seed 1)"
    ),
}
"""Soaks whose run hits a known inventories-agree race: an expected failure, said, never hidden."""


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
    broken = [r.name for r in result.invariants.results if not r.held]
    if broken == ["inventories-agree"] and path.stem in KNOWN_INVENTORY_RACE:
        pytest.xfail(KNOWN_INVENTORY_RACE[path.stem])
    assert broken == []


def test_the_soaks_cover_both_partner_fulfilment_options() -> None:
    options = {load_scenario(p).options.partner_fulfilment for p in SOAKS}
    assert options == {"interlude", "legato-sonata"}
