"""The step-through viewer: frames for a few steps, navigation, the interactive loop."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from lso_sim.cli.docs import run_canonical
from lso_sim.cli.main import main
from lso_sim.errors import LsoSimError
from lso_sim.threads.catalog import explain_step
from lso_sim.viewer.frame import render_frame
from lso_sim.viewer.interactive import HELP, apply_command, interact
from lso_sim.viewer.lanes import draw_lanes
from lso_sim.viewer.stepper import Stepper

FIRST_TWO = """\
Step 2 of 3 | thread 10.2 | acme/order-1 | t = {time} s | record #1

             acme             bus-sp
           Customer           BUS-sp
 #1            | CANTATA listProductOffering [1]
               |---------------->|
>#2            | CANTATA listProductOffering [1] (200)
               |< - - - - - - - -|

Now: response bus-sp -> acme over CANTATA: listProductOffering, status 200
This record: BUS-sp bus-sp answers listProductOffering (browse the seller's product offerings) with 200.
MEF 10.2 step 1: Customer looks at the catalog and at the products it already has
Payload:
"""


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    return run_canonical("10.2").records


@pytest.fixture
def browsing(records: list[dict[str, Any]], tmp_path: Path) -> tuple[Path, list[dict[str, Any]]]:
    """A trace of the Customer's catalog browsing only (10.2 step 1), numbered from 0 like a run."""
    kept = [r for r in records if r["operation"] in ("listProductOffering", "listProduct")][:3]
    browsing = [{**r, "seq": n} for n, r in enumerate(kept)]
    path = tmp_path / "browsing.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in browsing), encoding="utf-8")
    return path, browsing


def test_steps_prints_deterministic_frames(
    browsing: tuple[Path, list[dict[str, Any]]], capsys: pytest.CaptureFixture[str]
) -> None:
    """``step TRACE --steps 3``: three frames, the second exactly as a student sees it."""
    path, kept = browsing
    assert main(["step", str(path), "--steps", "3"]) == 0
    frames = capsys.readouterr().out.split("=" * 72 + "\n")
    assert len(frames) == 3
    assert frames[1].startswith(FIRST_TWO.format(time=f"{kept[1]['time']:.3f}"))
    assert '"id": "epl-retail"' in frames[1]
    assert frames[2].startswith("Step 3 of 3") and ">#3" in frames[2] and "listProduct [1]" in frames[2]


def test_every_frame_names_its_mef_step_and_explanation(records: list[dict[str, Any]]) -> None:
    stepper = Stepper(records)
    for position in range(1, stepper.total + 1):
        stepper.jump(position)
        record = records[position - 1]
        frame = render_frame(stepper)
        line = f"MEF 10.2 step {record['step']}: {explain_step('10.2', record['step'])}"
        assert line in frame.splitlines()
        assert f">#{position} " in frame


def test_window_shows_earlier_steps_and_keeps_lanes_in_run_order(records: list[dict[str, Any]]) -> None:
    stepper = Stepper(records)
    stepper.jump(40)
    frame = render_frame(stepper, window=3)
    assert "... 36 earlier step(s)" in frame
    assert [f"#{n}" in frame for n in (36, 37, 38, 39, 40)] == [False, True, True, True, True]
    header = frame.splitlines()[3].split()
    order = list(dict.fromkeys(a for r in records for a in (r["src"], r["dst"])))
    assert header == sorted(header, key=order.index)


def test_lanes_draw_lost_messages_and_notes() -> None:
    base = {
        "thread": "10.2",
        "step": "4",
        "irp": "CANTATA",
        "src_role": "Customer",
        "dst_role": "BUS-sp",
        "operation": "op",
        "status": None,
    }
    lines = draw_lanes(
        [
            {**base, "src": "a", "dst": "b", "kind": "request", "delivered": None},
            {**base, "src": "b", "dst": "a", "kind": "notification", "delivered": 1.0},
            {**base, "src": "b", "dst": "b", "kind": "activity", "delivered": 2.0},
        ]
    )
    assert lines[3].strip() == "|" + "-" * 16 + "x|"
    assert lines[5].strip() == "|<" + "-" * 16 + "|"
    assert "[step 4: op]" in lines[6]


@pytest.mark.parametrize(
    ("commands", "position"),
    [(["n", "n", "p"], 2), (["j 50"], 50), (["j 999"], -1), (["l", "p"], -2), (["7", "f"], 1), ([""], 2)],
)
def test_commands_move_the_stepper(records: list[dict[str, Any]], commands: list[str], position: int) -> None:
    stepper = Stepper(records)
    stepper.jump(1)
    for command in commands:
        assert apply_command(stepper, command) is None
    assert stepper.position == (position if position > 0 else len(records) + 1 + position)


def test_command_messages(records: list[dict[str, Any]]) -> None:
    stepper = Stepper(records)
    stepper.jump(1)
    assert apply_command(stepper, "p") == "already at the first step"
    assert apply_command(stepper, "j x") == f"jump needs a step number between 1 and {len(records)}"
    assert apply_command(stepper, "?") == HELP
    assert apply_command(stepper, "q") == "quit"
    with pytest.raises(LsoSimError, match="nothing to step through"):
        Stepper([])


def test_interactive_loop_reads_until_quit(records: list[dict[str, Any]]) -> None:
    commands: Iterator[str] = iter(["n", "j 5", "q"])
    out = io.StringIO()
    stepper = Stepper(records)
    interact(stepper, Console(file=out, width=200), lambda _prompt: next(commands))
    assert stepper.position == 5
    text = out.getvalue()
    assert [line.split(" |")[0] for line in text.splitlines() if line.startswith("Step ")] == [
        f"Step 1 of {len(records)}",
        f"Step 2 of {len(records)}",
        f"Step 5 of {len(records)}",
    ]


def test_step_reads_a_trace_file_and_filters(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    trace = tmp_path / "t.jsonl"
    assert main(["run", "--thread", "10.2", "--quiet", "--trace-out", str(trace)]) == 0
    capsys.readouterr()
    assert main(["step", str(trace), "--irp", "ADAGIO", "--steps", "1"]) == 0
    out = capsys.readouterr().out
    # the first ADAGIO hops are the ICMs reading their ECMs for SOF-sp's topology view (3b)
    assert out.startswith("Step 1 of 48 |") and "ADAGIO retrieveElementInventory [3b]" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["step"], "one of them"),
        (["step", "--thread", "10.2", "--steps", "0"], "--steps must be 1 or more"),
        (["step", "--thread", "10.2", "--irp", "NONE", "--steps", "1"], "nothing to step through"),
    ],
)
def test_bad_step_requests_exit_2(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_piped_stdin_never_waits_for_keys() -> None:
    """Without a terminal the viewer prints and exits instead of waiting for input."""
    done = subprocess.run(
        [sys.executable, "-m", "lso_sim", "step", "--thread", "10.2", "--steps", "2"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.count("Step ") == 2
