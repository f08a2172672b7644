"""Thread 10.5 end to end: the MEF steps in order for each variation, over every IRP, deterministic."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest
import yaml
from conftest import SCENARIOS, Runner

from lso_sim.conformance import find_sdk, validate_trace_record
from lso_sim.engine.observers import MemoryTrace
from lso_sim.errors import ScenarioError
from lso_sim.messages import Kind, Message
from lso_sim.scenarios import load_scenario, run_scenario
from lso_sim.scenarios.schema import Scenario
from lso_sim.threads.catalog import THREADS
from lso_sim.trace.records import to_record

Hop = tuple[str, str | None, str, str, str]

# Customer-reported degraded core element: found by tests (8), fixed by rerouting (9).
REROUTE: list[Hop] = [
    ("setup", "CANTATA", "Customer", "BUS-sp", "registerListener"),
    ("1", "CANTATA", "Customer", "BUS-sp", "createTroubleTicket"),
    ("2", None, "BUS-sp", "BUS-sp", "productToServiceMapping"),
    ("12", "CANTATA", "BUS-sp", "Customer", "listenToTroubleTicketStatusChangeEvent"),
    ("3", "LEGATO", "BUS-sp", "SOF-sp", "reportServiceProblem"),
    ("4", None, "SOF-sp", "SOF-sp", "identifyServiceComponents"),
    ("5", None, "SOF-sp", "SOF-sp", "correlateFaults"),
    ("6a", "PRESTO", "SOF-sp", "ICM", "retrieveConstructFaultAndConfiguration"),
    ("6b", "INTERLUDE", "SOF-sp", "SOF-partner", "retrieveComponentFaultAndConfiguration"),
    ("7", "ADAGIO", "ICM", "ECM", "retrieveElementFaultAndConfiguration"),
    ("8", "PRESTO", "SOF-sp", "ICM", "runConstructDiagnosticTest"),
    ("8", "INTERLUDE", "SOF-sp", "SOF-partner", "runComponentDiagnosticTest"),
    ("8", "ADAGIO", "ICM", "ECM", "runElementDiagnosticTest"),
    ("8", None, "SOF-sp", "SOF-sp", "diagnoseTrouble"),
    ("11", "LEGATO", "SOF-sp", "BUS-sp", "serviceProblemStatusEvent"),
    ("9", None, "SOF-sp", "SOF-sp", "computeReroute"),
    ("9", "PRESTO", "SOF-sp", "ICM", "create-connectivity-service"),
    ("9", "ADAGIO", "ICM", "ECM", "configureNetworkElement"),
    ("9", "PRESTO", "SOF-sp", "ICM", "deactivateForwardingConstruct"),
    ("9", "ADAGIO", "ICM", "ECM", "removeNetworkElementConfiguration"),
    ("11", "LEGATO", "SOF-sp", "BUS-sp", "serviceProblemStatusEvent"),
    ("12", "CANTATA", "BUS-sp", "Customer", "listenToTroubleTicketResolvedEvent"),
    ("12", "CANTATA", "Customer", "BUS-sp", "retrieveTroubleTicket"),
    ("12", None, "Customer", "Customer", "verifyResolution"),
    ("12", "CANTATA", "Customer", "BUS-sp", "closeTroubleTicket"),
]

# Partner element down: the alarm stays in the partner domain; SOF-sp finds it over INTERLUDE (6b)
# and has BUS-sp raise a ticket with the partner over SONATA (9); the partner repairs it.
PARTNER: list[Hop] = [
    ("5", "ADAGIO", "ECM", "ICM", "networkElementAlarmEvent"),
    ("5", "PRESTO", "ICM", "SOF-partner", "forwardingConstructFaultEvent"),
    ("1", "CANTATA", "Customer", "BUS-sp", "createTroubleTicket"),
    ("3", "LEGATO", "BUS-sp", "SOF-sp", "reportServiceProblem"),
    ("6b", "INTERLUDE", "SOF-sp", "SOF-partner", "retrieveComponentFaultAndConfiguration"),
    ("6b", "PRESTO", "SOF-partner", "ICM", "retrieveConstructFaultAndConfiguration"),
    ("8", None, "SOF-sp", "SOF-sp", "diagnoseTrouble"),
    ("9", "LEGATO", "SOF-sp", "BUS-sp", "requestPartnerTroubleTicket"),
    ("setup", "SONATA", "BUS-sp", "BUS-partner", "registerListener"),
    ("9", "SONATA", "BUS-sp", "BUS-partner", "listProduct"),
    ("9", "SONATA", "BUS-sp", "BUS-partner", "createTroubleTicket"),
    ("9", "LEGATO", "BUS-partner", "SOF-partner", "reportServiceProblem"),
    ("9", None, "SOF-partner", "SOF-partner", "dispatchFieldRepair"),
    ("9", None, "SOF-partner", "SOF-partner", "fieldRepair"),
    ("9", "LEGATO", "SOF-partner", "BUS-partner", "serviceProblemStatusEvent"),
    ("9", "SONATA", "BUS-partner", "BUS-sp", "listenToTroubleTicketResolvedEvent"),
    ("9", "SONATA", "BUS-sp", "BUS-partner", "closeTroubleTicket"),
    ("11", "LEGATO", "SOF-sp", "BUS-sp", "serviceProblemStatusEvent"),
    ("12", "CANTATA", "BUS-sp", "Customer", "listenToTroubleTicketResolvedEvent"),
    ("12", "CANTATA", "Customer", "BUS-sp", "closeTroubleTicket"),
]

# Proactive detection of an SP edge element down: no way around it, so a tracked field repair.
PROACTIVE: list[Hop] = [
    ("5", "ADAGIO", "ECM", "ICM", "networkElementAlarmEvent"),
    ("5", "PRESTO", "ICM", "SOF-sp", "forwardingConstructFaultEvent"),
    ("11", "LEGATO", "SOF-sp", "BUS-sp", "serviceProblemStatusEvent"),
    ("4", None, "SOF-sp", "SOF-sp", "identifyServiceComponents"),
    ("12", "CANTATA", "BUS-sp", "Customer", "listenToIncidentCreateEvent"),
    ("6a", "PRESTO", "SOF-sp", "ICM", "retrieveConstructFaultAndConfiguration"),
    ("8", None, "SOF-sp", "SOF-sp", "diagnoseTrouble"),
    ("10", None, "SOF-sp", "SOF-sp", "dispatchFieldRepair"),
    ("10", None, "SOF-sp", "SOF-sp", "fieldRepair"),
    ("10", "ADAGIO", "ECM", "ICM", "networkElementAlarmEvent"),
    ("10", "PRESTO", "SOF-sp", "ICM", "runConstructDiagnosticTest"),
    ("11", "LEGATO", "SOF-sp", "BUS-sp", "serviceProblemStatusEvent"),
    ("12", "CANTATA", "BUS-sp", "Customer", "listenToIncidentStatusChangeEvent"),
    ("12", "CANTATA", "Customer", "BUS-sp", "retrieveIncident"),
]


@pytest.fixture(scope="module")
def canonical() -> tuple[Scenario, MemoryTrace, dict[str, str]]:
    scenario = load_scenario(SCENARIOS / "thread-10.5.yaml")
    trace = MemoryTrace()
    result = run_scenario(scenario, [trace])
    return scenario, trace, {i: o.state for i, o in result.world.outcomes.items()}


def _hops(records: Iterable[Message], instance: str) -> list[Hop]:
    return [
        (r.step, r.irp, r.src_role, r.dst_role, r.operation)
        for r in records
        if r.instance == instance and r.kind in (Kind.REQUEST, Kind.NOTIFICATION, Kind.ACTIVITY)
    ]


def _in_order(expected: list[Hop], actual: list[Hop]) -> Hop | None:
    """The first expected hop missing from ``actual`` in order (None when all are there)."""
    position = 0
    for hop in expected:
        try:
            position = actual.index(hop, position) + 1
        except ValueError:
            return hop
    return None


@pytest.mark.parametrize(
    ("instance", "expected", "end"),
    [
        ("acme/trouble-1", REROUTE, "closed"),
        ("acme/trouble-2", PARTNER, "closed"),
        ("acme/trouble-3", PROACTIVE, "incidentClosed"),
    ],
)
def test_each_variation_realises_its_steps_in_order(
    canonical: tuple[Scenario, MemoryTrace, dict[str, str]], instance: str, expected: list[Hop], end: str
) -> None:
    _scenario, trace, outcomes = canonical
    assert _in_order(expected, _hops(trace.records, instance)) is None
    assert outcomes[instance] == end


def test_every_irp_but_allegro_is_exercised_and_records_carry_their_thread(
    canonical: tuple[Scenario, MemoryTrace, dict[str, str]],
) -> None:
    _scenario, trace, _ = canonical
    trouble = [r for r in trace.records if r.thread == "10.5"]
    # ALLEGRO is MEF's alternative of step 12 (tests/test_status_alternatives.py), not the canonical path.
    assert {r.irp for r in trouble if r.irp} == {
        "CANTATA",
        "SONATA",
        "LEGATO",
        "INTERLUDE",
        "PRESTO",
        "ADAGIO",
    }
    assert all(r.instance.startswith("acme/trouble-") for r in trouble)
    assert {r.instance for r in trace.records if r.thread == "10.2"} == {
        "acme/order-1",
        "acme/order-2",
        "acme/order-3",
        "acme/order-4",
    }
    assert not [r for r in trace.records if r.kind in (Kind.ERROR, Kind.TIMEOUT)]
    steps = THREADS["10.5"].steps
    assert {r.step for r in trouble if r.kind is not Kind.OUTCOME} <= {*steps, "setup"}


def test_mef_messages_validate_against_the_sdk(
    canonical: tuple[Scenario, MemoryTrace, dict[str, str]],
) -> None:
    if find_sdk() is None:
        pytest.skip("MEF LSO SDK not found beside the project (set LSO_MEF_SDK)")
    _scenario, trace, _ = canonical
    checked = [to_record(r) for r in trace.records if r.thread == "10.5" and r.api]
    assert len(checked) > 20
    assert [e for r in checked for e in validate_trace_record(r)] == []


def test_misconfiguration_is_found_by_reading_and_fixed_by_reconfiguring(run: Runner) -> None:
    scenario = load_scenario(SCENARIOS / "thread-10.5.yaml")
    block = scenario.model_dump(mode="json")["workload"][0]
    block["orders"] = block["orders"][:1]
    block["trouble"]["reports"] = [{"order": 0, "ne": "agg-metro-1", "fault": "misconfigured"}]
    result, trace = run(scenario, workload=[block])
    hops = _hops(trace.records, "acme/trouble-1")
    assert (
        _in_order(
            [
                ("6a", "PRESTO", "SOF-sp", "ICM", "retrieveConstructFaultAndConfiguration"),
                ("8", None, "SOF-sp", "SOF-sp", "diagnoseTrouble"),
                ("9", "PRESTO", "SOF-sp", "ICM", "create-connectivity-service"),
                ("9", "ADAGIO", "ICM", "ECM", "configureNetworkElement"),
                ("12", "CANTATA", "Customer", "BUS-sp", "closeTroubleTicket"),
            ],
            hops,
        )
        is None
    )
    assert not any(h[1] == "PRESTO" and h[0] == "8" for h in hops)  # the read explained it: no tests
    assert result.world.outcomes["acme/trouble-1"].state == "closed"


def test_same_seed_same_trace_other_seed_other_figures(run: Runner) -> None:
    scenario = load_scenario(SCENARIOS / "thread-10.5.yaml")
    block = scenario.model_dump(mode="json")["workload"][0]
    block["orders"] = block["orders"][:1]
    block["trouble"]["reports"] = block["trouble"]["reports"][:1]

    def losses(seed: int) -> list[object]:
        _, trace = run(scenario, workload=[block], seed=seed)
        return [to_record(r) for r in trace.records]

    first, again, other = losses(7), losses(7), losses(8)
    assert first == again
    measured = [
        r["payload"]["frameLossRatio"]
        for r in first
        if r["operation"] == "runElementDiagnosticTest" and r["status"]
    ]
    measured_other = [
        r["payload"]["frameLossRatio"]
        for r in other
        if r["operation"] == "runElementDiagnosticTest" and r["status"]
    ]
    assert measured and measured != measured_other


@pytest.mark.parametrize(
    ("report", "field"),
    [
        ({"order": 0, "ne": "nowhere"}, r"workload\.0\.trouble\.reports\.0\.ne"),
        ({"order": 9, "ne": "p-core-1"}, r"workload\.0\.trouble\.reports\.0\.order"),
    ],
)
def test_bad_trouble_report_is_a_scenario_error_naming_file_and_field(
    tmp_path: Path, report: dict[str, object], field: str
) -> None:
    _check_bad_reports(tmp_path, [report], field)


def test_two_reports_on_one_order_are_a_scenario_error(tmp_path: Path) -> None:
    """Each report breaks the service of its own order (instances would share one 10.2 order)."""
    reports: list[dict[str, object]] = [{"order": 0, "ne": "p-core-1"}, {"order": 0, "ne": "pe-metro-1"}]
    _check_bad_reports(tmp_path, reports, r"workload\.0\.trouble\.reports\.1\.order")


def _check_bad_reports(tmp_path: Path, reports: list[dict[str, object]], field: str) -> None:
    data = yaml.safe_load((SCENARIOS / "thread-10.5.yaml").read_text(encoding="utf-8"))
    data["workload"][0]["trouble"]["reports"] = reports
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ScenarioError, match=field) as error:
        load_scenario(path)
    assert "bad.yaml" in str(error.value)
