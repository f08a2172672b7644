"""Every record explained: the operation's sentence, what changed, set-up and concurrency marks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lso_sim.cli.main import main
from lso_sim.messages.operations import CATALOG
from lso_sim.threads.activities import ACTIVITIES, SUMMARIES
from lso_sim.threads.explain import (
    explain_records,
    hidden_before,
    record_sentence,
    reported_state,
    setup_threads,
)
from lso_sim.trace.select import load_records
from lso_sim.viewer.html import page_data

ROOT = Path(__file__).resolve().parents[1] / "scenarios"
GOLDENS = sorted([*ROOT.glob("goldens/*.jsonl"), *ROOT.glob("faults/goldens/*.jsonl")])


def _records(name: str) -> list[dict[str, Any]]:
    return load_records(ROOT / "goldens" / f"{name}.jsonl").records


@pytest.mark.parametrize("golden", GOLDENS, ids=[f"{p.parent.parent.name}/{p.stem}" for p in GOLDENS])
def test_every_record_of_every_canonical_trace_has_a_sentence(golden: Path) -> None:
    """Each message names its operation and says the catalogue's summary of it; each activity its own."""
    records = load_records(golden).records
    explained = explain_records(records)
    assert len(explained) == len(records)
    for r, meaning in zip(records, explained, strict=True):
        where = f"{golden.name} #{r['seq']}"
        assert meaning.sentence.endswith("."), where
        if r["kind"] in ("request", "response", "notification"):
            op = CATALOG.get((r["api"], r["operation"]))
            assert op is not None, f"{where}: {r['operation']} is not in the operations catalogue"
            assert r["operation"] in meaning.sentence, where
            if (r["status"] or 0) < 400:
                assert op.summary in meaning.sentence, where
        elif r["kind"] == "activity":
            assert SUMMARIES[r["operation"]] in meaning.sentence, where
        assert meaning.step, f"{where}: step {r['thread']} {r['step']} has no text"


def test_every_declared_activity_has_a_summary() -> None:
    names = set().union(*ACTIVITIES.values())
    assert sorted(names - set(SUMMARIES)) == []
    assert sorted(set(SUMMARIES) - names) == []


@pytest.mark.parametrize("thread", ["10.3", "10.4", "10.5", "10.6", "10.7"])
def test_set_up_hops_are_labelled(thread: str) -> None:
    """The 10.2 order that establishes the service is set-up; the thread's own records are not."""
    records = _records(f"thread-{thread}")
    assert setup_threads(records) == {"10.2": thread}
    for r, meaning in zip(records, explain_records(records), strict=True):
        assert bool(meaning.setup) == (r["thread"] == "10.2" or r["step"] == "setup"), r["seq"]
        if r["thread"] == "10.2":
            assert f"thread {thread}" in meaning.setup


def test_a_thread_of_its_own_is_not_set_up() -> None:
    records = _records("thread-10.2")
    assert setup_threads(records) == {}
    meanings = explain_records(records)
    assert all(bool(m.setup) == (r["step"] == "setup") for r, m in zip(records, meanings, strict=True))


def test_state_events_say_the_state_before_and_after() -> None:
    records = _records("thread-10.2")
    sentences = [m.sentence for m in explain_records(records)]
    completed = next(
        s
        for r, s in zip(records, sentences, strict=True)
        if r["operation"] == "productOrderStateChangeEvent" and r["payload"]["event"]["state"] == "completed"
    )
    assert "goes from inProgress to completed" in completed
    first = next(
        s for r, s in zip(records, sentences, strict=True) if r["operation"] == "createQuote" and r["status"]
    )
    assert "is acknowledged" in first


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (
            {
                "kind": "response",
                "status": 422,
                "operation": "createQuote",
                "api": "quoteManagement",
                "payload": [{"code": "invalidValue", "reason": "no such place"}],
            },
            "refuses createQuote (422): no such place.",
        ),
        (
            {
                "kind": "response",
                "status": 503,
                "operation": "checkServiceability",
                "api": None,
                "payload": {"code": "serviceUnavailable", "reason": "sof-1 is unavailable"},
            },
            "cannot serve checkServiceability (503): sof-1 is unavailable.",
        ),
        (
            {
                "kind": "outcome",
                "instance": "acme/order-1",
                "operation": "outcome",
                "payload": {"state": "failed", "reason": "the partner gave up"},
            },
            "Thread instance acme/order-1 ends in state failed, because the partner gave up.",
        ),
        (
            {
                "kind": "fault",
                "operation": "faultStart",
                "payload": {"fault": "fault-1", "kind": "actor_down", "event": "start", "target": "sof-1"},
            },
            "Injected fault fault-1 (actor_down) starts: target sof-1.",
        ),
        (
            {
                "kind": "timeout",
                "src": "acme",
                "dst": "bus-sp",
                "operation": "createQuote",
                "payload": {"timeout": 60},
            },
            "acme stops waiting for bus-sp's answer to createQuote after 60 s.",
        ),
    ],
)
def test_refusals_outcomes_faults_and_timeouts_say_why(record: dict[str, Any], expected: str) -> None:
    full = {
        "src_role": "BUS-sp",
        "dst_role": "Customer",
        "src": "bus-sp",
        "dst": "acme",
        "delivered": 1.0,
        **record,
    }
    assert record_sentence(full).endswith(expected)


