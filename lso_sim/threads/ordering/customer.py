"""Thread 10.2, the Customer's side: browse, qualify, get a quote, order, accept.

The Customer drives each thread instance; its process is the instance's life line, so its outcome
(the product order's final state and the lead time) is recorded here.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from functools import partial
from typing import Any

import simpy

from lso_sim.actors.roles import Customer
from lso_sim.actors.world import World
from lso_sim.errors import LsoSimError
from lso_sim.messages import bodies
from lso_sim.messages.envelope import Flow, Message
from lso_sim.messages.operations import (
    ACCEPT_PRODUCT,
    CREATE_POQ,
    CREATE_PRODUCT_ORDER,
    CREATE_QUOTE,
    LIST_PRODUCT,
    LIST_PRODUCT_OFFERING,
    POQ_STATE_CHANGE,
    PRODUCT_ORDER_ITEM_EXPECTED_DATE_SET,
    PRODUCT_ORDER_ITEM_STATE_CHANGE,
    PRODUCT_ORDER_STATE_CHANGE,
    QUOTE_STATE_CHANGE,
    RETRIEVE_QUOTE,
)
from lso_sim.sonata import listen, register_listener
from lso_sim.sonata.order import ORDER_EVENTS
from lso_sim.sonata.reasons import end_reason, refusal
from lso_sim.threads.ordering import disconnect
from lso_sim.threads.ordering.locate import locate_site
from lso_sim.threads.ordering.order_end import abandon, await_order_end

THREAD = "10.2"


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """One product order a customer will place.

    Attributes:
        customer: customer actor id.
        sites: the two sites the connectivity product joins.
        bandwidth_mbps: ordered bandwidth.
        offering: product offering id in the SP's catalog.
        start: simulated time the customer starts browsing.
        instance: thread instance id.
        term: seconds the customer keeps the delivered product before it disconnects it
            (:mod:`lso_sim.threads.ordering.disconnect`); None keeps it for ever.
    """

    customer: str
    sites: tuple[str, str]
    bandwidth_mbps: float
    offering: str
    start: float
    instance: str
    term: float | None = None


QUOTE_PENDING_STATES = frozenset({"acknowledged", "inProgress", "inProgress.draft"})
"""Quote states on the way to an answer: the customer reads the quote again later."""

HUBS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("productOfferingQualificationManagement", ("poqStateChangeEvent",)),
    ("quoteManagement", ("quoteStateChangeEvent",)),
    ("productOrderManagement", ORDER_EVENTS),
)
"""The hubs a customer registers before its first request: (management API, event types).

Order item events are how the Customer sees its order move item by item (10.2 step 13 note:
state changes are made available to the customer throughout ordering and activation)."""


def install(world: World) -> None:
    """Let customers hear the notifications they wait for."""
    for customer in world.customers.values():
        listen(customer, POQ_STATE_CHANGE, partial(_signal, customer, "poq"))
        listen(customer, QUOTE_STATE_CHANGE, partial(_signal, customer, "quote"))
        listen(customer, PRODUCT_ORDER_STATE_CHANGE, partial(_signal, customer, "order"))
        listen(customer, PRODUCT_ORDER_ITEM_STATE_CHANGE, partial(_item_signal, customer, "order"))
        listen(customer, PRODUCT_ORDER_ITEM_EXPECTED_DATE_SET, partial(_item_signal, customer, "order-date"))


INTERMEDIATE_STATES = frozenset(
    {
        "acknowledged",
        "inProgress",
        "inProgress.draft",
        "assessingCancellation",
        "pendingCancellation",
        "held",
        "pending",
    }
)
"""States a seller announces on the way: the customer's ``resource:id`` waits are for the others."""


def _signal(customer: Customer, resource: str, msg: Message) -> None:
    event = msg.payload["event"]
    key = f"{resource}:{event['id']}"
    customer.waiting.fire(f"{key}:{event['state']}", event["state"], instance=msg.instance)
    if event["state"] not in INTERMEDIATE_STATES:
        customer.waiting.fire(key, event["state"], instance=msg.instance)


def _item_signal(customer: Customer, resource: str, msg: Message) -> None:
    """An item moved: signalled as ``resource:id:item:state`` (nobody needs to wait for it)."""
    event = msg.payload["event"]
    key = f"{resource}:{event['id']}:{event.get('orderItemId')}:{event.get('state', 'dated')}"
    customer.waiting.fire(key, event.get("state"), instance=msg.instance)


def run(world: World, request: OrderRequest) -> Generator[simpy.Event, Any, None]:
    """The customer's life line for one order (a simpy process body).

    A request the customer gives up on (no response after every attempt) ends the instance in
    state ``abandoned`` with an ``error`` record and the cause as the outcome's reason: never
    silently.
    """
    if request.start > world.sim.now:
        yield world.sim.env.timeout(request.start - world.sim.now)
    customer = world.customer(request.customer)
    flow = Flow(THREAD, request.instance)
    world.begin(THREAD, request.instance, customer)
    try:
        yield from _order(world, customer, request, flow)
    except LsoSimError as exc:
        abandon(world, customer, request.instance, flow, exc)


