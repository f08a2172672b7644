"""Arrival processes of generated orders (``generate.arrivals``): when orders arrive, and bad blocks."""

from __future__ import annotations

import random
from typing import Any

import pytest
from conftest import SCENARIOS
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from lso_sim.errors import ScenarioError
from lso_sim.scenarios import load_scenario, parse_scenario
from lso_sim.scenarios.arrivals import ArrivalsModel, arrival_times
from lso_sim.scenarios.build import build_world, order_requests
from lso_sim.scenarios.overrides import parse_override

ARRIVALS: TypeAdapter[Any] = TypeAdapter(ArrivalsModel)


def _times(block: dict[str, Any], count: int, seed: int = 1) -> list[float]:
    return list(arrival_times(ARRIVALS.validate_python(block), count, random.Random(seed)))


def test_a_schedule_gives_its_times_in_order_after_start() -> None:
    assert _times({"kind": "schedule", "at": [600, 0, 60], "start": 100}, 3) == [100, 160, 700]


def test_bursts_come_every_period_each_within_its_spread() -> None:
    times = _times({"kind": "bursts", "every": 3600, "size": 4, "spread": 600}, 10)
    assert len(times) == 10
    bursts = [int(t // 3600) for t in times]
    assert bursts == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2]
    assert all(t % 3600 <= 600 for t in times)


@given(rate=st.floats(0.1, 100), seed=st.integers(0, 2**32))
def test_poisson_arrivals_increase_after_start(rate: float, seed: int) -> None:
    times = _times({"kind": "poisson", "rate_per_hour": rate, "start": 50}, 20, seed)
    assert len(times) == 20 and times == sorted(times) and times[0] > 50


def test_poisson_arrivals_average_the_rate() -> None:
    """10,000 gaps at 4 per hour: the mean gap is 900 s within 3%."""
    times = _times({"kind": "poisson", "rate_per_hour": 4}, 10_000)
    assert times[-1] / 10_000 == pytest.approx(900, rel=0.03)


def test_a_daily_profile_keeps_orders_out_of_closed_hours() -> None:
    """Open 9:00 to 17:00 only: every order arrives in those hours."""
    profile = [0.0] * 9 + [1.0] * 8 + [0.0] * 7
    times = _times({"kind": "daily", "rate_per_hour": 6, "profile": profile}, 200)
    assert len(times) == 200
    assert {int(t // 3600) % 24 for t in times} <= set(range(9, 17))


def test_generated_orders_arrive_as_the_process_says() -> None:
    scenario = load_scenario(
        SCENARIOS / "thread-10.2.yaml",
        [
            parse_override(
                "workload.0.generate={count: 3, arrivals: {kind: schedule, at: [7200, 3600, 10800]}}"
            )
        ],
    )
    requests = order_requests(scenario, build_world(scenario))
    assert [r.start for r in requests] == [0.0, 3600.0, 7200.0, 10800.0]  # the explicit order, then 3


@pytest.mark.parametrize(
    ("generate", "field", "expected"),
    [
        (
            {"count": 2, "interarrival": 60, "arrivals": {"kind": "poisson", "rate_per_hour": 1}},
            "",
            "not both",
        ),
        ({"count": 2, "arrivals": {"kind": "schedule", "at": [1]}}, "", "must equal"),
        (
            {"count": 2, "arrivals": {"kind": "bursts", "every": 60, "size": 2, "spread": 61}},
            "arrivals",
            "spread",
        ),
        (
            {"count": 2, "arrivals": {"kind": "daily", "rate_per_hour": 1, "profile": [1] * 23}},
            "arrivals.profile",
            "24",
        ),
        (
            {"count": 2, "arrivals": {"kind": "daily", "rate_per_hour": 1, "profile": [0] * 24}},
            "arrivals",
            "above 0",
        ),
        (
            {"count": 2, "arrivals": {"kind": "poisson", "rate_per_hour": 0}},
            "arrivals.rate_per_hour",
            "greater than 0",
        ),
        ({"count": 2, "arrivals": {"kind": "weekly"}}, "arrivals", "poisson"),
    ],
)
def test_a_bad_arrivals_block_is_a_located_error(generate: dict[str, Any], field: str, expected: str) -> None:
    data = load_scenario(SCENARIOS / "thread-10.2.yaml").model_dump(
        mode="json", by_alias=True, exclude={"expect"}
    )
    data["workload"][0]["generate"] = generate
    with pytest.raises(ScenarioError, match=expected) as caught:
        parse_scenario(data, "bad.yaml")
    assert caught.value.field == "workload.0.generate" + (f".{field}" if field else "")
