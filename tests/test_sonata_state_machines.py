"""Quote and product order sellers under random buyer operation sequences (hypothesis).

A model tracks what MEF allows in each state; every request must be accepted exactly when its
transition is legal, refused with a MEF error body otherwise, and every recorded history must be
a path of the MEF state machine. Also: hub delivery and cross-buyer isolation through the APIs.
"""

from __future__ import annotations

import itertools
from collections.abc import Generator
from typing import Any

import pytest
import simpy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests_paths import SCENARIO_10_2

from lso_sim.actors.roles import RoleActor
from lso_sim.actors.world import World
from lso_sim.conformance import find_sdk, load_index, validate_message
from lso_sim.messages import bodies
from lso_sim.messages.envelope import Flow, Message
from lso_sim.messages.operations import (
    CANCEL_QUOTE,
    CREATE_CANCEL_PRODUCT_ORDER,
    CREATE_PRODUCT_ORDER,
    CREATE_QUOTE,
    LIST_PRODUCT,
    PATCH_PRODUCT_ORDER,
    PRODUCT_ORDER_ITEM_STATE_CHANGE,
    PRODUCT_ORDER_STATE_CHANGE,
    REJECT_QUOTE,
    RETRIEVE_PRODUCT_ORDER,
    RETRIEVE_QUOTE,
    Operation,
)
from lso_sim.scenarios import load_scenario
from lso_sim.scenarios.build import build_world
from lso_sim.scenarios.schema import Scenario
from lso_sim.sonata import listen, register_listener, state_of, with_params
from lso_sim.sonata.inventory import InventoryApi
from lso_sim.sonata.order import OrderApi
from lso_sim.sonata.quote import QuoteApi
from lso_sim.sonata.store import Resource

FLOW = Flow("test", "sm")
SDK = find_sdk()
INDEX = load_index(SDK) if SDK is not None else None
FULFIL_TIME = 100.0
CONTACT = bodies.contact("acme", "buyerContactInformation")
PRICE_TIME = 50.0


class Harness:
    """A BUS-sp selling quotes and orders with a fixed-time back office, and two buyers."""

    def __init__(self, outcome: str = "completed") -> None:
        data = load_scenario(SCENARIO_10_2).model_dump(mode="json")
        data["customers"].append(
            {
                "id": "globex",
                "name": "Globex",
                "sites": [{"id": "globex-hq", "address": "2 Elm St", "ne": "pe-metro-1"}],
            }
        )
        self.world: World = build_world(Scenario.model_validate(data), [])
        self.seller = self.world.bus_sp
        self.buyer: RoleActor = self.world.customer("acme")
        self.other: RoleActor = self.world.customer("globex")
        self.outcome = outcome
        self.quotes = QuoteApi(self.seller, self._price)
        self.inventory = InventoryApi(self.seller)
        self.orders = OrderApi(self.seller, self._fulfil, self.inventory, self.quotes)
        for api in (self.quotes, self.inventory, self.orders):
            api.install()
        self.offering = self.world.offerings[0]

    def _price(self, msg: Message, quote: Resource) -> Generator[simpy.Event, Any, float | None]:
        if not quote.private["request"].get("instantSyncQuote"):
            yield self.world.sim.env.timeout(PRICE_TIME)
        return 100.0

    def _fulfil(self, msg: Message, order: Resource) -> Generator[simpy.Event, Any, str]:
        yield self.world.sim.env.timeout(FULFIL_TIME)
        return self.outcome

    def call(self, op: Operation, payload: Any, buyer: RoleActor | None = None) -> Message:
        actor = buyer or self.buyer
        if INDEX is not None:
            assert validate_message(str(op.api), op.name, "request", payload, index=INDEX) == []

        def body() -> Generator[simpy.Event, Any, Message]:
            return (yield from actor.call(self.seller.id, op, payload, flow=FLOW, step="x"))

        process = self.world.sim.env.process(body())
        self.world.sim.env.run(until=process)
        answer: Message = process.value
        if INDEX is not None:
            assert (
                validate_message(str(op.api), op.name, "response", answer.payload, answer.status, index=INDEX)
                == []
            )
        return answer

    def wait(self, seconds: float) -> None:
        self.world.sim.env.run(until=self.world.sim.now + seconds)

    def quote_body(self, instant: bool) -> dict[str, Any]:
        return bodies.quote_create(
            self.buyer.id, self.offering, ["acme-hq", "acme-branch"], 10, instant=instant
        )

    def order_body(self, quote_id: str) -> dict[str, Any]:
        return bodies.order_create(self.buyer.id, self.offering, ["acme-hq", "acme-branch"], 10, quote_id)


