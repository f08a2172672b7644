"""Generated networks (``network:``): the shapes networkx draws, a scenario that loads and runs,
located errors; and the 20-partner what-if scenario loads as written."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import SCENARIOS

from lso_sim.architecture.roles import Role
from lso_sim.errors import ScenarioError
from lso_sim.scenarios import load_scenario, parse_scenario, run_scenario
from lso_sim.scenarios.build import build_architecture
from lso_sim.scenarios.network import NetworkModel, generate
from lso_sim.scenarios.overrides import parse_override

TWENTY = SCENARIOS / "whatif" / "twenty-partners.yaml"


def _small(**network: Any) -> dict[str, Any]:
    data = load_scenario(SCENARIOS / "thread-10.2.yaml").model_dump(
        mode="json", by_alias=True, exclude={"expect"}
    )
    for name in ("partners", "topology", "customers", "provider"):
        del data[name]
    data["network"] = network
    data["workload"] = [
        {"thread": "10.2", "generate": {"count": 4, "interarrival": 600, "bandwidth_mbps": [10]}}
    ]
    return data


def test_the_generated_shapes() -> None:
    fields = generate(
        NetworkModel(partners=3, metro=4, core=3, partner_size=2, ennis_per_partner=2, customers=5)
    )
    links = fields["topology"]["links"]
    ennis = [link for link in links if "enni" in link]
    assert len(fields["partners"]) == 3 and len(fields["customers"]) == 5
    assert len(ennis) == 6  # 3 partners x 2
    metro_ring = [link for link in links if link["a"].startswith("metro-") and link["b"].startswith("metro-")]
    core_mesh = [link for link in links if link["a"].startswith("core-") and link["b"].startswith("core-")]
    assert (len(metro_ring), len(core_mesh)) == (4, 3)  # cycle of 4, complete graph of 3
    assert fields["customers"][1]["sites"][1]["ne"] == "p2-access-2"  # customer 2's branch at partner 2


def test_a_generated_network_loads_and_runs() -> None:
    scenario = parse_scenario(_small(partners=3, customers=3, metro=3), "<test>")
    architecture = build_architecture(scenario)
    assert len(architecture.actors(role=Role.BUS_PARTNER)) == 3
    result = run_scenario(scenario)
    assert {o.state for o in result.world.outcomes.values()} == {"completed"}


def test_the_network_block_takes_overrides() -> None:
    scenario = load_scenario(
        TWENTY, [parse_override("network.partners=8"), parse_override("network.customers=10")]
    )
    assert [p.id for p in scenario.partners] == [f"partner-{n}" for n in range(1, 9)]


def test_the_twenty_partner_scenario_loads() -> None:
    scenario = load_scenario(TWENTY)
    assert len(scenario.partners) == 20 and len(scenario.customers) == 40
    assert {w.thread for w in scenario.workload} == {"10.2", "10.3", "10.5", "10.6"}


@pytest.mark.parametrize(
    ("change", "field", "expected"),
    [
        ({"network": {"partners": -1}}, "network.partners", "greater than or equal to 0"),
        ({"network": {"metro": 0}}, "network.metro", "greater than or equal to 1"),
        ({"network": {"sizes": 1}}, "network.sizes", "Extra inputs"),
        ({"topology": {"forwarding_domains": []}}, "topology", "generates"),
        ({"provider": {"id": "acme-sp"}}, "provider.id", "'sp'"),
    ],
)
def test_a_bad_network_block_is_a_located_error(change: dict[str, Any], field: str, expected: str) -> None:
    data = _small()
    for key, value in change.items():
        data[key] = {**data.get(key, {}), **value} if key == "network" else value
    with pytest.raises(ScenarioError, match=expected) as caught:
        parse_scenario(data, "bad.yaml")
    assert caught.value.field == field


def test_decompositions_of_one_path_share_their_names_and_differ_only_in_ids() -> None:
    """Every delivered service keeps its decomposition: equal tuples of names are kept once."""
    result = run_scenario(load_scenario(SCENARIOS / "thread-10.2.yaml"))
    topology = result.world.topology
    site_a, site_b = sorted(topology.sites)[:2]
    path = topology.find_path(topology.sites[site_a].uni, topology.sites[site_b].uni, 1.0)
    assert path is not None
    first, second = topology.decompose("svc-1", path), topology.decompose("svc-2", path)
    assert [c.id for c in second.components] == [c.id.replace("svc-1", "svc-2") for c in first.components]
    for a, b in zip(first.components, second.components, strict=True):
        names = ("forwarding_domains", "network_elements", "endpoints", "icms", "ecms")
        assert all(getattr(a, n) is getattr(b, n) for n in names)
