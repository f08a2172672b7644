"""The trouble ticket seller API: MEF states (hypothesis), errors, hub events, buyer isolation."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest
import simpy
from conftest import SCENARIOS
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from lso_sim.actors.roles import BusinessApplications, RoleActor
from lso_sim.actors.world import World
from lso_sim.conformance import find_sdk, validate_message
from lso_sim.lifecycle.machines import PRODUCT
from lso_sim.lifecycle.state_machine import Stateful
from lso_sim.messages import trouble_bodies as tb
from lso_sim.messages.envelope import Flow, Message
from lso_sim.messages.operations import (
    CANCEL_TROUBLE_TICKET,
    CLOSE_TROUBLE_TICKET,
    CREATE_TROUBLE_TICKET,
    LIST_INCIDENT,
    LIST_TROUBLE_TICKET,
    PATCH_TROUBLE_TICKET,
    REOPEN_TROUBLE_TICKET,
    RETRIEVE_INCIDENT,
    RETRIEVE_TROUBLE_TICKET,
    TICKET_RESOLVED,
    TICKET_STATUS_CHANGE,
    Operation,
)
from lso_sim.scenarios import load_scenario
from lso_sim.scenarios.build import build_world
from lso_sim.scenarios.schema import Scenario
from lso_sim.sonata import Resource, listen, register_listener, state_of, with_params
from lso_sim.sonata.trouble_ticket import CANCELLABLE, NOT_PATCHABLE, TROUBLE_TICKET, TicketDesk

FLOW = Flow("test", "t-1")
SDK = find_sdk()


def _world() -> tuple[World, TicketDesk]:
    """The canonical 10.2 world with a second Customer (globex), and a ticket desk on BUS-sp."""
    data = load_scenario(SCENARIOS / "thread-10.2.yaml").model_dump(mode="json")
    data["customers"].append(
        {"id": "globex", "sites": [{"id": "globex-hq", "address": "2 Side Street", "ne": "pe-metro-1"}]}
    )
    world = build_world(Scenario.model_validate(data), [])
    desk = TicketDesk(world.bus_sp)
    desk.install()
    return world, desk


def _give_product(bus: BusinessApplications, buyer: str, product_id: str = "product-1") -> str:
    """Put a delivered product in ``buyer``'s store at ``bus`` (what 10.2 leaves behind)."""
    resource = Resource(
        "product",
        product_id,
        {"id": product_id, "productOffering": {"id": "epl-retail"}},
        Stateful(product_id, PRODUCT, 0.0),
        private={"order": "order-1"},
    )
    state_of(bus).buyer(buyer).add(resource)
    return product_id


def _call(world: World, buyer: RoleActor, op: Operation, payload: Any) -> Message:
    def body() -> Generator[simpy.Event, Any, Message]:
        return (yield from buyer.call(world.bus_sp.id, op, payload, flow=FLOW, step="1"))

    process = world.sim.env.process(body())
    world.sim.run()
    answer: Message = process.value
    if SDK is not None:
        assert validate_message(str(op.api), op.name, "request", payload) == [] or answer.status in (400, 422)
        assert validate_message(str(op.api), op.name, "response", answer.payload, answer.status) == []
    return answer


def _create(world: World, buyer: RoleActor, product: str) -> Message:
    return _call(
        world, buyer, CREATE_TROUBLE_TICKET, tb.ticket_create(buyer.id, product, "no traffic", "down")
    )


BUYER_ACTIONS = {
    "cancel": CANCEL_TROUBLE_TICKET,
    "close": CLOSE_TROUBLE_TICKET,
    "reopen": REOPEN_TROUBLE_TICKET,
}
LEGAL_FROM = {"cancel": CANCELLABLE, "close": frozenset({"resolved"}), "reopen": frozenset({"resolved"})}
TARGET = {"cancel": "assessingCancellation", "close": "closed", "reopen": "reopened"}


