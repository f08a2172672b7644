"""Scenario files: bad input gives one line naming file, field path and expectation; CLI exits 2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import SCENARIOS
from hypothesis import given, settings
from hypothesis import strategies as st

from lso_sim.cli.main import main
from lso_sim.errors import ScenarioError
from lso_sim.scenarios import load_scenario, parse_scenario


def _canonical() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((SCENARIOS / "thread-10.2.yaml").read_text())
    return data


def _set(data: Any, path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        data = data[int(part)] if isinstance(data, list) else data[part]
    last = parts[-1]
    if value is _DELETE:
        del data[last]
    elif isinstance(data, list):
        data[int(last)] = value
    else:
        data[last] = value


_DELETE = object()

BAD_INPUTS = [
    ("name", _DELETE, "name", "required field is missing"),
    ("seed", "seven", "seed", "integer"),
    ("channels.SONATA.latency", {"kind": "gaussian", "mean": 1}, "channels.SONATA.latency", "tag"),
    ("channels.SONATA.loss", 1.5, "channels.SONATA.loss", "less than or equal to 1"),
    ("channels.TELNET", {"latency": 1}, "channels.TELNET", "one of default, CANTATA, SONATA"),
    (
        "channels.PRESTO.latency",
        {"kind": "uniform", "low": 5, "high": 1},
        "channels.PRESTO.latency",
        "must not be below",
    ),
    ("actors.ECM.capacity", 0, "actors.ECM.capacity", "greater than or equal to 1"),
    ("customers.0.sites.0.ne", "nowhere", "customers.0.sites.0.ne", "a network element id"),
    ("topology.links.3.enni", _DELETE, "topology.links.3.enni", "ENNI"),
    ("topology.forwarding_domains.2.domain", "mars", "topology.forwarding_domains.2.domain", "one of"),
    ("workload.0.thread", "10.10", "workload.0.thread", "an implemented thread"),
    ("workload.0.orders.0.sites", ["acme-hq", "acme-hq"], "workload.0.orders.0.sites", "two different sites"),
    ("workload.0.orders.0.customer", "globex", "workload.0.orders.0.customer", "a customer id"),
    ("options.partner_fulfilment", "carrier-pigeon", "options.partner_fulfilment", "interlude"),
    ("topology.colour", "blue", "topology.colour", "unknown field"),
]


@pytest.mark.parametrize(("path", "value", "field", "expected"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_field_is_named_with_its_path(
    tmp_path: Path, path: str, value: Any, field: str, expected: str
) -> None:
    """Each kind of mistake is reported at its field path with what was expected."""
    data = _canonical()
    _set(data, path, value)
    target = tmp_path / "bad.yaml"
    target.write_text(yaml.safe_dump(data))
    with pytest.raises(ScenarioError) as info:
        load_scenario(target)
    assert info.value.field == field
    assert expected in info.value.expected
    assert str(info.value).startswith(f"{target}: {field}: ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: [unclosed", "invalid YAML at line 1"),
        ("- just\n- a list\n", "expected a mapping"),
        ("", "expected a mapping"),
    ],
)
def test_unreadable_files_are_reported(tmp_path: Path, text: str, expected: str) -> None:
    """YAML syntax errors and non-mapping documents name the file."""
    target = tmp_path / "broken.yaml"
    target.write_text(text)
    with pytest.raises(ScenarioError, match=expected) as info:
        load_scenario(target)
    assert str(target) in str(info.value)


def test_missing_file_is_reported(tmp_path: Path) -> None:
    """A path that does not exist is an error, not a traceback."""
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(tmp_path / "absent.yaml")


@pytest.mark.parametrize(
    "path", ["seed", "channels.SONATA.loss", "workload.0.orders.0.customer", "workload.0.thread"]
)
def test_cli_exits_2_with_one_line_and_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], path: str
) -> None:
    """``lso-sim run BAD.yaml`` prints one error line on stderr and exits 2."""
    data = _canonical()
    _set(data, path, "???")
    target = tmp_path / "bad.yaml"
    target.write_text(yaml.safe_dump(data))
    assert main(["run", str(target)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"{target}: {path}" in " ".join(err.split())


@settings(max_examples=60, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
        max_leaves=10,
    )
)
def test_any_data_either_loads_or_raises_scenario_error(data: Any) -> None:
    """The parser never fails with anything but a ScenarioError, whatever it is given."""
    try:
        parse_scenario(data, "<generated>")
    except ScenarioError as exc:
        assert str(exc).startswith("<generated>")


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(
        ["seed", "channels", "topology", "workload", "customers", "offerings", "actors", "timings"]
    ),
    st.one_of(st.none(), st.integers(), st.text(max_size=4), st.lists(st.integers(), max_size=2)),
)
def test_replacing_a_section_with_junk_is_a_scenario_error(section: str, junk: Any) -> None:
    """Whole sections replaced by values of the wrong shape are named in the error."""
    data = _canonical()
    data[section] = junk
    try:
        parse_scenario(data, "s.yaml")
    except ScenarioError as exc:
        assert exc.field.split(".")[0] == section or exc.field == ""
