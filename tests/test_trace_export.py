"""``lso-sim trace``: every message of a trace in the exported text, Mermaid and PlantUML, in order."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from lso_sim.cli.main import main
from lso_sim.diagrams.plantuml import to_plantuml_sequence
from lso_sim.diagrams.sequence import message_label, participant_ids
from lso_sim.trace.select import RecordFilter, infer_domains, load_records

MESSAGES = ("request", "response", "notification")
PUML_ARROW = re.compile(r"^(\w+) (->|->>|-->|->x|-->x) (\w+) : (.*)$")
MMD_ARROW = re.compile(r"^\s*(\w+)(->>|-->>|-\)|-x|--x)(\w+): (.*)$")


@pytest.fixture(scope="module")
def trace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The canonical 10.2 trace as ``run --trace-out`` writes it: header, records, end record."""
    path = tmp_path_factory.mktemp("trace") / "t.jsonl"
    assert main(["run", "--thread", "10.2", "--quiet", "--trace-out", str(path)]) == 0
    return path


@pytest.fixture(scope="module")
def records(trace: Path) -> list[dict[str, Any]]:
    loaded = load_records(trace)
    assert loaded.skipped == 0  # the header and end record are not records to draw
    return loaded.records


def _export(trace: Path, tmp_path: Path, fmt: str, *extra: str) -> str:
    out = tmp_path / f"out.{fmt}"
    assert main(["trace", str(trace), "--format", fmt, "-o", str(out), *extra]) == 0
    return out.read_text(encoding="utf-8")


def test_plantuml_has_one_arrow_per_message_in_order(
    trace: Path, records: list[dict[str, Any]], tmp_path: Path
) -> None:
    """Arrows: count and order of the messages, right ends, dashed responses, IRP and step labels."""
    text = _export(trace, tmp_path, "plantuml")
    assert text.startswith("@startuml\n") and text.endswith("@enduml\n")
    ids = participant_ids([str(r["src"]) for r in records] + [str(r["dst"]) for r in records])
    arrows = [m.groups() for m in map(PUML_ARROW.match, text.splitlines()) if m]
    messages = [r for r in records if r["kind"] in MESSAGES]
    assert len(arrows) == len(messages) > 50
    for record, (src, arrow, dst, label) in zip(messages, arrows, strict=True):
        assert (src, dst) == (ids[record["src"]], ids[record["dst"]])
        assert arrow == {"request": "->", "response": "-->", "notification": "->>"}[record["kind"]]
        assert label == message_label(record)
        assert label.startswith(f"{record['irp']} {record['operation']} [{record['step']}]")
    notes = [line for line in text.splitlines() if line.startswith("note over")]
    assert len(notes) == sum(1 for r in records if r["kind"] not in MESSAGES)


def test_participants_are_grouped_by_domain_inferred_from_the_trace(trace: Path, tmp_path: Path) -> None:
    text = _export(trace, tmp_path, "plantuml")
    boxes = re.findall(r'^box "([^"]+)"\n((?:  participant .*\n)+)end box', text, flags=re.M)
    members = {label: re.findall(r" as (\w+)", body) for label, body in boxes}
    assert set(members) == {"acme (customer)", "sp (provider)", "partner-1 (partner)"}
    assert "p_ecm_pn_access_1" in members["partner-1 (partner)"]
    assert "p_icm_core" in members["sp (provider)"]


def test_mermaid_export_matches_the_messages(
    trace: Path, records: list[dict[str, Any]], tmp_path: Path
) -> None:
    text = _export(trace, tmp_path, "mermaid")
    arrows = [m.groups() for m in map(MMD_ARROW.match, text.splitlines()) if m]
    assert len(arrows) == sum(1 for r in records if r["kind"] in MESSAGES)
    assert "box transparent partner-1 (partner)" in text


def test_text_listing_has_a_line_per_record(
    trace: Path, records: list[dict[str, Any]], tmp_path: Path
) -> None:
    lines = _export(trace, tmp_path, "text", "--brief").splitlines()
    assert lines[0] == "t.jsonl" and lines[1].split()[:2] == ["seq", "time"]
    body = lines[2:]
    assert [int(line.split()[0]) for line in body] == [r["seq"] for r in records]
    assert "createProductOrder" in body[[r["operation"] for r in records].index("createProductOrder")]


