"""Exit codes, trace format v3 and hardened input (issue 11, items 6-8).

Each test states a behaviour that main lacked: bad input gives one located line and exit 2, a
crash gives exit 3 and a saved traceback, a cut trace is never a golden, and the scenario loader
refuses what would hang or crash a run.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT, SCENARIOS

from lso_sim.cli import main as cli
from lso_sim.cli.main import main
from lso_sim.errors import BadInput, LsoSimError, ScenarioError, TraceError, echo
from lso_sim.scenarios.loader import load_scenario
from lso_sim.sonata.places import KnownPlace, confidence, parse_address
from lso_sim.threads.activities import ACTIVITIES
from lso_sim.trace.jsonl import read_trace_file

BASE = (SCENARIOS / "thread-10.2.yaml").read_text(encoding="utf-8")
LINK0 = "topology.links.0.capacity_mbps"


@pytest.fixture(scope="module")
def v3_trace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("v3") / "run.jsonl"
    assert main(["run", "--thread", "10.2", "--quiet", "--trace-out", str(path)]) == 0
    return path


# -- exit codes ------------------------------------------------------------------------------------


def test_internal_error_exits_3_and_saves_the_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """An LsoSimError raised inside a run is a bug, not bad input: exit 3, one line, a traceback file."""

    def boom(*_: Any, **__: Any) -> Any:
        raise LsoSimError("inner failure")

    monkeypatch.setattr(cli, "run_scenario", boom)
    trace = tmp_path / "cut.jsonl"
    assert main(["run", "--thread", "10.2", "--trace-out", str(trace)]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bug in lso-sim" in err
    crash = Path(re.search(r"traceback is in (\S+);", err).group(1))  # type: ignore[union-attr]
    assert "inner failure" in crash.read_text(encoding="utf-8") and "Traceback" in crash.read_text()
    crash.unlink()
    end = json.loads(trace.read_text(encoding="utf-8").splitlines()[-1])
    assert end["record"] == "end" and end["complete"] is False and "inner failure" in end["reason"]


def test_debug_prints_the_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "_dispatch", lambda *_: 1 / 0)
    assert main(["--debug", "threads"]) == 3
    err = capsys.readouterr().err
    assert "Traceback" in err and "ZeroDivisionError" in err


def test_ctrl_c_exits_130_and_marks_the_trace_cut(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def interrupted(*_: Any, **__: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "run_scenario", interrupted)
    trace = tmp_path / "cut.jsonl"
    assert main(["run", "--thread", "10.2", "--trace-out", str(trace)]) == 130
    assert capsys.readouterr().err.strip() == "lso-sim: interrupted"
    assert read_trace_file(trace).cut is not None
    assert main(["replay", str(trace)]) == 2
    assert "not a complete trace" in capsys.readouterr().err


def test_bad_input_is_a_bad_input_error() -> None:
    assert issubclass(ScenarioError, BadInput) and issubclass(TraceError, BadInput)
    assert not issubclass(LsoSimError, BadInput)


# -- trace format v3 -------------------------------------------------------------------------------


def test_a_run_ends_its_trace_with_a_complete_end_record(v3_trace: Path) -> None:
    trace = read_trace_file(v3_trace)
    assert trace.version == 3 and trace.end is not None and trace.end.complete
    assert trace.end.records == len(trace.records) and trace.cut is None


def test_replay_refuses_a_killed_trace(
    v3_trace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    killed = tmp_path / "killed.jsonl"
    killed.write_text("".join(v3_trace.read_text(encoding="utf-8").splitlines(keepends=True)[:-1]))
    assert main(["replay", str(killed), "--scenario", str(SCENARIOS / "thread-10.2.yaml")]) == 2
    assert "no end record" in capsys.readouterr().err


def _corrupt(lines: list[str], how: str) -> list[str]:
    record = json.loads(lines[3])
    if how == "bytes":
        return [*lines[:3], "\xff"]
    if how == "json":
        return [*lines[:3], lines[3][:20]]
    if how == "array":
        return [*lines[:3], "[1, 2]"]
    if how == "deep":
        return [*lines[:3], '{"a":' * 5000 + "1" + "}" * 5000]
    if how == "missing":
        del record["seq"]
    if how == "type":
        record["time"] = "soon"
    if how == "version":
        return [json.dumps({**json.loads(lines[0]), "version": 99}), *lines[1:]]
    return [*lines[:3], json.dumps(record), *lines[4:]]


@pytest.mark.parametrize("how", ["bytes", "json", "array", "deep", "missing", "type", "version"])
@pytest.mark.parametrize("command", ["trace", "report", "step"])
def test_readers_refuse_a_bad_line_with_its_number(
    v3_trace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], how: str, command: str
) -> None:
    lines = v3_trace.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "bad.jsonl"
    data = "\n".join(_corrupt(lines, how)) + "\n"
    bad.write_bytes(data.encode("utf-8", "surrogateescape").replace("\xff".encode(), b"\xff"))
    extra = ["--steps", "1"] if command == "step" else []
    assert main([command, str(bad), *extra]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and err.count("\n") <= 2
    assert ("reads versions 1, 2, 3" in err) if how == "version" else (":4:" in err)


# -- hardened scenario input -----------------------------------------------------------------------


def _load(tmp_path: Path, text: str | bytes) -> ScenarioError:
    path = tmp_path / "s.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert len(str(info.value)) < 500
    return info.value


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        (BASE.encode("utf-8") + b"\n# \xff\xfe\n", "", "not valid UTF-8"),
        ("a: " + "[" * 3000 + "]" * 3000, "", "nested more than"),
        (b"\x00", "", "at line 1: character U+0000 is not allowed"),
        (BASE.encode("utf-8") + b"\n\x07x: 1\n", "", "character U+0007 is not allowed"),
        (BASE.replace("seed: 7", "seed: 7\nseed: 8"), "", "duplicate key 'seed'"),
        (BASE.replace("capacity_mbps: 10000", "capacity_mbps: .inf", 1), LINK0, "finite"),
        (BASE.replace("capacity_mbps: 10000", "capacity_mbps: .nan", 1), LINK0, "finite"),
        (BASE.replace("name: thread-10.2", "name: " + "x" * 1_000_000), "name", "at most 10000"),
        (BASE + "\nchannels:\n  SONATTA: {loss: 0.1}\n", "channels.SONATTA", "CANTATA, SONATA, LEGATO"),
        (BASE + "\nactors:\n  BUS: {capacity: 1}\n", "actors.BUS", "BUS-sp, BUS-partner"),
        (BASE.replace("    priceQuote:", "    priceQuot:"), "timings.BUS-sp.priceQuot", "priceQuote"),
    ],
)
def test_bad_scenarios_are_located(tmp_path: Path, text: str | bytes, field: str, words: str) -> None:
    if isinstance(text, str) and "channels:" in BASE and "SONATTA" in text:
        text = BASE.replace("channels:", "channels:\n  SONATTA: {loss: 0.1}", 1)
    if isinstance(text, str) and "actors:" in BASE and "BUS:" in text:
        text = BASE.replace("actors:", "actors:\n  BUS: {capacity: 1}", 1)
    error = _load(tmp_path, text)
    assert error.field == field and words in error.expected


@pytest.mark.parametrize("kind", ["offerings", "links"])
def test_duplicate_ids_are_refused(tmp_path: Path, kind: str) -> None:
    data = yaml.safe_load(BASE)
    if kind == "offerings":
        data["offerings"].append(dict(data["offerings"][0]))
    else:
        data["topology"]["links"].append(dict(data["topology"]["links"][0]))
    error = _load(tmp_path, yaml.safe_dump(data))
    assert "repeats" in error.expected


def test_counts_have_upper_bounds(tmp_path: Path) -> None:
    data = yaml.safe_load(BASE)
    data["workload"][0] = {"thread": "10.2", "generate": {"count": 10**12}}
    error = _load(tmp_path, yaml.safe_dump(data))
    assert error.field == "workload.0.generate.count" and "10000000" in error.expected


def test_user_text_is_never_console_markup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(BASE.replace("name: thread-10.2", 'name: "[/]"'), encoding="utf-8")
    assert main(["run", str(path), "--quiet"]) == 0
    assert "[/] (seed 7)" in capsys.readouterr().out


def test_echoed_values_are_cut() -> None:
    assert len(echo("x" * 1_000_000)) < 120 and "1000000 characters" in echo("x" * 1_000_000)


def test_address_matching_is_fast_on_huge_text() -> None:
    known = KnownPlace("s", "o", "1 Main Street, Springfield", parse_address("1 Main Street, Springfield"))
    assert confidence({"streetName": "a" * 1_000_000, "city": "Springfeld " * 100_000}, known) < 0.5


@pytest.mark.parametrize("places", ["[]", "[{}, 5]", "[{id: a}, {id: b}, {id: c}]"])
def test_bad_places_get_a_mef_422(tmp_path: Path, places: str) -> None:
    tour = (SCENARIOS / "sonata-api-tour.yaml").read_text(encoding="utf-8")
    old = re.search(r"( +)place:\n(\1  - .*\n)+", tour)
    assert old is not None
    path = tmp_path / "tour.yaml"
    path.write_text(tour.replace(old.group(0), f"{old.group(1)}place: {places}\n", 1), encoding="utf-8")
    assert main(["run", str(path), "--quiet"]) in (0, 1)  # expectations may differ; never a crash


def test_every_activity_in_the_sources_is_declared() -> None:
    """The one declared list of activities covers every ``activity("name"`` call of its role."""
    declared = set().union(*ACTIVITIES.values())
    used: set[str] = set()
    sources = [*(ROOT / "lso_sim" / "threads").rglob("*.py"), *(ROOT / "lso_sim" / "sonata").rglob("*.py")]
    for source in sources:
        used |= set(re.findall(r"\.activity\(\s*\"(\w+)\"", source.read_text(encoding="utf-8")))
    assert used and used <= declared
