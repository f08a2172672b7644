"""Thread 10.4 end to end: MEF's hops in order, the cache, scheduled and triggered reports, fault reports."""

from __future__ import annotations

import itertools

import pytest
from assurance_helpers import canonical, conformance_errors, first_seen, hops, jsonl
from conftest import Runner

from lso_sim.conformance import find_sdk
from lso_sim.messages import Kind, Message
from lso_sim.scenarios.schema import Scenario

EXPECTED_HOPS = {
    ("1", "ALLEGRO", "Customer", "SOF-sp", "listServiceReportTypes"),
    ("2", "ALLEGRO", "Customer", "SOF-sp", "requestServiceReport"),
    ("3", None, "SOF-sp", "SOF-sp", "determineReportInformation"),
    ("4a", "PRESTO", "SOF-sp", "ICM", "retrieveForwardingConstructMetrics"),
    ("4a-ecm", "ADAGIO", "ICM", "ECM", "retrieveElementMetrics"),
    ("4b", "INTERLUDE", "SOF-sp", "SOF-partner", "createPerformanceReport"),
    ("4b", "PRESTO", "SOF-partner", "ICM", "retrieveForwardingConstructMetrics"),
    ("4b", "ADAGIO", "ICM", "ECM", "retrieveElementMetrics"),
    ("5", None, "SOF-sp", "SOF-sp", "assembleReport"),
    ("5", "ALLEGRO", "SOF-sp", "Customer", "serviceReportReadyEvent"),
    ("6", "ALLEGRO", "Customer", "SOF-sp", "retrieveServiceReport"),
}


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return canonical("10.4")


def _reports(records: list[Message], instance: str) -> list[dict[str, object]]:
    return [
        r.payload
        for r in records
        if r.instance == instance and r.operation == "retrieveServiceReport" and r.kind is Kind.RESPONSE
    ]


def test_report_follows_mef_steps_in_order(scenario: Scenario, run: Runner) -> None:
    """A first report gathers from ICMs (ADAGIO below) and the partner, then alerts and is retrieved."""
    result, trace = run(scenario)
    report = hops(trace.records, "acme/report-1")
    # 4a and 4b are asked at once; the ICMs then read their ECMs (4a-ecm, MEF's second hop of 4.1).
    assert first_seen(h[0] for h in report) == ["1", "2", "3", "4a", "4b", "4a-ecm", "5", "6"]
    assert set(report) == EXPECTED_HOPS
    assert all(o.state == "completed" for o in result.world.outcomes.values())


def test_second_request_within_freshness_is_served_from_cache(scenario: Scenario, run: Runner) -> None:
    """Report 2 comes 5 minutes after report 1: no step 4 hop, the same figures, marked cached."""
    _, trace = run(scenario)
    second = hops(trace.records, "acme/report-2")
    assert [h[0] for h in second] == ["1", "2", "3", "5", "5", "6"]
    (first,) = _reports(trace.records, "acme/report-1")
    (cached,) = _reports(trace.records, "acme/report-2")
    assert cached["cached"] is True and first["cached"] is False
    assert cached["endToEnd"] == first["endToEnd"]


def test_stale_cache_goes_down_again(scenario: Scenario, run: Runner) -> None:
    """With freshness 0 the second request gathers again."""
    data = scenario.model_dump(mode="json")
    data["workload"][0]["reports"]["freshness"] = 0
    _, trace = run(Scenario.model_validate(data))
    assert "4a" in {h[0] for h in hops(trace.records, "acme/report-2")}


def test_scheduled_reports_come_every_period_with_growing_counters(scenario: Scenario, run: Runner) -> None:
    """Three hourly reports, each gathered afresh; the cumulative counters grow with time."""
    _, trace = run(scenario)
    alerts = [
        r for r in trace.records if r.instance == "acme/report-3" and r.operation == "serviceReportReadyEvent"
    ]
    assert [a.payload["sequence"] for a in alerts] == [0, 1, 2]
    gaps = [b.time - a.time for a, b in itertools.pairwise(alerts)]
    assert all(gap == pytest.approx(3600, abs=120) for gap in gaps)
    octets = [p["endToEnd"]["counters"]["octetsIn"] for p in _reports(trace.records, "acme/report-3")]  # type: ignore[index]
    assert octets == sorted(octets) and len(set(octets)) == 3


def test_triggered_report_follows_the_threshold_crossing(scenario: Scenario, run: Runner) -> None:
    """The core router degrades at t=36000: its ECM's alert reaches SOF-sp, which then makes the report."""
    _, trace = run(scenario)
    records = [r for r in trace.records if r.instance == "acme/report-4"]
    alerts = [r for r in records if r.operation == "thresholdCrossingAlert"]
    assert [(a.irp, a.src_role, a.dst_role) for a in alerts] == [
        ("ADAGIO", "ECM", "ICM"),
        ("PRESTO", "ICM", "SOF-sp"),
    ]
    assert alerts[-1].time >= 36000 and alerts[-1].payload["networkElement"] == "p-core-2"
    assessed = min(r.time for r in records if r.step == "3")
    assert assessed >= alerts[-1].time
    (report,) = _reports(trace.records, "acme/report-4")
    assert report["endToEnd"]["sample"]["frameLossRatio"] > 0.001  # type: ignore[index]


def test_trigger_that_never_fires_ends_not_triggered(scenario: Scenario, run: Runner) -> None:
    """Without a crossing within the window the Customer is told so."""
    data = scenario.model_dump(mode="json")
    data["impairments"] = []
    data["workload"][0]["reports"]["requests"] = [
        {"after": 60, "trigger": {"metric": "frame_loss_ratio", "threshold": 0.01, "within": 7200}}
    ]
    result, _ = run(Scenario.model_validate(data))
    assert result.world.outcomes["acme/report-1"].state == "notTriggered"


def test_fault_report_lists_alarms_raised_and_cleared(scenario: Scenario, run: Runner) -> None:
    """The fault report over the degradation's hours names its alarm, raised then cleared."""
    _, trace = run(scenario)
    (report,) = _reports(trace.records, "acme/report-5")
    alarms = [(a["alarm"], a["state"]) for a in report["alarms"]]  # type: ignore[index]
    assert alarms == [("highFrameLoss", "raised"), ("highFrameLoss", "cleared")]


@pytest.mark.parametrize(("field", "value"), [("seed", 8), ("telemetry", {"load": 0.8})])
def test_figures_differ_with_seed_and_load(
    scenario: Scenario, run: Runner, field: str, value: object
) -> None:
    """Reports come from the metric model: another seed or another load gives other figures."""
    _, base = run(scenario)
    _, other = run(scenario, **{field: value})
    first = _reports(base.records, "acme/report-1")[0]["endToEnd"]
    second = _reports(other.records, "acme/report-1")[0]["endToEnd"]
    assert first != second


def test_same_seed_same_bytes(scenario: Scenario) -> None:
    """Deterministic: same scenario and seed, byte-identical trace."""
    assert jsonl(scenario) == jsonl(scenario)


@pytest.mark.skipif(find_sdk() is None, reason="MEF LSO SDK not found")
def test_mef_bodies_conform(scenario: Scenario, run: Runner) -> None:
    """INTERLUDE createPerformanceReport requests and responses are valid MEF bodies."""
    _, trace = run(scenario)
    assert any(r.api == "interlude/performanceMonitoring" for r in trace.records)
    assert conformance_errors(r for r in trace.records if r.thread == "10.4") == []
