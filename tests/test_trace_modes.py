"""Trace modes: memory, streamed and summary-only runs give the same summary, outcomes, invariants,
expectation verdicts and exit code; they differ only in what they keep of the records."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lso_sim.cli.main import main
from lso_sim.engine.observers import MemoryTrace
from lso_sim.messages.envelope import MESSAGE_KINDS
from lso_sim.scenarios.loader import load_scenario
from lso_sim.scenarios.runner import run_scenario
from lso_sim.trace.jsonl import JsonlTraceWriter, TraceRecords
from lso_sim.trace.modes import TraceMode
from lso_sim.trace.records import to_record
from lso_sim.trace.summary import TraceSummary

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = [
    *sorted((ROOT / "scenarios").glob("*.yaml")),
    ROOT / "scenarios" / "faults" / "channel.yaml",
    ROOT / "scenarios" / "faults" / "actor-down.yaml",
]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    code = main(["run", *argv])
    lines = capsys.readouterr().out.splitlines()
    return code, [line for line in lines if not line.startswith("trace: ")]


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_the_three_modes_print_the_same_summary(
    path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Summary tables, invariants and expectations read the same whatever the run kept."""
    memory = _run(capsys, str(path), "--quiet", "--trace-mode", "memory")
    streamed = _run(capsys, str(path), "--quiet", "--trace-out", str(tmp_path / "t.jsonl"))
    summary = _run(capsys, str(path), "--quiet")
    assert memory[0] == 0
    assert memory == streamed == summary


def test_expectations_missed_are_the_same_in_every_mode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Record expectations of a run that kept nothing are checked on its records read back."""
    data = yaml.safe_load((ROOT / "scenarios" / "thread-10.2.yaml").read_text(encoding="utf-8"))
    data["expect"]["messages"][0]["count"] = 2
    data["expect"]["must_not"] = [{"kind": "request", "operation": "createProductOrder"}]
    path = tmp_path / "wrong.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    runs = [
        _run(capsys, str(path), "--quiet", "--trace-mode", "memory"),
        _run(capsys, str(path), "--quiet", "--trace-out", str(tmp_path / "t.jsonl")),
        _run(capsys, str(path), "--quiet"),
    ]
    assert runs[0][0] == 1
    assert any("expect.messages.0" in line for line in runs[0][1])
    assert any("expect.must_not.0" in line for line in runs[0][1])
    assert runs[0] == runs[1] == runs[2]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--trace-mode", "streamed"], "--trace-mode streamed needs --trace-out"),
        (["--trace-mode", "summary", "--trace-out", "x.jsonl"], "summary writes no trace"),
    ],
)
def test_a_mode_that_cannot_work_is_refused_with_exit_2(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--thread", "10.2", *argv]) == 2
    assert message in capsys.readouterr().err


def test_a_listing_asked_for_in_a_mode_that_keeps_nothing_says_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["run", "--thread", "10.2", "--trace-mode", "summary"]) == 0
    assert "listing: not shown, trace mode summary keeps no records" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("quiet", "trace_out", "mode"),
    [(False, False, "memory"), (False, True, "memory"), (True, True, "streamed"), (True, False, "summary")],
)
def test_default_mode(quiet: bool, trace_out: bool, mode: str) -> None:
    """The listing needs the records; without it they are streamed to a file, or not kept at all."""
    assert TraceMode.default(quiet=quiet, trace_out=trace_out) == mode


def test_streamed_records_read_back_equal_the_records_kept_and_runs_are_deterministic(
    tmp_path: Path,
) -> None:
    """A trace file read back gives the records a memory trace keeps, and the same bytes every run."""
    scenario = load_scenario(ROOT / "scenarios" / "thread-10.2.yaml")
    files = []
    for n in range(2):
        memory, out = MemoryTrace(), tmp_path / f"run{n}.jsonl"
        with open(out, "w", encoding="utf-8") as stream:
            run_scenario(scenario, [memory, JsonlTraceWriter(stream)])
        files.append(out.read_bytes())
        assert list(TraceRecords(out)) == [to_record(m) for m in memory.records]
        assert list(TraceRecords(out)) == list(TraceRecords(out))  # each pass reads the file again
    assert files[0] == files[1]


def test_summary_only_run_counts_what_the_kept_records_show() -> None:
    """The online summary of a run keeping nothing equals the one of a run keeping everything."""
    scenario = load_scenario(ROOT / "scenarios" / "faults" / "channel.yaml")
    kept, online = TraceSummary(), TraceSummary()
    memory = MemoryTrace()
    run_scenario(scenario, [kept, memory])
    run_scenario(scenario, [online])
    assert online == kept
    assert kept.messages == sum(1 for m in memory.records if m.kind in MESSAGE_KINDS) > 0
