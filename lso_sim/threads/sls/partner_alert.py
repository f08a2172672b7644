"""Thread 10.6 step 1b, "SOF alerts Partner": the partner learns what its component is held to.

MEF's step 1b has SOF-sp alert the partner before it requests performance information. Here the
alert is an INTERLUDE request (``alertServiceAssessment``), sent once per partner component when
an assessment starts: it carries the SLS objectives and until when they apply. The partner acts on
it: it keeps the objectives for the component (``held_to`` of its SOF) and from then on arms its
own threshold watches at them, so SOF-sp's later performance requests name only the watch (id and
period end), not the thresholds. A partner that refused or never answered the alert is simply sent
the thresholds with every request, as before: an alert lost on the way costs nothing but the alert.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from lso_sim.actors.roles import ServiceOrchestrator, ServiceRecord
from lso_sim.actors.world import World
from lso_sim.engine.retry import NO_RETRY
from lso_sim.errors import LsoSimError
from lso_sim.messages.envelope import Flow, Message
from lso_sim.messages.operations import ALERT_PARTNER_ASSESSMENT

STEP = "1b"


def alert_partners(
    world: World,
    sof: ServiceOrchestrator,
    record: ServiceRecord,
    objectives: dict[str, float],
    until: float,
    flow: Flow,
    deadline: float,
) -> Generator[simpy.Event, Any, frozenset[str]]:
    """Alert every partner of ``record``'s partner components; the partner orders acknowledged.

    All alerts go out at once; each gets one attempt of at most ``deadline`` seconds (an
    assessment period: the first poll must not wait longer for an acknowledgement).
    """
    assert record.decomposition is not None
    calls = []
    for component in record.decomposition.partner_components():
        order = record.partner_orders.get(component.domain)
        body = {
            "componentId": component.id,
            "partnerOrder": order,
            "service": record.service.id,
            "objectives": dict(sorted(objectives.items())),
            "until": until,
        }
        calls.append(_alert(sof, world.sof[component.domain].id, body, flow, deadline))
    acknowledged: list[str | None] = yield from sof.gather(calls)
    return frozenset(order for order in acknowledged if order is not None)


def _alert(
    sof: ServiceOrchestrator, partner: str, body: dict[str, Any], flow: Flow, deadline: float
) -> Generator[simpy.Event, Any, str | None]:
    try:
        answer = yield from sof.call(
            partner, ALERT_PARTNER_ASSESSMENT, body, flow=flow, step=STEP, timeout=deadline, retry=NO_RETRY
        )
    except LsoSimError:
        return None  # the timeout is in the trace; the partner gets thresholds with each request
    return str(body["partnerOrder"]) if answer.status == ALERT_PARTNER_ASSESSMENT.success else None


def install_partner(sof: ServiceOrchestrator) -> None:
    """A partner SOF takes assessment alerts (idempotent)."""
    if not sof.handles(ALERT_PARTNER_ASSESSMENT.name):
        sof.handle(ALERT_PARTNER_ASSESSMENT, lambda msg: _held_to(sof, msg))


def _held_to(sof: ServiceOrchestrator, msg: Message) -> None:
    """The partner keeps the objectives for the component it sold under ``partnerOrder``."""
    order = str(msg.payload.get("partnerOrder"))
    if sof.sold_under.get(order) not in sof.services:
        sof.respond(msg, 404, {"code": "notFound", "reason": f"no component sold under order {order}"})
        return
    sof.held_to[order] = {"thresholds": dict(msg.payload["objectives"]), "until": float(msg.payload["until"])}
    answer = {"componentId": msg.payload.get("componentId"), "state": "acknowledged"}
    sof.respond(msg, 202, {**answer, "until": msg.payload["until"]})
