"""Bandwidth is booked once per link: each orchestrator books what it manages (SOF-sp its own links
and the ENNI, a partner's SOF its segment), and changes move every booking along the path."""

from __future__ import annotations

from pathlib import Path

import pytest

from lso_sim.scenarios.loader import load_scenario
from lso_sim.scenarios.runner import run_scenario
from lso_sim.scenarios.schema import Scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def _booked(thread: str) -> dict[tuple[str, str], float]:
    result = run_scenario(load_scenario(SCENARIOS / f"thread-{thread}.yaml"))
    graph = result.world.topology.graph
    return {(a, b): float(d["used"]) for a, b, d in graph.edges(data=True) if d["used"]}


@pytest.mark.parametrize(
    ("thread", "bandwidth"),
    [
        ("10.2", 200.0),  # the order's bandwidth
        ("10.3", 300.0),  # the last change that stays (400, then 300; the reservation is reverted)
    ],
)
def test_every_link_of_the_path_carries_the_service_once(thread: str, bandwidth: float) -> None:
    booked = _booked(thread)
    assert len(booked) == 7  # two access links, three SP links, the ENNI, one partner link
    assert set(booked.values()) == {bandwidth}
    assert ("p-core-2", "pn-access-1") in booked  # the ENNI is booked too (by SOF-sp)


@pytest.mark.parametrize("fulfilment", ["interlude", "legato-sonata"])
def test_an_order_that_nearly_fills_a_partner_link_completes(fulfilment: str) -> None:
    """SOF-sp checks the links it books; the partner's own booking of its segment (made first with
    legato-sonata, where the partner is ordered at step 6) must not count against the service twice."""
    data = load_scenario(SCENARIOS / "thread-10.2.yaml").model_dump(mode="json")
    data["options"]["partner_fulfilment"] = fulfilment
    for link in data["topology"]["links"]:
        if {link["a"], link["b"]} == {"pn-access-1", "pn-access-2"}:
            link["capacity_mbps"] = 250
    data.pop("expect", None)
    result = run_scenario(Scenario.model_validate(data))
    assert [o.state for o in result.world.outcomes.values()] == ["completed"]
    graph = result.world.topology.graph
    assert graph.edges["pn-access-1", "pn-access-2"]["used"] == 200.0
