"""Thread 10.4, the Customer's side: report types, a report request, alerts, retrieval.

Each request (a one-off, a schedule of ``count`` reports, or a trigger) is one thread instance
driven by the Customer, who retrieves every report it is alerted of.
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
from lso_sim.messages.envelope import Flow, Message
from lso_sim.messages.operations import (
    LIST_REPORT_TYPES,
    REQUEST_SERVICE_REPORT,
    RETRIEVE_REPORT_REQUEST,
    RETRIEVE_SERVICE_REPORT,
    SERVICE_REPORT_READY,
)
from lso_sim.threads.awaiting import await_or_poll
from lso_sim.threads.prerequisite import ask_about_service

THREAD = "10.4"


@dataclass(frozen=True, slots=True)
class Trigger:
    """Make the report when ``metric`` crosses ``threshold``, within ``within`` seconds."""

    metric: str
    threshold: float
    within: float


@dataclass(frozen=True, slots=True)
class ReportRequest:
    """One report request.

    Attributes:
        customer: customer actor id.
        product_order: the product order that established the service.
        type: ``performance`` or ``fault``.
        start: simulated time the customer asks.
        instance: thread instance id.
        window: each report covers the last ``window`` seconds.
        every: scheduled: seconds between reports.
        count: scheduled: number of reports.
        trigger: triggered report.
    """

    customer: str
    product_order: str
    type: str
    start: float
    instance: str
    window: float = 3600.0
    every: float | None = None
    count: int = 1
    trigger: Trigger | None = None


def install(world: World) -> None:
    """Let customers hear report alerts."""
    for customer in world.customers.values():
        if not customer.handles(SERVICE_REPORT_READY.name):
            customer.handle(SERVICE_REPORT_READY, lambda msg, c=customer: _signal(c, msg))


def _signal(customer: Customer, msg: Message) -> None:
    customer.waiting.fire(f"report:{msg.payload['requestId']}:{msg.payload['sequence']}", msg.payload)


def run(world: World, request: ReportRequest) -> Generator[simpy.Event, Any, None]:
    """The customer's life line for one report request (a simpy process body)."""
    # 1: which reports the service offers.
    asked = yield from ask_about_service(
        world,
        request.customer,
        request.product_order,
        request.start,
        THREAD,
        request.instance,
        LIST_REPORT_TYPES,
    )
    if asked is None:
        return
    customer, flow, service = asked
    sof = world.sof_sp.id

    # 2: the request.
    body: dict[str, Any] = {"service": service, "type": request.type, "window": request.window}
    if request.every is not None:
        body["schedule"] = {"every": request.every, "count": request.count}
    if request.trigger is not None:
        t = request.trigger
        body["trigger"] = {"metric": t.metric, "threshold": t.threshold, "within": t.within}
    answer = yield from customer.call(sof, REQUEST_SERVICE_REPORT, body, flow=flow, step="2")
    if answer.status != 202:
        world.finish(request.instance, "refused", reason=answer.payload.get("reason"), status=answer.status)
        return
    request_id = answer.payload["id"]

    # 5, 6: each alert (polled for when overdue), then the report itself.
    retrieved: list[str] = []
    missing: list[str] = []
    for sequence in range(request.count):
        awaited = yield from await_or_poll(
            world,
            customer,
            f"report:{request_id}:{sequence}",
            f"report {sequence + 1} of {request_id}",
            partial(_poll, customer, sof, request_id, sequence, flow),
            expected_in=_expected_in(request, sequence),
        )
        alert = awaited.value
        if alert is None:
            world.finish(request.instance, "failed", awaited.reason, reports=retrieved)
            return
        if alert["state"] != "available":
            world.finish(request.instance, str(alert["state"]), alert.get("reason"), reports=retrieved)
            return
        try:
            answer = yield from customer.call(
                sof, RETRIEVE_SERVICE_REPORT, {"id": alert["reportId"]}, flow=flow, step="6"
            )
        except LsoSimError as exc:
            missing.append(str(exc))
            continue
        if answer.status == 200:
            retrieved.append(str(alert["reportId"]))
        else:
            missing.append(f"{RETRIEVE_SERVICE_REPORT.name} of {alert['reportId']} answered {answer.status}")
    state = "completed" if len(retrieved) == request.count else "incomplete"
    reason = None if not missing else f"{len(missing)} report(s) not read: {missing[-1]}"
    world.finish(request.instance, state, reason, reports=retrieved)


def _expected_in(request: ReportRequest, sequence: int) -> float:
    """Seconds from now until report ``sequence`` is due at the earliest (the alert's deadline
    counts from then): a scheduled report's period, a trigger's window plus a measurement interval."""
    if request.trigger is not None:
        return request.trigger.within + request.window
    if sequence and request.every is not None:
        return request.every
    return 0.0


def _poll(
    customer: Customer, sof: str, request_id: str, sequence: int, flow: Flow
) -> Generator[simpy.Event, Any, dict[str, Any] | None]:
    """Read the report request; the alert of report ``sequence`` once SOF-sp has one."""
    answer = yield from customer.call(sof, RETRIEVE_REPORT_REQUEST, {"id": request_id}, flow=flow, step="5")
    if answer.status != 200:
        return None
    alert: dict[str, Any] | None = answer.payload["alerts"].get(str(sequence))
    return alert