@pytest.mark.parametrize(
    ("flags", "keep"),
    [
        (["--irp", "presto"], lambda r: r["irp"] == "PRESTO"),
        (["--actor", "icm-core"], lambda r: "icm-core" in (r["src"], r["dst"])),
        (
            ["--from", "100", "--to", "1000"],
            lambda r: (r["delivered"] or r["time"]) >= 100 and r["time"] <= 1000,
        ),
        (
            ["--thread", "10.2", "--instance", "acme/order-1", "--irp", "SONATA"],
            lambda r: r["irp"] == "SONATA",
        ),
    ],
)
def test_filters(
    trace: Path, records: list[dict[str, Any]], tmp_path: Path, flags: list[str], keep: Any
) -> None:
    """Filtered exports hold exactly the records the filter keeps."""
    lines = _export(trace, tmp_path, "text", "--brief", *flags).splitlines()[2:]
    expected = [r["seq"] for r in records if keep(r)]
    assert expected and [int(line.split()[0]) for line in lines] == expected


def test_lost_messages_timeouts_and_errors_are_marked() -> None:
    """A lost request ends in a cross and says (lost); a timeout is a red note over both actors."""
    base = {
        "thread": "10.2",
        "instance": "i",
        "step": "4",
        "irp": "CANTATA",
        "src": "acme",
        "dst": "bus-sp",
        "src_role": "Customer",
        "dst_role": "BUS-sp",
        "operation": "createProductOrder",
        "status": None,
    }
    recs = [
        {**base, "seq": 0, "time": 0.0, "delivered": None, "kind": "request"},
        {**base, "seq": 1, "time": 5.0, "delivered": None, "kind": "timeout", "payload": {"timeout": 5}},
        {
            **base,
            "seq": 2,
            "time": 5.0,
            "delivered": None,
            "kind": "error",
            "irp": None,
            "payload": {"error": "X", "reason": "boom"},
        },
    ]
    text = to_plantuml_sequence(recs)
    assert "p_acme ->x p_bus_sp : CANTATA createProductOrder [4] (lost)" in text
    assert (
        "note over p_acme, p_bus_sp #FFCCCC : timeout: CANTATA createProductOrder [4] to bus-sp after 5 s"
        in text
    )
    assert "note over p_acme #FFCCCC : error: createProductOrder [4]: X - boom" in text


def test_record_filter_and_domain_inference_on_hand_records() -> None:
    recs = [
        {
            "src": "sof-sp",
            "dst": "icm-x",
            "src_role": "SOF-sp",
            "dst_role": "ICM",
            "irp": "PRESTO",
            "kind": "request",
            "time": 1.0,
            "delivered": 2.0,
        },
        {
            "src": "icm-x",
            "dst": "ecm-y",
            "src_role": "ICM",
            "dst_role": "ECM",
            "irp": "ADAGIO",
            "kind": "request",
            "time": 3.0,
            "delivered": None,
        },
    ]
    assert infer_domains(recs) == {
        "sof-sp": "sp (provider)",
        "icm-x": "sp (provider)",
        "ecm-y": "sp (provider)",
    }
    assert RecordFilter.of(start=2.5).apply(recs) == [recs[1]]
    assert RecordFilter.of(end=2.0).apply(recs) == [recs[0]]
    assert RecordFilter.of(irps=["adagio"]).apply(recs) == [recs[1]]


def test_run_diagram_and_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run.puml"
    assert (
        main(["run", "--thread", "10.2", "--quiet", "--diagram", "plantuml", "--diagram-out", str(out)]) == 0
    )
    assert out.read_text(encoding="utf-8").startswith("@startuml")
    capsys.readouterr()
    assert main(["trace", str(tmp_path / "missing.jsonl")]) == 2
    assert "cannot read the trace" in capsys.readouterr().err


def test_brief_is_for_the_text_listing(trace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--brief`` with another format is refused, not silently ignored."""
    assert main(["trace", str(trace), "--format", "mermaid", "--brief"]) == 2
    assert "--brief shortens the text listing" in capsys.readouterr().err
