"""Product order items that modify or delete a delivered product, through the whole 10.2 back office.

The canonical 10.2 scenario delivers Acme's product (200 Mb/s between its head office and a branch
only the partner reaches). Then Acme orders changes from BUS-sp directly: a ``modify`` item with a
new bandwidth, a ``delete`` item, or several items in one order. Each change reaches SOF-sp as a
LEGATO service order and the partner through INTERLUDE or, with option ``legato-sonata``, a SONATA
product order from BUS-sp. What is checked: the bookings on every link of the path, the product
(MEF status and configuration) in both inventories, the service in SOF's, the MEF order and item
states, the 422 refusals, and every MEF payload against the SDK.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from conftest import SCENARIOS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lso_sim.actors.world import World
from lso_sim.conformance import find_sdk, load_index, validate_trace_record
from lso_sim.engine.observers import MemoryTrace
from lso_sim.messages import Message, bodies
from lso_sim.messages.envelope import Flow
from lso_sim.messages.operations import CREATE_PRODUCT_ORDER, CREATE_QUOTE
from lso_sim.scenarios import load_scenario
from lso_sim.scenarios.build import build_world, order_requests
from lso_sim.scenarios.schema import Scenario
from lso_sim.sonata import state_of
from lso_sim.threads import ordering
from lso_sim.threads.ordering import OrderRequest
from lso_sim.trace.records import to_record

BASE = load_scenario(SCENARIOS / "thread-10.2.yaml")
MODES = ("interlude", "legato-sonata")
PATH_LINKS = 7  # two access links, three SP links, the ENNI, one partner link


def scenario(mode: str, **links: float) -> Scenario:
    """The 10.2 scenario with ``partner_fulfilment: mode`` (and link capacities overridden)."""
    data = BASE.model_dump(mode="json")
    data["options"]["partner_fulfilment"] = mode
    # Access links as wide as the core: the tests narrow one link of the path on purpose.
    for customer in data["customers"]:
        for site in customer["sites"]:
            site["capacity_mbps"] = 10000.0
    for link in data["topology"]["links"]:
        key = f"{link['a']}__{link['b']}"
        if key in links:
            link["capacity_mbps"] = links[key]
    return Scenario.model_validate(data)


@dataclass
class Lab:
    """A 10.2 world Acme orders in, step by step (each step runs the simulation until it is idle)."""

    world: World
    trace: MemoryTrace
    orders: int = 0
    answers: list[Message] = field(default_factory=list)

    @classmethod
    def open(cls, mode: str = "interlude", **links: float) -> Lab:
        trace = MemoryTrace()
        built = scenario(mode, **links)
        world = build_world(built, [trace])
        lab = cls(world, trace)
        lab.template = order_requests(built, world)[0]
        return lab

    template: OrderRequest = field(init=False)

    def add(self, bandwidth: float) -> str | None:
        """Order a new product the 10.2 way (qualification, quote, order, acceptance); its id."""
        self.orders += 1
        request = OrderRequest(
            self.template.customer,
            self.template.sites,
            bandwidth,
            self.template.offering,
            self.world.sim.now,
            f"acme/add-{self.orders}",
        )
        self.world.sim.env.process(ordering.run(self.world, request))
        self.world.sim.run()
        outcome = self.world.outcomes[request.instance]
        product = outcome.detail.get("product") if outcome.state == "completed" else None
        return str(product) if product else None

    def order(self, *items: dict[str, Any]) -> Message:
        """Acme sends BUS-sp a createProductOrder with ``items`` and the run goes on until idle."""
        self.orders += 1
        body = {
            "externalId": "PO-acme-change",
            "relatedContactInformation": [bodies.contact("acme", "buyerContactInformation")],
            "productOrderItem": [dict(item, id=str(n)) for n, item in enumerate(items, 1)],
        }
        customer = self.world.customer("acme")
        flow = Flow("10.2", f"acme/change-{self.orders}")

        def send() -> Any:
            answer = yield from customer.call(
                self.world.bus_sp.id, CREATE_PRODUCT_ORDER, body, flow=flow, step="4"
            )
            self.answers.append(answer)

        self.world.sim.env.process(send())
        self.world.sim.run()
        return self.answers[-1]

    def seller(self, seller: str, kind: str, ident: str, buyer: str = "acme") -> dict[str, Any]:
        resource = state_of(self.world.sim.actors[seller]).buyer(buyer).get(kind, ident)  # type: ignore[arg-type]
        assert resource is not None
        return resource.body

    def partner_products(self) -> list[dict[str, Any]]:
        store = state_of(self.world.sim.actors["bus-partner-1"]).buyer("bus-sp")  # type: ignore[arg-type]
        return [r.body for r in store.all("product")]

    def booked(self) -> dict[tuple[str, str], float]:
        graph = self.world.topology.graph
        return {(a, b): float(d["used"]) for a, b, d in graph.edges(data=True)}

    def quote(self, bandwidth: float) -> str:
        """An instant quote for one more product between Acme's sites (for an add item)."""
        offering = self.world.offering(self.template.offering)
        body = bodies.quote_create("acme", offering, list(self.template.sites), bandwidth, instant=True)
        customer = self.world.customer("acme")
        answers: list[Message] = []

        def send() -> Any:
            answer = yield from customer.call(
                self.world.bus_sp.id, CREATE_QUOTE, body, flow=Flow("10.2", "acme/quote"), step="2"
            )
            answers.append(answer)

        self.world.sim.env.process(send())
        self.world.sim.run()
        assert answers[0].status == 201 and answers[0].payload["state"] == "approved.orderable"
        return str(answers[0].payload["id"])

    def add_item(self, bandwidth: float) -> dict[str, Any]:
        offering = self.world.offering(self.template.offering)
        item = bodies.order_create(
            "acme", offering, list(self.template.sites), bandwidth, self.quote(bandwidth)
        )
        return {k: v for k, v in item["productOrderItem"][0].items() if k != "id"}

    def path_bookings(self) -> list[float]:
        return [used for used in self.booked().values() if used] or [0.0]

    def products(self) -> list[dict[str, Any]]:
        store = state_of(self.world.sim.actors["bus-sp"]).buyer("acme")  # type: ignore[arg-type]
        return [r.body for r in store.all("product")]


