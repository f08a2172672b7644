"""Thread 10.7 below SOF: ICMs gather traffic and usage of a construct from the ECMs of its elements.

Figures come from the telemetry model (:mod:`lso_sim.telemetry`): counters of the construct's
flow on each element over the period and the element's gauges over the same window, so usage and
SLS figures move with the seed and the load.
"""

from __future__ import annotations

from collections.abc import Generator
from functools import partial
from typing import Any

import simpy

from lso_sim.actors.roles import ElementManager, InfrastructureManager
from lso_sim.actors.world import World
from lso_sim.messages.envelope import Message
from lso_sim.messages.operations import RETRIEVE_CONSTRUCT_USAGE, RETRIEVE_ELEMENT_USAGE


def install(world: World) -> None:
    """Give ICMs and ECMs their 10.7 behaviour (idempotent)."""
    for icm in world.icms.values():
        if not icm.handles(RETRIEVE_CONSTRUCT_USAGE.name):
            icm.handle(RETRIEVE_CONSTRUCT_USAGE, partial(_icm_usage, world, icm))
    for ecm in world.ecms.values():
        if not ecm.handles(RETRIEVE_ELEMENT_USAGE.name):
            ecm.handle(RETRIEVE_ELEMENT_USAGE, partial(_ecm_usage, world, ecm))


def _icm_usage(world: World, icm: InfrastructureManager, msg: Message) -> Generator[simpy.Event, Any, None]:
    """Step 2: read every element of the construct; the construct's usage is its busiest element's."""
    body = msg.payload
    calls = [
        icm.call(
            world.topology.ecm_of(ne),
            RETRIEVE_ELEMENT_USAGE,
            {
                "networkElement": ne,
                "constructId": body["constructId"],
                "periodStart": body["periodStart"],
                "periodEnd": body["periodEnd"],
            },
            flow=msg.flow,
            step="2",
        )
        for ne in body["networkElements"]
    ]
    answers: list[Message] = yield from icm.gather(calls)
    elements = [a.payload for a in answers if a.status == 200]
    octets = max((e["counters"]["octetsOut"] for e in elements), default=0)
    icm.respond(msg, 200, {"constructId": body["constructId"], "octets": octets, "elements": elements})


def _ecm_usage(world: World, ecm: ElementManager, msg: Message) -> None:
    """Counters of the construct's flow over the period and the element's gauges over it."""
    ne, flow = msg.payload["networkElement"], msg.payload["constructId"]
    start, end = float(msg.payload["periodStart"]), float(msg.payload["periodEnd"])
    element = world.telemetry.element(ne)
    used = element.counters(flow, at=end) - element.counters(flow, at=start)
    ecm.respond(
        msg,
        200,
        {
            "networkElement": ne,
            "counters": used.as_payload(),
            "gauges": element.window(start, end).as_payload(),
        },
    )
