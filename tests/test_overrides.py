"""``--set PATH=VALUE``: overrides applied before validation, checked like the file, errors located."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import SCENARIOS
from hypothesis import given
from hypothesis import strategies as st

from lso_sim.cli.main import main
from lso_sim.errors import ScenarioError, UsageError
from lso_sim.scenarios import load_scenario
from lso_sim.scenarios.overrides import apply_overrides, parse_override
from lso_sim.trace import read_header

SCENARIO = SCENARIOS / "thread-10.2.yaml"


@pytest.mark.parametrize(
    ("text", "path", "value"),
    [
        ("channels.SONATA.latency.mean=0.3", ("channels", "SONATA", "latency", "mean"), 0.3),
        ("seed=42", ("seed",), 42),
        ("options.partner_fulfilment=legato-sonata", ("options", "partner_fulfilment"), "legato-sonata"),
        ("actors.ECM.capacity=null", ("actors", "ECM", "capacity"), None),
        ("x.y=", ("x", "y"), None),
        (
            "channels.SONATA.latency={kind: constant, value: 2}",
            ("channels", "SONATA", "latency"),
            {
                "kind": "constant",
                "value": 2,
            },
        ),
        ("a=[1, 2]", ("a",), [1, 2]),
        ("a=b=c", ("a",), "b=c"),
    ],
)
def test_an_override_reads_its_value_as_yaml(text: str, path: tuple[str, ...], value: Any) -> None:
    override = parse_override(text)
    assert (override.path, override.value) == (path, value)


@pytest.mark.parametrize("text", ["nothing", "=3", "a..b=1", ".a=1", "a=[1,"])
def test_a_malformed_override_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError, match="--set"):
        parse_override(text)


def test_an_override_changes_the_loaded_scenario() -> None:
    scenario = load_scenario(
        SCENARIO,
        [
            parse_override("channels.SONATA.latency.mean=0.3"),
            parse_override("channels.LEGATO.loss=0.1"),  # no LEGATO entry in the file: created
            parse_override("workload.0.orders.0.bandwidth_mbps=500"),
            parse_override("seed=99"),
        ],
    )
    latency = scenario.channels["SONATA"].latency
    assert latency.kind == "lognormal" and latency.mean == 0.3
    assert scenario.channels["LEGATO"].loss == 0.1
    assert scenario.workload[0].orders[0].bandwidth_mbps == 500
    assert scenario.seed == 99


def test_overrides_leave_the_data_they_are_given_alone() -> None:
    data = {"a": {"b": 1}, "c": [1, 2]}
    changed = apply_overrides(data, [parse_override("a.b=2"), parse_override("c.1=3")], "<t>")
    assert data == {"a": {"b": 1}, "c": [1, 2]}
    assert changed == {"a": {"b": 2}, "c": [1, 3]}


@given(
    path=st.lists(st.text("abcxyz_", min_size=1, max_size=4), min_size=1, max_size=4),
    value=st.one_of(st.integers(), st.booleans(), st.text("abc", min_size=1, max_size=5)),
)
def test_an_applied_override_can_be_read_back_at_its_path(path: list[str], value: Any) -> None:
    data = apply_overrides({"keep": 1}, [parse_override(f"{'.'.join(path)}={value}")], "<t>")
    node: Any = data
    for part in path:
        node = node[part]
    assert str(node).lower() == str(value).lower()


@pytest.mark.parametrize(
    ("text", "field", "expected"),
    [
        ("channels.SONATA.latency.mean=-1", "channels.SONATA.latency.mean", "greater than 0"),
        ("channels.SONATA.loss=2", "channels.SONATA.loss", "less than or equal to 1"),
        ("chanels.SONATA.loss=0.1", "chanels", "unknown field"),
        ("workload.3.orders=[]", "workload.3", "an index of this list"),
        ("seed.x=1", "seed", "a mapping or a list"),
        ("channels.SONATA.towards.partner-9.loss=0.1", "channels.SONATA.towards.partner-9", "domain id"),
    ],
)
def test_a_bad_override_names_its_path_and_the_set_that_wrote_it(
    text: str, field: str, expected: str
) -> None:
    with pytest.raises(ScenarioError, match=expected) as caught:
        load_scenario(SCENARIO, [parse_override(text)])
    assert caught.value.field == field
    assert f"(--set {text})" in caught.value.source


@pytest.mark.parametrize("command", ["run", "architecture", "check"])
def test_the_cli_exits_2_on_a_bad_override(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([command, str(SCENARIO), "--set", "channels.SONATA.loss=2"]) == 2
    captured = capsys.readouterr()
    assert "channels.SONATA.loss" in captured.err + captured.out


def test_run_applies_an_override(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(SCENARIO), "--quiet", "--set", "seed=5"]) == 0
    assert "(seed 5)" in capsys.readouterr().out


def test_check_refuses_to_update_goldens_from_overridden_scenarios() -> None:
    assert main(["check", str(SCENARIO), "--update-goldens", "--set", "seed=5"]) == 2


def test_a_trace_written_under_set_names_no_scenario_file(tmp_path: Path) -> None:
    """Replaying it must not re-run the file as written and report the override as a divergence."""
    trace = tmp_path / "t.jsonl"
    assert main(["run", str(SCENARIO), "--quiet", "--set", "seed=3", "--trace-out", str(trace)]) == 0
    header = read_header(trace)
    assert header is not None and header.scenario is None and header.seed == 3
    assert main(["replay", str(trace)]) == 2
