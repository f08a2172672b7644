"""lso-sim serve: the real server on loopback, driven with httpx as a buyer integration would.

Simulated time is frozen (speed 0) and moved by the admin endpoint, so nothing sleeps and nothing
depends on how fast the machine is. One server (module scope) serves the tests in order; each
test uses its own resources.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from serve_helpers import (
    ADDRESS,
    CANTATA,
    CONTACT,
    ORDER,
    ORDER_HUB,
    POQ,
    QUOTE,
    epl,
    listener,
    sdk_or_skip,
)

from lso_sim.serve.server import Prepared, prepare, running

HOUR = 3600.0


@pytest.fixture(scope="module")
def sandbox() -> Iterator[tuple[Prepared, str, io.StringIO]]:
    trace = io.StringIO()
    prepared = prepare(None, "sp", sdk_or_skip(), speed=0, trace=trace)
    with running(prepared.app) as base:
        yield prepared, base, trace


@pytest.fixture
def base(sandbox: tuple[Prepared, str, io.StringIO]) -> str:
    return sandbox[1]


def client(base: str, token: str | None = "demo-buyer-1") -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=base, headers=headers, timeout=30)


def advance(base: str, seconds: float) -> dict[str, Any]:
    answer = httpx.post(f"{base}/admin/advance", params={"seconds": seconds}, timeout=60)
    assert answer.status_code == 200
    result: dict[str, Any] = answer.json()
    return result


def until_state(buyer: httpx.Client, base: str, path: str, states: set[str], step: float = HOUR) -> Any:
    """Poll ``path`` as a buyer does, moving time on between polls, until it is in one of ``states``."""
    for _poll in range(24 * 60):
        body = buyer.get(path).json()
        if body["state"] in states:
            return body
        advance(base, step)
    raise AssertionError(f"{path} never reached {states}; last {body['state']}")


def test_openapi_lists_exactly_the_served_operations(sandbox: tuple[Prepared, str, io.StringIO]) -> None:
    prepared, base, _trace = sandbox
    document = httpx.get(f"{base}/openapi.json").json()
    listed = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method != "parameters"
    }
    assert listed == {(r.method, r.path) for r in prepared.routes}
    assert (("POST", ORDER) in listed) and ("GET", f"{ORDER}/{{id}}") in listed
    assert not any(path.startswith("/admin") for _m, path in listed)


def test_no_token_is_401_and_an_unknown_token_too(base: str) -> None:
    nobody = client(base, None).get(ORDER)
    assert nobody.status_code == 401 and nobody.json()["code"] == "missingCredentials"
    stranger = client(base, "someone-else").get(ORDER)
    assert stranger.status_code == 401 and stranger.json()["code"] == "invalidCredentials"


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"buyerId": "demo-buyer-1"}, 200),
        ({"buyerId": "demo-buyer-2"}, 403),
        ({"sellerId": "sp"}, 200),
        ({"sellerId": "bus-sp"}, 200),
        ({"sellerId": "partner-1"}, 403),
    ],
)
def test_mefs_buyer_and_seller_ids_must_agree_with_the_token(
    base: str, query: dict[str, str], status: int
) -> None:
    answer = client(base).get(ORDER, params=query)
    assert answer.status_code == status
    assert status == 200 or answer.json()["code"] == "forbiddenRequester"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "invalidBody"),
        (json.dumps({"productOfferingQualificationItem": "x"}).encode(), 422, None),
        (json.dumps({"productOfferingQualificationItem": []}).encode(), 422, None),
    ],
)
def test_a_bad_body_gets_mefs_error_model_never_a_500(
    base: str, body: bytes, status: int, code: str | None
) -> None:
    answer = client(base).post(POQ, content=body, headers={"content-type": "application/json"})
    assert answer.status_code == status
    error = answer.json()[0] if status == 422 else answer.json()
    assert set(error) <= {"code", "reason", "propertyPath"} and error["reason"]
    assert code is None or error["code"] == code


def test_a_buyer_validates_an_address_qualifies_quotes_orders_and_hears_completion(base: str) -> None:
    buyer = client(base)
    # Address validation: the buyer's two sites.
    sites = []
    for street, number, city in (("Main", "1", "Springfield"), ("Harbour", "9", "Shelbyville")):
        address = {
            "@type": "FieldedAddress",
            "streetNr": number,
            "streetName": street,
            "city": city,
            "country": "US",
        }
        found = buyer.post(ADDRESS, json={"provideAlternative": False, "submittedGeographicAddress": address})
        assert found.status_code in (200, 201), found.text
        sites.append(found.json()["bestMatchGeographicAddress"]["id"])
    product = epl(sites)
    # POQ, deferred: acknowledged, then done.ready once time moves on.
    poq = buyer.post(
        POQ,
        json={
            "instantSyncQualification": False,
            "relatedContactInformation": CONTACT,
            "productOfferingQualificationItem": [{"id": "1", "action": "add", "product": product}],
        },
    )
    assert poq.status_code == 201 and poq.json()["state"] == "acknowledged", poq.text
    qualified = until_state(buyer, base, f"{POQ}/{poq.json()['id']}", {"done.ready", "done.unableToProvide"})
    assert qualified["state"] == "done.ready"
    # Quote on the qualification.
    quote = buyer.post(
        QUOTE,
        json={
            "instantSyncQuote": False,
            "buyerRequestedQuoteLevel": "firm",
            "relatedContactInformation": CONTACT,
            "quoteItem": [
                {
                    "id": "1",
                    "action": "add",
                    "product": product,
                    "qualificationItem": {"id": "1", "qualificationId": qualified["id"]},
                }
            ],
        },
    )
    assert quote.status_code == 201, quote.text
    quoted = until_state(
        buyer, base, f"{QUOTE}/{quote.json()['id']}", {"approved.orderable", "unableToProvide"}
    )
    assert quoted["state"] == "approved.orderable"
    with listener() as heard:
        hub = buyer.post(
            ORDER_HUB, json={"callback": heard.url, "query": "eventType=productOrderStateChangeEvent"}
        )
        assert hub.status_code == 201
        order = buyer.post(
            ORDER,
            json={
                "relatedContactInformation": CONTACT,
                "productOrderItem": [
                    {
                        "id": "1",
                        "action": "add",
                        "product": product,
                        "quoteItem": {"id": "1", "quoteId": quoted["id"]},
                    }
                ],
            },
        )
        assert order.status_code == 201 and order.json()["state"] == "acknowledged", order.text
        ident = order.json()["id"]
        done = until_state(buyer, base, f"{ORDER}/{ident}", {"completed", "failed", "partial"}, step=6 * HOUR)
        assert done["state"] == "completed"
        states = [
            e["event"]["state"]
            for e in heard.of_type("productOrderStateChangeEvent")
            if e["event"]["id"] == ident
        ]
        assert states[-1] == "completed" and states.count("completed") == 1
        assert heard.events[0][0].startswith("/buyer/listener/")
    # Another buyer cannot see it: 404, MEF's notFound.
    other = client(base, "demo-buyer-2").get(f"{ORDER}/{ident}")
    assert other.status_code == 404 and other.json()["code"] == "notFound"
    # The product is in the buyer's inventory.
    inventory = buyer.get(f"{CANTATA}/productInventory/v7/product").json()
    assert any(p["productOffering"]["id"] == "epl" for p in inventory)


def test_an_unknown_offering_is_mefs_422(base: str) -> None:
    product = dict(epl(["demo-buyer-1-site-1", "demo-buyer-1-site-2"]), productOffering={"id": "no-such"})
    answer = client(base).post(
        POQ,
        json={
            "instantSyncQualification": True,
            "relatedContactInformation": CONTACT,
            "productOfferingQualificationItem": [{"id": "1", "action": "add", "product": product}],
        },
    )
    assert answer.status_code == 422
    assert answer.json()[0]["code"] == "referenceNotFound"


def test_everything_served_is_in_the_trace(sandbox: tuple[Prepared, str, io.StringIO]) -> None:
    _prepared, base, trace = sandbox
    client(base).get(ORDER)
    lines = [json.loads(line) for line in trace.getvalue().splitlines()]
    assert lines[0]["record"] == "header"
    operations = {r.get("operation") for r in lines[1:]}
    assert {"listProductOrder", "createProductOrder", "createGeographicAddressValidation"} <= operations


def test_a_new_epl_with_new_unis_written_after_mefs_use_case_is_qualified(base: str) -> None:
    """The EPL item has no place: its two new UNI items carry fielded install addresses."""
    uni = "urn:mef:lso:spec:cantata-sonata:carrier-ethernet-subscriber-uni:v1.0.0:all"

    def new_uni(ident: str, number: str, street: str, city: str) -> dict[str, Any]:
        place = {"@type": "FieldedAddress", "role": "INSTALL_LOCATION", "streetNr": number}
        place |= {"streetName": street, "city": city, "country": "US"}
        return {
            "id": ident,
            "action": "add",
            "product": {
                "productOffering": {"id": "subscriber-uni"},
                "productConfiguration": {"@type": uni},
                "place": [place],
            },
        }

    evc = epl(["uni-a", "uni-z"])
    del evc["place"]
    body = {
        "instantSyncQualification": False,
        "relatedContactInformation": CONTACT,
        "productOfferingQualificationItem": [
            {
                "id": "1",
                "action": "add",
                "product": evc,
                "qualificationItemRelationship": [
                    {"relationshipType": "UNI_REFERENCE", "id": "2"},
                    {"relationshipType": "UNI_REFERENCE", "id": "3"},
                ],
            },
            new_uni("2", "1", "Main", "Springfield"),
            new_uni("3", "9", "Harbour", "Shelbyville"),
        ],
    }
    buyer = client(base)
    created = buyer.post(POQ, json=body)
    assert created.status_code == 201, created.text
    final = until_state(buyer, base, f"{POQ}/{created.json()['id']}", {"done.ready", "done.unableToProvide"})
    assert final["state"] == "done.ready"


def session_trace(role: str, calls: list[tuple[str, str, str, Any]]) -> str:
    """The trace of a fresh frozen-time sandbox that served ``calls`` (token, method, path, body)."""
    trace = io.StringIO()
    prepared = prepare(None, role, sdk_or_skip(), speed=0, trace=trace)  # type: ignore[arg-type]
    with running(prepared.app) as base:
        for token, method, path, body in calls:
            client(base, token).request(method, path, json=body)
            advance(base, HOUR)
    prepared.close()
    return trace.getvalue()


def test_the_same_calls_give_the_same_trace_byte_for_byte() -> None:
    poq = {
        "instantSyncQualification": False,
        "relatedContactInformation": CONTACT,
        "productOfferingQualificationItem": [
            {"id": "1", "action": "add", "product": epl(["demo-buyer-1-site-1", "demo-buyer-1-site-2"])}
        ],
    }
    calls = [("demo-buyer-1", "POST", POQ, poq), ("demo-buyer-1", "GET", f"{POQ}/poq-bus-sp-1", None)]
    first = session_trace("sp", calls)
    assert '"state":"done.ready"' in first and first.rstrip().endswith("}")
    assert session_trace("sp", calls) == first


def test_partner_buyers_are_providers_of_their_own_and_never_see_each_other() -> None:
    sonata = "/mefApi/sonata/productOfferingQualification/v7/productOfferingQualification"
    prepared = prepare(None, "partner", sdk_or_skip(), speed=0)
    assert {a.id for a in prepared.session.sandbox.buyers.values()} == {
        "bus-demo-buyer-1",
        "bus-demo-buyer-2",
    }
    with running(prepared.app) as base:
        harbour = {
            "@type": "FieldedAddress",
            "role": "INSTALL_LOCATION",
            "streetNr": "9",
            "streetName": "Harbour",
        }
        harbour["city"] = "Shelbyville"
        body = {
            "instantSyncQualification": True,
            "relatedContactInformation": CONTACT,
            "productOfferingQualificationItem": [
                {
                    "id": "1",
                    "action": "add",
                    "product": {
                        "productOffering": {"id": "access-eline"},
                        "place": [dict(harbour, country="US")],
                    },
                }
            ],
        }
        created = client(base).post(sonata, json=body)
        assert created.status_code == 201 and created.json()["state"] == "done.ready", created.text
        ident = created.json()["id"]
        assert client(base, "demo-buyer-2").get(f"{sonata}/{ident}").status_code == 404
        assert client(base).get(f"{sonata}/{ident}").status_code == 200