QUOTE_OPS = st.lists(
    st.one_of(
        st.tuples(st.just("create"), st.booleans()),
        st.tuples(
            st.sampled_from(["cancel", "reject", "order", "cancelOrder", "patch", "wait"]), st.integers(0, 3)
        ),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=QUOTE_OPS)
def test_random_quote_and_order_sequences_follow_mef_machines(ops: list[tuple[str, Any]]) -> None:
    h = Harness()
    quotes: list[str] = []
    orders: list[str] = []
    store = state_of(h.seller).buyer(h.buyer.id)

    def quote_state(i: int) -> str:
        resource = store.get("quote", quotes[i % len(quotes)])
        assert resource is not None
        return resource.state

    def order_state(i: int) -> str:
        resource = store.get("productOrder", orders[i % len(orders)])
        assert resource is not None
        return resource.state

    for name, arg in ops:
        if name == "create":
            answer = h.call(CREATE_QUOTE, h.quote_body(instant=arg))
            assert answer.status == 201
            assert answer.payload["state"] == ("approved.orderable" if arg else "acknowledged")
            quotes.append(answer.payload["id"])
        elif name == "wait":
            h.wait(PRICE_TIME * (arg + 1))
        elif name in ("cancel", "reject", "order") and quotes:
            ident = quotes[arg % len(quotes)]
            before = quote_state(arg)
            if name == "order":
                answer = h.call(CREATE_PRODUCT_ORDER, h.order_body(ident))
                legal = before in ("approved.orderable", "approved.orderableAlternate")
                assert (answer.status == 201) is legal, (before, answer.payload)
                if legal:
                    orders.append(answer.payload["id"])
                    assert quote_state(arg) == "accepted"
                continue
            op, allowed, target = (
                (CANCEL_QUOTE, ("acknowledged", "inProgress"), "cancelled")
                if name == "cancel"
                else (REJECT_QUOTE, ("approved.orderable",), "declined")
            )
            answer = h.call(op, {"quoteId": ident})
            legal = before in allowed
            assert (answer.status == 200) is legal, (name, before, answer.payload)
            assert quote_state(arg) == (target if legal else before)
            if not legal:
                assert answer.status == 422
        elif name == "cancelOrder" and orders:
            ident = orders[arg % len(orders)]
            before = order_state(arg)
            answer = h.call(
                CREATE_CANCEL_PRODUCT_ORDER,
                {"productOrder": {"productOrderId": ident}, "relatedContactInformation": [CONTACT]},
            )
            legal = before in ("acknowledged", "inProgress")
            assert (answer.status == 201) is legal, (before, answer.payload)
            assert order_state(arg) == ("cancelled" if legal else before)
        elif name == "patch" and orders:
            ident = orders[arg % len(orders)]
            before = order_state(arg)
            answer = h.call(PATCH_PRODUCT_ORDER, with_params({"id": ident}, {"externalId": "renamed"}))
            legal = before not in ("completed", "failed", "partial", "cancelled", "rejected")
            assert (answer.status == 200) is legal, (before, answer.payload)
    h.wait(FULFIL_TIME * 2)
    for resource in store:
        if resource.entity is None:
            continue
        history = [s for _, s in resource.entity.history]
        for a, b in itertools.pairwise(history):
            assert resource.entity.machine.can(a, b), (resource.kind, history)
        for item in resource.items.values():
            states = [s for _, s in item.history]
            for a, b in itertools.pairwise(states):
                assert item.machine.can(a, b), (resource.kind, states)
    products = h.call(LIST_PRODUCT, {}).payload
    completed = [
        o for o in orders if store.get("productOrder", o) and order_state(orders.index(o)) == "completed"
    ]
    assert len(products) == len(completed)


@pytest.mark.parametrize("outcome", ["completed", "failed", "partial"])
def test_order_end_states_and_notifications_to_registered_hub(outcome: str) -> None:
    """The buyer's hub hears each order state change (in progress, then the end state); products exist
    only for completed items; item events go to no hub of this buyer (it did not ask for them)."""
    h = Harness(outcome)
    heard: list[Message] = []
    listen(h.buyer, PRODUCT_ORDER_STATE_CHANGE, heard.append)

    def subscribe() -> Generator[simpy.Event, Any, str | None]:
        return (
            yield from register_listener(
                h.buyer,
                h.seller.id,
                "productOrderManagement",
                ["productOrderStateChangeEvent"],
                flow=FLOW,
                step="x",
            )
        )

    h.world.sim.env.process(subscribe())
    h.wait(1)
    quote = h.call(CREATE_QUOTE, h.quote_body(instant=True)).payload["id"]
    order = h.call(CREATE_PRODUCT_ORDER, h.order_body(quote)).payload["id"]
    h.wait(FULFIL_TIME * 2)
    assert [m.payload["event"]["state"] for m in heard] == ["inProgress", outcome]
    assert h.call(RETRIEVE_PRODUCT_ORDER, {"id": order}).payload["state"] == outcome
    products = h.call(LIST_PRODUCT, {}).payload
    assert len(products) == (0 if outcome == "failed" else 1)
    if INDEX is not None:
        for m in heard:
            assert validate_message(str(m.api), m.operation, "notification", m.payload, index=INDEX) == []


def test_buyers_never_see_each_others_resources() -> None:
    """A quote or order of one buyer is 'not found' for another, and absent from its lists."""
    h = Harness()
    quote = h.call(CREATE_QUOTE, h.quote_body(instant=True)).payload["id"]
    order = h.call(CREATE_PRODUCT_ORDER, h.order_body(quote)).payload["id"]
    h.wait(FULFIL_TIME * 2)
    assert h.call(RETRIEVE_QUOTE, {"id": quote}, buyer=h.other).status == 404
    assert h.call(RETRIEVE_PRODUCT_ORDER, {"id": order}, buyer=h.other).status == 404
    assert h.call(LIST_PRODUCT, {}, buyer=h.other).payload == []
    answer = h.call(CREATE_PRODUCT_ORDER, h.order_body(quote), buyer=h.other)
    assert (answer.status, answer.payload[0]["code"]) == (422, "referenceNotFound")
    assert h.call(RETRIEVE_QUOTE, {"id": quote}).status == 200


def test_hub_without_query_hears_item_events_before_the_order_event() -> None:
    """A hub taking every event hears each item change and the order's, for inProgress and the end.

    Events sent at the same instant may arrive in either order (each draws its own latency)."""
    h = Harness("completed")
    heard: list[tuple[str, str]] = []
    for op in (PRODUCT_ORDER_STATE_CHANGE, PRODUCT_ORDER_ITEM_STATE_CHANGE):
        listen(h.buyer, op, lambda m: heard.append((m.payload["eventType"], m.payload["event"]["state"])))

    def subscribe() -> Generator[simpy.Event, Any, str | None]:
        return (
            yield from register_listener(
                h.buyer, h.seller.id, "productOrderManagement", None, flow=FLOW, step="x"
            )
        )

    h.world.sim.env.process(subscribe())
    h.wait(1)
    quote = h.call(CREATE_QUOTE, h.quote_body(instant=True)).payload["id"]
    h.call(CREATE_PRODUCT_ORDER, h.order_body(quote))
    h.wait(FULFIL_TIME * 2)
    assert sorted(heard) == [
        ("productOrderItemStateChangeEvent", "completed"),
        ("productOrderItemStateChangeEvent", "inProgress"),
        ("productOrderStateChangeEvent", "completed"),
        ("productOrderStateChangeEvent", "inProgress"),
    ]


@pytest.mark.parametrize(("state", "status"), [("terminated", "terminated"), ("active", "active")])
def test_a_service_read_before_its_product_exists_shows_on_the_product_when_created(
    state: str, status: str
) -> None:
    """Over lossy channels SOF's service event (and BUS's read of it) can come before BUS learns that
    the order delivering the service completed: a service built, then taken down by compensation.
    The product created afterwards shows the state read, not ``active`` over a terminated service."""
    h = Harness()
    quote = h.call(CREATE_QUOTE, h.quote_body(instant=True)).payload["id"]
    order = h.call(CREATE_PRODUCT_ORDER, h.order_body(quote)).payload["id"]
    h.inventory.note_service_without_product(f"svc-{order}", None, state)  # read before completion
    h.wait(FULFIL_TIME * 2)
    (product,) = h.call(LIST_PRODUCT, {}).payload
    assert product["status"] == status
    assert h.inventory.product_of_service(f"svc-{order}") is not None
