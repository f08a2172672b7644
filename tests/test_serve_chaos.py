"""Chaos for buyer robustness: opt-in, each act a fault record in the trace, seeded draws.

Rates 0 and 1 make each act certain or impossible, so the tests need no statistics.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from serve_helpers import CONTACT, POQ, epl, listener, sdk_or_skip

from lso_sim.cli.main import main
from lso_sim.serve.chaos import KINDS, parse_kinds
from lso_sim.serve.server import prepare, running

POQ_HUB = "/mefApi/cantata/productOfferingQualification/v7/hub"
TOKEN = {"Authorization": "Bearer demo-buyer-1"}
POQ_BODY = {
    "instantSyncQualification": False,
    "relatedContactInformation": CONTACT,
    "productOfferingQualificationItem": [
        {"id": "1", "action": "add", "product": epl(["demo-buyer-1-site-1", "demo-buyer-1-site-2"])}
    ],
}


@pytest.fixture
def chaotic(request: pytest.FixtureRequest) -> Iterator[tuple[str, io.StringIO]]:
    kinds, rate = request.param
    trace = io.StringIO()
    prepared = prepare(
        None, "sp", sdk_or_skip(), speed=0, trace=trace, chaos=parse_kinds(kinds), chaos_rate=rate
    )
    with running(prepared.app) as base:
        yield base, trace


def faults(trace: io.StringIO) -> list[str]:
    records = [json.loads(line) for line in trace.getvalue().splitlines()[1:]]
    return [r["payload"]["kind"] for r in records if r.get("kind") == "fault" and r["operation"] == "chaos"]


def poq_events(base: str) -> list[str]:
    """Register a hub, qualify, let time pass; the event types the listener received."""
    with listener() as heard:
        buyer = httpx.Client(base_url=base, headers=TOKEN, timeout=30)
        assert buyer.post(POQ_HUB, json={"callback": heard.url}).status_code == 201
        assert buyer.post(POQ, json=POQ_BODY).status_code == 201
        httpx.post(f"{base}/admin/advance", params={"seconds": 7200}, timeout=60)
        httpx.post(f"{base}/admin/advance", params={"seconds": 60}, timeout=60)
        return [path.rsplit("/", 1)[-1] for path, _event in heard.events]


@pytest.mark.parametrize("chaotic", [("lost-notification", 1.0)], indirect=True)
def test_lost_notifications_never_reach_the_listener_and_each_loss_is_traced(
    chaotic: tuple[str, io.StringIO],
) -> None:
    base, trace = chaotic
    assert poq_events(base) == []
    assert faults(trace) and set(faults(trace)) == {"lost-notification"}


@pytest.mark.parametrize("chaotic", [("duplicate", 1.0)], indirect=True)
def test_duplicated_notifications_arrive_twice(chaotic: tuple[str, io.StringIO]) -> None:
    base, trace = chaotic
    events = poq_events(base)
    assert events and all(events.count(e) % 2 == 0 for e in set(events))
    assert faults(trace).count("duplicate") * 2 == len(events)


@pytest.mark.parametrize("chaotic", [("409", 1.0)], indirect=True)
def test_409_answers_a_change_without_reaching_the_seller(chaotic: tuple[str, io.StringIO]) -> None:
    base, trace = chaotic
    buyer = httpx.Client(base_url=base, headers=TOKEN, timeout=30)
    patch = buyer.patch(
        "/mefApi/cantata/productOrderingManagement/v10/productOrder/x", json={"externalId": "y"}
    )
    assert patch.status_code == 409 and patch.json()["code"] == "conflict"
    # Only where MEF defines a 409: cancelling answers the seller's own 422 (no such order).
    cancel = buyer.post(
        "/mefApi/cantata/productOrderingManagement/v10/cancelProductOrder",
        json={"productOrder": {"productOrderId": "x"}, "relatedContactInformation": CONTACT},
    )
    assert cancel.status_code == 422
    assert buyer.get("/mefApi/cantata/productOrderingManagement/v10/productOrder").status_code == 200
    assert faults(trace) == ["409"]


@pytest.mark.parametrize("chaotic", [("late,duplicate,lost-notification,409", 0.0)], indirect=True)
def test_rate_zero_is_no_chaos(chaotic: tuple[str, io.StringIO]) -> None:
    base, trace = chaotic
    assert poq_events(base)
    assert faults(trace) == []


@pytest.mark.parametrize("text", ["500", "loud", "late,nope"])
def test_an_unknown_kind_is_refused_with_the_choices(text: str) -> None:
    with pytest.raises(ValueError, match="choose from"):
        parse_kinds(text)
    assert parse_kinds(",".join(KINDS)) == frozenset(KINDS)


@pytest.mark.parametrize("chaotic", [("late", 1.0)], indirect=True)
def test_late_notifications_come_with_a_later_batch(chaotic: tuple[str, io.StringIO]) -> None:
    base, trace = chaotic
    events = poq_events(base)  # the second advance's batch brings what the first held back
    assert events
    assert set(faults(trace)) == {"late"} and len(faults(trace)) >= len(events)


def test_held_detours_an_order_legally_and_the_probe_still_finds_the_seller_conformant(
    tmp_path: Path,
) -> None:
    trace = io.StringIO()
    prepared = prepare(
        None, "partner", sdk_or_skip(), speed=0, trace=trace, chaos=parse_kinds("held"), chaos_rate=1.0
    )
    with running(prepared.app) as base:
        argv = [
            "probe",
            "--seller",
            base,
            "--token",
            "demo-buyer-1",
            "--advance",
            "1800",
            "--report",
            str(tmp_path),
        ]
        assert main(argv) == 0
    assert faults(trace) == ["held"]
    report = json.loads((tmp_path / "probe.json").read_text())
    order = next(states for ident, states in report["states"].items() if ident.startswith("order-"))
    assert "held.assessingCharge" in order and order[-1] == "completed"


ORDER_LIST = "/mefApi/cantata/productOrderingManagement/v10/productOrder"


@pytest.mark.parametrize("chaotic", [("503", 1.0)], indirect=True)
def test_503_answers_mefs_error_model_with_retry_after_and_each_is_traced(
    chaotic: tuple[str, io.StringIO],
) -> None:
    base, trace = chaotic
    buyer = httpx.Client(base_url=base, headers=TOKEN, timeout=30)
    for answer in (buyer.get(ORDER_LIST), buyer.post(POQ, json=POQ_BODY)):
        assert answer.status_code == 503 and answer.headers["retry-after"] == "1"
        body = answer.json()
        assert body["code"] == "serviceUnavailable" and body["reason"] and body["message"]
    assert httpx.get(f"{base}{ORDER_LIST}").status_code == 401  # no token: refused before any chaos
    assert faults(trace) == ["503", "503"]
    records = [json.loads(line) for line in trace.getvalue().splitlines()[1:]]
    assert not any(r.get("operation") == "createProductOfferingQualification" for r in records)


@pytest.mark.parametrize(("kinds", "declared"), [("503", True), ("409,late", False)])
def test_the_document_declares_503_exactly_when_that_chaos_is_on(kinds: str, declared: bool) -> None:
    prepared = prepare(None, "sp", sdk_or_skip(), speed=0, chaos=parse_kinds(kinds), chaos_rate=0.5)
    document = prepared.app.openapi()
    operations = [op for item in document["paths"].values() for m, op in item.items() if m != "parameters"]
    assert operations and all(("503" in op["responses"]) is declared for op in operations)
    assert ("sandbox.Error503" in document["components"]["schemas"]) is declared


def test_pending_detours_an_order_legally_and_the_probe_still_finds_the_seller_conformant(
    tmp_path: Path,
) -> None:
    trace = io.StringIO()
    prepared = prepare(
        None, "partner", sdk_or_skip(), speed=0, trace=trace, chaos=parse_kinds("pending"), chaos_rate=1.0
    )
    with running(prepared.app) as base:
        argv = ["probe", "--seller", base, "--token", "demo-buyer-1", "--advance", "1800"]
        assert main([*argv, "--report", str(tmp_path)]) == 0
    assert faults(trace) == ["pending"]
    report = json.loads((tmp_path / "probe.json").read_text())
    order = next(states for ident, states in report["states"].items() if ident.startswith("order-"))
    assert "pending.assessingModification" in order and order[-1] == "completed"
    assert order.index("pending.assessingModification") < order.index("completed")
