"""The ECM metric model: figures evolve with time and traffic, impairments show, reads are pure."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lso_sim.errors import LsoSimError
from lso_sim.scenarios import load_scenario, run_scenario
from lso_sim.scenarios.loader import parse_scenario
from lso_sim.telemetry import (
    AlarmState,
    Counters,
    Impairment,
    NetworkTelemetry,
    Sample,
    TrafficProfile,
    compose,
)


class Clock:
    """A settable clock standing in for the simulation's."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def network(seed: int = 1, load: float = 0.4, capacity: float = 10000.0) -> tuple[NetworkTelemetry, Clock]:
    clock = Clock()
    return NetworkTelemetry(seed, clock, lambda ne: capacity, TrafficProfile(load=load)), clock


def test_counters_grow_with_time_and_bandwidth() -> None:
    """More time or more bandwidth means more octets; nothing is counted before the flow starts."""
    net, clock = network()
    ne = net.element("pe-1")
    ne.carry("svc-1", 100.0)
    assert ne.counters("svc-1") == Counters()
    clock.now = 3600.0
    hour = ne.counters("svc-1")
    clock.now = 7200.0
    two_hours = ne.counters("svc-1")
    assert 0 < hour.octets_in < two_hours.octets_in
    # At 40 % mean load a 100 Mbit/s flow carries roughly 18 GB an hour.
    assert 0.4 * 18e9 < hour.octets_in < 2.5 * 18e9
    assert hour.frames_out <= hour.frames_in and hour.octets_out <= hour.octets_in


def test_bandwidth_change_changes_the_rate() -> None:
    """A flow doubled in bandwidth counts about twice as fast afterwards (10.3 changes show in bills)."""
    a, clock_a = network()
    b, clock_b = network()
    a.element("pe-1").carry("f", 100.0)
    b.element("pe-1").carry("f", 100.0)
    clock_a.now = clock_b.now = 3600.0
    b.element("pe-1").carry("f", 200.0)
    clock_a.now = clock_b.now = 7200.0
    first = a.element("pe-1").counters("f").octets_in
    second = b.element("pe-1").counters("f").octets_in
    assert second > first * 1.3


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_figures_depend_on_seed(seed: int) -> None:
    """Same seed, same figures; another seed, other figures."""
    values = []
    for s in (seed, seed, seed + 100):
        net, clock = network(seed=s)
        net.element("pe-1").carry("f", 100.0)
        clock.now = 5000.0
        values.append(net.element("pe-1").counters("f").octets_in)
    assert values[0] == values[1] != values[2]


def test_load_changes_utilisation() -> None:
    """Utilisation follows the traffic profile's load."""
    light, clock_l = network(load=0.1, capacity=1000.0)
    heavy, clock_h = network(load=0.8, capacity=1000.0)
    for net in (light, heavy):
        net.element("pe-1").carry("f", 500.0)
    clock_l.now = clock_h.now = 3600.0
    assert light.element("pe-1").sample().utilisation < heavy.element("pe-1").sample().utilisation


def test_reads_do_not_change_figures() -> None:
    """Reading often (a cache missed, an extra poll) never changes what another reader sees."""
    once, clock_1 = network()
    often, clock_2 = network()
    for net in (once, often):
        net.element("pe-1").carry("f", 100.0)
    for t in range(100, 20000, 700):
        clock_2.now = float(t)
        often.element("pe-1").counters("f")
        often.element("pe-1").sample()
    clock_1.now = clock_2.now = 20000.0
    assert once.element("pe-1").counters("f") == often.element("pe-1").counters("f")
    assert once.element("pe-1").sample() == often.element("pe-1").sample()


def test_degradation_raises_loss_and_delay_then_repair_ends_it() -> None:
    """An open impairment shows in the gauges; a repair closes it, and the gauges recover."""
    net, clock = network()
    ne = net.element("pe-1")
    ne.carry("f", 100.0)
    state = net.inject(Impairment("pe-1", start=1800.0, loss=0.02, delay_ms=15.0, alarm="highLoss"))
    clock.now = 1800.0
    healthy = ne.sample()
    clock.now = 2700.0
    degraded = ne.sample()
    assert degraded.frame_loss_ratio > 0.01 > healthy.frame_loss_ratio
    assert degraded.delay_ms > healthy.delay_ms + 10
    assert [s.id for s in net.active("pe-1")] == [state.id]
    assert net.repair("pe-1") == [state]
    clock.now = 3600.0 + 900.0
    assert ne.sample().frame_loss_ratio < 0.01
    events = net.alarm_events("pe-1")
    assert [(e.time, e.state) for e in events] == [(1800.0, AlarmState.RAISED), (2700.0, AlarmState.CLEARED)]


