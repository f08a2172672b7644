"""The run summary made while a run streams (``run --summary json``) agrees with the trace report.

The trace-based report (lso_sim/report/metrics.py) is the reference: the streaming summary must
give the same messages, bytes and losses per IRP, busy time per actor and fall-out, without the
trace, and the same end states as the world's outcomes.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from conftest import SCENARIOS

from lso_sim.cli.main import main
from lso_sim.engine.observers import MemoryTrace
from lso_sim.report import compute_report
from lso_sim.report.summary import SummaryObserver, flat_metrics, lead_time_stats, run_summary
from lso_sim.scenarios import load_scenario, run_scenario
from lso_sim.trace.records import to_record

CASES = [
    SCENARIOS / "thread-10.2.yaml",
    SCENARIOS / "thread-10.5.yaml",
    SCENARIOS / "faults" / "channel.yaml",
]


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_the_streaming_summary_matches_the_trace_report(path: Path) -> None:
    scenario = load_scenario(path)
    observer, memory = SummaryObserver(), MemoryTrace()
    result = run_scenario(scenario, [observer, memory])
    summary = run_summary(
        observer, result.world.outcomes.values(), scenario=scenario.name, seed=scenario.seed, end_time=1.0
    )
    report = compute_report(to_record(m) for m in memory.records)
    assert summary["irps"] == {
        i.irp: {"messages": i.messages, "bytes": i.bytes, "lost": i.lost} for i in report.irps
    }
    assert (summary["messages"], summary["bytes"]) == (report.messages, report.bytes)
    reference = {a.actor: a for a in report.actors}
    for actor, load in summary["actors"].items():  # the trace rounds times to microseconds
        expected = reference[actor]
        assert load["busy"] == pytest.approx(expected.busy, abs=1e-5 * (1 + expected.requests_served))
        assert (load["activities"], load["requests_served"]) == (
            expected.activities,
            expected.requests_served,
        )
    fallout = report.fallout
    assert {k: summary["fallout"][k] for k in ("lost", "timeouts", "errors", "rejected")} == {
        "lost": fallout.lost,
        "timeouts": fallout.timeouts,
        "errors": fallout.errors,
        "rejected": fallout.rejected,
    }
    states = Counter((o.thread, o.state) for o in result.world.outcomes.values())
    assert {(t, s): n for t, by in summary["outcomes"].items() for s, n in by.items()} == dict(states)


def test_lead_time_statistics_use_the_nearest_rank() -> None:
    stats = lead_time_stats([float(v) for v in range(1, 21)])
    assert stats == {
        "count": 20,
        "mean": 10.5,
        "min": 1.0,
        "p50": 10.0,
        "p90": 18.0,
        "p95": 19.0,
        "p99": 20.0,
        "max": 20.0,
    }
    assert lead_time_stats([]) == {"count": 0}


def test_flat_metrics_name_every_number() -> None:
    scenario = load_scenario(CASES[0])
    observer = SummaryObserver()
    result = run_scenario(scenario, [observer])
    flat = flat_metrics(
        run_summary(observer, result.world.outcomes.values(), scenario="s", seed=1, end_time=result.end_time)
    )
    assert flat["rate.10.2.completed"] == 1.0
    assert flat["count.10.2.completed"] == 1
    assert flat["lead_time.10.2.all.p95"] == flat["lead_time.10.2.completed.p95"] > 0
    assert flat["messages.SONATA"] > 0 and 0 < flat["utilisation.bus-sp"] < 1


def test_run_prints_the_summary_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(CASES[0]), "--summary", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["outcomes"] == {"10.2": {"completed": 1}}
    assert data["expectations_missed"] == [] and data["invariants_broken"] == []
    assert set(data) >= {"lead_time", "irps", "actors", "fallout", "rates"}


def test_run_summary_json_exits_1_and_lists_a_missed_expectation(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["run", str(CASES[0]), "--summary", "json", "--set", "expect.outcomes.0.lead_time=60"])
    captured = capsys.readouterr()
    assert code == 1
    (missed,) = json.loads(captured.out)["expectations_missed"]
    assert missed.startswith("expect.outcomes.0.lead_time")
    assert "expect.outcomes.0.lead_time" in captured.err


@pytest.mark.parametrize(
    ("reason", "shape"),
    [
        (
            "order order-bus-sp-158 reached no end state after 10 reads",
            "order order-bus-sp-N reached no end state after 10 reads",
        ),
        ("service order so-sof-sp-4 reached no end state", "service order so-sof-sp-N reached no end state"),
        (
            "partner-1's product order order-bus-partner-1-63 ended (request rdd-bus-partner-1-445 declined)",
            "partner-1's product order order-bus-partner-1-N ended (request rdd-bus-partner-1-N declined)",
        ),
        # actor and element ids are not resources: they stay
        ("bus-partner-1 answered 503 to ecm-p-core-1", "bus-partner-1 answered 503 to ecm-p-core-1"),
    ],
)
def test_reasons_that_differ_only_by_the_resource_they_name_have_one_shape(reason: str, shape: str) -> None:
    """The run summary counts such reasons as one cause (its reasons table groups by this shape)."""
    from lso_sim.cli.render import reason_shape

    assert reason_shape(reason) == shape
