"""Thread 10.7, SOF: scheduled usage collection, SLS exceptions and usage summaries for BUS.

SOF-sp reports a usage event when a service starts being used (step i); at the end of each billing
period it collects traffic and usage from its ICMs (1a, ADAGIO 2 below) and from partner SOFs
(1b), analyses it for the service (3), reports SLS violations and beyond-SLS use (ii) and the
usage summary (4) to BUS-sp over LEGATO. A partner SOF asked for its component's usage reports the
same period to its own BUS, which bills BUS-sp over SONATA: the partner's side of the thread.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from functools import partial
from typing import Any

import simpy

from lso_sim.actors.roles import ServiceOrchestrator, ServiceRecord
from lso_sim.actors.world import World
from lso_sim.messages.envelope import Flow, Message
from lso_sim.messages.operations import (
    RETRIEVE_COMPONENT_USAGE,
    RETRIEVE_CONSTRUCT_USAGE,
    SERVICE_USAGE_EVENT,
    SLS_EXCEPTION_EVENT,
    USAGE_SUMMARY,
)
from lso_sim.threads.billing.settings import settings_of

GIGABYTE = 1e9


def install(world: World) -> None:
    """Partner SOFs answer usage requests (and report their own usage to their BUS)."""
    for sof in world.sof.values():
        if not sof.handles(RETRIEVE_COMPONENT_USAGE.name):
            sof.handle(RETRIEVE_COMPONENT_USAGE, partial(_component_usage, world, sof))


def _record(sof: ServiceOrchestrator, service: str) -> ServiceRecord | None:
    return next((r for r in sof.services.values() if r.service.id == service), None)


def _constructs(
    world: World, sof: ServiceOrchestrator, record: ServiceRecord
) -> list[tuple[str, str, list[str]]]:
    if record.decomposition is not None and sof is world.sof_sp:
        return [
            (world.icm_of_fd(c.forwarding_domains[0]).id, c.id, list(c.network_elements))
            for c in record.decomposition.sp_components()
        ]
    return [(icm, cid, list(nes)) for icm, cid, nes in record.constructs]


def _presto_usage(
    world: World,
    sof: ServiceOrchestrator,
    record: ServiceRecord,
    flow: Flow,
    step: str,
    start: float,
    end: float,
) -> list[Generator[simpy.Event, Any, Message]]:
    return [
        sof.call(
            icm,
            RETRIEVE_CONSTRUCT_USAGE,
            {
                "constructId": cid,
                "service": record.service.id,
                "networkElements": nes,
                "periodStart": start,
                "periodEnd": end,
            },
            flow=flow,
            step=step,
        )
        for icm, cid, nes in _constructs(world, sof, record)
    ]


def schedule(world: World, service: str, flow: Flow) -> Generator[simpy.Event, Any, None]:
    """SOF-sp's collection schedule for one service (a simpy process body)."""
    sof, settings = world.sof_sp, settings_of(world)
    record = _record(sof, service)
    if record is None:
        return
    bus = world.bus_sp.id
    sof.tell(
        bus,
        SERVICE_USAGE_EVENT,
        {
            "service": service,
            "eventType": "usageStarted",
            "bandwidthMbps": record.bandwidth_mbps,
            "time": world.sim.now,
        },
        flow=flow,
        step="i",
    )
    start = world.sim.now
    for _cycle in range(settings.cycles):
        yield world.sim.env.timeout(settings.period)
        yield from collect(world, sof, record, flow, start, world.sim.now)
        start = world.sim.now


