"""Thread 10.1, SOF-sp: learn which service components a partner's offerings can realise (step 5).

MEF's purpose: the SP "may use the details of the Partner's Product Offerings to identify the
potential capabilities of Service Components that could be implemented using the Partner's
products". SOF-sp reads the MEF product specification each offering names and maps it onto the
kind of component its decomposition produces (:data:`SPECIFICATION_COMPONENTS`); an offering
whose specification it does not recognise realises nothing it can use, and says so.
"""

from __future__ import annotations

from collections.abc import Generator
from functools import partial
from typing import Any

import simpy

from lso_sim.actors.roles import ServiceOrchestrator
from lso_sim.actors.world import World
from lso_sim.messages.envelope import Message
from lso_sim.messages.operations import REGISTER_PARTNER_CAPABILITIES
from lso_sim.threads.partners import PARTNER_ACCESS

SPECIFICATION_COMPONENTS: dict[str, str] = {
    "access-eline-ovc": PARTNER_ACCESS,
    "transit-eline-ovc": "enni-enni-ovc",
}
"""MEF product specification name (the URN's ``name`` part) -> the component kind it realises."""


def component_of(specification: str) -> str | None:
    """The component kind an offering of ``specification`` (a MEF schema URN) realises, if any."""
    parts = specification.split(":")
    name = parts[-3] if len(parts) >= 3 else specification
    return SPECIFICATION_COMPONENTS.get(name)


def install(world: World) -> None:
    """Register SOF-sp's handler for step 5."""
    sof = world.sof_sp
    if not sof.handles(REGISTER_PARTNER_CAPABILITIES.name):
        sof.handle(REGISTER_PARTNER_CAPABILITIES, partial(_register, sof))


def _register(sof: ServiceOrchestrator, msg: Message) -> Generator[simpy.Event, Any, None]:
    """Map each offering onto a component kind; answer with the map (``None``: no use found)."""
    offerings = msg.payload.get("offerings", [])
    yield from sof.activity(
        "mapPartnerCapabilities",
        flow=msg.flow,
        step=msg.step,
        payload={"partner": msg.payload.get("partner"), "offerings": len(offerings)},
    )
    components = {str(o["id"]): component_of(str(o.get("specification", ""))) for o in offerings}
    sof.respond(msg, 200, {"partner": msg.payload.get("partner"), "components": components})
