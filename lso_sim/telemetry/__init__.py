"""The ECM metric model: counters, gauges, impairments and alarms of the network elements.

Performance, fault and usage figures in lso-sim come from here, never from constants, so reports,
threshold crossing alerts and bills differ with the seed, the load and the services in place.

Who reads what
--------------
``World.telemetry`` is a :class:`NetworkTelemetry`; only ECM behaviour reads it (through
``world.telemetry.element(ne)``). Everything above an ECM learns the figures from messages: an
ICM gathers them over ADAGIO, SOF over PRESTO or INTERLUDE, BUS and the Customer over LEGATO,
ALLEGRO and CANTATA.

Traffic
-------
``element(ne).carry(flow, bandwidth_mbps, at=None)`` says that from ``at`` (default now) ``flow``
(a forwarding construct id) crosses ``ne`` with that bandwidth; 0 stops it. The shared resource
layer calls it when an ECM configures a construct, so every service 10.2 activates (and every
bandwidth change of 10.3) is traffic here. Each measurement interval (``profile.interval``, 900 s
by default) a flow uses a share of its bandwidth drawn around ``profile.load`` with a daily cycle
(:meth:`NetworkTelemetry.load_factor`), the same on every element it crosses.

Counters (cumulative, :class:`Counters`)
----------------------------------------
``element(ne).counters(flow, at=None)``: octets and frames in and out, errored frames, of one flow
since it started; ``element(ne).element_counters(at=None)`` adds up all flows. Subtract two reads
(``later - earlier``) for the traffic of a period (usage, billing).

Gauges (:class:`Sample`)
------------------------
``element(ne).window(start, end)``: utilisation, frame loss ratio, one-way delay, jitter and
availability averaged over a window; ``element(ne).sample(at=None)``: over the last measurement
interval. Loss and delay grow with utilisation (congestion, queueing) and with open impairments.
:func:`compose` turns the samples of the elements of a path into end-to-end figures.
``element(ne).first_crossing(metric, threshold, start, end)`` finds the first interval end at which
a gauge crossed a threshold: what a threshold crossing alert (TCA) reports, found without polling.

Impairments, faults and alarms (:class:`Impairment`)
---------------------------------------------------
``inject(Impairment(ne, start, end=None, loss=..., delay_ms=..., jitter_ms=..., down=False,
alarm="name", severity="major", repairable=True, kind=...))`` opens a window of worse behaviour
on one NE (scenario files list them under ``impairments:``). ``down`` makes it a hard fault (loss
1, availability 0). ``active(ne)`` lists the open ones; ``repair(ne)`` is what a reconfiguration of
the NE does: it closes the repairable ones now (the others wait for their ``end``, a manual
repair). ``alarm_events(ne=None, until=None)`` lists the :class:`AlarmEvent` an ECM raises when a
window opens and clears when it closes, for threads that push alarms.

Determinism and cost
--------------------
Every draw comes from ``random.Random("<seed>/telemetry/<name>")`` with a name made of the NE or
flow and the interval index, so a figure does not depend on who read what before. Nothing is
computed until read; completed intervals of a flow's counters are cached, so reading counters
again costs only the intervals since the last read.
"""

from __future__ import annotations

from lso_sim.telemetry.impairments import (
    AlarmEvent,
    AlarmState,
    Impairment,
    ImpairmentKind,
    ImpairmentState,
)
from lso_sim.telemetry.model import (
    Counters,
    ElementTelemetry,
    Metric,
    NetworkTelemetry,
    Sample,
    TrafficProfile,
    compose,
)

__all__ = [
    "AlarmEvent",
    "AlarmState",
    "Counters",
    "ElementTelemetry",
    "Impairment",
    "ImpairmentKind",
    "ImpairmentState",
    "Metric",
    "NetworkTelemetry",
    "Sample",
    "TrafficProfile",
    "compose",
]
