"""Reviewable golden diffs: every difference listed (changed, added, removed, moved) by instance and
step, and the Markdown report with its Mermaid diagram of the changed stretch."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mermaid_check import problems

from lso_sim.cli.main import main
from lso_sim.replay import compare, golden_path, replay

CHANGED_PAYLOAD = 30
"""Golden record whose payload the test edits (first change)."""

CHANGED_STATUS = 131
"""Golden record whose time the test edits (second change, far from the first)."""

SWAPPED = 107
"""Golden records 107 and 108 (two notifications of 10.2 step 9b) swap places (the reordering)."""


def _lines(golden: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in golden.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def edited(scenario_project: Path) -> Path:
    """A 10.2 golden with two separate changes and one reordering (renumbered as a recording is)."""
    scenario = scenario_project / "scenarios" / "thread-10.2.yaml"
    golden = golden_path(scenario)
    replay(golden, scenario=scenario, update=True)
    header, *records, end = _lines(golden)
    assert records[SWAPPED]["correlation_id"] is None and records[SWAPPED + 1]["correlation_id"] is None
    records[CHANGED_PAYLOAD]["payload"] = {**records[CHANGED_PAYLOAD]["payload"], "note": "edited"}
    records[CHANGED_STATUS]["time"] = records[CHANGED_STATUS]["time"] + 1.0
    records[SWAPPED], records[SWAPPED + 1] = records[SWAPPED + 1], records[SWAPPED]
    for n in (SWAPPED, SWAPPED + 1):
        records[n]["seq"], records[n]["id"] = n, f"m{n}"
    lines = [header, *records, end]
    golden.write_text("".join(json.dumps(x, separators=(",", ":")) + "\n" for x in lines), encoding="utf-8")
    return golden


def test_every_difference_is_listed(edited: Path) -> None:
    """Two separate changes and one reordering give exactly two changed records and one move."""
    result = replay(edited)
    comparison = result.comparison
    assert comparison is not None
    assert (comparison.changed, comparison.added, comparison.removed, comparison.moved) == (2, 0, 0, 1)
    found = {(d.change, d.golden_index, tuple(f.path for f in d.fields)) for d in comparison.differences}
    assert ("changed", CHANGED_PAYLOAD, ("payload.note",)) in found
    assert ("changed", CHANGED_STATUS, ("time",)) in found
    moves = [d for d in comparison.differences if d.change == "moved"]
    assert len(moves) == 1 and moves[0].golden_index in (SWAPPED, SWAPPED + 1)
    assert comparison.unchanged + comparison.changed + comparison.moved == comparison.golden_records


def test_replay_all_prints_them_grouped(edited: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(edited), "--all"]) == 1
    out = capsys.readouterr().out
    assert "all differences" in out and "acme/order-1" in out
    assert out.count("changed") >= 3 and "moved" in out  # two rows and the counts line; the move
    assert "payload.note" in out and "time: " in out
    assert "2 changed, 0 added, 0 removed, 1 moved" in out
    assert main(["replay", str(edited)]) == 1
    assert "all differences" not in capsys.readouterr().out  # without --all: the first divergence


def _mermaid(markdown: str) -> list[str]:
    return [str(block) for block in re.findall(r"```mermaid\n(.*?)```", markdown, flags=re.S)]


def _mermaid_cli_accepts(diagrams: list[str], folder: Path) -> None:
    """When mermaid-cli (``mmdc``) is installed, it must render each diagram too (the structural
    checker above stands in for it where it is not)."""
    mmdc = shutil.which("mmdc")
    if mmdc is None:
        return
    for n, diagram in enumerate(diagrams):
        source = folder / f"d{n}.mmd"
        source.write_text(diagram, encoding="utf-8")
        command = [mmdc, "-i", str(source), "-o", str(folder / f"d{n}.svg")]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr


def test_markdown_report(edited: Path, tmp_path: Path) -> None:
    """Counts, a table row per difference, and Mermaid blocks that parse with each difference marked."""
    out = tmp_path / "review.md"
    assert main(["replay", str(edited), "--format", "markdown", "-o", str(out)]) == 1
    text = out.read_text(encoding="utf-8")
    assert text.startswith("### lso-sim replay: ") and "differs from a run of" in text
    assert "| changed | 2 |" in text and "| moved | 1 |" in text and "| added | 0 |" in text
    rows = [line for line in text.splitlines() if line.startswith("| 10.2 acme/order-1 |")]
    changes = [m for row in rows for m in re.findall(r"\*\*(\w+)\*\*", row)]
    assert changes == ["changed", "moved", "changed"]
    diagrams = _mermaid(text)
    assert len(diagrams) == 3  # one per changed stretch: the two changes are far apart, and the move
    assert [problems(d) for d in diagrams] == [[], [], []]
    marks = [d.count("  rect ") for d in diagrams]
    assert marks == [1, 2, 1]  # a change; the move and where it moved from; a change
    assert "moved here from golden" in diagrams[1] and "moved from here" in diagrams[1]
    assert "Stretch 2 of 3: records #" in text
    _mermaid_cli_accepts(diagrams, tmp_path)
    again = tmp_path / "again.md"
    assert main(["replay", str(edited), "--format", "markdown", "-o", str(again)]) == 1
    assert again.read_bytes() == out.read_bytes()


def test_markdown_of_an_identical_golden(scenario_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = scenario_project / "scenarios" / "thread-10.2.yaml"
    golden = golden_path(scenario)
    replay(golden, scenario=scenario, update=True)
    assert main(["replay", str(golden), "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "is identical to a run of" in out and "```mermaid" not in out


def test_output_needs_markdown(edited: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(edited), "-o", "x.md"]) == 2
    assert "--output goes with --format markdown" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("diagram", "problem"),
    [
        ("graph TD\n", "first line"),
        ("sequenceDiagram\n  participant p_a as a\n  p_a->>p_b: x\n", "p_b used before"),
        (
            "sequenceDiagram\n  participant p_a as a\n  rect rgba(1, 2, 3, 0.5)\n  Note over p_a: x\n",
            "never closed",
        ),
        ("sequenceDiagram\n  participant p_a as a\n  end\n", "'end' without"),
        ("sequenceDiagram\n  participant p_a as a\n  Note over p_a: a; b\n", "raw ';'"),
        ("sequenceDiagram\n  participant p_a as a\n  p_a->>p_a\n", "not a sequence diagram statement"),
    ],
)
def test_the_mermaid_checker_finds_broken_diagrams(diagram: str, problem: str) -> None:
    assert any(problem in p for p in problems(diagram))


_keys = st.lists(st.sampled_from("abcd"), min_size=2, max_size=10)


@given(keys=_keys, data=st.data())
def test_a_reordering_is_moves_never_additions_or_removals(keys: list[str], data: st.DataObject) -> None:
    """Any permutation of a trace's records shows as moves (and changed fields), never as added or
    removed records: both sides hold the same records."""
    golden = [{"seq": i, "id": f"m{i}", "kind": "request", "operation": k} for i, k in enumerate(keys)]
    order = data.draw(st.permutations(range(len(keys))))
    actual = [{**golden[n], "seq": i, "id": f"m{i}"} for i, n in enumerate(order)]
    comparison = compare(golden, actual)
    assert comparison.added == comparison.removed == 0
    assert comparison.unchanged + comparison.changed + comparison.moved == len(golden)
    assert len(comparison.differences) == comparison.changed + comparison.moved


def test_check_writes_a_markdown_summary(edited: Path, tmp_path: Path) -> None:
    """``check --markdown``: a row per scenario, and the golden diff of the failing one."""
    project = edited.parents[2]
    (project / "scenarios" / "broken.yaml").write_text("name: broken\nseed: -1\n", encoding="utf-8")
    out = tmp_path / "summary.md"
    assert main(["check", str(project / "scenarios"), "--markdown", str(out)]) == 2
    text = out.read_text(encoding="utf-8")
    assert text.startswith("### lso-sim check: 0 of 2 scenario(s) passed")
    assert "| **error** |" in text and "| differs | **failed** |" in text
    assert "error: " in text and "broken.yaml" in text
    assert "##### lso-sim replay: " in text and "| moved | 1 |" in text
    assert [problems(d) for d in _mermaid(text)] == [[], [], []]
