"""Invariants checked after every run: nothing lost, nothing leaked, inventories in step.

Message-level invariants (one outcome per instance, every request settled, messages conserved)
are computed online by :class:`MessageLedger`, a trace observer that keeps counters and open
requests, never the trace. World-level ones (link bookings, inventories) look at the world after
the run. See docs/faults.md, "Invariants".
"""

from lso_sim.invariants.check import check_run, was_cut
from lso_sim.invariants.messages import MessageLedger
from lso_sim.invariants.result import InvariantReport, InvariantResult, Status

__all__ = ["InvariantReport", "InvariantResult", "MessageLedger", "Status", "check_run", "was_cut"]
