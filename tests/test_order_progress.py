"""10.2 step 13 note: the buyer sees its order move item by item, and the seller's committed dates.

Over CANTATA (BUS-sp to the Customer) and SONATA (a partner's BUS to BUS-sp, the step-6 order),
every order item state change is a MEF ``productOrderItemStateChangeEvent`` on the buyer's hub, and
each item carries MEF's ``expectedCompletionDate`` (the seller's commitment) from the 201 on, or
from the moment an expedite charge settles (then ``productOrderItemExpectedCompletionDateSet``).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest
import simpy
from assurance_helpers import canonical, conformance_errors
from conftest import SCENARIOS, Runner
from test_sonata_charges import answer_charge, harness, order_with_date, retrieve, standard_days
from test_sonata_state_machines import FLOW, FULFIL_TIME, Harness

from lso_sim.messages import Kind, Message, bodies
from lso_sim.messages.operations import (
    CREATE_MODIFY_DELIVERY_DATE,
    CREATE_PRODUCT_ORDER,
    CREATE_QUOTE,
    LIST_CHARGE,
    PRODUCT_ORDER_ITEM_STATE_CHANGE,
    PRODUCT_ORDER_STATE_CHANGE,
)
from lso_sim.scenarios import load_scenario
from lso_sim.sonata import listen, register_listener
from lso_sim.sonata.order import ORDER_EVENTS
from lso_sim.threads.catalog import THREADS

HOPS = [("CANTATA", "BUS-sp", "Customer"), ("SONATA", "BUS-partner", "BUS-sp")]
"""(IRP, seller role, buyer role) of the two product order relationships of 10.2."""


def _events(records: list[Message], irp: str, seller: str, buyer: str, operation: str) -> list[Message]:
    return [
        r
        for r in records
        if r.kind is Kind.NOTIFICATION
        and r.operation == operation
        and (r.irp, r.src_role, r.dst_role) == (irp, seller, buyer)
    ]


@pytest.mark.parametrize(("irp", "seller", "buyer"), HOPS)
def test_each_item_state_change_reaches_the_buyer_before_its_order_event(
    irp: str, seller: str, buyer: str, run: Runner
) -> None:
    """One-item orders: the item events say the same moves as the order events, each one first."""
    _, trace = run(canonical("10.2"))
    records = list(trace.records)
    items = _events(records, irp, seller, buyer, "productOrderItemStateChangeEvent")
    orders = _events(records, irp, seller, buyer, "productOrderStateChangeEvent")
    moves = [(e.payload["event"]["id"], e.payload["event"]["state"]) for e in items]
    assert moves == [(e.payload["event"]["id"], e.payload["event"]["state"]) for e in orders]
    assert [s for _, s in moves] == ["inProgress", "completed"]
    assert all(e.payload["event"]["orderItemId"] == "1" for e in items)
    for item, order in zip(items, orders, strict=True):
        assert records.index(item) < records.index(order)
        assert item.step == order.step
    assert conformance_errors(items) == []


def test_the_step_6_partner_order_carries_the_partners_commitment(run: Runner) -> None:
    """The 201 of step 6 has an expectedCompletionDate per item, after the order date."""
    _, trace = run(canonical("10.2"))
    created = [
        r
        for r in trace.records
        if r.kind is Kind.RESPONSE and r.operation == "createProductOrder" and r.step == "6"
    ]
    assert [r.status for r in created] == [201]
    order = created[0].payload
    for item in order["productOrderItem"]:
        committed = bodies.seconds(item["expectedCompletionDate"])
        assert committed > bodies.seconds(order["orderDate"])
    assert conformance_errors(created) == []


@pytest.mark.parametrize("days", [None, "standard+1"])
def test_a_seller_commits_to_the_requested_or_else_the_standard_date(days: str | None) -> None:
    h = harness()
    wanted = standard_days(h) + 1 if days else None
    order = order_with_date(h, wanted)
    item = order["productOrderItem"][0]
    if wanted is None:
        standard = bodies.seconds(order["orderDate"]) + float(h.offering["standard_interval"])
        assert bodies.seconds(item["expectedCompletionDate"]) == standard
    else:
        assert item["expectedCompletionDate"] == item["requestedCompletionDate"]


@pytest.mark.parametrize("answer", ["accepted", "rejected"])
def test_an_expedite_is_committed_only_once_its_charge_settles(answer: str) -> None:
    h = harness()
    order = order_with_date(h, standard_days(h) / 2)
    assert "expectedCompletionDate" not in order["productOrderItem"][0]  # not known in the 201
    h.wait(1)
    (charge,) = h.call(LIST_CHARGE, {}).payload
    answer_charge(h, charge["id"], answer)
    h.wait(1)
    item = retrieve(h, order["id"])["productOrderItem"][0]
    assert item["expectedCompletionDate"] == item["requestedCompletionDate"]
    if answer == "rejected":  # the standard date replaced the early one
        standard = bodies.seconds(order["orderDate"]) + float(h.offering["standard_interval"])
        assert bodies.seconds(item["expectedCompletionDate"]) == standard


def test_a_new_delivery_date_moves_the_commitment() -> None:
    h = harness()
    order = order_with_date(h, None)
    h.wait(1)
    later = bodies.timestamp(bodies.seconds(order["orderDate"]) + 2 * float(h.offering["standard_interval"]))
    body = {
        "productOrderItem": {"productOrderId": order["id"], "productOrderItemId": "1"},
        "requestedCompletionDate": later,
        "relatedContactInformation": [bodies.contact("acme", "buyerContactInformation")],
    }
    assert h.call(CREATE_MODIFY_DELIVERY_DATE, body).status == 201
    h.wait(1)
    assert retrieve(h, order["id"])["productOrderItem"][0]["expectedCompletionDate"] == later


def test_a_buyer_hub_hears_when_a_charged_items_date_is_set(run: Runner) -> None:
    """The API tour's Acme registers for it: each settled expedite tells Acme, naming the item."""
    _, trace = run(load_scenario(SCENARIOS / "sonata-api-tour.yaml"))
    dated: list[dict[str, Any]] = [
        r.payload
        for r in trace.records
        if r.kind is Kind.NOTIFICATION and r.operation == "productOrderItemExpectedCompletionDateSet"
    ]
    assert len(dated) >= 2
    assert all(set(p["event"]) == {"id", "href", "orderItemId"} for p in dated)
    assert conformance_errors(
        [r for r in trace.records if r.operation == "productOrderItemExpectedCompletionDateSet"]
    ) == []


