"""Keeping a BUS's product inventory in step with services changed below it.

A BUS learns the end of the service orders it places, and updates its products from them. A
service can also change without one: a Customer's change over ALLEGRO (10.3) or a partner
component changed or removed over INTERLUDE by SOF-sp. Then the SOF whose service changed tells
its BUS over LEGATO (MEF service inventory notification: ``serviceAttributeValueChangeEvent``, or
``serviceDeleteEvent`` when it was removed), the BUS reads the service back (``serviceGet``) and
shows its bandwidth or its termination on the product the service delivers. Nothing is sent when
nothing a product shows changed (a remedy or a reroute keeps the bandwidth). MEF's product
inventory defines no notifications, so the product's buyer sees the change when it reads it.
"""

from __future__ import annotations

from collections.abc import Generator
from functools import partial
from typing import Any

import simpy

from lso_sim.actors.roles import BusinessApplications, ServiceOrchestrator, ServiceRecord
from lso_sim.actors.service_retention import gone
from lso_sim.errors import LsoSimError
from lso_sim.messages import Kind, bodies
from lso_sim.messages.envelope import Flow, Message
from lso_sim.messages.operations import (
    RETRIEVE_SERVICE,
    SERVICE_ATTRIBUTE_CHANGE,
    SERVICE_DELETE,
    Operation,
)
from lso_sim.sonata.inventory import InventoryApi


def announce(sof: ServiceOrchestrator, record: ServiceRecord, *, flow: Flow, step: str) -> None:
    """Tell the service's BUS that it changed (its bandwidth) or was removed (``terminated``).

    The event is delivered at least once: a hub that got nothing would answer no 2xx, and its
    sender would try again. So until the BUS reads the service back, SOF sends the same event
    (same id: the BUS may read twice, never miss it) again every ``request_timeout``, as many
    times as its retry policy allows. Without that, one lost event would leave the product
    showing a service that no longer exists (invariant ``inventories-agree``).
    """
    record.events += 1
    deleted = record.service.state == "terminated"
    op = SERVICE_DELETE if deleted else SERVICE_ATTRIBUTE_CHANGE
    event = bodies.service_event(
        op.name, record.service.id, sof.sim.now, f"{record.service.id}-event-{record.events}"
    )
    sof.tell(record.buyer, op, event, flow=flow, step=step)
    sof.start(_until_read(sof, record, op, event, flow, step))


def _until_read(
    sof: ServiceOrchestrator,
    record: ServiceRecord,
    op: Operation,
    event: dict[str, Any],
    flow: Flow,
    step: str,
) -> Generator[simpy.Event, Any, None]:
    sent, number = sof.sim.now, record.events
    wait = sof.request_timeout or DEFAULT_RESEND
    for _ in range(sof.retry.attempts - 1):
        yield sof.env.timeout(wait)
        if record.read_at >= sent or record.events != number:
            return  # read since, or a newer event supersedes this one
        sof.tell(record.buyer, op, event, flow=flow, step=step)


DEFAULT_RESEND = 86400.0
"""Seconds between re-sends of an unread event when the SOF has no request timeout."""


def install_service_inventory(sof: ServiceOrchestrator) -> None:
    """SOF answers ``serviceGet`` for the services its BUS ordered (idempotent)."""
    if not sof.handles(RETRIEVE_SERVICE.name):
        sof.handle(RETRIEVE_SERVICE, lambda msg: _serve(sof, msg))


def _serve(sof: ServiceOrchestrator, msg: Message) -> None:
    ident = str(msg.payload.get("id"))
    record = next((r for r in sof.services.values() if r.service.id == ident), None)
    if record is None or record.buyer != msg.src:
        sof.respond(msg, 404, {"code": "notFound", "reason": gone(sof, f"service {ident}")})
        return
    record.read_at = sof.sim.now
    body = bodies.inventory_service(ident, record.service.state, record.bandwidth_mbps, record.product_order)
    sof.respond(msg, 200, body)


def install_product_sync(
    bus: BusinessApplications, inventory: InventoryApi, *, rounds: int = 1, wait: float = 0.0
) -> None:
    """BUS follows its SOF's service events into the product inventory (idempotent); a read given
    up on is tried again ``rounds - 1`` times, ``wait`` seconds apart."""
    for op in (SERVICE_ATTRIBUTE_CHANGE, SERVICE_DELETE):
        if not bus.handles(op.name):
            bus.handle(op, partial(_follow, bus, inventory, rounds, wait))


def _follow(
    bus: BusinessApplications, inventory: InventoryApi, rounds: int, wait: float, msg: Message
) -> Generator[simpy.Event, Any, None]:
    """Read the service the event names and show it on the product it delivers."""
    service_id = str(msg.payload["event"]["id"])
    # The SOF stops re-sending its event once it has answered a read, and that answer may be lost:
    # so the BUS does not give up after one request's retries, it tries again later, at most
    # ``poll_limit`` times, ``notification_wait`` apart (docs/faults.md, inventory events).
    answer: Message | None = None
    for attempt in range(rounds):
        try:
            answer = yield from bus.call(
                msg.src, RETRIEVE_SERVICE, {"id": service_id}, flow=msg.flow, step=msg.step
            )
            break
        except LsoSimError as exc:  # given up on: the product keeps its last known state, and says so
            if attempt == rounds - 1:
                _not_updated(bus, msg, service_id, str(exc), None)
                return
            yield bus.env.timeout(wait)
    assert answer is not None
    product = inventory.product_of_service(service_id)
    if answer.status == 404 and msg.operation == SERVICE_DELETE.name and product is not None:
        # A SOF forgets only services that ended (``sellers.retention``): the reads that would
        # have shown it terminated were lost, and the service has been forgotten since.
        inventory.follow_service(product, None, "terminated")
        return
    if answer.status != 200 or product is None:
        problem = "service not readable" if answer.status != 200 else "no product for the service"
        _not_updated(bus, msg, service_id, problem, answer.status)
        if answer.status == 200:  # its product is yet to come: it will show this state
            inventory.note_service_without_product(
                service_id, bodies.service_bandwidth(answer.payload), str(answer.payload["state"])
            )
        return
    inventory.follow_service(product, bodies.service_bandwidth(answer.payload), str(answer.payload["state"]))


def _not_updated(
    bus: BusinessApplications, msg: Message, service_id: str, problem: str, status: int | None
) -> None:
    """The product inventory could not follow a service event: an error record says why."""
    bus.sim.record_local(
        bus,
        Kind.ERROR,
        "productInventoryNotUpdated",
        {"service": service_id, "reason": problem, "status": status},
        flow=msg.flow,
        step=msg.step,
    )
