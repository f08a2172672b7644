"""A flow's bandwidth history kept flat reads as the plain list of ``(time, Mbit/s)`` pairs did.

Each element keeps one history per flow it has carried, for the whole run (counters and gauges
read them back), so it is kept as one flat tuple. These tests drive the element and a plain
reference (a list of pairs, the former layout) with the same random changes and compare every
read: bandwidth at any time, averages over windows, and the counters and gauges built on them.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lso_sim.errors import LsoSimError
from lso_sim.telemetry import NetworkTelemetry, TrafficProfile


class Clock:
    """A settable clock standing in for the simulation's."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class PlainHistory:
    """The former layout: a list of ``(from time, Mbit/s)``, a change at the same time replacing."""

    def __init__(self) -> None:
        self.pairs: list[tuple[float, float]] = []

    def carry(self, when: float, mbps: float) -> None:
        if self.pairs and self.pairs[-1][0] == when:
            self.pairs[-1] = (when, mbps)
        else:
            self.pairs.append((when, mbps))

    def bandwidth(self, at: float) -> float:
        value = 0.0
        for since, mbps in self.pairs:
            if since > at:
                break
            value = mbps
        return value

    def average(self, a: float, b: float) -> float:
        if b <= a or not any(a < t < b for t, _ in self.pairs):
            return self.bandwidth(a)
        cuts = [a] + [t for t, _ in self.pairs if a < t < b] + [b]
        total = sum((hi - lo) * self.bandwidth(lo) for lo, hi in itertools.pairwise(cuts) if hi > lo)
        return total / (b - a)


# A change: (seconds after the previous one, 0 meaning the same instant; new bandwidth).
changes = st.lists(
    st.tuples(st.sampled_from([0.0, 0.5, 30.0, 900.0, 3600.0]), st.sampled_from([0.0, 10.0, 100.0, 250.5])),
    min_size=1,
    max_size=8,
)


@settings(max_examples=60, deadline=None)
@given(changes=changes, probes=st.lists(st.floats(0, 20000, allow_nan=False), min_size=1, max_size=6))
def test_flat_history_reads_as_the_pairs_did(changes: list[tuple[float, float]], probes: list[float]) -> None:
    """Same bandwidth at every probe, same average over every window between probes."""
    clock = Clock()
    element = NetworkTelemetry(7, clock, lambda ne: 10000.0, TrafficProfile()).element("pe-1")
    plain = PlainHistory()
    for gap, mbps in changes:
        clock.now += gap
        element.carry("svc-1", mbps)
        plain.carry(clock.now, mbps)
    flow = element._flows["svc-1"]  # the history itself: what the layout change is about
    assert list(zip(flow.changes[0::2], flow.changes[1::2], strict=True)) == plain.pairs
    for at in probes:
        assert flow.bandwidth(at) == plain.bandwidth(at)
    for a, b in itertools.pairwise(sorted(probes)):
        assert flow.average(a, b) == plain.average(a, b)


def test_a_change_at_the_same_instant_replaces_and_an_earlier_one_is_refused() -> None:
    """Two changes at one instant keep the last; a change in the past, or before the last one, raises."""
    clock = Clock()
    element = NetworkTelemetry(7, clock, lambda ne: 10000.0, TrafficProfile()).element("pe-1")
    clock.now = 10.0
    element.carry("f", 100.0)
    element.carry("f", 200.0)
    assert element.flows() == {"f": 200.0}
    clock.now = 20.0
    element.carry("f", 0.0)
    assert element.flows() == {} and element.flows(at=15.0) == {"f": 200.0}
    with pytest.raises(LsoSimError, match="in the past"):
        element.carry("f", 50.0, at=19.0)
    element.carry("f", 75.0, at=40.0)  # a change planned ahead
    with pytest.raises(LsoSimError, match="time order"):
        element.carry("f", 50.0, at=30.0)
    assert element._flows["f"].changes == (10.0, 200.0, 20.0, 0.0, 40.0, 75.0)