def test_unrepairable_impairment_waits_for_its_end() -> None:
    """A reconfiguration cannot fix what needs a manual repair."""
    net, clock = network()
    net.inject(Impairment("pe-1", start=0.0, end=5000.0, loss=0.5, repairable=False))
    clock.now = 100.0
    assert net.repair("pe-1") == []
    assert net.active("pe-1") and not net.active("pe-1", 5000.0)


def test_fault_down_stops_traffic_and_availability() -> None:
    """A hard fault loses every frame and counts as unavailable time."""
    net, clock = network()
    ne = net.element("pe-1")
    ne.carry("f", 100.0)
    net.inject(Impairment("pe-1", start=900.0, end=1800.0, down=True))
    clock.now = 1800.0
    window = ne.window(900.0, 1800.0)
    assert window.availability == 0.0 and window.frame_loss_ratio == 1.0
    assert ne.window(0.0, 1800.0).availability == pytest.approx(0.5)


def test_first_crossing_finds_the_interval_that_crossed() -> None:
    """A TCA is decided when the first interval containing the degradation closes."""
    net, _ = network()
    ne = net.element("pe-1")
    ne.carry("f", 100.0)
    net.inject(Impairment("pe-1", start=4000.0, loss=0.05))
    found = ne.first_crossing("frame_loss_ratio", 0.01, 0.0, 20000.0)
    assert found is not None and found[0] == 4500.0
    assert ne.first_crossing("frame_loss_ratio", 0.01, 0.0, 3600.0) is None


def test_compose_adds_delay_and_compounds_loss() -> None:
    """End to end: delays add, losses compound, availability multiplies."""
    a = Sample(0, 10, 0.2, 0.1, 2.0, 0.3, 1.0)
    b = Sample(0, 10, 0.5, 0.1, 3.0, 0.4, 0.5)
    path = compose([a, b])
    assert path.delay_ms == 5.0 and path.utilisation == 0.5 and path.availability == 0.5
    assert path.frame_loss_ratio == pytest.approx(0.19)
    with pytest.raises(LsoSimError):
        compose([])


@pytest.mark.parametrize(
    "kwargs",
    [{"start": -1.0}, {"start": 10.0, "end": 5.0}, {"start": 0.0, "loss": 1.5}],
)
def test_impairment_rejects_nonsense(kwargs: dict[str, float]) -> None:
    """Windows must open at a time >= 0, close after they open, and add a loss ratio within 0..1."""
    with pytest.raises(LsoSimError):
        Impairment("pe-1", **kwargs)


def test_injecting_in_the_past_is_refused() -> None:
    """Figures already read must not change, so an impairment cannot start in the past."""
    net, clock = network()
    clock.now = 100.0
    with pytest.raises(LsoSimError):
        net.inject(Impairment("pe-1", start=50.0))


@settings(max_examples=40, deadline=None)
@given(
    reads=st.lists(st.floats(min_value=0, max_value=50000), min_size=1, max_size=12),
    bandwidth=st.floats(min_value=1, max_value=10000),
)
def test_counters_are_monotonic_in_time(reads: list[float], bandwidth: float) -> None:
    """Whatever the order of reads, cumulative counters never go down as time goes on."""
    net, clock = network()
    ne = net.element("pe-1")
    ne.carry("f", bandwidth)
    clock.now = 50000.0
    values = sorted(((t, ne.counters("f", t)) for t in reads), key=lambda v: v[0])
    for (_, c1), (_, c2) in itertools.pairwise(values):
        assert c1.octets_in <= c2.octets_in and c1.frames_out <= c2.frames_out


def test_scenario_impairments_reach_the_model() -> None:
    """The ``telemetry`` and ``impairments`` blocks of a scenario configure the world's model."""
    from conftest import SCENARIOS

    scenario = load_scenario(SCENARIOS / "thread-10.2.yaml")
    data = scenario.model_dump(mode="json")
    data["telemetry"] = {"interval": 300, "load": 0.6}
    data["impairments"] = [{"ne": "p-core-1", "start": 100, "end": 400, "loss": 0.1, "alarm": "los"}]
    result = run_scenario(parse_scenario(data, "test"))
    telemetry = result.world.telemetry
    assert telemetry.profile.interval == 300 and telemetry.profile.load == 0.6
    assert [s.spec.ne for s in telemetry.impairments()] == ["p-core-1"]
    # The 10.2 order configured its constructs: the core NE now carries the service's traffic.
    assert telemetry.element("p-core-1").flows()


def test_scenario_impairment_on_unknown_ne_is_refused() -> None:
    """A typo in an impairment's NE is named with its field path."""
    from conftest import SCENARIOS

    data = load_scenario(SCENARIOS / "thread-10.2.yaml").model_dump(mode="json")
    data["impairments"] = [{"ne": "nowhere", "start": 0}]
    with pytest.raises(LsoSimError, match=r"impairments\.0\.ne"):
        parse_scenario(data, "test")
