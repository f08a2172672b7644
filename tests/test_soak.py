"""The soak scenarios: 20% loss on every IRP, 200 orders; every run ends, every instance with its reason."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from lso_sim.scenarios.loader import load_scenario
from lso_sim.scenarios.runner import run_scenario

SOAKS = sorted((Path(__file__).resolve().parents[1] / "scenarios" / "faults").glob("soak-*.yaml"))


@pytest.mark.parametrize("path", SOAKS, ids=lambda p: p.stem)
def test_a_lossy_soak_ends_with_an_outcome_and_a_reason_for_every_order(path: Path) -> None:
    result = run_scenario(load_scenario(path))
    outcomes = list(result.world.outcomes.values())
    assert not result.cut, "the run ended by itself, long before its horizon"
    assert len(outcomes) == 200 and all(o.ended is not None for o in outcomes)
    states = Counter(o.state for o in outcomes)
    assert states["completed"] >= 100 and "open" not in states
    assert all(o.reason for o in outcomes if o.state != "completed"), "every failure says why"
    assert result.invariants is not None
    assert [r.name for r in result.invariants.results if not r.held] == []


def test_the_soaks_cover_both_partner_fulfilment_options() -> None:
    options = {load_scenario(p).options.partner_fulfilment for p in SOAKS}
    assert options == {"interlude", "legato-sonata"}
