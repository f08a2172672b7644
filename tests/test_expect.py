"""Scenario expectations: what they check, how a miss reads, how a bad block is reported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import SCENARIOS
from hypothesis import given
from hypothesis import strategies as st

from lso_sim.cli.main import main
from lso_sim.engine.observers import MemoryTrace
from lso_sim.errors import ScenarioError
from lso_sim.expect import evaluate
from lso_sim.expect.model import CountRange
from lso_sim.scenarios import parse_scenario, run_scenario
from lso_sim.scenarios.schema import Scenario
from lso_sim.trace import to_record

CANONICAL = SCENARIOS / "thread-10.2.yaml"


def _data(expect: Any) -> dict[str, Any]:
    data = yaml.safe_load(CANONICAL.read_text(encoding="utf-8"))
    data["expect"] = expect
    return data


def _scenario(expect: Any) -> Scenario:
    return parse_scenario(_data(expect), "test.yaml")


@pytest.fixture(scope="module")
def canonical_run() -> tuple[list[dict[str, Any]], list[Any]]:
    """Records (as JSON dicts) and outcomes of one run of the canonical 10.2 scenario."""
    scenario = parse_scenario(yaml.safe_load(CANONICAL.read_text(encoding="utf-8")), str(CANONICAL))
    memory = MemoryTrace()
    result = run_scenario(scenario, [memory])
    records = [json.loads(json.dumps(to_record(m))) for m in memory.records]
    return records, list(result.world.outcomes.values())


def test_canonical_expectations_hold(canonical_run: tuple[list[dict[str, Any]], list[Any]]) -> None:
    """The expect: block of scenarios/thread-10.2.yaml is met by its run."""
    records, outcomes = canonical_run
    scenario = parse_scenario(yaml.safe_load(CANONICAL.read_text(encoding="utf-8")), "x")
    assert scenario.expect is not None and scenario.expect.outcomes
    assert evaluate(scenario.expect, records, outcomes) == []


@pytest.mark.parametrize(
    ("expect", "path", "text"),
    [
        (
            {"outcomes": [{"thread": "10.2", "state": "aborted"}]},
            "expect.outcomes.0.state",
            "acme/order-1 ended 'completed'",
        ),
        ({"outcomes": [{"lead_time": 100}]}, "expect.outcomes.0.lead_time", "expected at most 100 s"),
        ({"outcomes": [{"lead_time": {"min": 1e9}}]}, "expect.outcomes.0.lead_time", "acme/order-1 took"),
        (
            {"outcomes": [{"thread": "10.2", "count": 2}]},
            "expect.outcomes.0",
            "1 instances of thread 10.2, expected exactly 2",
        ),
        (
            {"outcomes": [{"instance": "globex/*", "state": "completed"}]},
            "expect.outcomes.0",
            "no thread instances matching 'globex/*'",
        ),
        (
            {"messages": [{"irp": "SONATA", "count": 0}]},
            "expect.messages.0",
            "records match {irp=SONATA}, expected exactly 0",
        ),
        (
            {"messages": [{"irp": "ALLEGRO", "count": {"min": 1}}]},
            "expect.messages.0",
            "0 records match {irp=ALLEGRO}, expected at least 1",
        ),
        ({"must_not": [{"operation": "createProductOrder", "kind": "request"}]}, "expect.must_not.0", "seq "),
        ({"must_not": [{"status": {"min": 200, "max": 299}}]}, "expect.must_not.0", "status in [200..299]"),
        ({"timeouts": {"min": 1}}, "expect.timeouts", "0 timeouts, expected at least 1"),
        ({"errors": {"min": 1}}, "expect.errors", "0 errors, expected at least 1"),
        ({"end_time": 60}, "expect.end_time", "expected at most 60 s"),
    ],
)
def test_missed_expectation_names_its_path(
    canonical_run: tuple[list[dict[str, Any]], list[Any]], expect: dict[str, Any], path: str, text: str
) -> None:
    """Each kind of expectation fails, alone, with its field path and a readable reason."""
    records, outcomes = canonical_run
    failures = evaluate(_scenario(expect).expect, records, outcomes)
    assert [f.path for f in failures] == [path]
    assert text in failures[0].message


def test_steps_reached_and_lost_messages_read_the_trace(
    canonical_run: tuple[list[dict[str, Any]], list[Any]],
) -> None:
    """A step missing from the trace and a lost message are both reported, naming step and seq."""
    records, outcomes = canonical_run
    lost_seq = next(r["seq"] for r in records if r["irp"] == "LEGATO")
    edited = [{**r, "delivered": None} if r["seq"] == lost_seq else r for r in records if r["step"] != "15a"]
    expect = _scenario({"steps_reached": {"10.2": ["1", "15a"]}, "no_lost_messages": True}).expect
    failures = {f.path: f.message for f in evaluate(expect, edited, outcomes)}
    assert failures["expect.steps_reached.10.2"] == "thread 10.2 never reached step 15a"
    assert f"seq {lost_seq} " in failures["expect.no_lost_messages"]


@pytest.mark.parametrize(
    ("expect", "field"),
    [
        ({"outcomes": [{"state": "completed", "lead_tme": 5}]}, "expect.outcomes.0.lead_tme"),
        ({"outcomes": [{"thread": "11.1"}]}, "expect.outcomes.0.thread"),
        ({"messages": [{"irp": "SONAT", "count": 1}]}, "expect.messages.0.irp"),
        ({"messages": [{"irp": "SONATA"}]}, "expect.messages.0.count"),
        ({"messages": [{"kind": "email", "count": 1}]}, "expect.messages.0.kind"),
        ({"steps_reached": {"10.2": ["1", "99"]}}, "expect.steps_reached"),
        ({"timeouts": {"min": 3, "max": 1}}, "expect.timeouts"),
        ({"must_not": [{"status": 42}]}, "expect.must_not.0.status.min"),
        ({"no_lost_mesages": True}, "expect.no_lost_mesages"),
        ("all good", "expect"),
    ],
)
def test_bad_expect_block_names_the_field(expect: Any, field: str) -> None:
    """A malformed expect: block is a ScenarioError naming the file and the field path."""
    with pytest.raises(ScenarioError) as info:
        _scenario(expect)
    assert info.value.source == "test.yaml"
    assert info.value.field == field


def test_run_exits_1_listing_failed_expectations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`lso-sim run` prints each failed expectation and exits 1."""
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(_data({"end_time": 60, "timeouts": {"min": 1}})), encoding="utf-8")
    assert main(["run", str(path), "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "2 expectations failed" in out
    assert "expect.timeouts: 0 timeouts, expected at least 1" in out
    assert "expect.end_time: the run ended at" in out


def test_run_exits_2_on_a_bad_expect_block(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A bad expect: block stops `lso-sim run` before running, with exit status 2 and no traceback."""
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(_data({"messages": [{"irp": "SONATA"}]})), encoding="utf-8")
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert "expect.messages.0.count: required field is missing" in err
    assert "Traceback" not in err


@given(
    low=st.none() | st.integers(0, 50),
    span=st.integers(0, 50),
    value=st.integers(0, 120),
)
def test_count_range_holds_exactly_within_its_bounds(low: int | None, span: int, value: int) -> None:
    """A count range holds for a value iff the value is within both given bounds."""
    high = None if low is None else low + span
    if low is None:
        high = span
    bound = CountRange(min=low, max=high)
    assert bound.holds(value) == ((low is None or value >= low) and (high is None or value <= high))
