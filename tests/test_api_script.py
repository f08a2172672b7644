"""API scripts: references, load-time checks with field paths, runs end to end, MEF errors, determinism."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from lso_sim.engine.observers import MemoryTrace
from lso_sim.errors import ScenarioError
from lso_sim.messages.envelope import Kind
from lso_sim.scenarios import parse_scenario, run_scenario
from lso_sim.scenarios.build import build_world
from lso_sim.sonata.api import router_of
from lso_sim.threads.registry import INSTALLERS
from lso_sim.threads.script import (
    MissingValue,
    ReferenceSyntaxError,
    references_in,
    resolve,
    seller_operations,
)
from lso_sim.threads.script.references import Reference, substitute
from lso_sim.trace.records import to_record

TOUR = Path(__file__).resolve().parents[1] / "scenarios" / "sonata-api-tour.yaml"
CONTACT = [
    {
        "emailAddress": "acme@example.net",
        "name": "acme",
        "number": "+1-555-0100",
        "role": "buyerContactInformation",
    }
]
PRODUCT = {
    "productOffering": {"id": "epl-retail"},
    "place": [
        {"@type": "GeographicAddressRef", "id": "${sites.0.id}", "role": "INSTALL_LOCATION"},
        {"@type": "GeographicAddressRef", "id": "acme-branch", "role": "INSTALL_LOCATION"},
    ],
    "productConfiguration": {
        "@type": "urn:mef:lso:spec:cantata-sonata:epl-evc:v1.0.0:all",
        "evcEndPointA": {"identifier": "acme-hq"},
        "evcEndPointZ": {"identifier": "acme-branch"},
    },
}
HUB = {"callback": "https://acme.buyer.example.net/mef", "query": "eventType=productOrderStateChangeEvent"}


def scenario_with(script: list[dict[str, Any]], thread: str = "10.2") -> dict[str, Any]:
    """The tour's world (customers, partner, topology, offerings) with ``script`` as its workload."""
    data = yaml.safe_load(TOUR.read_text(encoding="utf-8"))
    data.pop("expect")
    data["workload"] = [{"thread": thread, "api_script": copy.deepcopy(script)}]
    return data


SHORT = [
    {"buyer": "acme", "call": "productOrderManagement:registerListener", "with": HUB},
    {
        "call": "createGeographicAddressValidation",
        "with": {
            "provideAlternative": True,
            "submittedGeographicAddress": {
                "@type": "FieldedAddress",
                "streetNr": "1",
                "streetName": "Main",
                "streetType": "street",
                "city": "Springfield",
                "country": "US",
            },
        },
        "save_as": "address",
    },
    {
        "call": "listGeographicSite",
        "with": {"geographicAddress.id": "${address.bestMatchGeographicAddress.id}"},
        "save_as": "sites",
    },
    {
        "call": "createProductOfferingQualification",
        "with": {
            "instantSyncQualification": True,
            "relatedContactInformation": CONTACT,
            "productOfferingQualificationItem": [{"id": "1", "action": "add", "product": PRODUCT}],
        },
        "save_as": "poq",
    },
    {
        "call": "createQuote",
        "with": {
            "instantSyncQuote": True,
            "relatedContactInformation": CONTACT,
            "quoteItem": [
                {
                    "id": "1",
                    "action": "add",
                    "product": PRODUCT,
                    "qualificationItem": {"id": "1", "qualificationId": "${poq.id}"},
                }
            ],
        },
        "save_as": "quote",
    },
    {
        "call": "createProductOrder",
        "with": {
            "relatedContactInformation": CONTACT,
            "productOrderItem": [
                {
                    "id": "1",
                    "action": "add",
                    "product": PRODUCT,
                    "quoteItem": {"id": "1", "quoteId": "${quote.id}"},
                }
            ],
        },
        "save_as": "order",
        "wait_for": {"event": "productOrderStateChangeEvent", "of": "${order.id}", "state": "completed"},
    },
    {
        "call": "createCancelProductOrder",
        "with": {"productOrder": {"productOrderId": "${order.id}"}, "relatedContactInformation": CONTACT},
    },
]


def run(data: dict[str, Any]) -> tuple[list[Any], Any]:
    trace = MemoryTrace()
    result = run_scenario(parse_scenario(data, "test.yaml"), [trace])
    return trace.records, result.world


# -- references ---------------------------------------------------------------------------------


def test_a_whole_string_reference_keeps_the_json_type_and_text_interpolates() -> None:
    saved = {"quote": {"id": "q-1", "price": 12.5, "items": [{"id": "1"}], "ok": True}}
    assert substitute("${quote.items}", saved) == [{"id": "1"}]
    assert substitute("${quote.price}", saved) == 12.5
    assert (
        substitute("/quote/${quote.id}?p=${quote.price}&ok=${quote.ok}", saved) == "/quote/q-1?p=12.5&ok=true"
    )
    assert substitute({"a": ["${quote.items.0.id}", "$${literal}"]}, saved) == {"a": ["1", "${literal}"]}


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("${quote.missing}", "quote (object) has no 'missing'"),
        ("${quote.items.3}", "quote.items (list) has no '3'"),
        ("${other.id}", "no response was saved as 'other'"),
        ("x ${quote.items}", "cannot be put in text"),
    ],
)
def test_a_missing_value_names_the_reference_and_where_it_broke(value: str, reason: str) -> None:
    saved = {"quote": {"items": [{"id": "1"}]}}
    with pytest.raises(MissingValue) as caught:
        substitute({"with": {"deep": [value]}}, saved)
    assert reason in caught.value.reason
    assert caught.value.path == ("with", "deep", 0)