def modify(product: str, bandwidth: float) -> dict[str, Any]:
    offering = {"id": "epl-retail", "specification": BASE.offerings[0].specification}
    configuration = bodies.product_configuration(offering, bandwidth, ["acme-hq", "acme-branch"])
    return {"action": "modify", "product": {"id": product, "productConfiguration": configuration}}


def delete(product: str) -> dict[str, Any]:
    return {"action": "delete", "product": {"id": product}}


def bandwidth_of(product: dict[str, Any]) -> float | None:
    return bodies.configured_bandwidth(product.get("productConfiguration"))


def sof_service(lab: Lab, domain: str = "sp") -> Any:
    (record,) = [r for r in lab.world.sof[domain].services.values() if r.order.state == "completed"][:1]
    return record


def item_states(order: dict[str, Any]) -> list[str]:
    return [i["state"] for i in order["productOrderItem"]]


def configured(lab: Lab, construct_prefix: str) -> dict[str, float]:
    """Bandwidth each NE is configured with for the constructs whose id starts with the prefix."""
    return {
        ne: float(config["bandwidthMbps"])
        for ecm in lab.world.ecms.values()
        for ne, constructs in ecm.configuration.items()
        for construct, config in constructs.items()
        if construct.startswith(construct_prefix)
    }


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("wanted", [500.0, 50.0], ids=["up", "down"])
def test_a_modify_item_changes_the_product_and_rebooks_every_link(mode: str, wanted: float) -> None:
    lab = Lab.open(mode)
    product = lab.add(200)
    assert product is not None and set(lab.path_bookings()) == {200.0}
    answer = lab.order(modify(product, wanted))
    assert answer.status == 201 and answer.payload["state"] == "acknowledged"
    order = lab.seller("bus-sp", "productOrder", answer.payload["id"])
    assert order["state"] == "completed" and item_states(order) == ["completed"]
    booked = [used for used in lab.booked().values() if used]
    assert len(booked) == PATH_LINKS and set(booked) == {wanted}
    body = lab.seller("bus-sp", "product", product)
    assert body["status"] == "active" and bandwidth_of(body) == wanted
    assert [i["productOrderId"] for i in body["productOrderItem"]][-1] == order["id"]
    assert sof_service(lab).bandwidth_mbps == wanted
    service = sof_service(lab).service.id
    assert set(configured(lab, service).values()) == {wanted}  # every SP NE carries the new rate
    (partner,) = lab.partner_products()
    assert partner["status"] == "active"
    # Changed by a SONATA modify order, or followed from SOF-partner's inventory event (INTERLUDE).
    assert bandwidth_of(partner) == wanted
    # The buyer heard the order and its end: inProgress then completed.
    events = [
        r.payload["event"]["state"]
        for r in lab.trace.records
        if r.operation == "productOrderStateChangeEvent"
        and r.dst == "acme"
        and r.payload["event"]["id"] == order["id"]
    ]
    assert events == ["inProgress", "completed"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "link", ["pe-metro-1__agg-metro-1", "pn-access-1__pn-access-2"], ids=["sp", "partner"]
)
def test_a_modify_beyond_capacity_fails_and_books_nothing(mode: str, link: str) -> None:
    lab = Lab.open(mode, **{link: 1000.0})
    product = lab.add(200)
    assert product is not None
    before = lab.booked()
    answer = lab.order(modify(product, 1500))
    assert answer.status == 201
    order = lab.seller("bus-sp", "productOrder", answer.payload["id"])
    assert order["state"] == "failed" and item_states(order) == ["failed"]
    assert lab.booked() == before
    body = lab.seller("bus-sp", "product", product)
    assert body["status"] == "active" and bandwidth_of(body) == 200.0
    changed = [
        r
        for r in lab.trace.records
        if r.instance == answer.instance and r.operation == "update-connectivity-service"
    ]
    assert changed == []
    assert sof_service(lab).bandwidth_mbps == 200.0


