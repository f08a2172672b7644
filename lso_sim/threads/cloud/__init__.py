"""Thread 10.9: Providing Connectivity Services for Cloud.

MEF gives only the purpose of this thread; lso-sim's steps are derived from it (see
docs/threads/10.9.md). A Customer Application Coordinator in the Customer's domain watches the
load of the cloud applications it supports (``load``) and changes the bandwidth of the
connectivity service between two data centres over ALLEGRO when they need more, or less
(``coordinator``). Each change is carried out exactly as a thread 10.3 change, in the SP's and the
partner's segments, within the contract's bounds.
"""

from __future__ import annotations

from lso_sim.actors.world import World
from lso_sim.threads.cloud.coordinator import CloudPlan, run
from lso_sim.threads.cloud.load import LoadModel, LoadPoint, needed_bandwidth

THREAD = "10.9"


def install(world: World) -> None:
    """Nothing of its own: the coordinator is the Customer's process, and SOF-sp serves it with
    thread 10.3's handlers, which the registry installs first (``REQUIRES``)."""
    del world


__all__ = ["THREAD", "CloudPlan", "LoadModel", "LoadPoint", "install", "needed_bandwidth", "run"]
