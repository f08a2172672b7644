"""Thread 10.3 step 13, assurance half: monitoring jobs and thresholds re-armed for a new bandwidth.

MEF's step 13 has SOF-sp synchronise "the Inventory and Assurance capabilities" once a change is
reconfigured and tested. Inventory follows through :mod:`lso_sim.threads.inventory_sync`; here
assurance does: every part of the service gets its monitoring job re-armed for the bandwidth it
now carries, with utilisation thresholds at :data:`UTILISATION_ALERT` of it. SP constructs over
PRESTO (``modifyConstructMonitoring``), whose ICM re-arms each element over ADAGIO
(``modifyElementMonitoring``); partner components over INTERLUDE (``modifyComponentMonitoring``),
which the partner's SOF carries down its own PRESTO and ADAGIO. Every hop carries step ``13``.
A part that cannot be re-armed does not undo a change already tested: SOF-sp records why in its
``synchroniseInventoryAndAssurance`` activity, so the gap is visible.
"""

from __future__ import annotations

from collections.abc import Generator
from functools import partial
from typing import Any

import simpy

from lso_sim.actors.roles import ElementManager, InfrastructureManager, RoleActor, ServiceOrchestrator
from lso_sim.actors.world import World
from lso_sim.architecture.roles import Role
from lso_sim.errors import LsoSimError
from lso_sim.messages.envelope import Flow, Message
from lso_sim.messages.operations import (
    MODIFY_COMPONENT_MONITORING,
    MODIFY_CONSTRUCT_MONITORING,
    MODIFY_ELEMENT_MONITORING,
    Operation,
)
from lso_sim.threads.resource_tasks import Target

STEP = "13"

UTILISATION_ALERT = 0.8
"""Utilisation, as a share of a part's bandwidth, at which its re-armed threshold alerts."""


def monitoring_for(world: World, bandwidth_mbps: float) -> dict[str, Any]:
    """The monitoring job and thresholds of a part carrying ``bandwidth_mbps``."""
    return {
        "bandwidthMbps": bandwidth_mbps,
        "intervalSeconds": world.telemetry.profile.interval,
        "thresholds": {"utilisationMbps": round(UTILISATION_ALERT * bandwidth_mbps, 3)},
    }


def rearm(
    world: World, sof: ServiceOrchestrator, targets: list[Target], bandwidth_mbps: float, flow: Flow
) -> Generator[simpy.Event, Any, list[str]]:
    """Re-arm every part of a service at once; why each part that could not be re-armed was not."""
    job = monitoring_for(world, bandwidth_mbps)
    calls = []
    for dst, part, order in targets:
        if order is None:
            calls.append(_ask(sof, dst, MODIFY_CONSTRUCT_MONITORING, {"constructId": part, **job}, flow))
        else:
            body = {"componentId": part, "partnerOrder": order, **job}
            calls.append(_ask(sof, dst, MODIFY_COMPONENT_MONITORING, body, flow))
    problems: list[str | None] = yield from sof.gather(calls)
    return [p for p in problems if p is not None]


def _ask(
    actor: RoleActor, dst: str, op: Operation, body: dict[str, Any], flow: Flow, step: str = STEP
) -> Generator[simpy.Event, Any, str | None]:
    try:
        answer = yield from actor.call(dst, op, body, flow=flow, step=step)
    except LsoSimError as exc:
        return f"{op.name} to {dst}: {exc}"
    if answer.status != op.success:
        why = answer.payload.get("reason") if isinstance(answer.payload, dict) else None
        return f"{op.name} to {dst} answered {answer.status}" + (f": {why}" if why else "")
    return None


def install(world: World) -> None:
    """The ICMs, ECMs and partner SOFs re-arm monitoring when asked (idempotent)."""
    for icm in world.icms.values():
        if not icm.handles(MODIFY_CONSTRUCT_MONITORING.name):
            icm.handle(MODIFY_CONSTRUCT_MONITORING, partial(_icm_rearm, world, icm))
    for ecm in world.ecms.values():
        if not ecm.handles(MODIFY_ELEMENT_MONITORING.name):
            ecm.handle(MODIFY_ELEMENT_MONITORING, partial(_ecm_rearm, ecm))
    for sof in world.sof.values():
        if sof.role is Role.SOF_PARTNER and not sof.handles(MODIFY_COMPONENT_MONITORING.name):
            sof.handle(MODIFY_COMPONENT_MONITORING, partial(_partner_rearm, sof))


def _job(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: payload[k] for k in ("bandwidthMbps", "intervalSeconds", "thresholds")}


def _icm_rearm(world: World, icm: InfrastructureManager, msg: Message) -> Generator[simpy.Event, Any, None]:
    """PRESTO: re-arm each element of the construct over ADAGIO, then keep the job."""
    construct = str(msg.payload["constructId"])
    known = icm.constructs.get(construct)
    if known is None:
        icm.respond(msg, 404, {"code": "notFound", "reason": f"no forwarding construct {construct!r}"})
        return
    job = _job(msg.payload)
    calls = [
        _ask(
            icm,
            world.topology.ecm_of(ne),
            MODIFY_ELEMENT_MONITORING,
            {"networkElement": ne, "constructId": construct, **job},
            msg.flow,
            msg.step,
        )
        for ne in known["networkElements"]
    ]
    problems = [p for p in (yield from icm.gather(calls)) if p is not None]
    if problems:
        icm.respond(msg, 502, {"code": "unavailable", "reason": "; ".join(problems)})
        return
    known["monitoring"] = job
    icm.respond(msg, 200, {"constructId": construct, "monitoring": job})


def _ecm_rearm(ecm: ElementManager, msg: Message) -> None:
    """ADAGIO: the element measures the construct with the new job and thresholds."""
    ne, construct = str(msg.payload["networkElement"]), str(msg.payload["constructId"])
    current = ecm.configuration.get(ne, {}).get(construct, {})
    ecm.configure(ne, construct, {**current, "monitoring": _job(msg.payload)})
    ecm.respond(msg, 200, {"networkElement": ne, "constructId": construct, "state": "rearmed"})


def _partner_rearm(sof: ServiceOrchestrator, msg: Message) -> Generator[simpy.Event, Any, None]:
    """INTERLUDE: the partner re-arms the constructs of the component it sold, through its ICMs."""
    order = str(msg.payload.get("partnerOrder"))
    known = sof.sold_under.get(order)
    record = sof.services.get(known) if known is not None else None
    if record is None or not record.constructs:
        sof.respond(msg, 404, {"code": "notFound", "reason": f"no active component sold under order {order}"})
        return
    job = _job(msg.payload)
    calls = [
        _ask(sof, icm, MODIFY_CONSTRUCT_MONITORING, {"constructId": construct, **job}, msg.flow, msg.step)
        for icm, construct, _nes in record.constructs
    ]
    problems = [p for p in (yield from sof.gather(calls)) if p is not None]
    if problems:
        sof.respond(msg, 502, {"code": "unavailable", "reason": "; ".join(problems)})
        return
    sof.respond(msg, 200, {"componentId": msg.payload.get("componentId"), "monitoring": job})
