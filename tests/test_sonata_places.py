"""Address validation and site queries: token matching with a confidence, MEF outcomes, private sites."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest
import simpy
from hypothesis import given
from hypothesis import strategies as st

from lso_sim.actors.roles import RoleActor
from lso_sim.actors.world import World
from lso_sim.messages.envelope import Flow, Message
from lso_sim.messages.operations import (
    LIST_SITE,
    RETRIEVE_ADDRESS,
    RETRIEVE_SITE,
    VALIDATE_ADDRESS,
    Operation,
)
from lso_sim.scenarios.build import build_world
from lso_sim.scenarios.schema import Scenario
from lso_sim.sonata.places import KnownPlace, confidence, normalise, parse_address, rank
from lso_sim.threads import ordering

FLOW = Flow("test", "t-1")


def _place(site: str, line: str, owner: str = "acme") -> KnownPlace:
    return KnownPlace(site, owner, line, parse_address(line))


PLACES = [
    _place("hq", "1 Main Street, Springfield"),
    _place("annex", "3 Main Street, Springfield"),
    _place("branch", "9 Harbour Road, Shelbyville"),
]


def test_parse_address_gives_mef_fielded_address() -> None:
    assert parse_address("12B Harbour Rd., Shelbyville, CA") == {
        "@type": "FieldedAddress",
        "streetNr": "12B",
        "streetName": "Harbour",
        "streetType": "road",
        "city": "Shelbyville",
        "country": "CA",
    }


@pytest.mark.parametrize(
    ("submitted", "best"),
    [
        ({"streetNr": "1", "streetName": "Main", "city": "Springfield"}, "hq"),
        ({"streetNr": "1", "streetName": "main st", "city": "springfeld"}, "hq"),  # typo, abbreviation
        ({"streetNr": "9", "streetName": "Harbour", "city": "Shelbyville", "country": "US"}, "branch"),
    ],
)
def test_best_match_ranks_first(submitted: dict[str, str], best: str) -> None:
    ranked = rank(submitted, PLACES, 0.3)
    assert ranked[0][1].site == best
    assert ranked[0][0] > (ranked[1][0] if len(ranked) > 1 else 0.0)


def test_wrong_building_number_halves_confidence() -> None:
    asked = {"streetNr": "3", "streetName": "Main", "city": "Springfield"}
    # hq shares 2 of the 3 tokens asked and 2 of its 5: F1 = 0.5, halved for the other number.
    assert confidence(asked, PLACES[0]) == 0.25
    assert confidence(asked, PLACES[1]) == 0.75  # 3 of 3 asked, 3 of 5 known


@given(st.text(max_size=40))
def test_confidence_is_between_zero_and_one(text: str) -> None:
    for place in PLACES:
        assert 0.0 <= confidence({"streetName": text}, place) <= 1.0


@given(st.text(max_size=30))
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(" ".join(once)) == once


@pytest.fixture
def world(scenario_10_2: Scenario) -> World:
    built = build_world(scenario_10_2, [])
    ordering.install(built)
    return built


def _call(world: World, buyer: RoleActor, seller: str, op: Operation, payload: Any) -> Message:
    def body() -> Generator[simpy.Event, Any, Message]:
        return (yield from buyer.call(seller, op, payload, flow=FLOW, step="x"))

    process = world.sim.env.process(body())
    world.sim.run()
    result: Message = process.value
    return result


def _validate(address: dict[str, str]) -> dict[str, Any]:
    return {"provideAlternative": True, "submittedGeographicAddress": {"@type": "FieldedAddress", **address}}


@pytest.mark.parametrize(
    ("address", "result", "best"),
    [
        (
            {"streetNr": "1", "streetName": "Main", "city": "Springfield", "country": "US"},
            "success",
            "acme-hq",
        ),
        ({"streetName": "Nowhere Lane", "city": "Atlantis", "country": "ZZ"}, "fail", None),
    ],
)
def test_bus_sp_validates_addresses(
    world: World, address: dict[str, str], result: str, best: str | None
) -> None:
    acme = world.customer("acme")
    answer = _call(world, acme, world.bus_sp.id, VALIDATE_ADDRESS, _validate(address))
    assert answer.status == 200
    assert answer.payload["validationResult"] == result
    assert answer.payload.get("bestMatchGeographicAddress", {}).get("id") == best
    if result == "fail":
        assert "alternateGeographicAddress" not in answer.payload


def test_partial_address_gives_ranked_alternates(world: World) -> None:
    acme = world.customer("acme")
    answer = _call(
        world,
        acme,
        world.bus_sp.id,
        VALIDATE_ADDRESS,
        _validate({"streetName": "Road", "city": "x", "country": "US"}),
    )
    assert answer.payload["validationResult"] in ("partial", "fail")
    assert "bestMatchGeographicAddress" not in answer.payload


def test_malformed_validation_is_a_mef_422(world: World) -> None:
    acme = world.customer("acme")
    answer = _call(world, acme, world.bus_sp.id, VALIDATE_ADDRESS, {"provideAlternative": True})
    assert answer.status == 422
    assert answer.payload[0]["propertyPath"] == "/submittedGeographicAddress"


def test_retrieve_address_and_unknown_id(world: World) -> None:
    acme = world.customer("acme")
    answer = _call(world, acme, world.bus_sp.id, RETRIEVE_ADDRESS, {"id": "acme-branch"})
    assert (answer.status, answer.payload["city"]) == (200, "Shelbyville")
    answer = _call(world, acme, world.bus_sp.id, RETRIEVE_ADDRESS, {"id": "nope"})
    assert (answer.status, answer.payload["code"]) == (404, "notFound")


def test_sites_are_private_to_their_buyers(world: World) -> None:
    """A customer sees its own sites at BUS-sp; a partner shows BUS-sp only the sites on its network."""
    acme, bus_sp = world.customer("acme"), world.bus_sp
    partner = next(b for b in world.bus.values() if b is not bus_sp)
    mine = _call(world, acme, bus_sp.id, LIST_SITE, {})
    assert [s["id"] for s in mine.payload] == ["acme-hq", "acme-branch"]
    filtered = _call(world, acme, bus_sp.id, LIST_SITE, {"city": "springfield"})
    assert [s["id"] for s in filtered.payload] == ["acme-hq"]
    at_partner = _call(world, bus_sp, partner.id, LIST_SITE, {})
    assert [s["id"] for s in at_partner.payload] == ["acme-branch"]
    assert _call(world, bus_sp, partner.id, RETRIEVE_SITE, {"id": "acme-hq"}).status == 404
    assert _call(world, bus_sp, partner.id, RETRIEVE_SITE, {"id": "acme-branch"}).status == 200