def test_a_lost_message_says_so() -> None:
    record = {
        "kind": "request",
        "api": None,
        "operation": "checkServiceability",
        "delivered": None,
        "src": "bus-sp",
        "dst": "sof-sp",
        "src_role": "BUS-sp",
        "dst_role": "SOF-sp",
        "payload": {},
    }
    assert "The channel lost it" in record_sentence(record)


def test_steps_out_of_number_order_are_marked_concurrent() -> None:
    """In 10.2, ICM answers of 9a come after element configuration (10) has begun."""
    records = _records("thread-10.2")
    marked = {
        r["seq"]: m.concurrent for r, m in zip(records, explain_records(records), strict=True) if m.concurrent
    }
    assert marked, "some steps of 10.2 overlap"
    seq = next(
        r["seq"]
        for r in records
        if r["step"] == "9a" and r["seq"] > records[0]["seq"] and r["kind"] == "response"
    )
    assert "step 9a follows step 10" in marked[seq]
    in_order = [r for r in records if r["seq"] not in marked and r["step"].isdigit()]
    assert in_order


def test_a_view_starting_inside_a_thread_says_what_came_before() -> None:
    records = _records("thread-10.5")
    own = [r for r in records if r["thread"] == "10.5"]
    lines = hidden_before(records, own)
    assert lines == [
        "163 record(s) of thread 10.2 acme/order-1 (set-up: establishes what thread 10.5 acts on)"
    ]
    assert hidden_before(records, records) == []


def test_step_offers_the_set_up(capsys: pytest.CaptureFixture[str]) -> None:
    trace = str(ROOT / "goldens" / "thread-10.5.jsonl")
    assert main(["step", trace, "--only-thread", "10.5", "--steps", "1"]) == 0
    frame = capsys.readouterr().out
    assert "Before this, not shown:" in frame and "set-up: establishes what thread 10.5 acts on" in frame
    assert "This record: Customer acme sends BUS-sp bus-sp the request registerListener" in frame
    assert "to show the set-up too, add --with-setup" in frame
    assert main(["step", trace, "--steps", "1"]) == 0
    frame = capsys.readouterr().out
    assert "| SET-UP" in frame.splitlines()[0] and "Set-up: thread 10.2 establishes" in frame
    assert main(["step", trace, "--only-thread", "10.5", "--with-setup", "--steps", "1"]) == 0
    frame = capsys.readouterr().out
    assert frame.startswith("Step 1 of 857 | thread 10.2") and "Before this" not in frame
    assert main(["step", trace, "--with-setup", "--steps", "1"]) == 2
    assert "--with-setup adds the set-up of the threads shown" in capsys.readouterr().err


def test_text_listing_explains_every_record(tmp_path: Path) -> None:
    out = tmp_path / "t.txt"
    golden = ROOT / "goldens" / "thread-10.5.jsonl"
    assert main(["trace", str(golden), "--format", "text", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "-- 10.2 acme/order-1 step 1 [set-up]: Customer looks at the catalog" in text
    assert "-- 10.5 acme/trouble-1 step 1: Customer opens a trouble ticket" in text
    assert "note: out of number order: step 3 follows step 12" in text
    records = load_records(golden).records
    sentences = [m.sentence for m in explain_records(records)]
    assert all(s in text for s in sentences)


def test_html_rows_carry_the_sentence_and_marks() -> None:
    records = _records("thread-10.5")
    rows = page_data(records, title="t")["records"]
    assert all(row["sentence"] for row in rows)
    assert {row["thread"] for row in rows if row["setup"] and row["step"] != "setup"} == {"10.2"}
    assert any(row["concurrent"] for row in rows)


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (
            {
                "kind": "notification",
                "api": "productOrderNotification",
                "payload": {"event": {"id": "o-1", "href": "/productOrder/o-1", "state": "inProgress"}},
            },
            ("o-1", "productOrder", "inProgress"),
        ),
        (
            {
                "kind": "response",
                "api": "quoteManagement",
                "operation": "createQuote",
                "payload": {"id": "q-1", "state": "acknowledged"},
            },
            ("q-1", "quote", "acknowledged"),
        ),
        (
            {
                "kind": "response",
                "api": "productOrderManagement",
                "operation": "createCancelProductOrder",
                "payload": {"id": "c-1", "state": "acknowledged"},
            },
            ("c-1", "cancelProductOrder", "acknowledged"),
        ),
        ({"kind": "request", "api": "quoteManagement", "payload": {"id": "q-1", "state": "x"}}, ("", "", "")),
        ({"kind": "response", "api": None, "payload": [{"id": "q-1", "state": "x"}]}, ("", "", "")),
    ],
)
def test_reported_state_names_the_resource_and_its_type(
    record: dict[str, Any], expected: tuple[str, str, str]
) -> None:
    assert reported_state(record) == expected