class TicketLifecycle(RuleBasedStateMachine):
    """Random buyer and seller moves: every legal one is accepted, every illegal one refused."""

    @initialize()
    def start(self) -> None:
        self.world, self.desk = _world()
        self.buyer = self.world.customer("acme")
        answer = _create(self.world, self.buyer, _give_product(self.world.bus_sp, "acme"))
        assert answer.status == 201 and answer.payload["status"] == "acknowledged"
        self.id = answer.payload["id"]
        self.expected = "acknowledged"

    def _ticket(self) -> Any:
        return self.desk.tickets("acme")[0]

    @rule(action=st.sampled_from(sorted(BUYER_ACTIONS)))
    def buyer_acts(self, action: str) -> None:
        payload: Any = {"id": self.id}
        if action == "reopen":
            payload = with_params({"id": self.id}, {"reason": "still down"})
        answer = _call(self.world, self.buyer, BUYER_ACTIONS[action], payload)
        if self.expected in LEGAL_FROM[action]:
            assert answer.status == 204
            self.expected = (
                "cancelled" if action == "cancel" else TARGET[action]
            )  # assessment runs to its end
        else:
            assert answer.status == 422
            assert answer.payload[0]["code"] == "invalidValue"

    @rule(state=st.sampled_from(sorted(TROUBLE_TICKET.states)))
    def seller_moves(self, state: str) -> None:
        target = state
        ticket = self._ticket()
        if TROUBLE_TICKET.can(ticket.record.state, target) and target not in ("closed", "reopened"):
            self.desk.move(ticket, target, step="x")
            self.world.sim.run()
            self.expected = "cancelled" if target == "assessingCancellation" else target
            if target == "assessingCancellation":
                ticket.record.move("cancelled", self.world.sim.now)

    @rule(note=st.text(min_size=1, max_size=20))
    def buyer_patches(self, note: str) -> None:
        body = {
            "note": [
                {"id": "n", "author": "acme", "date": "2026-01-01T00:00:00Z", "source": "buyer", "text": note}
            ]
        }
        answer = _call(self.world, self.buyer, PATCH_TROUBLE_TICKET, with_params({"id": self.id}, body))
        assert answer.status == (422 if self.expected in NOT_PATCHABLE else 200)

    @invariant()
    def state_matches(self) -> None:
        if hasattr(self, "id"):
            answer = _call(self.world, self.buyer, RETRIEVE_TROUBLE_TICKET, {"id": self.id})
            assert answer.payload["status"] == self.expected


TestTicketLifecycle = TicketLifecycle.TestCase
TestTicketLifecycle.settings = settings(
    max_examples=25, stateful_step_count=8, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"description": "x"}, 422),  # required properties missing
        ("not an object", 400),
        ({**tb.ticket_create("acme", "product-1", "x", "down"), "observedImpact": "sideways"}, 422),
        (tb.ticket_create("acme", "no-such-product", "x", "down"), 422),
    ],
)
def test_bad_create_requests_get_mef_errors(body: Any, status: int) -> None:
    world, _desk = _world()
    _give_product(world.bus_sp, "acme")
    answer = _call(world, world.customer("acme"), CREATE_TROUBLE_TICKET, body)
    assert answer.status == status
    assert "code" in (answer.payload[0] if isinstance(answer.payload, list) else answer.payload)


def test_unknown_ticket_is_404() -> None:
    world, _desk = _world()
    answer = _call(world, world.customer("acme"), RETRIEVE_TROUBLE_TICKET, {"id": "ticket-x"})
    assert (answer.status, answer.payload["code"]) == (404, "notFound")


def test_buyers_never_see_each_others_tickets_or_incidents() -> None:
    world, desk = _world()
    acme, globex = world.customer("acme"), world.customer("globex")
    _give_product(world.bus_sp, "acme")
    _give_product(world.bus_sp, "globex", "product-2")
    ticket_id = _create(world, acme, "product-1").payload["id"]
    desk.raise_incident("acme", "product-1", "fault", "down", 0.0, FLOW, "12")
    incident_id = desk.incidents("acme")[0].record.id
    assert _call(world, globex, RETRIEVE_TROUBLE_TICKET, {"id": ticket_id}).status == 404
    assert _call(world, globex, CLOSE_TROUBLE_TICKET, {"id": ticket_id}).status == 404
    assert _call(world, globex, LIST_TROUBLE_TICKET, {}).payload == []
    assert _call(world, globex, LIST_INCIDENT, {}).payload == []
    assert _call(world, globex, RETRIEVE_INCIDENT, {"id": incident_id}).status == 404
    # A buyer cannot report on another buyer's product either.
    assert _create(world, globex, "product-1").status == 422
    assert [t["id"] for t in _call(world, acme, LIST_TROUBLE_TICKET, {}).payload] == [ticket_id]
    assert _call(world, acme, RETRIEVE_INCIDENT, {"id": incident_id}).payload["status"] == "created"


