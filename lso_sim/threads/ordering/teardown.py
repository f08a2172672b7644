"""Removing a forwarding construct: PRESTO ``delete-connectivity-service`` at an ICM, ADAGIO below.

An ICM asked to delete one of its constructs has the ECM of every NE it crosses remove it
(``removeNetworkElementConfiguration``): the NE's stored configuration loses it, its traffic stops
in the telemetry model and its measurement ends. The ICM then forgets the construct and answers
with the TAPI service, locked and pending removal; an unknown construct is MEF's bodiless 400.
"""

from __future__ import annotations

from collections.abc import Generator
from functools import partial
from typing import Any

import simpy

from lso_sim.actors.roles import ElementManager, InfrastructureManager
from lso_sim.actors.world import World
from lso_sim.messages import bodies
from lso_sim.messages.envelope import Message
from lso_sim.messages.operations import DELETE_CONNECTIVITY, REMOVE_ELEMENT_CONFIGURATION

ADAGIO_STEP: dict[tuple[str, str], str] = {("10.2", "9a"): "10", ("10.2", "9b"): "10"}
"""Step of the ADAGIO hops below a PRESTO delete of ``(thread, step)`` (else the same step)."""


def install(world: World) -> None:
    """Give every ICM the PRESTO delete and every ECM the removal below it (idempotent)."""
    for icm in world.icms.values():
        if not icm.handles(DELETE_CONNECTIVITY.name):
            icm.handle(DELETE_CONNECTIVITY, partial(_icm_delete, world, icm))
    for ecm in world.ecms.values():
        if not ecm.handles(REMOVE_ELEMENT_CONFIGURATION.name):
            ecm.handle(REMOVE_ELEMENT_CONFIGURATION, partial(_ecm_remove, world, ecm))


def _icm_delete(world: World, icm: InfrastructureManager, msg: Message) -> Generator[simpy.Event, Any, None]:
    construct = str(msg.payload["input"]["service-id-or-name"])
    known = icm.constructs.get(construct)
    if known is None:
        icm.respond(msg, 400, None)
        return
    nes: list[str] = list(known["networkElements"])
    step = ADAGIO_STEP.get((msg.thread, msg.step), msg.step)
    calls = [
        icm.call(
            world.topology.ecm_of(ne),
            REMOVE_ELEMENT_CONFIGURATION,
            {"networkElement": ne, "constructId": construct},
            flow=msg.flow,
            step=step,
        )
        for ne in nes
    ]
    yield from icm.gather(calls)
    icm.constructs.pop(construct, None)
    icm.respond(msg, 200, bodies.presto_deleted_service(construct, nes))


def _ecm_remove(world: World, ecm: ElementManager, msg: Message) -> None:
    ne, construct = msg.payload["networkElement"], msg.payload["constructId"]
    ecm.configuration.get(ne, {}).pop(construct, None)
    world.telemetry.element(ne).carry(construct, 0.0)
    ecm.respond(msg, 200, {"networkElement": ne, "result": "pass"})
