"""Admission: requests written after MEF's examples get MEF answers, never a crash of the run.

MEF's POQ for a new EPL with new UNIs gives the EPL item no place (the UNI items carry fielded
install addresses and the EPL item relates to them); an unknown product offering is MEF's 422
``referenceNotFound``; places the seller cannot map end a POQ ``done.unableToProvide`` with the
reason and refuse an order with a 422.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_api_script import CONTACT, run, scenario_with

from lso_sim.messages.envelope import Kind
from lso_sim.sonata.admission import item_places, resolve_place, resolve_places
from lso_sim.sonata.places import KnownPlace, parse_address

EPL = "urn:mef:lso:spec:cantata-sonata:epl-evc:v1.0.0:all"
UNI = "urn:mef:lso:spec:cantata-sonata:carrier-ethernet-subscriber-uni:v1.0.0:all"
HARBOUR = {"streetNr": "9", "streetName": "Harbour", "city": "Shelbyville", "country": "US"}
MAIN = {"streetNr": "1", "streetName": "Main", "streetType": "street", "city": "Springfield", "country": "US"}


def new_epl_with_new_unis(*addresses: dict[str, str], offering: str = "epl-retail") -> dict[str, Any]:
    """A POQ shaped after MEF's new-EPL-with-new-UNIs use case: places only on the UNI items."""
    unis = [
        {
            "id": str(n),
            "action": "add",
            "product": {
                "productOffering": {"id": "uni"},
                "productConfiguration": {"@type": UNI},
                "place": [{"@type": "FieldedAddress", "role": "INSTALL_LOCATION", **address}],
            },
        }
        for n, address in enumerate(addresses, start=2)
    ]
    epl = {
        "id": "1",
        "action": "add",
        "product": {"productOffering": {"id": offering}, "productConfiguration": {"@type": EPL}},
        "qualificationItemRelationship": [
            {"relationshipType": "UNI_REFERENCE", "id": item["id"]} for item in unis
        ],
    }
    return {
        "instantSyncQualification": False,
        "relatedContactInformation": CONTACT,
        "productOfferingQualificationItem": [epl, *unis],
    }


def with_uni_offering(data: dict[str, Any]) -> dict[str, Any]:
    data["offerings"].append({"id": "uni", "name": "UNI", "specification": UNI, "monthly_base": 50})
    return data


def answers(records: list[Any], operation: str) -> list[Any]:
    return [r for r in records if r.kind is Kind.RESPONSE and r.operation == operation]


def poq_script(buyer: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"buyer": buyer, "call": "createProductOfferingQualification", "with": body, "save_as": "poq"},
        {"call": "retrieveProductOfferingQualification", "at": 50_000, "with": {"id": "${poq.id}"}},
    ]


def test_mefs_new_epl_with_new_unis_is_qualified_by_the_sp() -> None:
    data = with_uni_offering(scenario_with(poq_script("acme", new_epl_with_new_unis(HARBOUR, MAIN))))
    records, _world = run(data)
    created = answers(records, "createProductOfferingQualification")[0]
    assert created.status == 201 and created.payload["state"] == "acknowledged"
    # The answer shows the request as sent: the EPL item still has no place.
    assert "place" not in created.payload["productOfferingQualificationItem"][0]["product"]
    final = answers(records, "retrieveProductOfferingQualification")[0].payload
    assert final["state"] == "done.ready"
    designed = [r for r in records if r.operation == "determineServiceComponents" and r.kind is Kind.REQUEST]
    assert designed[0].payload["endpoints"] == ["uni-acme-branch", "uni-acme-hq"]


def test_a_partner_answers_the_same_poq_unable_to_provide_with_its_reason_and_the_run_goes_on() -> None:
    """It used to be acknowledged and then crash SOF-partner (``places: []``, IndexError)."""
    data = with_uni_offering(scenario_with(poq_script("bus-sp", new_epl_with_new_unis(HARBOUR, MAIN))))
    records, world = run(data)
    final = answers(records, "retrieveProductOfferingQualification")[0].payload
    assert final["state"] == "done.unableToProvide"
    # Its network serves Harbour Road, not Main Street.
    reason = final["stateChange"][-1]["changeReason"]
    assert reason == "the place 1, Main, street, Springfield, US is not a site this seller serves"
    assert not [r for r in records if r.kind is Kind.ERROR]
    assert world.outcomes["bus-sp/script-1"].state == "completed"


