"""Which threads can run, and how a world is prepared for each.

:data:`~lso_sim.threads.catalog.THREADS` lists all of section 10; this registry adds, for the
threads lso-sim implements, the function that installs their behaviour on a world.
"""

from __future__ import annotations

from collections.abc import Callable

from lso_sim.actors.world import World
from lso_sim.threads import ordering

INSTALLERS: dict[str, Callable[[World], None]] = {
    ordering.THREAD: ordering.install,
}
"""Thread id -> installs its handlers on every actor of a world."""


def runnable_threads() -> list[str]:
    """Ids of the implemented threads, in section order."""
    return sorted(INSTALLERS, key=lambda t: [int(p) for p in t.split(".")])


def is_implemented(thread_id: str) -> bool:
    """True when ``thread_id`` can be run."""
    return thread_id in INSTALLERS
