"""A report over a trace too long to hold: records pass by, only figures stay (issue 13).

``compute_report`` gives the same report from a list, from a trace file read back pass by pass,
and from a one-shot iterator; it keeps no record while it reads; the ``report`` command and
``run --report`` read a streamed trace back instead of loading it.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import SCENARIOS

from lso_sim.cli.main import main
from lso_sim.report.metrics import compute_report
from lso_sim.trace.jsonl import TraceRecords
from lso_sim.trace.select import DrawableRecords, RecordFilter, load_records

GOLDENS = sorted((SCENARIOS / "goldens").glob("*.jsonl")) + sorted(
    (SCENARIOS / "faults" / "goldens").glob("*.jsonl")
)


@pytest.mark.parametrize("golden", GOLDENS, ids=lambda p: p.stem)
def test_report_of_a_file_read_back_equals_the_report_of_its_records(golden: Path) -> None:
    records = load_records(golden).records
    from_list = compute_report(records).to_json()
    assert compute_report(DrawableRecords(golden)).to_json() == from_list
    assert compute_report(iter(records)).to_json() == from_list


class _Record(dict[str, Any]):
    """A record that can be watched with a weak reference."""


class _Watched:
    """Re-iterable records that count how many of those already handed out are still alive."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.records = records
        self.most_alive = 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        refs: list[weakref.ref[_Record]] = []
        for record in self.records:
            # A fresh copy each pass, as a file read back gives; nested payloads are copied too.
            copy = _Record(json.loads(json.dumps(record)))
            refs.append(weakref.ref(copy))
            yield copy
            del copy
            self.most_alive = max(self.most_alive, sum(ref() is not None for ref in refs))


@pytest.mark.parametrize("name", ["thread-10.2", "thread-10.8", "thread-10.5"])
def test_the_report_keeps_no_record_while_it_reads(name: str) -> None:
    """Thread 10.8's trace has audits, so its access table takes a second pass."""
    records = load_records(SCENARIOS / "goldens" / f"{name}.jsonl").records
    watched = _Watched(records)
    assert compute_report(watched).to_json() == compute_report(records).to_json()
    assert watched.most_alive <= 1


def test_a_request_answered_twice_is_served_once() -> None:
    """A duplicated answer (a fault may duplicate messages) does not count the work twice."""

    def rec(kind: str, time: float, delivered: float, **fields: Any) -> dict[str, Any]:
        base = {"thread": "10.2", "instance": "i/1", "step": "1", "kind": kind, "irp": "CANTATA"}
        return {**base, "time": time, "delivered": delivered, "operation": "op", **fields}

    records = [
        rec("request", 0.0, 1.0, id="m0", src="a", dst="b"),
        rec("response", 2.0, 3.0, id="m1", src="b", dst="a", correlation_id="m0", status=200),
        rec("response", 4.0, 5.0, id="m2", src="b", dst="a", correlation_id="m0", status=200),
    ]
    b = next(a for a in compute_report(records).actors if a.actor == "b")
    assert (b.requests_served, b.busy) == (1, 1.0)


def test_drawable_records_filter_like_the_list(tmp_path: Path) -> None:
    golden = SCENARIOS / "goldens" / "thread-10.5.jsonl"
    keep = RecordFilter.of(irps=["presto"], start=100.0)
    assert list(DrawableRecords(golden, keep)) == keep.apply(load_records(golden).records)
    assert len(list(DrawableRecords(golden))) == len(list(TraceRecords(golden)))


def test_report_command_reads_a_trace_file_back(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    golden = SCENARIOS / "goldens" / "thread-10.2.jsonl"
    assert main(["report", str(golden), "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown == json.loads(json.dumps(compute_report(load_records(golden).records).to_json()))
    assert main(["report", str(golden), "--irp", "NOSUCH"]) == 2
    assert "no records to report on" in capsys.readouterr().err


def test_run_report_after_a_streamed_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--quiet --trace-out`` keeps nothing; the report reads the file back and shows the figures."""
    out = tmp_path / "trace.jsonl"
    scenario = str(SCENARIOS / "thread-10.2.yaml")
    assert main(["run", scenario, "--quiet", "--trace-out", str(out), "--report"]) == 0
    streamed = capsys.readouterr().out
    assert main(["run", scenario, "--report"]) == 0
    kept = capsys.readouterr().out
    marker = "Lead time per thread instance"
    assert marker in streamed
    # The report's tables are the same whichever mode kept the records.
    assert streamed[streamed.index(marker) :] == kept[kept.index(marker) :]
