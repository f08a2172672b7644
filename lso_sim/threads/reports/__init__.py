"""Thread 10.4: Customer Viewing Service Performance and Fault Reports and Metrics.

The Customer reads which reports a service offers and asks SOF-sp, over ALLEGRO, for one
(``customer``). SOF-sp decides what it needs, gathers it from the ICMs (PRESTO, ADAGIO below) and
the partners (INTERLUDE) unless what it gathered earlier is still current, assembles the report and
tells the Customer it is available; the Customer then reads it (``orchestration``). Reports may
also be periodic (scheduled) or made when a threshold is crossed (triggered).
"""

from __future__ import annotations

from lso_sim.actors.world import World
from lso_sim.threads import resource_layer, resource_tasks
from lso_sim.threads.reports import customer, orchestration
from lso_sim.threads.reports.customer import ReportRequest, Trigger, run

THREAD = "10.4"


def install(world: World) -> None:
    """Give every actor of ``world`` its 10.4 behaviour."""
    resource_layer.install(world)
    resource_tasks.install(world)
    customer.install(world)
    orchestration.install(world)


def configure(world: World, *, freshness: float) -> None:
    """How long SOF-sp serves gathered information from its cache (seconds)."""
    world.sof_sp.report_freshness = freshness


__all__ = ["THREAD", "ReportRequest", "Trigger", "configure", "install", "run"]
