"""lso-sim probe --scenario: the probe orders what the scenario's first order says, shaped for the API.

Against lso-sim serve on loopback (time moved by the admin endpoint); what was ordered is read from
the sandbox's trace, where every call it served is recorded.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from serve_helpers import sdk_or_skip

from lso_sim.cli.main import main
from lso_sim.probe.plan import PlanError, plan_of
from lso_sim.scenarios import load_scenario, parse_scenario
from lso_sim.serve.server import prepare, running

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "sandbox" / "two-buyers.yaml"


def test_over_cantata_the_probe_orders_both_sites_with_the_orders_offering() -> None:
    plan = plan_of(load_scenario(SCENARIO), "cantata")
    assert plan.addresses == ("1 Main Street, Springfield", "9 Harbour Road, Shelbyville")
    assert (plan.offering, plan.bandwidth) == ("epl-retail", 200.0)


def test_over_sonata_the_probe_orders_the_partners_end_with_the_wholesale_offering() -> None:
    plan = plan_of(load_scenario(SCENARIO), "sonata")
    assert plan.addresses == ("9 Harbour Road, Shelbyville",)
    assert (plan.offering, plan.bandwidth) == ("access-eline-wholesale", 200.0)


BASE: dict[str, Any] = yaml.safe_load(SCENARIO.read_text())


@pytest.mark.parametrize(
    ("change", "irp", "words"),
    [
        ({"workload": [{"thread": "10.2", "generate": {"count": 1}}]}, "cantata", "an item with 'orders'"),
        (
            {
                "workload": [
                    {
                        "thread": "10.2",
                        "orders": [
                            {"customer": "acme", "sites": ["acme-hq", "acme-branch"], "bandwidth_mbps": 10}
                        ],
                    }
                ],
                "customers": [
                    {
                        "id": "acme",
                        "sites": [
                            {"id": "acme-hq", "address": "1 Main Street, Springfield", "ne": "pe-metro-1"},
                            {
                                "id": "acme-branch",
                                "address": "2 Main Street, Springfield",
                                "ne": "agg-metro-1",
                            },
                        ],
                    }
                ],
                "serve": {"buyers": [{"token": "t", "customer": "acme"}]},
            },
            "sonata",
            "on sp's network",
        ),
    ],
)
def test_a_scenario_with_nothing_to_order_is_refused_naming_the_field(
    change: dict[str, Any], irp: str, words: str
) -> None:
    with pytest.raises(PlanError, match="workload") as raised:
        plan_of(parse_scenario(dict(BASE, **change), "s.yaml"), irp)
    assert words in str(raised.value)


def numbers(node: Any) -> list[float]:
    """Every number in a body (where the bandwidth sits depends on the product specification)."""
    if isinstance(node, dict):
        return [n for value in node.values() for n in numbers(value)]
    if isinstance(node, list):
        return [n for value in node for n in numbers(value)]
    return [float(node)] if isinstance(node, int | float) and not isinstance(node, bool) else []


def served(trace: io.StringIO, operation: str) -> list[Any]:
    records = [json.loads(line) for line in trace.getvalue().splitlines()[1:]]
    return [r["payload"] for r in records if r.get("operation") == operation and r.get("kind") == "request"]


@pytest.mark.parametrize(
    ("role", "irp", "token", "offering", "addresses"),
    [
        ("partner", "sonata", "wholesale-sp-9b1e", "access-eline-wholesale", {"Harbour"}),
        ("sp", "cantata", "acme-4c1f2e", "epl-retail", {"Main", "Harbour"}),
    ],
)
def test_the_probe_orders_the_scenarios_order_and_finds_the_sandbox_conformant(
    role: str, irp: str, token: str, offering: str, addresses: set[str], tmp_path: Path
) -> None:
    trace = io.StringIO()
    prepared = prepare(load_scenario(SCENARIO), role, sdk_or_skip(), speed=0, trace=trace)  # type: ignore[arg-type]
    with running(prepared.app) as base:
        argv = [
            "probe",
            "--seller",
            base,
            "--token",
            token,
            "--irp",
            irp,
            "--scenario",
            str(SCENARIO),
            "--advance",
            "3600",
            "--report",
            str(tmp_path),
        ]
        assert main(argv) == 0
    orders = served(trace, "createProductOrder")
    assert orders, "the probe ordered nothing"
    item = orders[0]["productOrderItem"][0]["product"]
    assert item["productOffering"]["id"] == offering
    assert 200.0 in numbers(item["productConfiguration"]) and 100.0 not in numbers(
        item["productConfiguration"]
    )
    validated = served(trace, "createGeographicAddressValidation")
    assert {a["submittedGeographicAddress"]["streetName"] for a in validated} == addresses


def test_probe_on_a_scenario_it_cannot_use_exits_2_naming_the_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    tour = SCENARIO.parents[1] / "sonata-api-tour.yaml"
    assert main(["probe", "--seller", "http://127.0.0.1:9", "--token", "t", "--scenario", str(tour)]) == 2
    err = capsys.readouterr().err
    assert "sonata-api-tour.yaml: workload:" in err and "Traceback" not in err


def test_without_a_scenario_over_cantata_the_probe_orders_an_epl_between_two_demo_sites(
    tmp_path: Path,
) -> None:
    trace = io.StringIO()
    prepared = prepare(None, "sp", sdk_or_skip(), speed=0, trace=trace)
    with running(prepared.app) as base:
        argv = ["probe", "--seller", base, "--token", "demo-buyer-1", "--irp", "cantata", "--advance", "3600"]
        assert main([*argv, "--report", str(tmp_path)]) == 0
    item = served(trace, "createProductOrder")[0]["productOrderItem"][0]["product"]
    assert item["productOffering"]["id"] == "epl" and len(item["place"]) == 2
