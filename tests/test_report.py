"""Metrics for architects (``lso_sim.report``) on runs whose figures can be worked out by hand."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from lso_sim.cli.main import main
from lso_sim.cli.trace_cmd import source_from_path
from lso_sim.report.metrics import Report, Stats, compute_report, payload_bytes

ACTIVITIES = 100 + 200 + 50 + 1000 + 10 + 3000 + 20
"""Constant activities on one order's path: 3a, 3e, 5, 8, 13, 15, 15a (no partner, so no 3d/6/9b)."""

PHASES = 3
"""Network phases of an order: 9a/10 (activate), 11 (test), 12a (monitor)."""

PHASE = 0.25 + 0.125 + 5 + 0.125 + 0.25
"""One phase: SOF->ICM over PRESTO, ICM->ECM over ADAGIO, the ECM's 5 s service, and back; the two
ECMs work in parallel, so one phase lasts one chain."""

LEAD_TIME = ACTIVITIES + PHASES * PHASE
"""Every other hop has zero latency and no service time: 4380 + 3 * 5.75 = 4397.25 s."""

TOPOLOGY_READ = PHASE
"""The first order's 3b also reads SOF-sp's topology information: SOF->ICM get-topology-details,
ICM->ECM retrieveElementInventory (both ECMs in parallel), the ECMs' 5 s, and back: one more phase.
Later orders use the view SOF-sp keeps."""

READ_MESSAGES = {"PRESTO": (1, 1, 0), "ADAGIO": (2, 2, 0)}
"""The hops of that read (requests, responses, notifications per IRP), in the first order only."""

PER_ORDER = {
    # CANTATA: 11 requests (2 catalog/inventory lists, an address validation and a site query per
    # site (2 sites), POQ, quote, quote read, order, acceptance), their 11 responses, and 9 state
    # changes the customer's hubs ask for: POQ inProgress and done, quote inProgress, approved and
    # accepted (by the order), order inProgress and completed, and its item's same two moves.
    "CANTATA": (2 + 2 * 2 + 5, 2 + 2 * 2 + 5, 2 + 3 + 2 + 2),
    # LEGATO: decompose, check serviceability, service order; 2 notifications (service, order).
    "LEGATO": (3, 3, 2),
    # PRESTO: one ICM, three phases.
    "PRESTO": (3, 3, 0),
    # ADAGIO: two ECMs, three phases.
    "ADAGIO": (6, 6, 0),
}
HUBS = 3
"""registerListener requests (POQ, quote, order hubs) the customer sends once, before its first order."""

READ = sum(sum(c) for c in READ_MESSAGES.values())

MESSAGES = 3 * sum(sum(c) for c in PER_ORDER.values()) + 2 * HUBS + READ
"""Messages of the three orders: their own, plus the hub registrations and their answers, plus the
first order's topology read."""

KNOWN = """\
name: known-figures
customers:
  - id: acme
    sites:
      - {id: hq, address: "1 Main Street", ne: pe-1}
      - {id: branch, address: "2 Side Street", ne: pe-2}
topology:
  forwarding_domains:
    - {id: metro, domain: sp, network_elements: [pe-1, pe-2]}
  links:
    - {a: pe-1, b: pe-2, capacity_mbps: 10000}
offerings:
  - {id: epl, name: Ethernet Private Line, specification: "urn:example:epl", monthly_base: 400, per_mbps: 3}
channels:
  default: {latency: 0}
  PRESTO: {latency: 0.25}
  ADAGIO: {latency: 0.125}
actors:
  ECM: {service_time: 5}
timings:
  BUS-sp: {assessServiceability: 100, priceQuote: 200, productToServiceMapping: 50, startBilling: 20}
  SOF-sp: {designServiceComponents: 1000, activateService: 10}
  Customer: {acceptanceTesting: 3000}
workload:
  - thread: "10.2"
    orders:
      - {customer: acme, sites: [hq, branch], bandwidth_mbps: 100}
      - {customer: acme, sites: [hq, branch], bandwidth_mbps: 100, at: 10000}
      - {customer: acme, sites: [hq, branch], bandwidth_mbps: 100, at: 20000}
"""


