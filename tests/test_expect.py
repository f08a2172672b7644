"""Scenario expectations: what they check, how a miss reads, how a bad block is reported."""

from __future__ import annotations

import json
import math
from functools import cache
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
from lso_sim.expect.evaluate import matches
from lso_sim.expect.model import MISSING, CountRange, PayloadTest, RecordMatch, lookup
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


Run = tuple[list[dict[str, Any]], list[Any]]


@cache
def _canonical(name: str) -> Run:
    """Records (as JSON dicts) and outcomes of one run of the canonical scenario ``name``."""
    path = SCENARIOS / f"{name}.yaml"
    scenario = parse_scenario(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))
    memory = MemoryTrace()
    result = run_scenario(scenario, [memory])
    records = [json.loads(json.dumps(to_record(m))) for m in memory.records]
    return records, list(result.world.outcomes.values())


@pytest.fixture(scope="module")
def canonical_run() -> Run:
    """One run of the canonical 10.2 scenario."""
    return _canonical("thread-10.2")


@pytest.fixture(scope="module")
def run_10_3() -> Run:
    """One run of the canonical 10.3 scenario: four changes, the second refused."""
    return _canonical("thread-10.3")


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
        (
            {"outcomes": [{"thread": "10.2", "reason": "no capacity"}]},
            "expect.outcomes.0.reason",
            "expected a reason containing 'no capacity': acme/order-1 ended 'completed' because None",
        ),
        (
            {"outcomes": [{"thread": "10.2", "state": "failed", "count": {"min": 1}}]},
            "expect.outcomes.0",
            "0 instances of thread 10.2 ended 'failed', expected at least 1 (of 1: 1 completed)",
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
        (
            {"must_not": [{"payload": {"productOrderItem..state": "x"}}]},
            "expect.must_not.0.payload.productOrderItem..state",
        ),
        ({"must_not": [{"payload": {".state": "x"}}]}, "expect.must_not.0.payload..state"),
        ({"must_not": [{"payload": {}}]}, "expect.must_not.0.payload"),
        ({"must_not": [{"payload": "state"}]}, "expect.must_not.0.payload"),
        (
            {"messages": [{"payload": {"a.value": {"min": 5, "max": 1}}, "count": 1}]},
            "expect.messages.0.payload.a.value",
        ),
        (
            {"messages": [{"payload": {"a.value": {"min": "x"}}, "count": 1}]},
            "expect.messages.0.payload.a.value.min",
        ),
        (
            {"messages": [{"payload": {"a.value": {"min": True}}, "count": 1}]},
            "expect.messages.0.payload.a.value.min",
        ),
        ({"messages": [{"payload": {"a": {"state": "x"}}, "count": 1}]}, "expect.messages.0.payload.a"),
        ({"messages": [{"payload": {"a": {}}, "count": 1}]}, "expect.messages.0.payload.a"),
        ({"messages": [{"payload": {"a": []}, "count": 1}]}, "expect.messages.0.payload.a"),
        ({"messages": [{"payload": {"a": [{"b": 1}]}, "count": 1}]}, "expect.messages.0.payload.a"),
        ({"instance_steps": [{"thread": "10.3", "steps": ["1", "99"]}]}, "expect.instance_steps.0.steps"),
        ({"instance_steps": [{"thread": "10.3", "steps": []}]}, "expect.instance_steps.0.steps"),
        ({"instance_steps": [{"thread": "11.1", "steps": ["1"]}]}, "expect.instance_steps.0.thread"),
        ({"instance_steps": [{"steps": ["1"]}]}, "expect.instance_steps.0.thread"),
        (
            {"instance_steps": [{"thread": "10.3", "instances": "a", "steps": ["1"]}]},
            "expect.instance_steps.0.instances",
        ),
    ],
)
def test_bad_expect_block_names_the_field(expect: Any, field: str) -> None:
    """A malformed expect: block is a ScenarioError naming the file and the field path."""
    with pytest.raises(ScenarioError) as info:
        _scenario(expect)
    assert info.value.source == "test.yaml"
    assert info.value.field == field


BANDWIDTH_A = (
    "productOrderItem.0.product.productConfiguration.evcEndPointA"
    ".ingressBandwidthProfilePerClassofServiceName.0.bwpFlow.cir.irValue"
)


