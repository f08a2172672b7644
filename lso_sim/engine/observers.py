"""Observers: how trace sinks, metrics and progress displays watch a simulation.

The engine only calls :meth:`TraceObserver.on_record` with each record as it is created; it knows
nothing of files, terminals or rich. A memory trace, a JSONL writer and a progress bar are all
observers living in the layers above.
"""

from __future__ import annotations

from typing import Protocol

from lso_sim.messages.envelope import Message


class TraceObserver(Protocol):
    """Receives every trace record in send order."""

    def on_record(self, record: Message) -> None:
        """Called once per record, at the simulated time it is created."""
        ...


class MemoryTrace:
    """Keeps every record in a list (tests, summaries, diagrams)."""

    def __init__(self) -> None:
        self.records: list[Message] = []

    def on_record(self, record: Message) -> None:
        self.records.append(record)