def test_a_partner_qualifies_its_access_for_one_site_given_as_a_fielded_address() -> None:
    body = new_epl_with_new_unis(HARBOUR, offering="access-eline-wholesale")
    data = with_uni_offering(scenario_with(poq_script("bus-sp", body)))
    records, _world = run(data)
    assert answers(records, "retrieveProductOfferingQualification")[0].payload["state"] == "done.ready"
    check = next(r for r in records if r.operation == "checkServiceability" and r.kind is Kind.REQUEST)
    assert check.payload["places"] == ["acme-branch"] and check.payload["enni"] == "enni-sp-partner-1"


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"offering": "no-such-offering"}, "/productOfferingQualificationItem/0/product/productOffering/id"),
        ({"uni": "no-such-uni"}, "/productOfferingQualificationItem/1/product/productOffering/id"),
    ],
)
def test_an_unknown_product_offering_is_mefs_422(change: dict[str, str], path: str) -> None:
    body = new_epl_with_new_unis(HARBOUR, MAIN, offering=change.get("offering", "epl-retail"))
    if "uni" in change:
        body["productOfferingQualificationItem"][1]["product"]["productOffering"]["id"] = change["uni"]
    records, _world = run(with_uni_offering(scenario_with(poq_script("acme", body)[:1])))
    answer = answers(records, "createProductOfferingQualification")[0]
    assert answer.status == 422
    assert answer.payload[0]["code"] == "referenceNotFound" and answer.payload[0]["propertyPath"] == path


def test_an_order_whose_places_the_seller_does_not_serve_is_refused_with_a_422() -> None:
    nowhere = {"streetNr": "77", "streetName": "Nowhere", "city": "Atlantis", "country": "ZZ"}
    order = {
        "relatedContactInformation": CONTACT,
        "productOrderItem": [
            {
                "id": "1",
                "action": "add",
                "product": {
                    "productOffering": {"id": "access-eline-wholesale"},
                    "place": [{"@type": "FieldedAddress", **nowhere}],
                },
                "quoteItem": {"id": "1", "quoteId": "q-1"},
            }
        ],
    }
    records, _world = run(scenario_with([{"buyer": "bus-sp", "call": "createProductOrder", "with": order}]))
    answer = answers(records, "createProductOrder")[0]
    assert answer.status == 422
    assert "not a site this seller serves" in answer.payload[0]["reason"]
    assert answer.payload[0]["propertyPath"] == "/productOrderItem/0/product/place"


# -- the parts -------------------------------------------------------------------------------------

KNOWN = [KnownPlace(s, "", line, parse_address(line)) for s, line in [("hq", "1 Main Street, Springfield")]]


def test_an_items_places_come_from_the_items_it_relates_to_when_it_has_none() -> None:
    items = new_epl_with_new_unis(HARBOUR, MAIN)["productOfferingQualificationItem"]
    assert [p["streetName"] for p in item_places(items, 0)] == ["Harbour", "Main"]
    assert item_places(items, 1)[0]["streetName"] == "Harbour"


def test_a_place_resolves_by_id_or_by_address_and_otherwise_says_why() -> None:
    assert resolve_place({"id": "hq"}, KNOWN) == "hq"
    assert resolve_place({"id": "elsewhere"}, KNOWN) is None
    assert resolve_place({"@type": "FieldedAddress", "role": "INSTALL_LOCATION", **MAIN}, KNOWN) == "hq"
    _sites, why = resolve_places([{"id": "hq"}, {"id": "hq"}], KNOWN, 2, "an EVC")
    assert why == "an EVC joins 2 distinct place(s); the request gives 1"


@settings(max_examples=40)
@given(st.lists(st.dictionaries(st.sampled_from(["id", "@type", "streetName", "city"]), st.text(max_size=9))))
def test_resolving_any_place_references_never_raises(refs: list[dict[str, str]]) -> None:
    sites, why = resolve_places(copy.deepcopy(refs), KNOWN, 1, "an access")
    assert (why is None) == (len(set(sites)) == 1 and len(sites) == len(refs))