@pytest.mark.parametrize(
    ("selector", "count"),
    [
        (
            {
                "irp": "CANTATA",
                "kind": "response",
                "operation": "createProductOrder",
                "payload": {"state": "acknowledged"},
            },
            1,
        ),
        (
            {
                "irp": "CANTATA",
                "operation": "productOrderStateChangeEvent",
                "payload": {"event.state": ["inProgress", "completed"]},
            },
            2,
        ),
        (
            {
                "irp": "CANTATA",
                "kind": "request",
                "operation": "createProductOrder",
                "payload": {BANDWIDTH_A: {"min": 100, "max": 200}, "productOrderItem.0.id": "1"},
            },
            1,
        ),
        ({"kind": "request", "operation": "acceptProductInstance", "payload": {"accepted": True}}, 1),
        (
            {"kind": "request", "operation": "acceptProductInstance", "payload": {"accepted": 1}},
            0,
        ),  # true is not 1
        (
            {"irp": "CANTATA", "operation": "createProductOrder", "payload": {"productOrderItem.0.id": 1}},
            0,
        ),  # "1"
        ({"irp": "CANTATA", "operation": "createProductOrder", "payload": {"productOrderItem.1.id": "1"}}, 0),
        ({"irp": "CANTATA", "operation": "createProductOrder", "payload": {BANDWIDTH_A: {"min": 201}}}, 0),
        (
            {"irp": "CANTATA", "operation": "listProductOffering", "payload": {"0.id": "epl-retail"}},
            1,
        ),  # a list body
    ],
)
def test_payload_selector_counts_on_a_real_run(
    canonical_run: Run, selector: dict[str, Any], count: int
) -> None:
    """A payload selector counts exactly the records whose payload holds the values (or range) at
    its dotted paths: its true count passes, one more fails naming the selector."""
    records, outcomes = canonical_run
    assert evaluate(_scenario({"messages": [{**selector, "count": count}]}).expect, records, outcomes) == []
    failures = evaluate(_scenario({"messages": [{**selector, "count": count + 1}]}).expect, records, outcomes)
    assert [f.path for f in failures] == ["expect.messages.0"]
    assert f"{count} records match {{" in failures[0].message
    assert "payload." in failures[0].message


def test_a_missed_payload_selector_shows_what_the_payloads_hold(canonical_run: Run) -> None:
    """Too few matches: the message shows the selector, then the values found at its paths in
    the records that match all but the payload tests (quoted when they could be read as numbers)."""
    records, outcomes = canonical_run
    expect = {
        "messages": [
            {
                "irp": "CANTATA",
                "kind": "response",
                "operation": "createProductOrder",
                "payload": {"state": "completed", "productOrderItem.0.id": "1", "productOrderItem.1.id": "2"},
                "count": {"min": 1},
            }
        ]
    }
    [failure] = evaluate(_scenario(expect).expect, records, outcomes)
    seq = next(
        r["seq"] for r in records if r["operation"] == "createProductOrder" and r["kind"] == "response"
    )
    assert failure.message == (
        "0 records match {irp=CANTATA kind=response operation=createProductOrder payload.state=completed "
        'payload.productOrderItem.0.id="1" payload.productOrderItem.1.id="2"}, expected at least 1; '
        f"without the payload tests 1 match: seq {seq} payload.state=acknowledged "
        'payload.productOrderItem.0.id="1" payload.productOrderItem.1.id=missing'
    )


def test_must_not_with_a_payload_selector(canonical_run: Run) -> None:
    """must_not fails only on records whose payload matches, and names them."""
    records, outcomes = canonical_run
    rule = {"irp": "CANTATA", "kind": "response", "operation": "createProductOrder"}
    held = _scenario({"must_not": [{**rule, "payload": {"state": ["rejected", "failed"]}}]}).expect
    assert evaluate(held, records, outcomes) == []
    [failure] = evaluate(
        _scenario({"must_not": [{**rule, "payload": {"state": "acknowledged"}}]}).expect, records, outcomes
    )
    assert failure.path == "expect.must_not.0"
    assert "payload.state=acknowledged}: seq " in failure.message
    assert "response createProductOrder 201" in failure.message


CHANGE_STEPS = ["1", "2", "3", "4", "5a", "5b", "6", "7", "8", "9a", "9b", "10", "11", "12", "13", "14", "15"]


