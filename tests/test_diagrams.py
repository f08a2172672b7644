"""Tests of ``lso_sim.diagrams``: Mermaid sequence diagrams of traces and the generated docs.

The canonical 10.2 run is the main fixture: the diagram must show every record it holds, in send
order, so a reader of docs/threads/10.2.md sees exactly what the simulator did.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lso_sim.cli import docs
from lso_sim.diagrams.sequence import escape, message_label, participant_ids, to_mermaid_sequence
from lso_sim.errors import LsoSimError

ARROW = re.compile(r"^\s*(\w+)(->>|-->>|-\)|-x|--x)(\w+): (.*)$")
"""One arrow line: source id, arrow, target id, label."""

PARTICIPANT = re.compile(r"^\s*participant (\w+) as (.*)$")


@pytest.fixture(scope="module")
def canonical() -> docs.CanonicalRun:
    """The canonical 10.2 run (deterministic: the scenario's own seed)."""
    return docs.run_canonical("10.2")


@pytest.fixture(scope="module")
def diagram(canonical: docs.CanonicalRun) -> str:
    """The diagram of the canonical run, with domain boxes as the docs draw it."""
    return docs.sequence_diagram(canonical)


def _arrows(text: str) -> list[tuple[str, str, str, str]]:
    return [(m[1], m[2], m[3], m[4]) for m in map(ARROW.match, text.splitlines()) if m]


def _ids(records: list[dict[str, Any]]) -> dict[str, str]:
    return participant_ids([str(r["src"]) for r in records] + [str(r["dst"]) for r in records])


def _record(kind: str, seq: int, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "seq": seq,
        "time": float(seq),
        "delivered": float(seq) + 0.1,
        "thread": "10.2",
        "instance": "t/1",
        "step": "4",
        "irp": "CANTATA",
        "src": "acme",
        "dst": "bus-sp",
        "src_role": "Customer",
        "dst_role": "BUS-sp",
        "kind": kind,
        "operation": "createProductOrder",
        "api": "productOrderManagement",
        "id": f"m{seq}",
        "correlation_id": None,
        "status": None,
        "payload": {},
    }
    base.update(fields)
    return base


def test_one_arrow_per_message_record_in_order(canonical: docs.CanonicalRun, diagram: str) -> None:
    """Every request, response and notification is one arrow, in send order, labelled IRP op [step]."""
    messages = [r for r in canonical.records if r["kind"] in ("request", "response", "notification")]
    assert messages, "the canonical run sends messages"
    ids = _ids(canonical.records)
    arrows = _arrows(diagram)
    assert len(arrows) == len(messages)
    for record, (src, _arrow, dst, label) in zip(messages, arrows, strict=True):
        assert (src, dst) == (ids[record["src"]], ids[record["dst"]])
        assert label == escape(message_label(record))
        assert label.startswith(f"{record['irp']} {record['operation']} [{record['step']}]")


def test_arrow_styles_follow_the_kind(canonical: docs.CanonicalRun, diagram: str) -> None:
    """Requests are solid, responses dashed with their status, notifications asynchronous."""
    messages = [r for r in canonical.records if r["kind"] in ("request", "response", "notification")]
    expected = {"request": "->>", "response": "-->>", "notification": "-)"}
    for record, (_src, arrow, _dst, label) in zip(messages, _arrows(diagram), strict=True):
        assert arrow == expected[record["kind"]]
        if record["kind"] == "response":
            assert label.endswith(f"({record['status']})")
    assert {r["kind"] for r in messages} == set(expected), "the canonical run uses all three kinds"


def test_activities_become_notes(canonical: docs.CanonicalRun, diagram: str) -> None:
    """Each activity is a note over its actor naming its step and operation, in record order."""
    activities = [r for r in canonical.records if r["kind"] == "activity"]
    assert activities
    ids = _ids(canonical.records)
    notes = [line.strip() for line in diagram.splitlines() if line.strip().startswith("Note over")]
    notes = [n for n in notes if "outcome#58;" not in n]
    assert notes == [f"Note over {ids[r['src']]}: step {r['step']}#58; {r['operation']}" for r in activities]


def test_participants_are_declared_once_in_order(canonical: docs.CanonicalRun, diagram: str) -> None:
    """Every actor of the trace is one participant; within a domain box, first seen comes first."""
    declared = [m.group(1) for m in map(PARTICIPANT.match, diagram.splitlines()) if m]
    actors: list[str] = []
    for record in canonical.records:
        for actor in (record["src"], record["dst"]):
            if actor not in actors:
                actors.append(actor)
    ids = participant_ids(actors)
    assert sorted(declared) == sorted(ids[a] for a in actors)
    assert len(declared) == len(set(declared))
    assert declared[0] == ids[actors[0]], "the customer, who starts the thread, comes first"


def test_domains_become_boxes(diagram: str) -> None:
    """With domains given, each management domain is one box holding its actors."""
    boxes = [line.strip() for line in diagram.splitlines() if line.strip().startswith("box ")]
    assert boxes == [
        "box transparent acme (customer)",
        "box transparent sp (provider)",
        "box transparent partner-1 (partner)",
    ]


def test_no_boxes_without_domains() -> None:
    """Without a domain mapping the participants are declared bare."""
    text = to_mermaid_sequence([_record("request", 0)])
    assert "box" not in text
    assert text.splitlines()[:3] == [
        "sequenceDiagram",
        "  participant p_acme as acme<br/>Customer",
        "  participant p_bus_sp as bus-sp<br/>BUS-sp",
    ]


def test_lost_message_is_marked() -> None:
    """A message whose delivered is null ends in a cross and says (lost); a lost response stays dashed."""
    records = [
        _record("request", 0, delivered=None),
        _record("response", 1, src="bus-sp", dst="acme", status=201, delivered=None),
        _record("notification", 2, src="bus-sp", dst="acme", delivered=None, operation="orderEvent"),
    ]
    arrows = _arrows(to_mermaid_sequence(records))
    assert [a[1] for a in arrows] == ["-x", "--x", "-x"]
    assert arrows[0][3] == "CANTATA createProductOrder [4] (lost)"
    assert arrows[1][3] == "CANTATA createProductOrder [4] (201) (lost)"
    assert all(a[3].endswith("(lost)") for a in arrows)


def test_timeouts_and_errors_are_red_notes() -> None:
    """Timeouts (over both peers) and errors (over the failing actor) are notes on a red background."""
    records = [
        _record("timeout", 0, delivered=None, payload={"timeout": 30.0}),
        _record("error", 1, irp=None, src="bus-sp", dst="bus-sp", payload={"error": "Bad", "reason": "x; y"}),
    ]
    lines = [line.strip() for line in to_mermaid_sequence(records).splitlines()]
    timeout = "timeout#58; CANTATA createProductOrder [4] to bus-sp after 30 s"
    assert f"Note over p_acme,p_bus_sp: {timeout}" in lines
    assert "Note over p_bus_sp: error#58; createProductOrder [4]#58; Bad - x#59; y" in lines
    assert lines.count("rect rgba(255, 80, 80, 0.25)") == 2
    assert not _arrows("\n".join(lines)), "local events are never arrows"


def test_labels_and_title_are_escaped() -> None:
    """Characters Mermaid reads as syntax become entity codes, once each."""
    assert escape("a;b#c:d<e>") == "a#59;b#35;c#58;d#lt;e#gt;"
    text = to_mermaid_sequence([_record("request", 0, operation="x;y")], title="T: 1 #2")
    assert "  title T#58; 1 #35;2" in text.splitlines()
    assert _arrows(text)[0][3] == "CANTATA x#59;y [4]"


def test_participant_ids_are_safe_and_unique() -> None:
    """Ids never start with a Mermaid keyword nor hold arrow characters, and never clash."""
    ids = participant_ids(["end", "opt-x", "opt_x", "bus-sp", "end"])
    assert ids == {"end": "p_end", "opt-x": "p_opt_x", "opt_x": "p_opt_x_2", "bus-sp": "p_bus_sp"}


def test_docs_main_writes_files_and_is_idempotent(tmp_path: Path) -> None:
    """main --out DIR writes every generated file; a second run leaves the same bytes; --check agrees."""
    assert docs.main(["--out", str(tmp_path)]) == 0
    expected = [
        tmp_path / "threads" / "thread-10.2.sequence.mmd",
        tmp_path / "threads" / "10.2.md",
        tmp_path / "architecture.mmd",
        tmp_path / "architecture.md",
    ]
    first = {path: path.read_bytes() for path in expected}
    assert first[expected[0]].startswith(b"sequenceDiagram\n")
    assert b"```mermaid\nsequenceDiagram\n" in first[expected[1]]
    assert first[expected[2]].startswith(b"flowchart LR\n")
    assert docs.main(["--out", str(tmp_path)]) == 0
    assert {path: path.read_bytes() for path in expected} == first
    assert docs.main(["--out", str(tmp_path), "--check"]) == 0
    expected[0].write_text("stale\n", encoding="utf-8")
    assert docs.main(["--out", str(tmp_path), "--check"]) == 1
    assert expected[0].read_text(encoding="utf-8") == "stale\n", "--check writes nothing"


def test_docs_keep_hand_written_text(tmp_path: Path) -> None:
    """Only the text between the markers is replaced; the prose around it is kept byte for byte."""
    page = tmp_path / "threads" / "10.2.md"
    page.parent.mkdir(parents=True)
    before = "# Ten point two\n\nOur words.\n\n"
    after = "\n\nMore words after.\n"
    page.write_text(f"{before}{docs.BEGIN_SEQUENCE}\nold\n{docs.END_SEQUENCE}{after}", encoding="utf-8")
    assert docs.main(["--out", str(tmp_path)]) == 0
    text = page.read_text(encoding="utf-8")
    assert text.startswith(before + docs.BEGIN_SEQUENCE + "\n```mermaid\nsequenceDiagram\n")
    assert text.endswith("```\n" + docs.END_SEQUENCE + after)
    assert "old" not in text
    assert docs.BEGIN_HOPS not in text, "a page without hop markers gets no hop table"


def test_inject_rejects_a_lone_marker() -> None:
    """A page with one marker but not the other is an error, not a silent rewrite."""
    with pytest.raises(LsoSimError):
        docs.inject(f"x\n{docs.BEGIN_SEQUENCE}\n", docs.BEGIN_SEQUENCE, docs.END_SEQUENCE, "y")


def test_hop_table_lists_each_hop_once_by_step(canonical: docs.CanonicalRun) -> None:
    """The hop table folds instances into roles, skips responses and counts repeats."""
    table = docs.hop_table(canonical.records).splitlines()
    assert table[0].startswith("| Step | From | IRP | To |")
    assert table[2].startswith("| 1 | Customer | CANTATA | BUS-sp |")
    adagio = [row for row in table if row.startswith("| 10 | ICM | ADAGIO | ECM |")]
    assert adagio and adagio[0].endswith("| 6 |"), "the canonical run configures six NEs"
    assert not any("| response |" in row for row in table)


def test_module_runs_as_a_script(tmp_path: Path) -> None:
    """``python -m lso_sim.cli.docs --out DIR`` works from the command line."""
    done = subprocess.run(
        [sys.executable, "-m", "lso_sim.cli.docs", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "threads" / "thread-10.2.sequence.mmd").is_file()


def test_inject_ignores_markers_quoted_in_prose() -> None:
    """A marker mentioned inside a sentence is prose, not a marker."""
    page = f"See `{docs.BEGIN_SEQUENCE}` below.\n\n{docs.BEGIN_SEQUENCE}\nold\n{docs.END_SEQUENCE}\n"
    result = docs.inject(page, docs.BEGIN_SEQUENCE, docs.END_SEQUENCE, "new")
    assert (
        result == f"See `{docs.BEGIN_SEQUENCE}` below.\n\n{docs.BEGIN_SEQUENCE}\nnew\n{docs.END_SEQUENCE}\n"
    )