def collect(
    world: World, sof: ServiceOrchestrator, record: ServiceRecord, flow: Flow, start: float, end: float
) -> Generator[simpy.Event, Any, None]:
    """Steps 1a, 1b, 2, 3, ii and 4 for one period."""
    settings = settings_of(world)
    calls = _presto_usage(world, sof, record, flow, "1a", start, end)
    partners = [] if record.decomposition is None else record.decomposition.partner_components()
    calls += [
        sof.call(
            world.sof[c.domain].id,
            RETRIEVE_COMPONENT_USAGE,
            {
                "componentId": c.id,
                "partnerOrder": record.partner_orders.get(c.domain),
                "periodStart": start,
                "periodEnd": end,
            },
            flow=flow,
            step="1b",
        )
        for c in partners
    ]
    answers: list[Message] = yield from sof.gather(calls)
    figures = summarise([a.payload for a in answers if a.status == 200])
    # Share of the ordered bandwidth the service used on average: above the committed share the
    # customer sends beyond its SLS (MEF's example: yellow traffic, an upsell opportunity).
    throughput = figures["octets"] * 8 / max(end - start, 1.0) / 1e6
    figures["serviceUtilisation"] = round(throughput / record.bandwidth_mbps, 6)
    yield from sof.activity(
        "analyseUsage", flow=flow, step="3", payload={"service": record.service.id, **figures}
    )
    exceptions: list[str] = []
    if figures["frameLossRatio"] > settings.sla_loss:
        exceptions.append("slsViolation")
    if figures["serviceUtilisation"] > settings.committed_utilisation:
        exceptions.append("beyondSls")
    for kind in exceptions:
        metric = "frameLossRatio" if kind == "slsViolation" else "serviceUtilisation"
        objective = settings.sla_loss if kind == "slsViolation" else settings.committed_utilisation
        sof.tell(
            world.bus[sof.domain].id,
            SLS_EXCEPTION_EVENT,
            {
                "service": record.service.id,
                "type": kind,
                "metric": metric,
                "value": figures[metric],
                "objective": objective,
                "periodStart": start,
                "periodEnd": end,
            },
            flow=flow,
            step="ii",
        )
    yield from sof.call(
        world.bus[sof.domain].id,
        USAGE_SUMMARY,
        {
            "service": record.service.id,
            "periodStart": start,
            "periodEnd": end,
            **figures,
            "exceptions": exceptions,
        },
        flow=flow,
        step="4",
    )


def summarise(answers: list[dict[str, Any]]) -> dict[str, Any]:
    """Service-level figures from construct/component answers: usage and end-to-end gauges."""
    elements = [e for a in answers for e in a.get("elements", [])]
    own = [a for a in answers if "constructId" in a]
    octets = max((int(a.get("octets", 0)) for a in (own or answers)), default=0)
    delivered = math.prod(1.0 - float(e["gauges"]["frameLossRatio"]) for e in elements)
    return {
        "octets": octets,
        "gigabytes": round(octets / GIGABYTE, 6),
        "frameLossRatio": round(1.0 - delivered, 9),
        "utilisation": round(max((float(e["gauges"]["utilisation"]) for e in elements), default=0.0), 6),
        "availability": round(math.prod(float(e["gauges"]["availability"]) for e in elements), 6),
    }


def _component_usage(
    world: World, sof: ServiceOrchestrator, msg: Message
) -> Generator[simpy.Event, Any, None]:
    """INTERLUDE 1b at a partner SOF: collect its segment's usage, answer, and report it to its BUS."""
    record = next(
        (r for r in sof.services.values() if r.product_order == msg.payload.get("partnerOrder")), None
    )
    if record is None:
        sof.respond(
            msg, 404, {"code": "notFound", "reason": f"no service for {msg.payload.get('partnerOrder')}"}
        )
        return
    start, end = float(msg.payload["periodStart"]), float(msg.payload["periodEnd"])
    answers: list[Message] = yield from sof.gather(
        _presto_usage(world, sof, record, msg.flow, "1b", start, end)
    )
    payloads = [a.payload for a in answers if a.status == 200]
    figures = summarise(payloads)
    sof.respond(
        msg,
        200,
        {
            "componentId": msg.payload["componentId"],
            "octets": figures["octets"],
            "elements": [e for p in payloads for e in p["elements"]],
        },
    )
    yield from sof.call(
        world.bus[sof.domain].id,
        USAGE_SUMMARY,
        {"service": record.service.id, "periodStart": start, "periodEnd": end, **figures, "exceptions": []},
        flow=msg.flow,
        step="4",
    )
