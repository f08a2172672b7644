"""Expedite charges: an earlier-than-standard requested date holds the item until the buyer answers.

Requests and responses are checked against the MEF definitions by the harness (when the SDK is
present). Times and prices come from the offering (``standard_interval``, ``expedite_price``,
``charge_response``), never from constants of this file.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_sonata_state_machines import FULFIL_TIME, Harness

from lso_sim.messages import bodies
from lso_sim.messages.operations import (
    CREATE_MODIFY_DELIVERY_DATE,
    CREATE_PRODUCT_ORDER,
    CREATE_QUOTE,
    LIST_CHARGE,
    PATCH_CHARGE,
    RETRIEVE_CHARGE,
    RETRIEVE_PRODUCT_ORDER,
)
from lso_sim.sonata import with_params
from lso_sim.sonata.order import OrderApi


def harness() -> Harness:
    h = Harness()
    h.orders = OrderApi(h.seller, h._fulfil, h.inventory, h.quotes, offerings=h.world.offerings)
    h.orders.install()
    return h


def order_with_date(h: Harness, days_from_now: float | None) -> dict[str, Any]:
    quote = h.call(CREATE_QUOTE, h.quote_body(instant=True)).payload["id"]
    body = h.order_body(quote)
    if days_from_now is not None:
        date = bodies.timestamp(h.world.sim.now + days_from_now * 86400)
        body["productOrderItem"][0]["requestedCompletionDate"] = date
    answer = h.call(CREATE_PRODUCT_ORDER, body)
    assert answer.status == 201
    payload: dict[str, Any] = answer.payload
    return payload


def retrieve(h: Harness, order_id: str) -> dict[str, Any]:
    body: dict[str, Any] = h.call(RETRIEVE_PRODUCT_ORDER, {"id": order_id}).payload
    return body


def standard_days(h: Harness) -> float:
    return float(h.offering["standard_interval"]) / 86400


def answer_charge(h: Harness, charge_id: str, indicator: str) -> Any:
    patch = {"chargeItem": [{"id": "1", "acceptanceIndicator": indicator}]}
    return h.call(PATCH_CHARGE, with_params({"id": charge_id}, patch))


def test_a_standard_date_raises_no_charge() -> None:
    h = harness()
    order = order_with_date(h, standard_days(h) + 1)
    h.wait(1)
    assert retrieve(h, order["id"])["state"] == "inProgress"
    assert h.call(LIST_CHARGE, {}).payload == []


@pytest.mark.parametrize("answer", ["accepted", "rejected", None])
def test_an_expedite_holds_the_item_until_the_charge_is_answered(answer: str | None) -> None:
    h = harness()
    order = order_with_date(h, standard_days(h) / 2)
    h.wait(1)
    held = retrieve(h, order["id"])
    assert held["state"] == "held.assessingCharge"
    assert held["productOrderItem"][0]["state"] == "held"
    (charge,) = h.call(LIST_CHARGE, {}).payload
    full = h.call(RETRIEVE_CHARGE, {"id": charge["id"]}).payload
    line = full["chargeItem"][0]
    assert (line["priceCategory"], line["blocking"], line["state"]) == ("expedite", False, "awaitingResponse")
    assert line["price"]["dutyFreeAmount"]["value"] == h.offering["expedite_price"]
    due = bodies.seconds(full["responseDueDate"]) - bodies.seconds(full["creationDate"])
    assert due == h.offering["charge_response"]
    # Nothing is delivered while the charge waits, however long the back office would take.
    h.wait(FULFIL_TIME * 2)
    assert retrieve(h, order["id"])["state"] == "held.assessingCharge"
    if answer is not None:
        reply = answer_charge(h, charge["id"], answer)
        assert reply.status == 200 and reply.payload["state"] == "completed"
        assert answer_charge(h, charge["id"], answer).status == 409  # answered once only
        answered_at = h.world.sim.now
    else:
        h.wait(float(h.offering["charge_response"]))
        answered_at = h.world.sim.now
        assert h.call(RETRIEVE_CHARGE, {"id": charge["id"]}).payload["state"] == "timeout"
    h.wait(FULFIL_TIME + 1)
    done = retrieve(h, order["id"])
    assert done["state"] == "completed"
    item = done["productOrderItem"][0]
    ordered = bodies.seconds(done["orderDate"])
    if answer == "accepted":
        assert item["expediteAcceptedIndicator"] is True
        assert item["charge"] == [{"id": charge["id"], "href": f"/charge/{charge['id']}"}]
    else:  # declined or ignored: the expedite is dropped, the standard date applies
        assert "charge" not in item
        assert bodies.seconds(item["requestedCompletionDate"]) == ordered + h.offering["standard_interval"]
    assert answered_at >= ordered


def test_patch_charge_refuses_unknown_charges_and_items() -> None:
    h = harness()
    assert answer_charge(h, "charge-nope", "accepted").status == 404
    order_with_date(h, 1)
    (charge,) = h.call(LIST_CHARGE, {}).payload
    wrong = {"chargeItem": [{"id": "9", "acceptanceIndicator": "accepted"}]}
    # MEF's patchCharge defines no 422: the refusal is fitted to its 409.
    assert h.call(PATCH_CHARGE, with_params({"id": charge["id"]}, wrong)).status == 409


@pytest.mark.parametrize("answer", ["accepted", "rejected"])
def test_bringing_the_date_forward_is_charged_and_blocking(answer: str) -> None:
    h = harness()
    order = order_with_date(h, None)
    h.wait(1)
    earlier = bodies.timestamp(h.world.sim.now + 86400)
    body = {
        "productOrderItem": {"productOrderId": order["id"], "productOrderItemId": "1"},
        "requestedCompletionDate": earlier,
        "relatedContactInformation": [bodies.contact("acme", "buyerContactInformation")],
    }
    request = h.call(CREATE_MODIFY_DELIVERY_DATE, body).payload
    h.wait(1)
    pending = retrieve(h, order["id"])
    assert pending["state"] == "pending.assessingModification"
    assert pending["productOrderItem"][0]["state"] == "pending"
    (charge,) = h.call(LIST_CHARGE, {}).payload
    full = h.call(RETRIEVE_CHARGE, {"id": charge["id"]}).payload
    assert full["chargeItem"][0]["blocking"] is True
    assert full["modifyProductOrderItemRequestedDeliveryDate"]["id"] == request["id"]
    answer_charge(h, charge["id"], answer)
    h.wait(FULFIL_TIME)
    done = retrieve(h, order["id"])
    assert done["state"] == "completed"
    store = h.orders.state.buyer(h.buyer.id)
    modify = store.get("modifyProductOrderItemRequestedDeliveryDate", request["id"])
    assert modify is not None
    if answer == "accepted":
        assert modify.state == "done"
        assert done["productOrderItem"][0]["requestedCompletionDate"] == earlier
    else:
        assert modify.state == "done.declined"
        assert "requestedCompletionDate" not in done["productOrderItem"][0]