def _order(
    world: World, customer: Customer, request: OrderRequest, flow: Flow
) -> Generator[simpy.Event, Any, None]:
    bus = world.bus_sp.id
    offering = world.offering(request.offering)
    wait = world.options.notification_wait

    # Before its first request, the customer registers its hubs (once per seller and API).
    for api, event_types in HUBS:
        if (bus, api) not in customer.hubs:
            customer.hubs[(bus, api)] = "pending"
            hub = yield from register_listener(customer, bus, api, list(event_types), flow=flow)
            customer.hubs[(bus, api)] = hub or ""

    # 1: browse the catalog and what the customer already has.
    browse = {"lifecycleStatus": "orderable"}
    yield from customer.call(bus, LIST_PRODUCT_OFFERING, browse, flow=flow, step="1")
    yield from customer.call(bus, LIST_PRODUCT, {"status": "active"}, flow=flow, step="1")

    # 2: find the seller's sites at the customer's addresses, then serviceability (a qualification)
    # and a quote for the chosen product.
    places = []
    for site in request.sites:
        line = world.topology.sites[site].address
        found = yield from locate_site(customer, bus, line, flow=flow, step="2")
        if found is None:
            world.finish(
                request.instance, "addressNotValidated", f"no site of {bus} matches {line!r}", address=line
            )
            return
        places.append(found)
    poq_body = bodies.poq_create(customer.id, offering, places, request.bandwidth_mbps, instant=False)
    answer = yield from customer.call(bus, CREATE_POQ, poq_body, flow=flow, step="2")
    if answer.status != 201:
        world.finish(request.instance, "qualificationRefused", refusal(answer), status=answer.status)
        return
    poq_id = answer.payload["id"]
    quote_body = bodies.quote_create(
        customer.id, offering, places, request.bandwidth_mbps, instant=False, poq_id=poq_id
    )
    answer = yield from customer.call(bus, CREATE_QUOTE, quote_body, flow=flow, step="2")
    if answer.status != 201:
        world.finish(request.instance, "quoteRefused", refusal(answer), status=answer.status)
        return
    quote_id = answer.payload["id"]

    # 3e: the quote is ready when BUS-sp says so (or when the customer stops waiting and reads it,
    # at most poll_limit times while the quote is still being worked on).
    for _read in range(world.options.poll_limit):
        yield from customer.waiting.wait(f"quote:{quote_id}", wait)
        answer = yield from customer.call(bus, RETRIEVE_QUOTE, {"id": quote_id}, flow=flow, step="3e")
        if answer.status != 200:  # the seller no longer has it (sellers.retention, say): its reason
            refused = refusal(answer)
            world.finish(request.instance, "quoteRefused", refused, status=answer.status, quote=quote_id)
            return
        quote_state = answer.payload.get("state")
        if quote_state not in QUOTE_PENDING_STATES:
            break
    if quote_state not in ("approved.orderable", "approved.orderableAlternate"):
        reason = end_reason(answer.payload)
        world.finish(
            request.instance,
            f"quote {quote_state}",
            str(reason) if reason else f"quote {quote_id} is {quote_state}",
            quote=quote_id,
        )
        return

    # 4: order.
    order_body = bodies.order_create(customer.id, offering, places, request.bandwidth_mbps, quote_id)
    answer = yield from customer.call(bus, CREATE_PRODUCT_ORDER, order_body, flow=flow, step="4")
    if answer.status != 201:
        world.finish(request.instance, "orderRefused", refusal(answer), status=answer.status)
        return
    order_id = answer.payload["id"]
    customer.orders[order_id] = {"instance": request.instance, "state": answer.payload["state"]}

    # 14: wait for the order to end (notified, or found by polling after a silence).
    state, reason = yield from await_order_end(world, customer, bus, order_id, flow)
    customer.orders[order_id]["state"] = state
    if state != "completed":
        world.finish(request.instance, state, reason, order=order_id)
        return

    # 15: test and accept the product instance.
    yield from customer.activity(
        "acceptanceTesting", flow=flow, step="15", payload={"productOrder": order_id}
    )
    answer = yield from customer.call(
        bus, ACCEPT_PRODUCT, {"productOrderId": order_id, "accepted": True}, flow=flow, step="15"
    )
    product_id = answer.payload.get("productId") if answer.status == 200 else None
    if not product_id and request.term is not None:
        # The seller no longer ties the order to its product (sellers.retention shorter than the
        # acceptance tests, say): to disconnect it when its term is over, the customer finds it
        # in its inventory by the order that delivered it.
        listed = yield from customer.call(
            bus, LIST_PRODUCT, {"productOrderId": order_id}, flow=flow, step="15"
        )
        products = listed.payload if listed.status == 200 and isinstance(listed.payload, list) else []
        product_id = products[0].get("id") if products else None
    if product_id:
        customer.products.append(product_id)
    world.finish(request.instance, "completed", order=order_id, product=product_id)
    if product_id and request.term is not None:
        disconnect.schedule(world, request, str(product_id), order_id)
