"""Trace modes: what a run keeps of its records.

A record is created for every hop (about 128 per order of thread 10.2), so what a run keeps of
them decides whether it fits in memory at all:

- ``memory``: every record kept as a :class:`~lso_sim.messages.envelope.Message` (small runs,
  tests, the message listing, the step viewer);
- ``streamed``: every record written to the trace file as it is created and nothing kept; what
  needs the records after the run (expectations, ``--report``, ``--diagram``) reads the file back;
- ``summary``: nothing kept or written; the run's summary (messages per IRP, fall-out, end states,
  lead times) and its invariants are computed online by observers. This is what a sweep runs.

Each mode gives the same summary, outcomes and invariants (``tests/test_trace_modes.py``): they
differ only in what is left to look at afterwards.
"""

from __future__ import annotations

from enum import StrEnum


class TraceMode(StrEnum):
    """What a run keeps of its trace records (see the module docstring)."""

    MEMORY = "memory"
    STREAMED = "streamed"
    SUMMARY = "summary"

    @classmethod
    def default(cls, *, quiet: bool, trace_out: bool) -> TraceMode:
        """The mode a ``run`` gets when none is asked for: the listing needs the records in memory;
        without it (``--quiet``) they are streamed to ``--trace-out``, or not kept at all."""
        if not quiet:
            return cls.MEMORY
        return cls.STREAMED if trace_out else cls.SUMMARY
