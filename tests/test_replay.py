"""Golden replay: a deliberately changed scenario or simulator fails at the right first divergence,
--update fixes it, ignored fields are ignored, and trace format versions are told apart."""

from __future__ import annotations

import json
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest
import simpy
from hypothesis import given
from hypothesis import strategies as st

from lso_sim.cli.main import main
from lso_sim.engine.actor import Actor
from lso_sim.errors import LsoSimError
from lso_sim.replay import compare, golden_path, read_golden, replay
from lso_sim.trace import TraceFormatError, read_header, read_trace


def _golden(project: Path) -> tuple[Path, Path]:
    scenario = project / "scenarios" / "thread-10.2.yaml"
    golden = golden_path(scenario)
    replay(golden, scenario=scenario, update=True)
    return scenario, golden


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_update_writes_a_golden_that_replays_identically(scenario_project: Path) -> None:
    """A fresh golden names its scenario relative to the project root and replays identically."""
    scenario, golden = _golden(scenario_project)
    assert golden == scenario_project / "scenarios" / "goldens" / "thread-10.2.jsonl"
    header = read_header(golden)
    assert header is not None and header.scenario == "scenarios/thread-10.2.yaml" and header.seed == 7
    assert str(scenario_project) not in golden.read_text(encoding="utf-8")
    result = replay(golden)
    assert result.identical and result.scenario.resolve() == scenario.resolve()
    assert result.comparison is not None and result.comparison.unchanged == len(list(read_trace(golden)))


def test_changed_latency_diverges_at_the_first_message_on_that_irp(scenario_project: Path) -> None:
    """A slower SONATA first shows as the first SONATA message arriving later."""
    scenario, golden = _golden(scenario_project)
    _edit(
        scenario,
        "SONATA: {latency: {kind: lognormal, mean: 0.15",
        "SONATA: {latency: {kind: lognormal, mean: 0.3",
    )
    result = replay(golden)
    assert result.comparison is not None and not result.identical
    first = result.comparison.first
    assert first is not None and first.change == "changed" and first.golden is not None
    first_sonata = next(r for r in read_golden(golden).records if r["irp"] == "SONATA")
    assert first.golden["seq"] == first_sonata["seq"]
    assert [d.path for d in first.fields] == ["delivered"]
    assert first.fields[0].actual > first.fields[0].golden


def test_changed_payload_field_diverges_at_the_first_body_carrying_it(scenario_project: Path) -> None:
    """A changed bandwidth first shows in the Customer's qualification request, ignoring timings."""
    scenario, golden = _golden(scenario_project)
    _edit(scenario, "bandwidth_mbps: 200", "bandwidth_mbps: 300")
    result = replay(golden, ignore=["time", "delivered", "payload.**.*Date", "payload.**.*Time"])
    assert result.comparison is not None
    first = result.comparison.first
    assert first is not None and first.golden is not None
    assert (first.golden["operation"], first.golden["step"]) == ("createProductOfferingQualification", "2")
    diff = next(d for d in first.fields if d.path.endswith("irValue"))
    assert (diff.golden, diff.actual) == (200.0, 300.0)


def test_dropped_step_shows_as_removed_records(
    scenario_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A simulator that skips step 5 (product-to-service mapping) diverges there: a removed record."""
    _, golden = _golden(scenario_project)
    original = Actor.activity

    def skipping(self: Actor, name: str, **kwargs: Any) -> Generator[simpy.Event, Any, None]:
        if name != "productToServiceMapping":
            yield from original(self, name, **kwargs)

    monkeypatch.setattr(Actor, "activity", skipping)
    result = replay(golden)
    comparison = result.comparison
    assert comparison is not None and comparison.first is not None
    assert comparison.first.change == "removed" and comparison.first.golden is not None
    assert (comparison.first.golden["operation"], comparison.first.golden["step"]) == (
        "productToServiceMapping",
        "5",
    )
    assert comparison.removed == 1 and comparison.added == 0
    assert comparison.actual_records == comparison.golden_records - 1


def test_cli_shows_first_divergence_side_by_side_and_update_fixes_it(
    scenario_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`lso-sim replay` exits 1 with the side-by-side table and counts; --update makes it pass."""
    scenario, golden = _golden(scenario_project)
    _edit(scenario, "bandwidth_mbps: 200", "bandwidth_mbps: 300")
    assert main(["replay", str(golden), "--ignore-timings"]) == 1
    out = capsys.readouterr().out
    assert "differs:" in out and "first divergence: changed" in out
    for row in (
        "seq",
        "time",
        "hop",
        "acme -> bus-sp (CANTATA)",
        "request createProductOfferingQualification",
    ):
        assert row in out
    line = next(line for line in out.splitlines() if "irValue" in line)
    assert "≠" in line and "200.0" in line and "300.0" in line
    assert "changed," in out and "added," in out and "removed," in out and "unchanged" in out
    assert main(["replay", str(golden), "--update"]) == 0
    assert "updated" in capsys.readouterr().out
    assert main(["replay", str(golden)]) == 0
    assert "identical" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("ignore", "identical"),
    [
        ((), False),
        (("time",), False),
        (("payload.**.eventTime",), False),
        (("time", "payload.**.eventTime"), True),
        (("time", "payload.event.*Time"), True),
        (("t*", "payload.*"), True),
    ],
)
def test_ignored_fields_are_left_out(ignore: tuple[str, ...], identical: bool) -> None:
    """Only the ignored fields may differ for the traces to compare equal."""
    golden = [
        {"seq": 0, "id": "m0", "kind": "request", "operation": "a", "time": 1.0, "payload": {"x": 1}},
        {
            "seq": 1,
            "id": "m1",
            "kind": "notification",
            "operation": "b",
            "time": 2.0,
            "payload": {"event": {"eventTime": "2026-01-01T00:00:02Z", "state": "done"}},
        },
    ]
    actual = [
        {**golden[0], "time": 1.5},
        {
            **golden[1],
            "time": 2.5,
            "payload": {"event": {"eventTime": "2026-01-01T00:00:03Z", "state": "done"}},
        },
    ]
    assert compare(golden, actual, ignore).identical is identical


