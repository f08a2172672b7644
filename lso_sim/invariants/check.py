"""Checking every invariant after a run: the online ledger plus a look at the world.

:func:`check_run` is what ``lso-sim run``, ``lso-sim check`` and the pytest plugin call (through
:func:`lso_sim.scenarios.runner.run_scenario`, which attaches a :class:`MessageLedger` to every
run). A run is *cut* when it stopped at a horizon with events still scheduled; the rules that
depend on it are in docs/faults.md ("Invariants").
"""

from __future__ import annotations

import math

from lso_sim.actors.world import World
from lso_sim.invariants.bookings import check_bookings
from lso_sim.invariants.inventories import check_inventories
from lso_sim.invariants.messages import MessageLedger
from lso_sim.invariants.result import InvariantReport


def was_cut(world: World) -> bool:
    """True when the simulation stopped with events still scheduled (a horizon, ``until``)."""
    return not math.isinf(world.sim.env.peek())


def check_run(world: World, ledger: MessageLedger, *, cut: bool | None = None) -> InvariantReport:
    """Every invariant of a finished run.

    Args:
        world: the world after the run.
        ledger: the observer that watched the run's records from the start.
        cut: whether the run was cut at a horizon (default: events still scheduled).
    """
    if cut is None:
        cut = was_cut(world)
    sim = world.sim
    return InvariantReport(
        (
            ledger.check_outcomes(world.outcomes),
            ledger.check_requests(cut),
            ledger.check_conservation(sim.channels(), sim.actors, sim.now, cut),
            check_bookings(world, cut=cut),
            check_inventories(world, cut=cut),
        ),
        cut,
    )
