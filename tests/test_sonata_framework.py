"""The seller framework: routing by API, MEF errors, request checks, the hub, per-buyer stores."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest
import simpy

from lso_sim.actors.roles import RoleActor
from lso_sim.actors.world import World
from lso_sim.messages.envelope import Flow, Kind, Message
from lso_sim.messages.operations import (
    CANCEL_QUOTE,
    HUB_OPERATIONS,
    LIST_QUOTE,
    QUOTE_STATE_CHANGE,
    Operation,
)
from lso_sim.scenarios.build import build_world
from lso_sim.scenarios.schema import Scenario
from lso_sim.sonata import (
    ApiError,
    Resource,
    SellerApi,
    check,
    listen,
    query_matches,
    register_listener,
    state_of,
)
from lso_sim.sonata.errors import CODES, error_body

FLOW = Flow("test", "t-1")


class EchoQuotes(SellerApi):
    """A toy quote API: lists the buyer's quotes, refuses cancellation, publishes on demand."""

    api = "quoteManagement"

    def routes(self) -> dict[Operation, Any]:
        return {LIST_QUOTE: self.list_quotes, CANCEL_QUOTE: self.cancel}

    def list_quotes(self, msg: Message) -> None:
        self.actor.respond(msg, 200, [r.body for r in self.store(msg).all("quote")])

    def cancel(self, msg: Message) -> None:
        check(msg.payload, {"type": "object", "required": ["quote"]})
        raise ApiError(409, "conflict", "quote is not cancellable")


@pytest.fixture
def world(scenario_10_2: Scenario) -> World:
    return build_world(scenario_10_2, [])


def _drive(world: World, body: Generator[simpy.Event, Any, Any]) -> Any:
    process = world.sim.env.process(body)
    world.sim.run()
    return process.value


def _call(world: World, buyer: RoleActor, seller: str, op: Operation, payload: Any) -> Message:
    def body() -> Generator[simpy.Event, Any, Message]:
        return (yield from buyer.call(seller, op, payload, flow=FLOW, step="x"))

    result: Message = _drive(world, body())
    return result


def test_router_answers_with_fitted_mef_errors(world: World) -> None:
    """A 409 raised by a handler becomes a 422 where the operation defines no 409; bad bodies are 400/422."""
    seller, buyer = world.bus_sp, next(iter(world.customers.values()))
    EchoQuotes(seller).install()
    answer = _call(world, buyer, seller.id, CANCEL_QUOTE, {"quote": {"id": "q"}})
    assert (answer.status, answer.payload[0]["code"]) == (422, "otherIssue")
    answer = _call(world, buyer, seller.id, CANCEL_QUOTE, {})
    assert (answer.status, answer.payload[0]["code"], answer.payload[0]["propertyPath"]) == (
        422,
        "missingProperty",
        "/quote",
    )
    answer = _call(world, buyer, seller.id, CANCEL_QUOTE, ["not", "an", "object"])
    assert (answer.status, answer.payload["code"]) == (400, "invalidBody")


def test_stores_are_per_buyer(world: World) -> None:
    """One buyer's resources are invisible to another."""
    seller, buyer = world.bus_sp, next(iter(world.customers.values()))
    EchoQuotes(seller).install()
    state_of(seller).buyer("someone-else").add(Resource("quote", "q-1", {"id": "q-1"}))
    assert _call(world, buyer, seller.id, LIST_QUOTE, {}).payload == []
    state_of(seller).buyer(buyer.id).add(Resource("quote", "q-2", {"id": "q-2"}))
    assert _call(world, buyer, seller.id, LIST_QUOTE, {}).payload == [{"id": "q-2"}]


@pytest.mark.parametrize(
    ("query", "matches"),
    [
        (None, True),
        ("", True),
        ("eventType=quoteStateChangeEvent", True),
        ("eventType=quoteItemStateChangeEvent,quoteStateChangeEvent", True),
        ("eventType=quoteItemStateChangeEvent", False),
        ("eventType=quoteStateChangeEvent&event.state=accepted", False),
        ("eventType=quoteStateChangeEvent&event.state=approved.orderable", True),
    ],
)
def test_hub_query_matching(query: str | None, matches: bool) -> None:
    event = {"eventType": "quoteStateChangeEvent", "event": {"id": "q", "state": "approved.orderable"}}
    assert query_matches(query, event) is matches


def test_publish_reaches_registered_hubs_only(world: World) -> None:
    """Events go to a buyer's matching hubs; without a hub nothing is sent and the buyer polls."""
    seller, buyer = world.bus_sp, next(iter(world.customers.values()))
    api = EchoQuotes(seller)
    api.install()
    heard: list[Message] = []
    listen(buyer, QUOTE_STATE_CHANGE, heard.append)
    event = {
        "eventId": "e1",
        "eventTime": "2026-01-01T00:00:00.000Z",
        "eventType": "quoteStateChangeEvent",
        "event": {"id": "q", "state": "inProgress"},
    }
    assert api.publish(buyer.id, QUOTE_STATE_CHANGE, event, flow=FLOW, step="x") == 0
    assert state_of(seller).undelivered[buyer.id] == 1

    def subscribe() -> Generator[simpy.Event, Any, str | None]:
        return (
            yield from register_listener(
                buyer, seller.id, "quoteManagement", ["quoteStateChangeEvent"], flow=FLOW, step="x"
            )
        )

    hub = _drive(world, subscribe())
    assert hub is not None
    assert api.publish(buyer.id, QUOTE_STATE_CHANGE, event, flow=FLOW, step="x") == 1
    world.sim.run()
    assert [m.payload for m in heard] == [event]
    assert [m.kind for m in heard] == [Kind.NOTIFICATION]
    answer = _call(world, buyer, seller.id, HUB_OPERATIONS["quoteManagement"].unregister, {"id": hub})
    assert answer.status == 204
    assert api.publish(buyer.id, QUOTE_STATE_CHANGE, event, flow=FLOW, step="x") == 0
    again = _call(world, buyer, seller.id, HUB_OPERATIONS["quoteManagement"].unregister, {"id": hub})
    assert (again.status, again.payload["code"]) == (404, "notFound")


@pytest.mark.parametrize(("status", "codes"), sorted(CODES.items()))
def test_error_bodies_only_take_mef_codes(status: int, codes: frozenset[str]) -> None:
    for code in codes:
        assert error_body(status, code, "x" * 400)["reason"] == "x" * 255
    with pytest.raises(ValueError, match="not a MEF code"):
        error_body(status, "madeUp", "why")
