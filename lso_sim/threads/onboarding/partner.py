"""Thread 10.1, BUS-partner: share its catalog on its own terms, and change it later (step 6).

The partner chooses what it shares with the SP (its offerings, and the level of detail) before
BUS-sp reads it. A later change of an offering is a thread instance of its own, driven by the
partner: it publishes the change to the catalog hubs of the buyers it shares with. BUS-sp ends the
instance ``applied`` once SOF-sp has the update; if nobody had a hub (``unheard``), or the event
or BUS-sp's reads were lost (``unconfirmed``, after ``options.notification_wait``), the instance
still ends, saying why: the buyer sees the change at its next read of the catalog.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from lso_sim.actors.world import World
from lso_sim.errors import LsoSimError
from lso_sim.messages.envelope import Flow
from lso_sim.sonata.catalog import CatalogApi, Sharing
from lso_sim.threads.onboarding.plan import CatalogChange, OnboardingPlan

THREAD = "10.1"


def catalog_of(world: World, domain: str) -> CatalogApi:
    """The product catalog API of ``domain``'s BUS (installed by thread 10.2's sellers)."""
    api = world.bus[domain].apis.get(CatalogApi.api)
    if not isinstance(api, CatalogApi):
        raise LsoSimError(f"{world.bus[domain].id} serves no product catalog")
    return api


def share(world: World, plan: OnboardingPlan) -> None:
    """The partner decides what BUS-sp will see of its catalog (before anything runs)."""
    term = [
        {
            "name": f"{plan.term_months}-month commitment",
            "duration": {"amount": plan.term_months, "units": "calendarMonths"},
            "endOfTermAction": plan.end_of_term,
        }
    ]
    catalog_of(world, plan.partner).share(
        world.bus_sp.id,
        Sharing(
            detail=plan.detail,
            offerings=plan.offerings,
            terms={o: term for o in plan.offerings},
            objectives={o: dict(plan.objectives) for o in plan.offerings},
        ),
    )


def change(world: World, plan: OnboardingPlan, item: CatalogChange) -> Generator[simpy.Event, Any, None]:
    """The partner's life line for one catalog change (a simpy process body)."""
    yield world.sim.env.timeout(item.at)
    bus = world.bus[plan.partner]
    world.begin(THREAD, item.instance, bus)
    heard = catalog_of(world, plan.partner).change(
        item.offering, item.status, flow=Flow(THREAD, item.instance), step="6"
    )
    if not heard:
        world.finish(
            item.instance,
            "unheard",
            f"{world.bus_sp.id} has no catalog hub at {bus.id}: it sees the change at its next catalog read",
            offering=item.offering,
        )
        return
    yield world.sim.env.timeout(world.options.notification_wait)
    world.finish(
        item.instance,
        "unconfirmed",
        f"{world.bus_sp.id} had not applied the change {world.options.notification_wait:g} s after it was"
        " published (event or reads lost): it sees it at its next catalog read",
        offering=item.offering,
    )