@pytest.fixture(scope="module")
def known_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("known") / "known.yaml"
    path.write_text(KNOWN, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def known(known_file: Path) -> tuple[list[dict[str, Any]], Report]:
    records = source_from_path(known_file).records
    return records, compute_report(records)


def test_lead_time_of_each_order_is_the_hand_computed_sum(known: tuple[list[dict[str, Any]], Report]) -> None:
    """Three orders 10 000 s apart never overlap, so each takes exactly LEAD_TIME (the first one
    also reads SOF-sp's topology view)."""
    _, report = known
    first = LEAD_TIME + TOPOLOGY_READ
    assert [(i.instance, i.start, i.lead_time) for i in report.instances] == [
        ("acme/order-1", 0.0, first),
        ("acme/order-2", 10000.0, LEAD_TIME),
        ("acme/order-3", 20000.0, LEAD_TIME),
    ]
    mean = round((3 * LEAD_TIME + TOPOLOGY_READ) / 3, 6)
    assert report.lead_times == Stats(
        3, 3 * LEAD_TIME + TOPOLOGY_READ, LEAD_TIME, mean, LEAD_TIME, first, first
    )
    assert report.span == 20000.0 + LEAD_TIME


@pytest.mark.parametrize(
    ("step", "duration"),
    [
        ("3a", 100.0),
        ("3e", 200.0),
        ("5", 50.0),
        ("8", 1000.0),
        ("10", 0.125 + 5 + 0.125),
        ("11", PHASE),
        ("15", 3000.0),
    ],
)
def test_step_durations(known: tuple[list[dict[str, Any]], Report], step: str, duration: float) -> None:
    """A step's span is its activity; 10 is the ADAGIO round trip with the ECM's work; 11 the whole chain."""
    by_step = {s.step: s.duration for s in known[1].steps}
    assert by_step[step].count == 3
    assert (by_step[step].minimum, by_step[step].maximum) == (duration, duration)


def test_messages_per_irp_match_the_thread_design(known: tuple[list[dict[str, Any]], Report]) -> None:
    """Counts per IRP and kind are three times one order's, bytes add up to the payloads."""
    records, report = known
    got = {m.irp: (m.requests, m.responses, m.notifications) for m in report.irps}
    expected = {irp: tuple(3 * n for n in counts) for irp, counts in PER_ORDER.items()}
    requests, responses, notifications = expected["CANTATA"]
    expected["CANTATA"] = (requests + HUBS, responses + HUBS, notifications)
    for irp, read in READ_MESSAGES.items():
        expected[irp] = tuple(a + b for a, b in zip(expected[irp], read, strict=True))
    assert got == expected
    assert report.messages == 3 * sum(sum(c) for c in PER_ORDER.values()) + 2 * HUBS + READ == MESSAGES
    assert report.bytes == sum(
        payload_bytes(r) for r in records if r["kind"] in ("request", "response", "notification")
    )
    per_order = sum(sum(c) for c in PER_ORDER.values())
    assert sorted(i.messages for i in report.instances) == [per_order, per_order, per_order + 2 * HUBS + READ]


def test_channel_latency_is_each_irps_constant(known: tuple[list[dict[str, Any]], Report]) -> None:
    """Constant latencies give min = p50 = p95 = max = the configured value on every channel."""
    latency = {"CANTATA": 0.0, "LEGATO": 0.0, "PRESTO": 0.25, "ADAGIO": 0.125}
    channels = {(c.a, c.b): c for c in known[1].channels}
    assert set(channels) == {
        ("acme", "bus-sp"),
        ("bus-sp", "sof-sp"),
        ("icm-metro", "sof-sp"),
        ("ecm-pe-1", "icm-metro"),
        ("ecm-pe-2", "icm-metro"),
    }
    for c in channels.values():
        value = latency[c.irp]
        assert (c.latency.minimum, c.latency.p50, c.latency.p95, c.latency.maximum) == (value,) * 4
        assert c.lost == 0
    assert channels[("ecm-pe-1", "icm-metro")].latency.count == 3 * 2 * PHASES + 2  # + the topology read


def test_busy_time_per_actor(known: tuple[list[dict[str, Any]], Report]) -> None:
    """ECMs: 3 orders x 3 requests x 5 s, and the topology read; the ICM also holds each request
    over the ADAGIO round trip."""
    busy = {a.actor: a for a in known[1].actors}
    requests = 3 * PHASES + 1
    assert busy["ecm-pe-1"].busy == busy["ecm-pe-2"].busy == requests * 5
    assert busy["ecm-pe-1"].requests_served == requests
    assert busy["icm-metro"].busy == requests * (5 + 2 * 0.125)
    assert busy["acme"].busy == 3 * 3000  # acceptance testing; the Customer serves no requests
    assert busy["ecm-pe-1"].utilisation == round(50 / (20000 + LEAD_TIME), 6)
    assert known[1].fallout.instances == 0


def _rec(seq: int, kind: str, time: float, delivered: float | None, **extra: Any) -> dict[str, Any]:
    base = {
        "seq": seq,
        "time": time,
        "delivered": delivered,
        "thread": "10.2",
        "instance": "i/1",
        "step": "4",
        "irp": "CANTATA",
        "src": "a",
        "dst": "b",
        "src_role": "Customer",
        "dst_role": "BUS-sp",
        "kind": kind,
        "operation": "op",
        "api": None,
        "id": f"m{seq}",
        "correlation_id": None,
        "status": None,
        "payload": None,
    }
    base.update(extra)
    return base


def test_hand_built_records_fallout_bytes_percentiles_and_overlapping_work() -> None:
    """Every figure of a seven-record trace, worked out by hand."""
    records = [
        _rec(0, "request", 0.0, 1.0, payload={"x": "é"}),  # 10 bytes: {"x":"é"}, é taking 2
        _rec(1, "request", 0.5, 3.5, id="m1"),
        _rec(2, "response", 4.0, 5.0, src="b", dst="a", correlation_id="m0", status=200, payload=[1]),
        _rec(3, "response", 6.0, 6.5, src="b", dst="a", correlation_id="m1", status=422),
        _rec(4, "activity", 2.0, 4.5, src="b", dst="b", irp=None, instance="i/2"),
        _rec(5, "timeout", 9.0, None, instance="i/2", payload={"timeout": 9.0}),
        _rec(6, "notification", 7.0, None),
    ]
    report = compute_report(records)
    assert report.bytes == 10 + 3
    (irp,) = report.irps
    assert (irp.messages, irp.requests, irp.responses, irp.notifications, irp.lost) == (5, 2, 2, 1, 1)
    (channel,) = report.channels
    # Latencies 1.0, 3.0, 1.0, 0.5; nearest rank: p50 is the 2nd of 4, p95 the 4th.
    assert channel.latency == Stats(4, 5.5, 0.5, 1.375, 1.0, 3.0, 3.0)
    assert channel.lost == 1
    # b holds m0 from 1.0 to 4.0 and m1 from 3.5 to 6.0, and works 2.0-4.5: union 1.0-6.0.
    b = next(a for a in report.actors if a.actor == "b")
    assert (b.busy, b.requests_served, b.activities) == (5.0, 2, 1)
    f = report.fallout
    assert (f.lost, f.timeouts, f.errors, f.rejected, f.instances) == (1, 1, 0, 1, 2)
    assert [(i.instance, i.lead_time) for i in report.instances] == [("i/1", 7.0), ("i/2", 7.0)]


def test_lead_times_are_grouped_by_end_state_and_failures_counted_by_reason() -> None:
    """A quote refused after 20 minutes is not a fast order: end states keep them apart."""

    def instance(name: str, end: float, state: str, reason: str | None) -> list[dict[str, Any]]:
        outcome = {"state": state, "reason": reason}
        return [
            _rec(0, "request", 0.0, 1.0, instance=name),
            _rec(1, "outcome", end, None, instance=name, irp=None, step="end", payload=outcome),
        ]

    records = [
        *instance("i/1", 100.0, "completed", None),
        *instance("i/2", 300.0, "completed", None),
        *instance("i/3", 20.0, "quote unableToProvide", "no path"),
        *instance("i/4", 40.0, "quote unableToProvide", "no path"),
        *instance("i/5", 50.0, "failed", "test failed"),
        _rec(9, "fault", 5.0, None, thread="fault", instance="fault-1", payload={"fault": "fault-1"}),
    ]
    report = compute_report(records)
    assert [(i.instance, i.state) for i in report.instances][:3] == [
        ("i/1", "completed"),
        ("i/2", "completed"),
        ("i/3", "quote unableToProvide"),
    ]
    assert "fault-1" not in {i.instance for i in report.instances}
    states = {(e.state, e.lead_time.count, e.lead_time.mean) for e in report.end_states}
    assert states == {("completed", 2, 200.0), ("quote unableToProvide", 2, 30.0), ("failed", 1, 50.0)}
    reasons = [(r.state, r.reason, r.count) for r in report.reasons]
    assert reasons == [("quote unableToProvide", "no path", 2), ("failed", "test failed", 1)]
    assert all(s.step != "end" for s in report.steps)


def test_empty_stats_and_report() -> None:
    assert Stats.of([]) == Stats()
    assert compute_report([]).messages == 0


def test_report_command_json_and_plots(
    known_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``lso-sim report --format json --plot DIR`` prints the figures and writes three plots per format."""
    trace = tmp_path / "known.jsonl"
    assert main(["run", str(known_file), "--quiet", "--trace-out", str(trace)]) == 0
    capsys.readouterr()
    assert main(["report", str(trace), "--format", "json", "--plot", str(tmp_path / "plots")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["lead_times"]["maximum"] == LEAD_TIME + TOPOLOGY_READ
    assert data["messages"] == MESSAGES
    names = sorted(p.name for p in (tmp_path / "plots").iterdir())
    assert names == sorted(
        f"{n}.{ext}" for n in ("timeline", "messages-per-irp", "lead-times") for ext in ("svg", "png")
    )
    svg = (tmp_path / "plots" / "lead-times.svg").read_text(encoding="utf-8")
    assert "lead time of 3 thread instances" in svg
    assert "<dc:date>" not in svg and not re.search(r"Matplotlib v\d", svg)


def test_plots_are_byte_identical_across_calls(known_file: Path, tmp_path: Path) -> None:
    """Deterministic SVG: docs/ can keep a plot under ``--check``."""
    for out in ("a", "b"):
        assert main(["report", str(known_file), "--plot", str(tmp_path / out), "--plot-format", "svg"]) == 0
    for name in ("timeline.svg", "messages-per-irp.svg", "lead-times.svg"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_run_report_adds_the_metrics_to_the_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--thread", "10.2", "--quiet", "--report"]) == 0
    out = capsys.readouterr().out
    for title in (
        "Duration per step",
        "Latency per channel",
        "Busy time per actor",
        "Messages and bytes per IRP",
    ):
        assert title in out


def test_report_filters_and_bad_input(known_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(known_file), "--instance", "acme/order-2", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [i["instance"] for i in data["instances"]] == ["acme/order-2"]
    assert main(["report", str(known_file), "--instance", "nobody"]) == 2
    assert "no records" in capsys.readouterr().err


def test_progress_only_on_a_terminal_outside_ci(known_file: Path) -> None:
    """The bar counts the scenario's orders; it never shows when piped or in CI."""
    import io

    from rich.console import Console
    from rich.progress import Progress

    from lso_sim.engine.observers import MemoryTrace
    from lso_sim.report.progress import RunProgress, expected_orders, show_progress
    from lso_sim.scenarios import load_scenario, run_scenario

    terminal = Console(file=io.StringIO(), force_terminal=True)
    assert show_progress(terminal, {}) is True
    assert show_progress(terminal, {"CI": "true"}) is False
    assert show_progress(Console(file=io.StringIO()), {}) is False
    scenario = load_scenario(known_file)
    assert expected_orders(scenario) == 3
    progress = Progress(console=terminal, auto_refresh=False)
    task = progress.add_task("orders", total=3, clock="", detail="")
    run_scenario(scenario, [RunProgress(progress, task), MemoryTrace()])
    assert progress.tasks[0].completed == 3
    assert progress.tasks[0].fields["detail"].endswith("3 thread instances")
