"""Figures a run summary shows: messages per IRP, losses, timeouts, per-instance lead times."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from lso_sim.messages.envelope import MESSAGE_KINDS, Kind, Message


@dataclass(slots=True)
class TraceSummary:
    """Counts gathered while a run streams its records (an engine observer).

    Attributes:
        messages: channel messages seen.
        per_irp: channel messages per IRP.
        per_kind: records per kind.
        lost: messages a channel lost.
        timeouts: requests that timed out.
        errors: handler failures.
        rejected: responses with a status of 400 or more.
        last_time: latest send or arrival time seen.
    """

    messages: int = 0
    per_irp: Counter[str] = field(default_factory=Counter)
    per_kind: Counter[str] = field(default_factory=Counter)
    lost: int = 0
    timeouts: int = 0
    errors: int = 0
    rejected: int = 0
    last_time: float = 0.0

    def on_record(self, record: Message) -> None:
        kind = record.kind
        self.per_kind[kind] += 1
        if kind in MESSAGE_KINDS:
            self.messages += 1
            self.per_irp[record.irp or "-"] += 1
            if record.delivered is None:
                self.lost += 1
            if kind is Kind.RESPONSE and record.status is not None and record.status >= 400:
                self.rejected += 1
        elif kind is Kind.TIMEOUT:
            self.timeouts += 1
        elif kind is Kind.ERROR:
            self.errors += 1
        end = record.delivered if record.delivered is not None else record.time
        self.last_time = max(self.last_time, end)