@pytest.mark.parametrize("text", ["${}", "${a..b}", "${1a}", "${a", "${a b}"])
def test_malformed_references_are_syntax_errors(text: str) -> None:
    with pytest.raises(ReferenceSyntaxError):
        list(references_in({"x": text}))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet="abc xyz-{}$", max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text("abcxyz", min_size=1, max_size=4), inner, max_size=3)
    ),
    max_leaves=12,
)


def _paths(value: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    found = [(path, value)]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, str(index)))
    return found


@settings(max_examples=150, deadline=None)
@given(response=JSON, data=st.data())
def test_a_reference_to_any_path_of_a_saved_response_finds_that_value(
    response: Any, data: st.DataObject
) -> None:
    path, expected = data.draw(st.sampled_from(_paths(response)))
    reference = Reference("r", path)
    request = {"outer": [{"inner": reference.text}]}
    assert list(references_in(request)) == [(("outer", 0, "inner"), reference)]
    assert substitute(request, {"r": response}) == {"outer": [{"inner": expected}]}


@settings(max_examples=100, deadline=None)
@given(value=JSON)
def test_a_structure_without_references_is_left_as_it_is(value: Any) -> None:
    if "${" in json.dumps(value) or "$$" in json.dumps(value):
        return
    assert substitute(value, {}) == value
    assert list(references_in(value)) == []


# -- load-time checks -----------------------------------------------------------------------------


def _set(script: list[dict[str, Any]], index: int, **fields: Any) -> list[dict[str, Any]]:
    changed = copy.deepcopy(script)
    changed[index].update(fields)
    return changed


BAD_QUOTE_REF = copy.deepcopy(SHORT)
BAD_QUOTE_REF[5]["with"]["productOrderItem"][0]["quoteItem"]["quoteId"] = "${quotes.id}"
EARLY_REF = copy.deepcopy(SHORT)
EARLY_REF[3]["with"]["productOfferingQualificationItem"][0]["product"] = {"id": "${order.id}"}


@pytest.mark.parametrize(
    ("script", "field", "expected"),
    [
        (
            _set(SHORT, 3, call="createPOQ"),
            "workload.0.api_script.3.call",
            "an operationId the sellers serve",
        ),
        (_set(SHORT, 0, call="registerListener"), "workload.0.api_script.0.call", "served by several APIs"),
        (
            BAD_QUOTE_REF,
            "workload.0.api_script.5.with.productOrderItem.0.quoteItem.quoteId",
            "got ${quotes.id}",
        ),
        (
            EARLY_REF,
            "workload.0.api_script.3.with.productOfferingQualificationItem.0.product.id",
            "is saved by step 5, which runs later",
        ),
        (_set(SHORT, 2, **{"with": {"id": "${address"}}), "workload.0.api_script.2.with.id", "closing '}'"),
        (_set(SHORT, 0, buyer="wile"), "workload.0.api_script.0.buyer", "a customer id or bus-sp"),
        (
            _set(SHORT, 0, seller="partner-1"),
            "workload.0.api_script.0.seller",
            "a seller acme buys from (provider)",
        ),
        (_set(SHORT, 0, buyer=None), "workload.0.api_script.0.buyer", "the first step must name one"),
        (_set(SHORT, 2, save_as="address"), "workload.0.api_script.2.save_as", "a new name"),
        (
            _set(SHORT, 5, wait_for={"event": "orderDone", "of": "${order.id}"}),
            "workload.0.api_script.5.wait_for.event",
            "an event a seller sends",
        ),
        (
            _set(SHORT, 5, wait_for={"event": "quoteStateChangeEvent", "of": "${order.id}"}),
            "workload.0.api_script.5.wait_for.event",
            "quoteManagement:registerListener",
        ),
        (
            _set(SHORT, 5, wait_for={"event": "productOrderStateChangeEvent", "of": "${later.id}"}),
            "workload.0.api_script.5.wait_for.of",
            "a name an earlier step saves",
        ),
        (_set(SHORT, 1, call=None), "workload.0.api_script.1", "give 'call' or 'wait_for'"),
        (
            _set(SHORT, 1, call=None, wait_for={"event": "productOrderStateChangeEvent"}),
            "workload.0.api_script.1",
            "belong to a 'call'",
        ),
    ],
)
def test_load_time_errors_name_the_field(script: list[dict[str, Any]], field: str, expected: str) -> None:
    script = [{k: v for k, v in step.items() if v is not None} for step in script]
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(scenario_with(script), "bad.yaml")
    assert caught.value.field == field
    assert expected in caught.value.expected