def test_correlation_ids_are_compared_through_the_alignment() -> None:
    """A response still answering the same request is unchanged when records before it disappear."""
    golden = [
        {"seq": 0, "id": "m0", "kind": "activity", "operation": "x", "correlation_id": None},
        {"seq": 1, "id": "m1", "kind": "request", "operation": "y", "correlation_id": "m1"},
        {"seq": 2, "id": "m2", "kind": "response", "operation": "y", "correlation_id": "m1"},
    ]
    actual = [
        {**golden[1], "seq": 0, "id": "m0", "correlation_id": "m0"},
        {**golden[2], "seq": 1, "id": "m1", "correlation_id": "m0"},
    ]
    comparison = compare(golden, actual)
    assert (comparison.removed, comparison.changed, comparison.unchanged) == (1, 0, 2)


_records = st.lists(
    st.fixed_dictionaries(
        {
            "kind": st.sampled_from(["request", "response", "activity"]),
            "operation": st.sampled_from("abc"),
            "time": st.floats(0, 10),
            "payload": st.dictionaries(st.sampled_from("pq"), st.integers(0, 3)),
        }
    ),
    max_size=12,
).map(lambda rs: [{"seq": i, "id": f"m{i}", **r} for i, r in enumerate(rs)])


@given(records=_records, data=st.data())
def test_comparison_counts_add_up(records: list[dict[str, Any]], data: st.DataObject) -> None:
    """A trace equals itself; removing one record is one removal (records with the same key may
    pair up differently, so some may count as changed); the counts cover both traces."""
    assert compare(records, records).identical
    if records:
        gone = data.draw(st.integers(0, len(records) - 1))
        shorter = records[:gone] + records[gone + 1 :]
        comparison = compare(records, shorter)
        c = comparison
        assert c.removed == 1 and c.added == 0 and not c.identical
        assert c.unchanged + c.changed + c.removed == len(records)
        assert c.unchanged + c.changed + c.added == len(shorter)


def test_version_1_golden_needs_a_scenario(
    scenario_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A golden without header (format 1) fails with a format-version message, replays with --scenario."""
    scenario, golden = _golden(scenario_project)
    lines = golden.read_text(encoding="utf-8").splitlines(keepends=True)
    golden.write_text("".join(lines[1:-1]), encoding="utf-8")  # no header, no end record
    with pytest.raises(TraceFormatError, match=r"trace format version 1 .* writes version 3"):
        replay(golden)
    assert main(["replay", str(golden)]) == 2
    assert "format version 1" in capsys.readouterr().err
    result = replay(golden, scenario=scenario)
    assert result.identical and len(result.notes) == 1
    assert "trace format version 1 (no header line, no end record)" in result.notes[0]
    assert "make goldens" in result.notes[0]
    assert main(["replay", str(golden), "--scenario", str(scenario)]) == 0


def test_newer_format_version_is_refused_and_update_rewrites_it(scenario_project: Path) -> None:
    """A golden of another format version says which versions differ; --update re-records it."""
    _, golden = _golden(scenario_project)
    header, *rest = golden.read_text(encoding="utf-8").splitlines(keepends=True)
    golden.write_text(
        json.dumps({**json.loads(header), "version": 99}) + "\n" + "".join(rest), encoding="utf-8"
    )
    with pytest.raises(TraceFormatError, match=r"format version 99; this lso-sim reads versions 1, 2, 3"):
        replay(golden)
    assert replay(golden, update=True).updated
    assert replay(golden).identical


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ({"record": "header", "format": "other", "version": 2, "seed": 1}, "expected 'lso-sim-trace'"),
        (
            {"record": "header", "format": "lso-sim-trace", "version": "2", "seed": 1},
            "'version' must be an integer",
        ),
    ],
)
def test_malformed_header_is_refused(tmp_path: Path, header: dict[str, Any], message: str) -> None:
    """A header that is not ours fails clearly, whether only the header or the whole trace is read."""
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps(header) + "\n", encoding="utf-8")
    with pytest.raises(TraceFormatError, match=message):
        read_header(path)
    with pytest.raises(TraceFormatError, match=message):
        list(read_trace(path))


def test_missing_scenario_is_reported(scenario_project: Path) -> None:
    """A golden naming a scenario that is not there asks for --scenario."""
    scenario, golden = _golden(scenario_project)
    scenario.unlink()
    with pytest.raises(LsoSimError, match=r"was not found .* give it with --scenario"):
        replay(golden)


def test_update_records_a_new_golden_only_with_a_scenario(scenario_project: Path) -> None:
    """--update of a golden that does not exist yet needs the scenario to record."""
    scenario = scenario_project / "scenarios" / "thread-10.2.yaml"
    golden = scenario_project / "new.jsonl"
    with pytest.raises(LsoSimError, match="no golden yet; give --scenario FILE"):
        replay(golden, update=True)
    assert replay(golden, scenario=scenario, update=True).updated
    assert replay(golden).identical