@pytest.mark.parametrize("mode", MODES)
def test_a_delete_item_releases_everything_and_terminates_product_and_service(mode: str) -> None:
    lab = Lab.open(mode)
    product = lab.add(200)
    assert product is not None
    record = sof_service(lab)
    answer = lab.order(delete(product))
    order = lab.seller("bus-sp", "productOrder", answer.payload["id"])
    assert order["state"] == "completed" and item_states(order) == ["completed"]
    assert set(lab.booked().values()) == {0.0}
    body = lab.seller("bus-sp", "product", product)
    assert body["status"] == "terminated" and "terminationDate" in body
    assert record.service.state == "terminated" and record.reserved == ()
    partner_record = next(iter(lab.world.sof["partner-1"].services.values()))
    assert partner_record.service.state == "terminated"
    # No NE keeps a configuration of the service, no ICM a construct, no flow carries traffic.
    assert all(not constructs for ecm in lab.world.ecms.values() for constructs in ecm.configuration.values())
    assert all(not icm.constructs for icm in lab.world.icms.values())
    (partner,) = lab.partner_products()
    assert partner["status"] == "terminated"  # by its own order, or SOF-partner's serviceDeleteEvent
    # A terminated product cannot be disconnected again.
    again = lab.order(delete(product))
    assert again.status == 422
    assert again.payload == [
        {
            "code": "invalidValue",
            "reason": again.payload[0]["reason"],
            "propertyPath": "/productOrderItem/0/product/id",
        }
    ]


@pytest.mark.parametrize(
    ("items", "code", "path"),
    [
        ([{"action": "delete", "product": {}}], "missingProperty", "/productOrderItem/0/product/id"),
        ([{"action": "modify"}], "missingProperty", "/productOrderItem/0/product/id"),
        ([delete("product-nowhere")], "referenceNotFound", "/productOrderItem/0/product/id"),
        (
            [{"action": "modify", "product": {"id": "P"}}],
            "missingProperty",
            "/productOrderItem/0/product/productConfiguration",
        ),
        (
            [{"action": "delete", "product": {"id": "P", "productOffering": {"id": "epl-retail"}}}],
            "unexpectedProperty",
            "/productOrderItem/0/product/productOffering",
        ),
        ([delete("P"), modify("P", 300)], "invalidValue", "/productOrderItem/1/product/id"),
        (
            [
                {
                    "action": "modify",
                    "product": {
                        "id": "P",
                        "productConfiguration": modify("P", 300)["product"]["productConfiguration"]
                        | {"@type": "urn:other"},
                    },
                }
            ],
            "invalidValue",
            "/productOrderItem/0/product/productConfiguration/@type",
        ),
    ],
    ids=["no-id", "no-product", "unknown", "no-configuration", "delete-extra", "twice", "other-type"],
)
def test_bad_references_are_refused_with_mef_422(items: list[dict[str, Any]], code: str, path: str) -> None:
    lab = Lab.open()
    product = lab.add(200)
    assert product is not None
    named = [
        {**item, "product": {**item["product"], "id": product}}
        if item.get("product", {}).get("id") == "P"
        else item
        for item in items
    ]
    before = lab.booked()
    answer = lab.order(*named)
    assert answer.status == 422
    assert [(e["code"], e["propertyPath"]) for e in answer.payload] == [(code, path)]
    assert lab.seller("bus-sp", "product", product)["status"] == "active"
    assert lab.booked() == before


