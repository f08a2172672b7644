"""Thread 10.8: Securing Management and Control Mechanisms.

MEF gives only the purpose of this thread; lso-sim's steps are derived from it (see
docs/threads/10.8.md). Every party holds a credential (``credentials``); every arriving request
and notification, on every IRP and in every thread, is authenticated and authorised against the
policy before it is handled, and every decision is audited (``policy``, ``guard``). Security is
on unless a scenario turns it off (``security: {enabled: false}``). The thread's own instances are
``probes``: requests a scenario has parties send, to show refusals.
"""

from __future__ import annotations

from lso_sim.actors.world import World
from lso_sim.threads.security.guard import THREAD, Security, enable, security_of
from lso_sim.threads.security.probes import Probe, run


def install(world: World) -> None:
    """Nothing of its own: the guard is enabled for every scenario when its world is built."""
    del world


__all__ = ["THREAD", "Probe", "Security", "enable", "install", "run", "security_of"]
