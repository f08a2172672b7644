"""Tests of ``lso_sim.conformance``: SDK location, operation index and payload validation.

The MEF SDK is reference data beside the project, not part of it; without it there is nothing to check
against, so the module is skipped (with the reason) rather than failed.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lso_sim.conformance import (
    ApiIndex,
    UnknownApiError,
    UnknownOperationError,
    find_sdk,
    load_index,
    validate_message,
    validate_trace_record,
)
from lso_sim.conformance.sdk import SDK_ENV_VAR

SDK = find_sdk()
if SDK is None:
    pytest.skip(
        f"MEF LSO SDK not found (set ${SDK_ENV_VAR} or put it at ../shared/mef-lso-sdk)",
        allow_module_level=True,
    )

INDEX: ApiIndex = load_index(SDK)

CONTACT = {"emailAddress": "buyer@example.com", "name": "Ann Buyer", "number": "+1-555-0100", "role": "buyer"}


def product_order() -> dict[str, Any]:
    """A minimal ProductOrder_Create: one contact and one ``add`` item referencing a product offering."""
    return {
        "relatedContactInformation": [dict(CONTACT)],
        "productOrderItem": [
            {"action": "add", "id": "1", "product": {"productOffering": {"id": "ACCESS-E-LINE"}}},
        ],
    }


def check(api: str, operation: str, kind: str, payload: object, status: int | None = None) -> list[str]:
    """Validate against the module's cached index (so no test re-parses the SDK)."""
    return validate_message(api, operation, kind, payload, status, index=INDEX)


# ---------------------------------------------------------------------------------------------- SDK / index