def test_a_mixed_order_ends_partial_with_each_item_in_its_own_state() -> None:
    lab = Lab.open("legato-sonata", **{"pe-metro-1__agg-metro-1": 1000.0})
    kept, dropped = lab.add(200), lab.add(300)
    assert kept is not None and dropped is not None
    answer = lab.order(lab.add_item(100), modify(kept, 2000), delete(dropped))
    assert answer.status == 201
    order = lab.seller("bus-sp", "productOrder", answer.payload["id"])
    assert order["state"] == "partial"
    assert item_states(order) == ["completed", "failed", "completed"]
    added = order["productOrderItem"][0]["product"]["id"]  # MEF: the order names the new product
    statuses = {p["id"]: (p["status"], bandwidth_of(p)) for p in lab.products()}
    assert statuses == {kept: ("active", 200.0), dropped: ("terminated", 300.0), added: ("active", 100.0)}
    booked = [used for used in lab.booked().values() if used]
    assert len(booked) == PATH_LINKS and set(booked) == {300.0}


SDK = find_sdk()


@pytest.mark.skipif(SDK is None, reason="MEF LSO SDK not found (../shared/mef-lso-sdk or $LSO_MEF_SDK)")
@pytest.mark.parametrize("mode", MODES)
def test_every_payload_of_modify_and_delete_orders_is_valid_against_the_sdk(mode: str) -> None:
    assert SDK is not None
    lab = Lab.open(mode, **{"pe-metro-1__agg-metro-1": 1000.0})
    first, second = lab.add(200), lab.add(100)
    assert first is not None and second is not None
    lab.order(modify(first, 400))
    lab.order(modify(second, 5000))  # fails
    lab.order(delete(first), modify(second, 50))
    lab.order(delete(first))  # 422
    records = [to_record(m) for m in lab.trace.records if m.api is not None]
    shaped = {r["operation"] for r in records}
    assert {"createServiceOrder", "update-connectivity-service", "delete-connectivity-service"} <= shaped
    index = load_index(SDK)
    assert [e for r in records for e in validate_trace_record(r, index=index)] == []


OPS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.sampled_from([100.0, 250.0, 400.0])),
        st.tuples(st.just("modify"), st.integers(0, 5), st.sampled_from([50.0, 300.0, 900.0])),
        st.tuples(st.just("delete"), st.integers(0, 5)),
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=OPS, mode=st.sampled_from(MODES))
def test_bookings_always_equal_the_active_products_bandwidths(ops: list[tuple[Any, ...]], mode: str) -> None:
    """Whatever Acme adds, modifies and deletes (some beyond capacity), every link of the path is
    booked exactly the sum of the bandwidths of its active products."""
    lab = Lab.open(mode, **{"pe-metro-1__agg-metro-1": 1000.0})
    products: list[str] = []
    for op in ops:
        live = [p for p in products if lab.seller("bus-sp", "product", p)["status"] == "active"]
        if op[0] == "add" or not live:
            added = lab.add(op[-1] if op[0] == "add" else 100.0)
            if added is not None:
                products.append(added)
        elif op[0] == "modify":
            lab.order(modify(live[op[1] % len(live)], op[2]))
        else:
            lab.order(delete(live[op[1] % len(live)]))
        active = sum(bandwidth_of(p) or 0.0 for p in lab.products() if p["status"] == "active")
        assert set(lab.path_bookings()) == {active}
        assert sum(1 for used in lab.booked().values() if used) in (0, PATH_LINKS)