def test_instance_steps_hold_for_every_matching_instance(run_10_3: Run) -> None:
    """Each accepted change of the canonical 10.3 run went through every step; the refused one stopped."""
    records, outcomes = run_10_3
    expect = {
        "instance_steps": [
            {"thread": "10.3", "instance": "acme/change-[134]", "steps": CHANGE_STEPS},
            {"thread": "10.3", "instance": "acme/change-2", "steps": ["1", "2"]},
        ]
    }
    assert evaluate(_scenario(expect).expect, records, outcomes) == []


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            {"thread": "10.3", "steps": ["1", "5a", "15"]},
            "2 of 6 instances of thread 10.3 missed steps: acme/change-2 never reached 5a, 15; "
            "acme/change-6 never reached 5a, 15",
        ),
        (
            {"thread": "10.3", "instance": "acme/change-[12]", "steps": ["9b", "15"]},
            "1 of 2 instances of thread 10.3 matching 'acme/change-[12]' missed steps: "
            "acme/change-2 never reached 9b, 15",
        ),
        (
            {"thread": "10.3", "instance": "globex/*", "steps": ["1"]},
            "no instances of thread 10.3 matching 'globex/*'",
        ),
    ],
)
def test_instance_steps_name_the_instances_that_missed_steps(
    run_10_3: Run, rule: dict[str, Any], message: str
) -> None:
    """A failure names each instance that missed steps, and which ones."""
    records, outcomes = run_10_3
    failures = evaluate(_scenario({"instance_steps": [rule]}).expect, records, outcomes)
    assert [(f.path, f.message) for f in failures] == [("expect.instance_steps.0", message)]


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6)
)
# no lone surrogates: a path comes from a YAML file, which cannot hold one (pydantic refuses them)
_KEYS = st.text(st.characters(exclude_characters=".", exclude_categories=("Cs",)), min_size=1, max_size=6)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=25,
)


@given(value=_JSON, data=st.data())
def test_a_path_into_a_json_value_finds_that_value(value: Any, data: st.DataObject) -> None:
    """A dotted path built by walking a random JSON value finds the value it walked to; a scalar
    there matches as a selector; one more segment that is not there finds nothing and matches nothing."""
    payload: Any = {"body": value}
    segments, node = ["body"], value
    while isinstance(node, dict | list) and node and data.draw(st.booleans()):
        key: Any = data.draw(
            st.sampled_from(sorted(node)) if isinstance(node, dict) else st.integers(0, len(node) - 1)
        )
        segments.append(str(key))
        node = node[key]
    path = ".".join(segments)
    assert lookup(payload, path) is node
    if not isinstance(node, dict | list):
        rule = RecordMatch.model_validate({"payload": {path: node}})
        assert matches(rule, {"payload": payload})
        if isinstance(node, int | float) and not isinstance(node, bool) and math.isfinite(node):
            assert PayloadTest.model_validate({"min": node, "max": node}).holds(lookup(payload, path))
    absent = str(len(node)) if isinstance(node, list) else "\u2603" * 7  # past the end; longer than any key
    assert lookup(payload, f"{path}.{absent}") is MISSING
    assert not matches(
        RecordMatch.model_validate({"payload": {f"{path}.{absent}": None}}), {"payload": payload}
    )


@pytest.mark.parametrize("name", ["thread-10.3", "thread-10.7", "sonata-api-tour"])
def test_expect_blocks_survive_a_dump_and_reload(name: str) -> None:
    """A dumped scenario (as tests and tools override fields) validates back to the same expectations."""
    path = SCENARIOS / f"{name}.yaml"
    scenario = parse_scenario(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))
    assert scenario.expect is not None
    again = Scenario.model_validate(json.loads(json.dumps(scenario.model_dump(mode="json"))))
    assert again.expect == scenario.expect


def test_run_exits_2_on_a_bad_payload_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A malformed payload path is bad input: exit status 2, the field path named, no traceback."""
    path = tmp_path / "s.yaml"
    path.write_text(
        yaml.safe_dump(_data({"must_not": [{"payload": {"event..state": "x"}}]})), encoding="utf-8"
    )
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: expect.must_not.0.payload.event..state: " in err
    assert "Traceback" not in err


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
