"""Thread 10.3, the Customer's side: read the constraints, ask for a change, hear it is done.

Each change is one thread instance whose life line is the Customer's process, so its outcome
(completed, refused with the reason, failed) is recorded here.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from functools import partial
from typing import Any

import simpy

from lso_sim.actors.roles import Customer
from lso_sim.actors.world import World
from lso_sim.messages.envelope import Flow, Message
from lso_sim.messages.operations import (
    REQUEST_SERVICE_CHANGE,
    RETRIEVE_CONTROL_POLICY,
    RETRIEVE_SERVICE_CHANGE,
    SERVICE_CHANGE_EVENT,
)
from lso_sim.threads.awaiting import await_or_poll
from lso_sim.threads.prerequisite import ask_about_service

THREAD = "10.3"


@dataclass(frozen=True, slots=True)
class ChangeRequest:
    """One change a customer asks for.

    Attributes:
        customer: customer actor id.
        product_order: the product order that established the service.
        bandwidth_mbps: bandwidth asked for (``None``: unchanged).
        start: simulated time the customer starts.
        instance: thread instance id.
        delay: scheduled change: seconds after the request when it applies.
        duration: reservation: seconds the change lasts before it is reverted.
        traffic_filter: filter rules asked for (``None``: unchanged; ``[]``: removed).
    """

    customer: str
    product_order: str
    bandwidth_mbps: float | None
    start: float
    instance: str
    delay: float | None = None
    duration: float | None = None
    traffic_filter: list[dict[str, Any]] | None = None


def install(world: World) -> None:
    """Let customers hear that a change was applied (or reverted)."""
    for customer in world.customers.values():
        if not customer.handles(SERVICE_CHANGE_EVENT.name):
            customer.handle(SERVICE_CHANGE_EVENT, lambda msg, c=customer: _signal(c, msg))


def _signal(customer: Customer, msg: Message) -> None:
    customer.waiting.fire(f"change:{msg.payload['changeId']}:{msg.payload['phase']}", msg.payload)


def run(world: World, request: ChangeRequest) -> Generator[simpy.Event, Any, None]:
    """The customer's life line for one change (a simpy process body)."""
    # 1: what may be changed, within which bounds.
    asked = yield from ask_about_service(
        world,
        request.customer,
        request.product_order,
        request.start,
        THREAD,
        request.instance,
        RETRIEVE_CONTROL_POLICY,
    )
    if asked is None:
        return
    customer, flow, service = asked
    sof = world.sof_sp.id

    # 2: the change itself; SOF-sp checks it (3) before accepting it.
    body: dict[str, Any] = {"service": service}
    if request.bandwidth_mbps is not None:
        body["bandwidthMbps"] = request.bandwidth_mbps
    if request.traffic_filter is not None:
        body["trafficFilter"] = request.traffic_filter
    if request.delay is not None:
        body["delay"] = request.delay
    if request.duration is not None:
        body["duration"] = request.duration
    answer = yield from customer.call(sof, REQUEST_SERVICE_CHANGE, body, flow=flow, step="2")
    if answer.status != 202:
        world.finish(request.instance, "refused", reason=answer.payload.get("reason"), status=answer.status)
        return
    change = answer.payload["id"]

    # 15: the change is applied (and, for a reservation, reverted at the end of its window); an
    # overdue notification is polled for, a bounded number of times.
    phases = ["applied", "reverted"] if request.duration is not None else ["applied"]
    due = request.delay or 0.0
    reason = None
    for phase in phases:
        awaited = yield from await_or_poll(
            world,
            customer,
            f"change:{change}:{phase}",
            f"change {change} to be {phase}",
            partial(_poll, customer, sof, change, phase, flow),
            expected_in=due if phase == "applied" else request.duration or 0.0,
        )
        event = awaited.value
        if event is None or event["state"] != "completed":
            reason = awaited.reason if event is None else event.get("reason") or f"{phase}: {event['state']}"
            break
    state = "completed" if reason is None else "failed"
    world.finish(
        request.instance, state, reason, change=change, service=service, bandwidth=request.bandwidth_mbps
    )


def _poll(
    customer: Customer, sof: str, change: str, phase: str, flow: Flow
) -> Generator[simpy.Event, Any, dict[str, Any] | None]:
    """Read the change; how ``phase`` ended once SOF-sp knows."""
    answer = yield from customer.call(sof, RETRIEVE_SERVICE_CHANGE, {"id": change}, flow=flow, step="15")
    if answer.status != 200:
        return None
    event: dict[str, Any] | None = answer.payload["phases"].get(phase)
    return event
