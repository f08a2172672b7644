"""Thread 10.3, the Customer's side: read the constraints, ask for a change, hear it is done.

Each change is one thread instance whose life line is the Customer's process, so its outcome
(completed, refused with the reason, failed) is recorded here.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import simpy

from lso_sim.actors.roles import Customer
from lso_sim.actors.world import World
from lso_sim.messages.envelope import Message
from lso_sim.messages.operations import (
    REQUEST_SERVICE_CHANGE,
    RETRIEVE_CONTROL_POLICY,
    SERVICE_CHANGE_EVENT,
)
from lso_sim.threads.prerequisite import ask_about_service

THREAD = "10.3"


@dataclass(frozen=True, slots=True)
class ChangeRequest:
    """One change a customer asks for.

    Attributes:
        customer: customer actor id.
        product_order: the product order that established the service.
        bandwidth_mbps: bandwidth asked for.
        start: simulated time the customer starts.
        instance: thread instance id.
        delay: scheduled change: seconds after the request when it applies.
        duration: reservation: seconds the change lasts before it is reverted.
    """

    customer: str
    product_order: str
    bandwidth_mbps: float
    start: float
    instance: str
    delay: float | None = None
    duration: float | None = None


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
    body: dict[str, Any] = {"service": service, "bandwidthMbps": request.bandwidth_mbps}
    if request.delay is not None:
        body["delay"] = request.delay
    if request.duration is not None:
        body["duration"] = request.duration
    answer = yield from customer.call(sof, REQUEST_SERVICE_CHANGE, body, flow=flow, step="2")
    if answer.status != 202:
        world.finish(request.instance, "refused", reason=answer.payload.get("reason"), status=answer.status)
        return
    change = answer.payload["id"]

    # 15: the change is applied (and, for a reservation, reverted at the end of its window).
    phases = ["applied", "reverted"] if request.duration is not None else ["applied"]
    states = []
    for phase in phases:
        _, event = yield from customer.waiting.wait(f"change:{change}:{phase}", None)
        states.append(str(event["state"]))
        if event["state"] != "completed":
            break
    state = "completed" if all(s == "completed" for s in states) and len(states) == len(phases) else "failed"
    world.finish(request.instance, state, change=change, service=service, bandwidth=request.bandwidth_mbps)
