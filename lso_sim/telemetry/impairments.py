"""Impairments: time windows in which a network element performs worse, and the alarms they raise.

A degradation (raised loss, delay or jitter) and a fault (an element that drops everything) are the
same thing to the metric model: a window on one NE with added figures. Each window may carry an
alarm that an ECM raises when the window opens and clears when it closes. A window without an end
lasts until someone repairs it (:meth:`ImpairmentState.repair`): a reconfiguration of the element
when the impairment is ``repairable``, otherwise manual work (the window's ``end``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from lso_sim.errors import LsoSimError


class ImpairmentKind(StrEnum):
    """What kind of trouble a window stands for (a label for reports and alarms)."""

    DEGRADATION = "degradation"
    """The element still forwards, but loses or delays more."""
    FAULT = "fault"
    """Something is broken (with ``down`` the element forwards nothing)."""


class AlarmState(StrEnum):
    """Whether an alarm event raises or clears its alarm."""

    RAISED = "raised"
    CLEARED = "cleared"


@dataclass(frozen=True, slots=True)
class Impairment:
    """One window of worse behaviour on one network element.

    Attributes:
        ne: network element id.
        start: simulated second the window opens.
        end: simulated second it closes by itself (manual repair done); ``None``: only a repair
            closes it.
        kind: degradation or fault (a label; ``down`` decides whether traffic stops).
        loss: frame loss ratio added while open (0 to 1).
        delay_ms: one-way delay added, milliseconds.
        jitter_ms: jitter added, milliseconds.
        down: the element forwards nothing while open (loss 1, availability 0).
        alarm: name of the alarm the ECM raises and clears (``None``: silent).
        severity: alarm severity (``critical``, ``major``, ``minor``, ``warning``).
        repairable: a reconfiguration of the element clears it (the orchestrator's automatic
            remedy); when false, only the ``end`` (manual repair) does.
    """

    ne: str
    start: float
    end: float | None = None
    kind: ImpairmentKind = ImpairmentKind.DEGRADATION
    loss: float = 0.0
    delay_ms: float = 0.0
    jitter_ms: float = 0.0
    down: bool = False
    alarm: str | None = None
    severity: str = "major"
    repairable: bool = True

    def __post_init__(self) -> None:
        if self.start < 0:
            raise LsoSimError(f"impairment on {self.ne}: start must be >= 0, got {self.start}")
        if self.end is not None and self.end <= self.start:
            raise LsoSimError(f"impairment on {self.ne}: end {self.end} must be after start {self.start}")
        if not 0.0 <= self.loss <= 1.0:
            raise LsoSimError(f"impairment on {self.ne}: loss must be within 0..1, got {self.loss}")


@dataclass(slots=True)
class ImpairmentState:
    """An injected impairment and when it really ends (earlier than planned once repaired).

    Attributes:
        id: ``imp-<n>``, unique per network telemetry, in injection order.
        spec: the impairment as injected.
        repaired_at: when a repair closed it (``None`` while not repaired).
    """

    id: str
    spec: Impairment
    repaired_at: float | None = None

    @property
    def end(self) -> float | None:
        """When the window closes: the repair, else the planned end, else never (``None``)."""
        if self.repaired_at is not None:
            return self.repaired_at if self.spec.end is None else min(self.repaired_at, self.spec.end)
        return self.spec.end

    def active(self, at: float) -> bool:
        """True when the window is open at ``at``."""
        end = self.end
        return self.spec.start <= at and (end is None or at < end)

    def overlap(self, a: float, b: float) -> float:
        """Seconds of ``[a, b)`` during which the window is open."""
        end = self.end
        hi = b if end is None else min(b, end)
        return max(0.0, hi - max(a, self.spec.start))

    def repair(self, at: float) -> bool:
        """Close the window at ``at`` if a reconfiguration can; True when it did."""
        if not self.spec.repairable or not self.active(at):
            return False
        self.repaired_at = at
        return True


@dataclass(frozen=True, slots=True)
class AlarmEvent:
    """An alarm an ECM raises or clears.

    Attributes:
        time: simulated second of the event.
        ne: network element.
        alarm: alarm name (the impairment's ``alarm``).
        state: raised or cleared.
        severity: the impairment's severity.
        impairment: id of the impairment (``imp-<n>``) that caused it.
    """

    time: float
    ne: str
    alarm: str
    state: AlarmState
    severity: str
    impairment: str

    def as_payload(self) -> dict[str, object]:
        """The event as a JSON object for message payloads."""
        return {
            "time": round(self.time, 6),
            "networkElement": self.ne,
            "alarm": self.alarm,
            "state": str(self.state),
            "severity": self.severity,
            "impairment": self.impairment,
        }