def test_find_sdk_honours_environment_variable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``$LSO_MEF_SDK`` wins over the search, and a wrong value yields None instead of another copy."""
    assert SDK is not None
    monkeypatch.setenv(SDK_ENV_VAR, str(SDK))
    assert find_sdk() == SDK.resolve()
    monkeypatch.setenv(SDK_ENV_VAR, str(tmp_path / "nowhere"))
    assert find_sdk() is None


def test_find_sdk_searches_beside_ancestors(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """CI runs in a fresh clone whose ancestor has ``shared/mef-lso-sdk`` beside it: the walk must find it."""
    sdk = tmp_path / "shared" / "mef-lso-sdk"
    (sdk / "sonata").mkdir(parents=True)
    clone = tmp_path / "ci" / "clone"
    clone.mkdir(parents=True)
    monkeypatch.delenv(SDK_ENV_VAR, raising=False)
    monkeypatch.chdir(clone)
    assert find_sdk() == sdk.resolve()


def test_index_finds_create_product_order() -> None:
    """createProductOrder is indexed with its method, path, body schema and 201 success response."""
    op = INDEX.operation("productOrderManagement", "createProductOrder")
    assert (op.method, op.path) == ("post", "/productOrder")
    assert op.request_body is not None and op.request_body.schema is not None
    assert op.success_statuses == ("201",)
    assert ("productOrderManagement", "createProductOrder") in INDEX.operation_keys()
    assert INDEX.find_route("productOrderManagement", "GET", "/productOrder/{id}").operation_id == (
        "retrieveProductOrder"
    )


def test_register_listener_is_keyed_per_api() -> None:
    """operationIds repeat across APIs, so operations are keyed by (api, operationId)."""
    apis = INDEX.apis_defining("registerListener")
    for api in ("productOrderManagement", "quoteManagement", "serviceOrderingManagement"):
        assert api in apis
        assert INDEX.operation(api, "registerListener").path == "/hub"


def test_index_covers_all_families_and_renames_clashes() -> None:
    """Legato/Interlude share file names: the later family is reachable as ``family/stem``."""
    families = {spec.family for spec in INDEX.apis.values()}
    assert families == {"sonata", "legato", "interlude", "presto"}
    assert INDEX.api("interlude/performanceMonitoring").family == "interlude"
    assert INDEX.api("legato/performanceMonitoring") is INDEX.api("performanceMonitoring")
    assert "presto-nrp" in INDEX.apis
    assert not any("all-in-one" in name for name in INDEX.apis)


def test_every_indexed_schema_resolves() -> None:
    """Each body schema of each operation resolves, so a conformance failure is never a broken index."""
    checked = 0
    for op in INDEX.operations():
        assert op.method and op.path.startswith("/")
        if op.request_body is not None and op.request_body.schema is not None:
            checked += 1
            assert not [e for e in check(op.api, op.operation_id, "request", {}) if "cannot validate" in e]
        for status, body in op.responses.items():
            if body.schema is not None and status.isdigit():
                checked += 1
                errors = check(op.api, op.operation_id, "response", {}, int(status))
                assert not [e for e in errors if "cannot validate" in e]
    assert checked > 1000


def test_unknown_operation_gives_clear_error() -> None:
    """A typo names the API, suggests the close id and lists the known ones."""
    with pytest.raises(UnknownOperationError) as caught:
        check("productOrderManagement", "createProductOrders", "request", {})
    message = str(caught.value)
    assert "productOrderManagement" in message and "createProductOrders" in message
    assert "did you mean 'createProductOrder'" in message and "retrieveProductOrder" in message
    assert isinstance(caught.value, KeyError)
    with pytest.raises(UnknownApiError, match="productOrderManagement"):
        INDEX.api("productOrderManagment")


def test_bad_kind_is_rejected() -> None:
    """Only request/response/notification exist; anything else is a caller bug."""
    with pytest.raises(ValueError, match="kind"):
        check("productOrderManagement", "createProductOrder", "event", product_order())


# ---------------------------------------------------------------------------------------------- Sonata


def test_minimal_product_order_is_valid() -> None:
    """The minimal ProductOrder_Create passes, so shaping payloads from it is safe."""
    assert check("productOrderManagement", "createProductOrder", "request", product_order()) == []


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda b: b["productOrderItem"][0].pop("id"), "'id' is a required property"),
        (lambda b: b.pop("relatedContactInformation"), "'relatedContactInformation' is a required"),
        (lambda b: b["productOrderItem"][0].update(action="install"), "$.productOrderItem[0].action"),
        (lambda b: b.update(externalId=42), "$.externalId"),
        (lambda b: b["productOrderItem"][0]["product"]["productOffering"].update(id=None), "Offering.id"),
    ],
)
def test_broken_product_order_names_the_field(mutate: Callable[[dict[str, Any]], object], field: str) -> None:
    """Missing required field, wrong enum value, wrong type and null are each reported at the field."""
    body = product_order()
    mutate(body)
    errors = check("productOrderManagement", "createProductOrder", "request", body)
    assert errors, "mutated body must be rejected"
    assert any(field in error for error in errors), errors


def test_place_discriminator_is_enforced() -> None:
    """``@type`` selects the place subtype; its required fields apply and unknown types are errors."""
    body = product_order()
    place = {"@type": "FieldedAddress", "role": "INSTALL_LOCATION", "streetName": "Main", "city": "Paris"}
    place["country"] = "FR"
    body["productOrderItem"][0]["product"]["place"] = [place]
    assert check("productOrderManagement", "createProductOrder", "request", body) == []
    del place["streetName"]
    errors = check("productOrderManagement", "createProductOrder", "request", body)
    assert any("'streetName'" in e for e in errors), errors
    place["@type"] = "NoSuchPlace"
    errors = check("productOrderManagement", "createProductOrder", "request", body)
    assert any("'NoSuchPlace'" in e for e in errors), errors


def test_product_configuration_is_checked_against_its_specification() -> None:
    """A product configuration ``@type`` URN is resolved to the specification schema file and enforced."""
    body = product_order()
    product = body["productOrderItem"][0]["product"]
    product["productConfiguration"] = {"@type": "urn:mef:lso:spec:sonata:access-eline-ovc:v5.0.0:all"}
    errors = check("productOrderManagement", "createProductOrder", "request", body)
    assert any("'uniEp' is a required property" in e for e in errors), errors
    product["productConfiguration"] = {"@type": "urn:example:not-a-spec"}
    errors = check("productOrderManagement", "createProductOrder", "request", body)
    assert any("not-a-spec" in e and "specification" in e for e in errors), errors


def test_error_response_validates() -> None:
    """A 404 Error body for retrieveProductOrder passes; an undefined status is reported."""
    body = {"code": "notFound", "reason": "no such product order"}
    assert check("productOrderManagement", "retrieveProductOrder", "response", body, 404) == []
    errors = check("productOrderManagement", "retrieveProductOrder", "response", {"code": "notFound"}, 404)
    assert any("'reason' is a required property" in e for e in errors)
    errors = check("productOrderManagement", "retrieveProductOrder", "response", body, 418)
    assert errors and "418" in errors[0]


def test_bodyless_response_expects_no_payload() -> None:
    """204 (unregisterListener) defines no content: None or {} pass, anything else is reported."""
    assert check("productOrderManagement", "unregisterListener", "response", None, 204) == []
    assert check("productOrderManagement", "unregisterListener", "response", {}, 204) == []
    assert check("productOrderManagement", "unregisterListener", "response", {"id": "1"}, 204)


def test_parameters_of_get_requests() -> None:
    """GET requests carry path/query parameters: unknown names, missing path ids and bad values are errors."""
    assert check("productOrderManagement", "retrieveProductOrder", "request", {"id": "PO-1"}) == []
    errors = check("productOrderManagement", "retrieveProductOrder", "request", {"ident": "PO-1"})
    assert any("unknown parameter 'ident'" in e for e in errors)
    assert any("missing required path parameter 'id'" in e for e in errors)
    query = {"limit": "10", "state": "completed"}  # query values arrive as text
    assert check("productOrderManagement", "listProductOrder", "request", query) == []
    errors = check("productOrderManagement", "listProductOrder", "request", {"limit": "ten", "state": "done"})
    assert any("'limit'" in e for e in errors) and any("'state'" in e for e in errors)


def test_quote_and_qualification_bodies_validate() -> None:
    """Minimal createQuote and createProductOfferingQualification bodies pass."""
    quote = {
        "buyerRequestedQuoteLevel": "firm",
        "instantSyncQuote": False,
        "quoteItem": [{"action": "add", "id": "1", "product": {"productOffering": {"id": "ACCESS-E-LINE"}}}],
    }
    assert check("quoteManagement", "createQuote", "request", quote) == []
    poq = {
        "relatedContactInformation": [dict(CONTACT)],
        "productOfferingQualificationItem": [
            {"action": "add", "id": "1", "product": {"productOffering": {"id": "ACCESS-E-LINE"}}},
        ],
    }
    api = "productOfferingQualificationManagement"
    assert check(api, "createProductOfferingQualification", "request", poq) == []


def test_notification_event_validates() -> None:
    """A product order state-change event (seller -> buyer listener) passes as a notification."""
    event = {
        "eventId": "evt-1",
        "eventTime": "2024-05-01T12:00:00Z",
        "eventType": "productOrderStateChangeEvent",
        "event": {"id": "PO-1"},
    }
    assert check("productOrderNotification", "productOrderStateChangeEvent", "notification", event) == []
    broken = dict(event, eventTime="yesterday")
    errors = check("productOrderNotification", "productOrderStateChangeEvent", "notification", broken)
    assert any("$.eventTime" in e for e in errors)
    errors = check("productOrderManagement", "createProductOrder", "notification", product_order())
    assert errors and "not a notification API" in errors[0]


# ------------------------------------------------------------------------------------------- Legato, Presto


def service_order() -> dict[str, Any]:
    """A minimal ServiceOrder_Create."""
    return {
        "requestedStartDate": "2024-05-01T00:00:00Z",
        "requestedCompletionDate": "2024-06-01T00:00:00Z",
        "serviceOrderItem": [{"id": "1", "action": "add", "service": {}}],
    }


def test_legato_service_order_validates_through_external_refs() -> None:
    """createServiceOrder passes; its service configuration is checked through relative file refs."""
    assert check("serviceOrderingManagement", "createServiceOrder", "request", service_order()) == []
    body = service_order()
    config: dict[str, Any] = {
        "@type": "urn:mef:lso:spec:legato:ip-enni-link:v0.0.4:all",
        "ipv4ConnectionAddressing": {"enniLinkIpv4AddressType": "STATIC"},
    }
    body["serviceOrderItem"][0]["service"]["serviceConfiguration"] = config
    assert check("serviceOrderingManagement", "createServiceOrder", "request", body) == []
    config["ipv4ConnectionAddressing"]["enniLinkIpv4AddressType"] = "DHCP"  # enum lives in ./ipCommon.yaml
    errors = check("serviceOrderingManagement", "createServiceOrder", "request", body)
    assert any("enniLinkIpv4AddressType" in e and "'DHCP'" in e for e in errors), errors


def test_legato_catalog_error_from_common_file() -> None:
    """serviceCatalogApi responses are ``$ref``s into ../common/errorSchema.openapi.yaml."""
    body = {"code": 404, "reason": "gone"}
    assert check("serviceCatalogApi", "serviceSpecificationGet", "response", body, 404) == []
    errors = check("serviceCatalogApi", "serviceSpecificationGet", "response", {"code": "404"}, 404)
    assert any("$.code" in e for e in errors) and any("'reason'" in e for e in errors)


def test_presto_operation_request() -> None:
    """Presto (Swagger 2.0) create-connectivity-service input passes; a wrong enum/type fails."""
    end_point = {
        "local-id": "ep-a",
        "layer-protocol-name": "ETH",
        "direction": "BIDIRECTIONAL",
        "service-interface-point": {"service-interface-point-id": "sip-1"},
    }
    body = {"input": {"end-point": [end_point, dict(end_point, **{"local-id": "ep-z"})]}}
    assert check("presto-nrp", "create-connectivity-service", "request", body) == []
    broken = copy.deepcopy(body)
    broken["input"]["end-point"][0]["layer-protocol-name"] = "MPLS"
    errors = check("presto-nrp", "create-connectivity-service", "request", broken)
    assert any("layer-protocol-name" in e for e in errors), errors
    assert check("presto-nrp", "create-connectivity-service", "request", {"input": {"end-point": "ep-a"}})
    assert check("presto-nrp", "get-context-connectivity-service", "request", {"uuid": "cs-1"}) == []


# ---------------------------------------------------------------------------------------------- trace records


def test_trace_records() -> None:
    """Records without an api pass; errors carry the seq; record problems are errors, not exceptions."""
    assert validate_trace_record({"seq": 1, "api": None, "operation": "tick", "kind": "request"}) == []
    good = {"seq": 2, "api": "productOrderManagement", "operation": "createProductOrder", "kind": "request",
            "status": None, "payload": product_order()}  # fmt: skip
    assert validate_trace_record(good, index=INDEX) == []
    bad = dict(good, seq=3, payload={"productOrderItem": []})
    errors = validate_trace_record(bad, index=INDEX)
    assert errors and all(e.startswith("seq 3: ") for e in errors)
    unknown = dict(good, seq=4, operation="nope")
    assert validate_trace_record(unknown, index=INDEX)[0].startswith("seq 4: API 'productOrderManagement'")
    response = dict(good, seq=5, kind="response", status=201, payload={"id": 1})
    assert validate_trace_record(response, index=INDEX)
    assert "malformed" in validate_trace_record(dict(good, kind="reply"), index=INDEX)[0]


# ---------------------------------------------------------------------------------------------- properties

REQUIRED_PATHS: list[tuple[tuple[str | int, ...], str]] = [
    ((), "relatedContactInformation"),
    ((), "productOrderItem"),
    *((("relatedContactInformation", 0), key) for key in CONTACT),
    (("productOrderItem", 0), "action"),
    (("productOrderItem", 0), "id"),
    (("productOrderItem", 0, "product", "productOffering"), "id"),
]


def _paths(node: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every location of the body, the root included."""
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _get(node: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        node = node[part]
    return node


_JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5)
_JSON_VALUES = st.recursive(
    _JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_product_orders_are_rejected(data: st.DataObject) -> None:
    """Dropping a required key, or retyping any value, always makes the body invalid."""
    body: Any = product_order()
    if data.draw(st.booleans(), label="drop a required key"):
        parent, key = data.draw(st.sampled_from(REQUIRED_PATHS), label="required key")
        del _get(body, parent)[key]
    else:
        path = data.draw(st.sampled_from(_paths(body)), label="path")
        original = _get(body, path)
        value = data.draw(_JSON_VALUES.filter(lambda v: _json_type(v) != _json_type(original)), label="value")
        if path:
            _get(body, path[:-1])[path[-1]] = value
        else:
            body = value
    assert check("productOrderManagement", "createProductOrder", "request", body) != []