def test_hub_delivers_ticket_events_to_registered_buyers_only() -> None:
    world, desk = _world()
    acme = world.customer("acme")
    heard: list[str] = []
    listen(acme, TICKET_STATUS_CHANGE, lambda msg: heard.append(msg.payload["eventType"]))
    listen(acme, TICKET_RESOLVED, lambda msg: heard.append(msg.payload["eventType"]))
    _give_product(world.bus_sp, "acme")
    _create(world, acme, "product-1")
    ticket = desk.tickets("acme")[0]
    desk.move(ticket, "inProgress", step="12")  # no hub yet: the buyer would poll
    world.sim.run()
    assert heard == []

    def subscribe() -> Generator[simpy.Event, Any, str | None]:
        return (yield from register_listener(acme, world.bus_sp.id, desk.api, None, flow=FLOW, step="1"))

    world.sim.env.process(subscribe())
    world.sim.run()
    desk.move(ticket, "resolved", step="12")
    world.sim.run()
    assert heard == ["troubleTicketResolvedEvent"]


# -- billing -----------------------------------------------------------------------------------


def _billing_world() -> tuple[World, Any]:
    from lso_sim.sonata.billing import install

    world, _desk = _world()
    return world, install(world.bus_sp)


def _issue(world: World, billing_desk: Any, buyer: str) -> str:
    from lso_sim.messages import billing_bodies as bb

    item = bb.bill_item(
        billing_desk.next_id("item"),
        "recurring",
        "line",
        "product-1",
        "EPL",
        "order-1",
        0.0,
        86400.0,
        "day",
        1.0,
        20.0,
        0.1,
    )
    body = bb.bill(
        billing_desk.next_bill_id(),
        "000001",
        f"ba-{buyer}",
        buyer,
        [item],
        2.0,
        0.1,
        0.0,
        86400.0,
        86400.0,
        "generated",
        30.0,
    )
    return str(billing_desk.issue(buyer, body, [item], flow=FLOW, step="6"))


def _bill_call(world: World, buyer: RoleActor, op: Operation, payload: Any) -> Message:
    return _call(world, buyer, op, payload)


def test_bills_are_per_buyer_and_follow_mef_states() -> None:
    from lso_sim.errors import ProtocolError
    from lso_sim.messages.operations import (
        LIST_CUSTOMER_BILL,
        RETRIEVE_CUSTOMER_BILL,
        RETRIEVE_CUSTOMER_BILL_ITEM,
    )

    world, desk = _billing_world()
    acme, globex = world.customer("acme"), world.customer("globex")
    bill_id = _issue(world, desk, "acme")
    bill = _bill_call(world, acme, RETRIEVE_CUSTOMER_BILL, {"id": bill_id})
    assert bill.status == 200 and bill.payload[0]["amountDue"]["value"] == pytest.approx((20.0 - 2.0) * 1.1)
    item_id = bill.payload[0]["customerBillItem"][0]["id"]
    assert _bill_call(world, acme, RETRIEVE_CUSTOMER_BILL_ITEM, {"id": item_id}).status == 200
    assert _bill_call(world, globex, RETRIEVE_CUSTOMER_BILL, {"id": bill_id}).status == 404
    assert _bill_call(world, globex, RETRIEVE_CUSTOMER_BILL_ITEM, {"id": item_id}).status == 404
    assert _bill_call(world, globex, LIST_CUSTOMER_BILL, {}).payload == []
    assert [b["id"] for b in _bill_call(world, acme, LIST_CUSTOMER_BILL, {"state": "generated"}).payload] == [
        bill_id
    ]
    assert _bill_call(world, acme, LIST_CUSTOMER_BILL, {"state": "lost"}).status == 400
    desk.move("acme", bill_id, "paymentDue", step="6")
    desk.move("acme", bill_id, "settled", step="6")
    assert _bill_call(world, acme, LIST_CUSTOMER_BILL, {"state": "settled"}).payload[0]["id"] == bill_id
    with pytest.raises(ProtocolError):
        desk.move("acme", bill_id, "generated", step="6")


def test_bill_events_reach_a_registered_hub_only() -> None:
    from lso_sim.messages.operations import BILL_CREATE, BILL_STATE_CHANGE

    world, desk = _billing_world()
    acme = world.customer("acme")
    heard: list[str] = []
    listen(acme, BILL_CREATE, lambda msg: heard.append(msg.payload["eventType"]))
    listen(acme, BILL_STATE_CHANGE, lambda msg: heard.append(msg.payload["eventType"]))
    _issue(world, desk, "acme")
    world.sim.run()
    assert heard == [] and desk.state.undelivered["acme"] == 1

    def subscribe() -> Generator[simpy.Event, Any, str | None]:
        return (yield from register_listener(acme, world.bus_sp.id, desk.api, None, flow=FLOW, step="6"))

    world.sim.env.process(subscribe())
    world.sim.run()
    bill_id = _issue(world, desk, "acme")
    desk.move("acme", bill_id, "paymentDue", step="6")
    world.sim.run()
    assert heard == ["customerBillCreateEvent", "customerBillStateChangeEvent"]
