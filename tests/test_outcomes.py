"""The run's table of outcomes: an ended instance is kept packed and read back equal.

A run of a million orders keeps two outcomes an order; packing the ended ones is what keeps such a
run's memory from growing with it (lso_sim/actors/outcomes.py). These tests say that nothing a
reader sees changes: the same fields, the same order of instances, the driver found again.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lso_sim.actors.outcomes import Outcome, Outcomes
from lso_sim.engine.actor import Actor
from lso_sim.engine.observers import MemoryTrace
from lso_sim.errors import LsoSimError
from lso_sim.messages.envelope import Kind
from lso_sim.scenarios import load_scenario, run_scenario


class _Driver:
    """Stands for an actor: only its id is packed."""

    def __init__(self, ident: str) -> None:
        self.id = ident


_DRIVERS = {name: _Driver(name) for name in ("acme", "bus-sp", "sof-sp")}


def _actor(ident: str) -> Actor:
    try:
        return _DRIVERS[ident]  # type: ignore[return-value]
    except KeyError:
        raise LsoSimError(f"no actor {ident!r}") from None


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
_times = st.floats(min_value=0, max_value=1e9, allow_nan=False)
_outcomes = st.builds(
    Outcome,
    thread=st.sampled_from(["10.2", "10.3", "10.5.1", "10.7"]),
    instance=st.text(min_size=1, max_size=20),
    started=_times,
    driver=st.sampled_from([None, *_DRIVERS.values()]),
    ended=_times,
    state=st.sampled_from(["completed", "failed", "open", "orderRefused"]),
    reason=st.none() | st.text(max_size=30),
    detail=st.dictionaries(st.text(max_size=8), _json, max_size=4),
)


def _fields(outcome: Outcome) -> tuple[Any, ...]:
    return (
        outcome.thread,
        outcome.instance,
        outcome.started,
        outcome.driver,
        outcome.ended,
        outcome.state,
        outcome.reason,
        outcome.detail,
        outcome.lead_time,
    )


@given(st.lists(_outcomes, max_size=8, unique_by=lambda o: o.instance), st.data())
def test_an_ended_outcome_reads_back_equal_and_in_its_place(
    ended: list[Outcome], data: st.DataObject
) -> None:
    table = Outcomes(_actor)
    expected = []
    for outcome in ended:
        table[outcome.instance] = outcome
        expected.append(_fields(outcome))
    settled = data.draw(st.sets(st.sampled_from([o.instance for o in ended])) if ended else st.just(set()))
    for instance in settled:
        table.settle(instance)
    assert table.packed() == len(settled)
    assert [_fields(o) for o in table.values()] == expected
    assert list(table) == [o.instance for o in ended]
    for outcome in ended:
        assert table.ended(outcome.instance) and not table.running(outcome.instance)
        assert outcome.instance in table


def test_a_running_instance_is_not_packed_and_stays_the_same_object() -> None:
    table = Outcomes(_actor)
    running = Outcome("10.2", "acme/order-1", 5.0, _DRIVERS["acme"])  # type: ignore[arg-type]
    table["acme/order-1"] = running
    table.settle("acme/order-1")
    assert table["acme/order-1"] is running
    assert table.running("acme/order-1") and not table.ended("acme/order-1")
    assert table.still_running() == [running]
    assert not table.running("never-began") and not table.ended("never-began")


@pytest.mark.parametrize(
    "detail",
    [{"path": ("a", "b")}, {"load": math.nan}, {"big": 2**70}, {1: "key not a string"}],
    ids=["tuple", "nan", "beyond-64-bits", "int-key"],
)
def test_an_outcome_json_would_change_stays_an_object(detail: dict[Any, Any]) -> None:
    table = Outcomes(_actor)
    outcome = Outcome("10.2", "i", 0.0, None, 9.0, "completed", None, detail)
    table["i"] = outcome
    table.settle("i")
    assert table.packed() == 0
    assert table["i"] is outcome


def test_a_run_packs_every_ended_instance_and_reads_them_all_back() -> None:
    """Churn with LEGATO loss, cut at two days: every instance that began ends (those still running
    at the horizon ``open``) and is kept packed; reading the table gives one outcome per outcome
    record, with the record's state and reason and the driver that signed it."""
    trace = MemoryTrace()
    result = run_scenario(load_scenario("scenarios/whatif/churn.yaml"), [trace], until=2 * 86400.0)
    outcomes = result.world.outcomes
    assert result.open, "the horizon should cut some instances"
    assert outcomes.packed() == len(outcomes) > 0
    assert not outcomes.still_running()
    records = {r.instance: r for r in trace.records if r.kind is Kind.OUTCOME}
    assert set(records) == set(outcomes) and len(records) == len(outcomes)
    for instance, outcome in outcomes.items():
        record = records[instance]
        assert (outcome.state, outcome.reason) == (record.payload["state"], record.payload["reason"])
        assert outcome.ended == record.time and outcome.driver is not None
        assert outcome.driver is result.world.sim.actor(record.src)
    assert {o.state for o in outcomes.values()} >= {"completed", "open"}
