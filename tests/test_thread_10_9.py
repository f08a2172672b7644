"""Thread 10.9 end to end: the coordinator's derived steps in order, bandwidth following the load
up and down within the contract (each change a 10.3 change, partner segment included), the load
model, and every instance ending whatever the channels lose."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from assurance_helpers import canonical, first_seen
from conftest import SCENARIOS
from hypothesis import given, settings
from hypothesis import strategies as st
from lossy import Dropper, check_every_instance_ended, run_lossy

from lso_sim.architecture.roles import Irp
from lso_sim.engine.observers import MemoryTrace
from lso_sim.errors import ScenarioError
from lso_sim.messages import Kind
from lso_sim.scenarios import load_scenario, run_scenario
from lso_sim.scenarios.runner import RunResult
from lso_sim.threads.catalog import explain_step
from lso_sim.threads.cloud import LoadModel, LoadPoint, needed_bandwidth

COORDINATOR = "acme/cloud-1"


@pytest.fixture(scope="module")
def canonical_run() -> tuple[RunResult, MemoryTrace]:
    trace = MemoryTrace()
    return run_scenario(canonical("10.9"), [trace]), trace


def _plans(trace: MemoryTrace) -> list[dict[str, Any]]:
    return [dict(r.payload) for r in trace.records if r.operation == "planConnectivityCapacity"]


def test_coordinator_steps_follow_the_derived_order(canonical_run: tuple[RunResult, MemoryTrace]) -> None:
    result, trace = canonical_run
    steps = [r.step for r in trace.records if r.instance == COORDINATOR]
    assert first_seen(steps) == ["1", "2", "3", "4", "5", "end"]
    assert all(explain_step("10.9", s) for s in ["1", "2", "3", "4", "5"])
    # Each decision is followed by its change and, once done, its confirmation, before the next.
    decisions = [r.step for r in trace.records if r.instance == COORDINATOR and r.step in ("3", "4", "5")]
    assert decisions == ["3", "4", "5"] * 4
    assert result.world.outcomes[COORDINATOR].state == "completed"


def test_bandwidth_follows_the_load_up_and_down_within_the_contract(
    canonical_run: tuple[RunResult, MemoryTrace],
) -> None:
    result, trace = canonical_run
    plans = _plans(trace)
    assert [p["toMbps"] for p in plans] == [600.0, 1000.0, 400.0, 200.0]
    assert [p["cappedByContract"] for p in plans] == [False, True, False, False]
    assert all(100.0 <= p["toMbps"] <= 1000.0 for p in plans)
    detail = result.world.outcomes[COORDINATOR].detail
    assert (detail["up"], detail["down"], detail["changes"], detail["bandwidth"]) == (2, 2, 4, 200.0)
    # SOF-sp's service ends where the coordinator left it.
    (record,) = result.world.sof_sp.services.values()
    assert record.bandwidth_mbps == 200.0


def test_each_change_is_a_10_3_change_including_the_partner_segment(
    canonical_run: tuple[RunResult, MemoryTrace],
) -> None:
    result, trace = canonical_run
    changes = sorted(i for i, o in result.world.outcomes.items() if o.thread == "10.3")
    assert changes == [f"{COORDINATOR}/change-{k}" for k in range(1, 5)]
    for change in changes:
        irps = Counter(r.irp for r in trace.records if r.instance == change and r.kind is Kind.REQUEST)
        assert irps[Irp.ALLEGRO] >= 2 and irps[Irp.INTERLUDE] >= 1 and irps[Irp.PRESTO] >= 1, change
        asked = next(
            r for r in trace.records if r.instance == change and r.operation == "requestServiceChange"
        )
        assert asked.kind is Kind.REQUEST and asked.src == "acme"


# -- the load model ------------------------------------------------------------------------


def test_load_is_piecewise_constant_over_time() -> None:
    model = LoadModel((LoadPoint(0, 100), LoadPoint(600, 300), LoadPoint(1200, 50)))
    rng = random.Random(1)
    assert [model.demand(t, rng) for t in (0, 599, 600, 1199, 1200, 10**6)] == [100, 100, 300, 300, 50, 50]


def test_jitter_comes_from_the_given_stream() -> None:
    model = LoadModel((LoadPoint(0, 100),), jitter=0.2)
    first = [model.demand(0, random.Random(7)) for _ in range(3)]
    assert len(set(first)) == 1  # same seed, same reading
    rng = random.Random(7)
    readings = [model.demand(0, rng) for _ in range(50)]
    assert all(80 <= r <= 120 for r in readings) and len(set(readings)) > 1


@given(
    demand=st.floats(0, 5000),
    headroom=st.floats(1, 3),
    step=st.sampled_from([10.0, 50.0, 100.0]),
    low=st.floats(1, 500),
    span=st.floats(0, 2000),
)
def test_needed_bandwidth_stays_within_the_contract(
    demand: float, headroom: float, step: float, low: float, span: float
) -> None:
    high = low + span
    bandwidth, capped = needed_bandwidth(demand, headroom, step, low, high)
    assert low <= bandwidth <= high
    if not capped:
        assert bandwidth >= min(demand * headroom, high) - 1e-6
    else:
        assert bandwidth == high and demand * headroom > high


# -- whatever is lost ------------------------------------------------------------------------


def _lossy_run(dropper: Dropper) -> tuple[RunResult, MemoryTrace]:
    return run_lossy(canonical("10.9"), dropper, 60 * 86400.0)


def _check_ended(result: RunResult, trace: MemoryTrace) -> None:
    check_every_instance_ended(result, trace)


def test_a_change_that_never_happens_leaves_the_bandwidth_and_says_why() -> None:
    """Every change request lost: each 10.3 change fails; the coordinator keeps going and reports it."""
    dropper = Dropper(nth={("requestServiceChange", Kind.REQUEST): set(range(1, 500))})
    result, trace = _lossy_run(dropper)
    _check_ended(result, trace)
    outcome = result.world.outcomes[COORDINATOR]
    assert outcome.state == "completed"
    assert outcome.detail["up"] == outcome.detail["down"] == 0
    assert outcome.detail["bandwidth"] == 200.0
    assert outcome.reason is not None and "requestServiceChange" in outcome.reason
    assert not [r for r in trace.records if r.operation == "confirmApplicationCapacity"]


@settings(max_examples=4, deadline=None)
@given(
    loss=st.floats(0.05, 0.3),
    irps=st.sets(
        st.sampled_from([Irp.ALLEGRO, Irp.INTERLUDE, Irp.PRESTO, Irp.ADAGIO, Irp.LEGATO]), min_size=1
    ),
    seed=st.integers(0, 2**16),
)
def test_random_loss_never_leaves_an_instance_open(loss: float, irps: set[Irp], seed: int) -> None:
    result, trace = _lossy_run(Dropper(loss=loss, irps=frozenset(irps), seed=seed))
    _check_ended(result, trace)


# -- the scenario block ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "expected"),
    [
        (
            {"load": [{"at": 100, "demand_mbps": 1}, {"at": 0, "demand_mbps": 2}]},
            "workload.0.cloud",
            "time order",
        ),
        ({"min_bandwidth_mbps": 500, "max_bandwidth_mbps": 100}, "workload.0.cloud", "max_bandwidth_mbps"),
        ({"headroom": 0.5}, "workload.0.cloud.headroom", "greater than or equal to 1"),
        ({"load": []}, "workload.0.cloud.load", "at least 1"),
    ],
)
def test_a_bad_cloud_block_names_the_field(
    tmp_path: Path, change: dict[str, Any], field: str, expected: str
) -> None:
    data: dict[str, Any] = yaml.safe_load((SCENARIOS / "thread-10.9.yaml").read_text())
    data.pop("expect")
    data["workload"][0]["cloud"].update(change)
    target = tmp_path / "bad.yaml"
    target.write_text(yaml.safe_dump(data))
    with pytest.raises(ScenarioError) as info:
        load_scenario(target)
    assert info.value.field == field
    assert expected in info.value.expected