def test_thread_10_4_gives_each_hop_of_mefs_4_1_its_own_label(run: Runner) -> None:
    """MEF 4.1 is SOF-sp -> PRESTO -> ICM, then ICM -> ADAGIO -> ECM: 4a and 4a-ecm, both catalogued."""
    _, trace = run(canonical("10.4"))
    labelled = {
        (r.step, r.irp, r.src_role, r.dst_role)
        for r in trace.records
        if r.kind is Kind.REQUEST and r.step in ("4a", "4a-ecm")
    }
    assert labelled == {("4a", "PRESTO", "SOF-sp", "ICM"), ("4a-ecm", "ADAGIO", "ICM", "ECM")}
    assert not [r for r in trace.records if r.irp == "ADAGIO" and r.step == "4a"]
    assert {"4a", "4a-ecm"} <= set(THREADS["10.4"].steps)
    assert {r.step for r in trace.records if r.thread == "10.4"} <= set(THREADS["10.4"].steps) | {"end"}


def test_a_two_item_order_announces_each_items_own_moves() -> None:
    """Items end apart (a partial order): each item's events follow its own states, then the order's."""
    h = Harness("partial")
    heard: list[tuple[str, str | None, str]] = []
    for op in (PRODUCT_ORDER_STATE_CHANGE, PRODUCT_ORDER_ITEM_STATE_CHANGE):
        listen(
            h.buyer,
            op,
            lambda m: heard.append(
                (m.payload["eventType"], m.payload["event"].get("orderItemId"), m.payload["event"]["state"])
            ),
        )

    def subscribe() -> Generator[simpy.Event, Any, str | None]:
        return (
            yield from register_listener(
                h.buyer, h.seller.id, "productOrderManagement", list(ORDER_EVENTS), flow=FLOW, step="x"
            )
        )

    h.world.sim.env.process(subscribe())
    h.wait(1)
    quote = h.call(CREATE_QUOTE, h.quote_body(instant=True)).payload["id"]
    body = h.order_body(quote)
    other = h.call(CREATE_QUOTE, h.quote_body(instant=True)).payload["id"]
    second = dict(h.order_body(other)["productOrderItem"][0], id="2")
    body["productOrderItem"].append(second)
    answer = h.call(CREATE_PRODUCT_ORDER, body)
    assert answer.status == 201
    assert all("expectedCompletionDate" in i for i in answer.payload["productOrderItem"])
    h.wait(FULFIL_TIME * 2)
    items = sorted((i, s) for e, i, s in heard if e == "productOrderItemStateChangeEvent")
    assert items == [("1", "completed"), ("1", "inProgress"), ("2", "failed"), ("2", "inProgress")]
    orders = [s for e, _, s in heard if e == "productOrderStateChangeEvent"]
    assert sorted(orders) == ["inProgress", "partial"]