def test_api_script_belongs_to_thread_10_2_and_replaces_orders() -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(scenario_with(SHORT, thread="10.3"), "bad.yaml")
    assert caught.value.field == "workload.0"
    assert parse_scenario(scenario_with(SHORT), "ok.yaml").workload[0].orders == []


def test_bus_sp_buys_from_the_only_partner_by_default() -> None:
    script = [{"buyer": "bus-sp", "call": "listProductOffering"}, {"call": "listProduct"}]
    records, _ = run(scenario_with(script))
    assert {(m.src, m.dst, m.irp) for m in records if m.kind is Kind.REQUEST} == {
        ("bus-sp", "bus-partner-1", "SONATA")
    }


def test_the_callable_operations_are_exactly_what_the_sellers_route() -> None:
    scenario = parse_scenario(yaml.safe_load(TOUR.read_text(encoding="utf-8")), "tour.yaml")
    world = build_world(scenario)  # the tour calls tickets (10.5) but no bills: install 10.7 too
    INSTALLERS["10.7"](world)
    for bus in world.bus.values():
        routed = {key for key, (op, _handler) in router_of(bus).routes.items() if op.kind is Kind.REQUEST}
        assert routed == {(op.api, op.name) for op in seller_operations().values()}


# -- runs -----------------------------------------------------------------------------------------


def test_a_short_script_orders_waits_for_completion_and_is_refused_a_late_cancel() -> None:
    records, world = run(scenario_with(SHORT))
    script = [
        m for m in records if m.instance == "acme/script-1" and m.step == "api" and m.kind is Kind.RESPONSE
    ]
    assert [(m.operation, m.status) for m in script] == [
        ("registerListener", 201),
        ("createGeographicAddressValidation", 200),
        ("listGeographicSite", 200),
        ("createProductOfferingQualification", 201),
        ("createQuote", 201),
        ("createProductOrder", 201),
        ("createCancelProductOrder", 422),
    ]
    # The real 10.2 back office fulfilled the script's order, in the script's instance.
    steps = {m.step for m in records if m.instance == "acme/script-1"}
    assert {"5", "7", "8", "9a", "14"} <= steps
    completed = next(
        m
        for m in records
        if m.operation == "productOrderStateChangeEvent" and m.payload["event"]["state"] == "completed"
    )
    assert script[-1].time > completed.delivered
    assert world.outcomes["acme/script-1"].state == "completed"


def test_a_request_the_seller_refuses_is_answered_with_its_mef_error_and_the_script_goes_on() -> None:
    script = [
        {"buyer": "acme", "call": "createQuote", "with": {"quoteItem": []}},
        {"call": "retrieveQuote", "with": {"id": "quote-nobody"}},
        {"call": "listQuote"},
    ]
    records, world = run(scenario_with(script))
    answers = [(m.operation, m.status) for m in records if m.kind is Kind.RESPONSE]
    assert answers[0][0] == "createQuote" and answers[0][1] in (400, 422)
    assert answers[1:] == [("retrieveQuote", 404), ("listQuote", 200)]
    assert world.outcomes["acme/script-1"].state == "completed"


def test_a_reference_missing_at_run_time_is_an_error_record_and_stops_the_script() -> None:
    script = [
        {"buyer": "acme", "call": "listQuote", "save_as": "quotes"},
        {"call": "retrieveQuote", "with": {"id": "${quotes.0.id}"}},
        {"call": "listProduct"},
    ]
    records, world = run(scenario_with(script))
    errors = [m for m in records if m.kind is Kind.ERROR]
    assert [(m.operation, m.payload["field"]) for m in errors] == [
        ("scriptReferenceMissing", "workload.0.api_script.1.with.id")
    ]
    assert "quotes (list) has no '0'" in errors[0].payload["reason"]
    assert [m.operation for m in records if m.kind is Kind.REQUEST] == ["listQuote"]
    assert world.outcomes["acme/script-1"].state == "stopped"


def test_a_wait_that_hears_nothing_times_out_with_an_error_record() -> None:
    script = [
        {"buyer": "acme", "call": "productOrderManagement:registerListener", "with": HUB},
        {
            "buyer": "acme",
            "wait_for": {"event": "productOrderStateChangeEvent", "of": "order-x", "timeout": 60},
        },
    ]
    records, world = run(scenario_with(script))
    error = next(m for m in records if m.kind is Kind.ERROR)
    assert error.operation == "scriptWaitTimedOut" and error.time == pytest.approx(60, abs=1)
    assert world.outcomes["acme/script-1"].state == "stopped"


def test_same_scenario_same_trace() -> None:
    first, _ = run(scenario_with(SHORT))
    second, _ = run(scenario_with(SHORT))
    assert [json.dumps(to_record(m), sort_keys=True) for m in first] == [
        json.dumps(to_record(m), sort_keys=True) for m in second
    ]


def test_resolve_accepts_qualified_names_of_unique_operations() -> None:
    assert resolve("quoteManagement:createQuote") is resolve("createQuote")
