"""10.2, MEF's note at step 8: customer equipment installed at a dated appointment.

A site with ``cpe: {first_slot: ...}`` needs an installation before its service can be tested;
SOF-sp books the installer's first free appointment (MEF 137's Appointment shape) and the
technician installs on that date, so the date enters the order's lead time.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import SCENARIOS, Runner

from lso_sim.errors import ScenarioError
from lso_sim.messages.bodies import seconds
from lso_sim.messages.envelope import Kind
from lso_sim.scenarios import load_scenario, parse_scenario
from lso_sim.scenarios.schema import Scenario

DAY = 86_400.0


def _with_cpe(site: str, cpe: Any, **timings: Any) -> dict[str, Any]:
    data = load_scenario(SCENARIOS / "thread-10.2.yaml").model_dump(
        mode="json", by_alias=True, exclude={"expect"}
    )
    for customer in data["customers"]:
        for entry in customer["sites"]:
            if entry["id"] == site:
                entry["cpe"] = cpe
    data["timings"].setdefault("SOF-sp", {}).update(timings)
    return data


def _scenario(data: dict[str, Any]) -> Scenario:
    return parse_scenario(data, "<test>")


@pytest.mark.parametrize("first_slot", [0.0, 2 * DAY, 5 * DAY])
def test_the_installation_date_enters_the_lead_time(run: Runner, first_slot: float) -> None:
    """The appointment is booked when activation starts, the visit happens on its date, and the
    activation tests (11) come after it: the lead time grows by the wait for the slot."""
    visit = {"kind": "constant", "value": 3600}
    plain, _ = run(load_scenario(SCENARIOS / "thread-10.2.yaml"))
    result, trace = run(_scenario(_with_cpe("acme-hq", {"first_slot": first_slot}, installCpe=visit)))
    outcome = result.world.outcomes["acme/order-1"]
    assert outcome.state == "completed"
    (booked,) = [r for r in trace.records if r.operation == "scheduleCpeInstallation"]
    (visited,) = [r for r in trace.records if r.operation == "installCpe"]
    assert booked.step == visited.step == "8" and booked.src_role == "SOF-sp"
    appointment = booked.payload
    assert appointment["status"] == "confirmed" and visited.payload["status"] == "completed"
    assert appointment["relatedPlace"][0]["id"] == "acme-hq"
    assert seconds(appointment["validFor"]["startDateTime"]) == pytest.approx(
        booked.time + first_slot, abs=1e-3
    )
    assert visited.time == pytest.approx(booked.time + first_slot)
    first_test = next(
        r for r in trace.records if r.operation == "runServiceActivationTest" and r.step == "11"
    )
    assert first_test.time >= visited.time + 3600
    first_9a = next(r for r in trace.records if r.step == "9a")
    assert booked.time == first_9a.time  # asked for when activation starts, beside 9a and 9b
    base = plain.world.outcomes["acme/order-1"]
    assert outcome.ended is not None and base.ended is not None
    assert outcome.ended - base.ended >= first_slot  # the date is on the critical path


def test_a_partner_site_is_the_partners_to_equip(run: Runner) -> None:
    """SOF-sp books nothing for a site on the partner's network."""
    result, trace = run(_scenario(_with_cpe("acme-branch", {"first_slot": DAY})))
    assert result.world.outcomes["acme/order-1"].state == "completed"
    assert not [
        r for r in trace.records if r.kind is Kind.ACTIVITY and r.operation == "scheduleCpeInstallation"
    ]


def test_sites_without_cpe_change_nothing(run: Runner) -> None:
    _, trace = run(load_scenario(SCENARIOS / "thread-10.2.yaml"))
    assert not [r for r in trace.records if r.operation in ("scheduleCpeInstallation", "installCpe")]


@pytest.mark.parametrize(
    ("cpe", "where"),
    [
        ({"first_slot": -1}, "first_slot"),
        ({"slot": 3600}, "slot"),
        ("yes", "cpe"),
    ],
)
def test_a_bad_cpe_setting_names_the_field(cpe: Any, where: str) -> None:
    with pytest.raises(
        ScenarioError, match=rf"customers\.0\.sites\.0\.cpe.*{where}|customers\.0\.sites\.0\.{where}"
    ):
        _scenario(_with_cpe("acme-hq", cpe))
