"""Thread 10.6: Assessing Service Quality Based on SLS.

SOF-sp polls the performance of each component of a service every period (ICMs over PRESTO with
ADAGIO below, partners over INTERLUDE) and arms threshold watches that make ICMs and partner SOFs
alert as soon as a measurement interval crosses an objective. It compares the end-to-end figures
with the service's SLS objectives; on a degradation it tests the components to locate it,
reconfigures what a reconfiguration can repair, says when manual intervention is needed, and
reports the status to BUS-sp over LEGATO, which tells the Customer over CANTATA, until the
figures are back within the objectives (``assessment``; ``business`` is BUS-sp's relay).
"""

from __future__ import annotations

from lso_sim.actors.world import World
from lso_sim.threads import resource_layer, resource_tasks
from lso_sim.threads.sls import assessment, business
from lso_sim.threads.sls.assessment import Assessment, run

THREAD = "10.6"


def install(world: World) -> None:
    """Give every actor of ``world`` its 10.6 behaviour."""
    resource_layer.install(world)
    resource_tasks.install(world)
    assessment.install(world)
    business.install(world)


__all__ = ["THREAD", "Assessment", "install", "run"]
