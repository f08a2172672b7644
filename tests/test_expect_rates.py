"""Expectations on shares and percentiles: ``rate: ">= 95%"``, ``percentiles: {p95: 5h}``.

Checked on hand-built outcomes, so every figure in the assertions can be worked out by hand.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from lso_sim.actors.outcomes import Outcome
from lso_sim.expect import evaluate
from lso_sim.expect.evaluate import needs_records
from lso_sim.expect.model import ExpectModel, seconds


def _outcomes(states_and_hours: list[tuple[str, float | None]]) -> list[Outcome]:
    return [
        Outcome("10.2", f"acme/order-{n}", 0.0, ended=None if hours is None else hours * 3600, state=state)
        for n, (state, hours) in enumerate(states_and_hours, start=1)
    ]


TWENTY = _outcomes([("completed", float(h)) for h in range(1, 19)] + [("failed", 0.5), ("failed", 0.5)])
"""18 completed in 1..18 h, 2 failed after half an hour: 90% completed."""


def _failures(rule: dict[str, Any], outcomes: list[Outcome] = TWENTY) -> list[str]:
    expect = ExpectModel.model_validate({"outcomes": [{"thread": "10.2", **rule}]})
    return [str(f) for f in evaluate(expect, [], outcomes)]


@pytest.mark.parametrize(
    ("rate", "holds"),
    [
        (">= 90%", True),
        (">= 95%", False),
        ("90%", True),  # bare: at least
        (0.9, True),
        (0.91, False),
        ("<= 85%", False),
        ({"min": "80%", "max": "95%"}, True),
    ],
)
def test_a_rate_is_the_share_of_instances_in_the_state(rate: Any, holds: bool) -> None:
    failures = _failures({"state": "completed", "rate": rate})
    assert (failures == []) is holds


def test_a_missed_rate_says_the_share_and_the_tally() -> None:
    (failure,) = _failures({"state": "completed", "rate": ">= 95%"})
    assert failure == (
        "expect.outcomes.0.rate: 90.0% of instances of thread 10.2 ended 'completed', "
        "expected at least 95% (of 20: 18 completed, 2 failed)"
    )


@pytest.mark.parametrize(
    ("key", "bound", "holds"),
    [
        ("p50", "8h", True),  # nearest rank: the 10th of 20 lead times (0.5, 0.5, 1, 2...), 8 h
        ("p50", "7.9h", False),
        ("p95", "17h", True),  # the 19th: 17 h
        ("p95", "16h", False),
        ("p100", "18h", True),
        ("mean", 8.6 * 3600, True),  # (171 + 1) h / 20
        ("mean", "8.5h", False),
        ("p95", {"min": "17h"}, True),
    ],
)
def test_a_percentile_bounds_the_lead_times_nearest_rank(key: str, bound: Any, holds: bool) -> None:
    assert (_failures({"percentiles": {key: bound}}) == []) is holds


def test_with_a_rate_the_percentiles_are_those_of_the_chosen_state() -> None:
    """The p50 of the 18 completed orders is the 9th, 9 h (of all 20 it would be 8 h)."""
    rule = {"state": "completed", "rate": "50%", "percentiles": {"p50": {"min": "9h", "max": "9h"}}}
    assert _failures(rule) == []


def test_a_missed_percentile_names_its_value_in_seconds_and_hours() -> None:
    (failure,) = _failures({"percentiles": {"p95": "5h"}})
    assert failure == (
        "expect.outcomes.0.percentiles.p95: p95 lead time 61,200 s (17.0 h) over 20 instances of "
        "thread 10.2, expected at most 18000 s"
    )


def test_an_instance_that_never_ended_is_longer_than_any_bound() -> None:
    outcomes = _outcomes([("completed", 1.0), ("open", None)])
    (failure,) = _failures({"percentiles": {"p95": "100d"}}, outcomes)
    assert "never ended" in failure


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"rate": "95%"}, "give one"),
        ({"state": "completed", "rate": "95"}, "less than or equal to 1"),
        ({"state": "completed", "rate": "9x%"}, "a percentage"),
        ({"percentiles": {"p0": 5}}, "percentile names"),
        ({"percentiles": {"median": 5}}, "percentile names"),
        ({"percentiles": {"p95": "5 weeks"}}, "a duration"),
    ],
)
def test_a_bad_rate_or_percentile_is_refused(rule: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ExpectModel.model_validate({"outcomes": [rule]})


@pytest.mark.parametrize(
    ("text", "value"), [("90s", 90.0), ("30m", 1800.0), ("5h", 18000.0), ("1.5d", 129600.0), ("12", 12.0)]
)
def test_durations_take_units(text: str, value: float) -> None:
    assert seconds(text) == value


def test_only_record_expectations_need_the_trace() -> None:
    outcomes_only = ExpectModel.model_validate({"outcomes": [{"state": "completed", "rate": "95%"}]})
    with_messages = ExpectModel.model_validate({"messages": [{"irp": "SONATA", "count": 1}]})
    assert (needs_records(None), needs_records(outcomes_only), needs_records(with_messages)) == (
        False,
        False,
        True,
    )