def test_html_phases_cover_every_row_once() -> None:
    """Runs of one instance and step partition the rows; each instance lists its runs."""
    records = _records("thread-10.5")
    data = page_data(records, title="t")
    phases, rows = data["phases"], data["records"]
    assert sum(p["count"] for p in phases) == len(rows)
    for n, phase in enumerate(phases):
        run = rows[phase["first"] : phase["first"] + phase["count"]]
        assert {(r["instance"], r["step"], r["phase"]) for r in run} == {
            (phase["instance"], phase["step"], n)
        }
    assert sum(i["count"] for i in data["instances"]) == len(rows)
    assert [i["setup"] for i in data["instances"]].count(True) == 4  # the four orders 10.5 acts on
    assert set(data["machines"]) >= {"productOrder", "quote", "serviceOrder", "service"}


@pytest.mark.parametrize("fmt", ["text", "html"])
def test_a_filtered_listing_or_report_says_what_came_before(fmt: str, tmp_path: Path) -> None:
    out = tmp_path / f"t.{fmt}"
    golden = ROOT / "goldens" / "thread-10.5.jsonl"
    assert main(["trace", str(golden), "--thread", "10.5", "--format", fmt, "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "163 record(s) of thread 10.2 acme/order-1 (set-up: establishes what thread 10.5 acts on)" in text
    unfiltered = tmp_path / f"all.{fmt}"
    assert main(["trace", str(golden), "--format", fmt, "-o", str(unfiltered)]) == 0
    assert "record(s) of thread" not in unfiltered.read_text(encoding="utf-8")


HUB_GOLDENS = [g for g in GOLDENS if g.stem not in ("thread-10.1", "sonata-api-tour")]
"""Canonical traces whose hubs are set-up (10.1 defines BUS-sp's catalog hub as its own step 1; an
api_script's calls, hubs included, carry the ``api`` label)."""


@pytest.mark.parametrize("golden", HUB_GOLDENS, ids=[p.stem for p in HUB_GOLDENS])
def test_hub_registrations_are_set_up_not_mef_steps(golden: Path) -> None:
    """registerListener hops carry the set-up label (no MEF step number) and read as set-up."""
    records = load_records(golden).records
    explained = explain_records(records)
    hubs = [
        (r, meaning)
        for r, meaning in zip(records, explained, strict=True)
        if r["operation"] == "registerListener" and r["thread"] != "10.1"
    ]
    for r, meaning in hubs:
        assert r["step"] == "setup", f"{golden.name} #{r['seq']}"
        assert meaning.setup.startswith("set-up"), f"{golden.name} #{r['seq']}"
        assert meaning.step.startswith("Not a MEF step: set-up")
        assert meaning.concurrent == ""


def test_hub_set_up_is_tagged_in_listing_and_step_tool(capsys: pytest.CaptureFixture[str]) -> None:
    """The text listing tags a hub registration ``[set-up]``; ``lso-sim step`` marks its frame SET-UP."""
    trace = str(ROOT / "goldens" / "thread-10.2.jsonl")
    assert main(["trace", trace, "--format", "text"]) == 0
    marks = [line for line in capsys.readouterr().out.splitlines() if line.startswith("-- 10.2")]
    hubs = [line for line in marks if " step setup" in line]
    assert hubs and all("[set-up]: Not a MEF step: set-up" in line for line in hubs)
    assert not [line for line in marks if "[set-up]" in line and " step setup" not in line]
    assert main(["step", trace, "--steps", "1"]) == 0
    frame = capsys.readouterr().out
    assert "| SET-UP" in frame.splitlines()[0] and "Set-up: a notification hub registered" in frame
