"""The command line: threads, architecture, run with trace output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SCENARIOS

from lso_sim.cli.main import main
from lso_sim.trace import FIELDS, read_trace

ROLES = {"Customer", "BUS-sp", "BUS-partner", "SOF-sp", "SOF-partner", "ICM", "ECM"}
IRPS = {"CANTATA", "SONATA", "LEGATO", "ALLEGRO", "INTERLUDE", "PRESTO", "ADAGIO"}


def test_threads_lists_all_of_section_10(capsys: pytest.CaptureFixture[str]) -> None:
    """Threads 10.1-10.9 are listed, each marked implemented."""
    assert main(["threads"]) == 0
    out = capsys.readouterr().out
    for n in range(1, 10):
        line = next(line for line in out.splitlines() if f"10.{n} " in line)
        assert "implemented" in line and "not yet" not in line


@pytest.mark.parametrize(
    ("fmt", "marker"), [("tree", "bus-sp"), ("mermaid", "flowchart LR"), ("dot", "graph lso {")]
)
def test_architecture_formats(capsys: pytest.CaptureFixture[str], fmt: str, marker: str) -> None:
    """The architecture prints as a tree or exports Mermaid/DOT."""
    assert main(["architecture", "--thread", "10.2", "--format", fmt]) == 0
    assert marker in capsys.readouterr().out


def test_run_prints_listing_and_summary_and_writes_the_trace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``run --thread 10.2 --trace-out`` shows the sequence and summary and writes the JSONL contract."""
    out_file = tmp_path / "t.jsonl"
    assert main(["run", "--thread", "10.2", "--seed", "3", "--trace-out", str(out_file)]) == 0
    out = capsys.readouterr().out
    for text in (
        "Message sequence",
        "createProductOrder",
        "Thread instances",
        "completed",
        "Messages per IRP",
    ):
        assert text in out
    records = list(read_trace(out_file))
    assert [r["seq"] for r in records] == list(range(len(records)))
    for record in records:
        # every field in order; a request also presents its credential (``auth``, thread 10.8)
        expected = (*FIELDS, "auth") if record["kind"] == "request" else FIELDS
        assert tuple(record) == expected
        assert record["src_role"] in ROLES and record["dst_role"] in ROLES
        assert record["thread"] == "10.2"
        if record["kind"] in ("request", "response", "notification"):
            assert record["irp"] in IRPS
            assert record["delivered"] is None or record["delivered"] >= record["time"]
        if record["kind"] == "response":
            assert isinstance(record["status"], int)
        else:
            assert record["status"] is None
    apis = {r["operation"]: r["api"] for r in records if r["irp"] in ("SONATA", "CANTATA") and r["api"]}
    assert apis["createProductOrder"] == "productOrderManagement"
    assert apis["createProductOfferingQualification"] == "productOfferingQualificationManagement"
    assert any(r["api"] == "serviceOrderingManagement" for r in records)


def test_trace_out_is_byte_identical_across_runs(tmp_path: Path) -> None:
    """Same scenario and seed through the CLI: identical files."""
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    for target in (a, b):
        assert main(["run", str(SCENARIOS / "thread-10.2.yaml"), "--quiet", "--trace-out", str(target)]) == 0
    assert a.read_bytes() == b.read_bytes()
    header, first = map(json.loads, a.read_text().splitlines()[:2])
    assert header["record"] == "header" and header["scenario"] == "scenarios/thread-10.2.yaml"
    assert first["time"] == 0.0 and first["step"] == "setup"  # the Customer's hubs come first


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--thread", "11.1"], "unknown thread"),
        (["run", "nope.yaml"], "cannot read"),
        (["run", "--thread", "10.2", "--trace-out", "/nonexistent/dir/t.jsonl"], "cannot write"),
    ],
)
def test_bad_requests_exit_2(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    """Unknown threads, missing files and unwritable outputs exit 2 with a message."""
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_python_dash_m_runs() -> None:
    """``python -m lso_sim`` is the same command."""
    done = subprocess.run(
        [sys.executable, "-m", "lso_sim", "threads"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and "10.2" in done.stdout
