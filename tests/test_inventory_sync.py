"""A service changed below a BUS shows on the BUS's product (MEF service inventory events).

10.3 changes the bandwidth of a live service over ALLEGRO and the partner component over
INTERLUDE; a product order's INTERLUDE ``modify``/``delete`` changes or removes the partner's
component. In each case the SOF whose service changed tells its BUS over LEGATO, the BUS reads
the service (``serviceGet``) and its product shows the new bandwidth or ``terminated``. A remedy
(10.6) or a reroute (10.5) keeps the bandwidth: no event.
"""

from __future__ import annotations

from typing import Any

import pytest
from assurance_helpers import canonical, conformance_errors
from conftest import Runner
from test_sonata_modify_delete import Lab, bandwidth_of, delete, modify

from lso_sim.messages import Kind, Message
from lso_sim.messages.envelope import Flow
from lso_sim.messages.operations import RETRIEVE_PRODUCT
from lso_sim.sonata import state_of

SYNC_OPS = {"serviceAttributeValueChangeEvent", "serviceDeleteEvent", "serviceGet"}


def products(world: Any, seller: str, buyer: str) -> list[dict[str, Any]]:
    store = state_of(world.sim.actors[seller]).buyer(buyer)
    return [r.body for r in store.all("product")]


def test_after_10_3_both_products_show_the_final_bandwidth(run: Runner) -> None:
    result, trace = run(canonical("10.3"))
    world = result.world
    (record,) = world.sof_sp.services.values()
    assert record.bandwidth_mbps == 300.0
    (sp_product,) = products(world, "bus-sp", "acme")
    (partner_product,) = products(world, "bus-partner-1", "bus-sp")
    assert bandwidth_of(sp_product) == 300.0 and bandwidth_of(partner_product) == 300.0
    assert sp_product["status"] == partner_product["status"] == "active"
    assert sp_product["lastUpdateDate"] > sp_product["startDate"]
    # CANTATA retrieveProduct answers the same.
    answers: list[Message] = []

    def read() -> Any:
        customer = world.customer("acme")
        flow = Flow("10.3", "acme/read-product")
        answers.append(
            (
                yield from customer.call(
                    "bus-sp", RETRIEVE_PRODUCT, {"id": sp_product["id"]}, flow=flow, step="1"
                )
            )
        )

    world.sim.env.process(read())
    world.sim.run()
    assert answers[0].status == 200 and bandwidth_of(answers[0].payload) == 300.0
    sync = [r for r in trace.records if r.operation in SYNC_OPS]
    assert {(r.step, r.src, r.dst, r.operation) for r in sync if r.instance == "acme/change-1"} == {
        ("8", "sof-partner-1", "bus-partner-1", "serviceAttributeValueChangeEvent"),
        ("8", "bus-partner-1", "sof-partner-1", "serviceGet"),
        ("8", "sof-partner-1", "bus-partner-1", "serviceGet"),
        ("13", "sof-sp", "bus-sp", "serviceAttributeValueChangeEvent"),
        ("13", "bus-sp", "sof-sp", "serviceGet"),
        ("13", "sof-sp", "bus-sp", "serviceGet"),
    }
    assert all(r.status == 200 for r in sync if r.kind is Kind.RESPONSE)
    assert not [r for r in trace.records if r.operation == "productInventoryNotUpdated"]
    assert conformance_errors(sync) == []


def test_a_refused_change_sends_no_event(run: Runner) -> None:
    _result, trace = run(canonical("10.3"))
    assert not [r for r in trace.records if r.instance == "acme/change-2" and r.operation in SYNC_OPS]


@pytest.mark.parametrize("wanted", [500.0, 50.0], ids=["up", "down"])
def test_an_interlude_modify_shows_on_the_partner_product(wanted: float) -> None:
    lab = Lab.open("interlude")
    product = lab.add(200)
    assert product is not None
    lab.order(modify(product, wanted))
    (partner,) = lab.partner_products()
    assert partner["status"] == "active" and bandwidth_of(partner) == wanted
    sync = [r for r in lab.trace.records if r.operation in SYNC_OPS]
    assert {(r.step, r.src, r.dst) for r in sync if r.kind is not Kind.RESPONSE} == {
        ("13", "sof-partner-1", "bus-partner-1"),
        ("13", "bus-partner-1", "sof-partner-1"),
    }
    assert conformance_errors(sync) == []


def test_an_interlude_delete_terminates_the_partner_product() -> None:
    lab = Lab.open("interlude")
    product = lab.add(200)
    assert product is not None
    lab.order(delete(product))
    (partner,) = lab.partner_products()
    assert partner["status"] == "terminated" and "terminationDate" in partner
    (event,) = [r for r in lab.trace.records if r.operation == "serviceDeleteEvent"]
    assert event.step == "13" and event.dst == "bus-partner-1"
    assert conformance_errors([r for r in lab.trace.records if r.operation in SYNC_OPS]) == []


def test_legato_sonata_changes_need_no_event() -> None:
    """The partner's BUS ordered the change itself: its order updates the product."""
    lab = Lab.open("legato-sonata")
    product = lab.add(200)
    assert product is not None
    lab.order(modify(product, 400))
    lab.order(delete(product))
    assert not [r for r in lab.trace.records if r.operation in SYNC_OPS]
    (partner,) = lab.partner_products()
    assert partner["status"] == "terminated"


@pytest.mark.parametrize(
    ("thread", "change"), [("10.5", "computeReroute"), ("10.6", "modifyServiceComponent")]
)
def test_remedies_and_reroutes_keep_the_bandwidth_and_send_no_event(
    thread: str, change: str, run: Runner
) -> None:
    result, trace = run(canonical(thread))
    assert any(r.operation == change for r in trace.records)  # the service was worked on
    assert not [r for r in trace.records if r.thread == thread and r.operation in SYNC_OPS]
    for product in products(result.world, "bus-partner-1", "bus-sp"):
        assert product["status"] == "active"
