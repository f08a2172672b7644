"""Which threads can run, and how a world is prepared for each.

:data:`~lso_sim.threads.catalog.THREADS` lists all of section 10; this registry adds, for the
threads lso-sim implements, the function that installs their behaviour on a world and the threads
each one builds on (10.3 to 10.7 act on a service that 10.2 established first).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from lso_sim.actors.world import World
from lso_sim.threads import billing, cloud, control, onboarding, ordering, reports, security, sls, trouble

INSTALLERS: dict[str, Callable[[World], None]] = {
    onboarding.THREAD: onboarding.install,
    ordering.THREAD: ordering.install,
    control.THREAD: control.install,
    reports.THREAD: reports.install,
    trouble.THREAD: trouble.install,
    sls.THREAD: sls.install,
    billing.THREAD: billing.install,
    security.THREAD: security.install,
    cloud.THREAD: cloud.install,
}
"""Thread id -> installs its handlers on every actor of a world."""

REQUIRES: dict[str, tuple[str, ...]] = {
    onboarding.THREAD: (ordering.THREAD,),  # the sellers' catalogs; and 10.2 is what it enables
    control.THREAD: (ordering.THREAD,),
    reports.THREAD: (ordering.THREAD,),
    trouble.THREAD: (ordering.THREAD,),
    sls.THREAD: (ordering.THREAD,),
    billing.THREAD: (ordering.THREAD,),
    security.THREAD: (ordering.THREAD,),  # the sellers its probes call
    cloud.THREAD: (control.THREAD,),  # each bandwidth change is a 10.3 change
}
"""Thread id -> the threads whose behaviour it needs installed too (e.g. ``("10.2",)``)."""


def runnable_threads() -> list[str]:
    """Ids of the implemented threads, in section order."""
    return sorted(INSTALLERS, key=lambda t: [int(p) for p in t.split(".")])


def is_implemented(thread_id: str) -> bool:
    """True when ``thread_id`` can be run."""
    return thread_id in INSTALLERS


def install_threads(world: World, thread_ids: Iterable[str]) -> list[str]:
    """Install ``thread_ids`` and what they require, each once, prerequisites first.

    Returns:
        The thread ids installed, in installation order.
    """
    done: list[str] = []

    def visit(thread_id: str) -> None:
        if thread_id in done:
            return
        for required in REQUIRES.get(thread_id, ()):
            visit(required)
        INSTALLERS[thread_id](world)
        done.append(thread_id)

    for thread_id in thread_ids:
        visit(thread_id)
    return done
