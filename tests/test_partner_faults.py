"""Partner faults reach SOF-sp on their own over INTERLUDE (10.5 step 5 and the proactive variation).

A fault in the partner's domain goes ECM -> ICM -> SOF-partner as in the SP's domain; SOF-partner
then tells SOF-sp, over INTERLUDE, for each component it delivers that the fault touches
(``serviceComponentFaultEvent``, lso-sim's own: MEF's INTERLUDE definitions publish performance
monitoring only). SOF-sp correlates it at step 5, and with proactive detection opens the problem
itself, as it does for its own elements.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import Runner

from lso_sim.messages import Kind, Message
from lso_sim.scenarios import load_scenario
from lso_sim.scenarios.schema import Scenario

CANONICAL = Path(__file__).resolve().parents[1] / "scenarios" / "thread-10.5.yaml"
TROUBLE = "acme/trouble-1"


def _one_partner_fault(detection: str, faults: list[dict[str, Any]] | None = None) -> Scenario:
    """The 10.5 scenario cut to one service and one fault: the partner's branch NE goes down."""
    data = load_scenario(CANONICAL).model_dump(mode="json", exclude_none=True)
    workload = data["workload"][0]
    workload["orders"] = workload["orders"][:1]
    report: dict[str, Any] = {"order": 0, "ne": "pn-access-2", "fault": "down", "after": 3600}
    report["detection"] = detection
    if detection == "customer":
        report["report_delay"] = 900
    workload["trouble"]["reports"] = [report]
    data.pop("expect", None)
    if faults:
        data["faults"] = faults
    return Scenario.model_validate(data)


def _hops(records: list[Message]) -> list[tuple[str, str, str, str]]:
    return [
        (r.step, r.src, r.dst, r.operation)
        for r in records
        if r.instance == TROUBLE and r.kind in (Kind.REQUEST, Kind.NOTIFICATION, Kind.ACTIVITY)
    ]


def _correlated(records: list[Message], src: str = "sof-sp") -> list[list[str]]:
    return [
        r.payload["correlated"]
        for r in records
        if r.instance == TROUBLE and r.operation == "correlateFaults" and r.src == src
    ]


def test_a_partner_fault_reaches_sof_sp_which_detects_it_by_itself(run: Runner) -> None:
    """Proactive: ECM -> ICM -> SOF-partner -> INTERLUDE -> SOF-sp, then SOF-sp's problem: step 4,
    step 5 correlating the partner's event, 6b, the partner's ticket (9); the incident closes."""
    result, trace = run(_one_partner_fault("proactive"))
    records = list(trace.records)
    hops = _hops(records)
    raised = hops.index(("5", "sof-partner-1", "sof-sp", "serviceComponentFaultEvent"))
    assert hops[raised - 2 : raised] == [
        ("5", "ecm-pn-access-2", "icm-partner-1-access", "networkElementAlarmEvent"),
        ("5", "icm-partner-1-access", "sof-partner-1", "forwardingConstructFaultEvent"),
    ]
    own = [h for h in hops if h[1] == "sof-sp" and h[2] == "sof-sp"]
    assert [h[3] for h in own[:3]] == ["identifyServiceComponents", "correlateFaults", "diagnoseTrouble"]
    assert hops.index(("4", "sof-sp", "sof-sp", "identifyServiceComponents")) > raised
    (event,) = [
        r for r in records if r.operation == "serviceComponentFaultEvent" and r.payload["state"] == "raised"
    ]
    assert event.irp == "INTERLUDE"
    assert event.payload["networkElement"] == "pn-access-2" and event.payload["partnerOrder"]
    assert _correlated(records)[0] == ["pn-access-2"]
    assert any(h[3] == "createTroubleTicket" and h[2] == "bus-partner-1" for h in hops)
    cleared = [
        r for r in records if r.operation == "serviceComponentFaultEvent" and r.payload["state"] == "cleared"
    ]
    assert len(cleared) == 1  # the partner's repair clears it the same way
    alarms = result.world.sof_sp.alarms
    assert {(a["networkElement"], a["state"]) for a in alarms} == {
        ("pn-access-2", "raised"),
        ("pn-access-2", "cleared"),
    }
    assert all(a["component"] is not None for a in alarms)
    assert result.world.outcomes[TROUBLE].state == "incidentClosed"


def test_a_customer_ticket_on_a_partner_fault_is_correlated_at_step_5(run: Runner) -> None:
    """The Customer reports; SOF-sp's step 5 already holds the partner's event and correlates it."""
    result, trace = run(_one_partner_fault("customer"))
    records = list(trace.records)
    assert _correlated(records)[0] == ["pn-access-2"]
    assert result.world.outcomes[TROUBLE].state == "closed"


def test_a_lost_partner_event_leaves_the_fault_undetected_with_the_reason(run: Runner) -> None:
    """INTERLUDE loses the event: SOF-sp never learns of the partner's fault, opens no problem, and
    the proactive instance ends saying nothing was detected; a ticket the Customer raises instead
    finds nothing to correlate at step 5, but is still resolved through the partner."""
    # the partner's element goes down at about t=15107 s (an hour after the service is active)
    lose = [{"kind": "channel", "irp": "INTERLUDE", "loss": 1.0, "start": 15000, "end": 15200}]
    result, trace = run(_one_partner_fault("proactive", lose))
    records = list(trace.records)
    events = [r for r in records if r.operation == "serviceComponentFaultEvent"]
    assert [r.lost for r in events] == [True]
    assert not any(r.operation == "identifyServiceComponents" and r.src == "sof-sp" for r in records)
    outcome = result.world.outcomes[TROUBLE]
    assert outcome.state == "undetected" and outcome.reason

    result, trace = run(_one_partner_fault("customer", lose))
    records = list(trace.records)
    assert _correlated(records)[0] == []
    assert result.world.outcomes[TROUBLE].state == "closed"


def test_a_triggered_report_arms_its_threshold_in_the_partner_domain_too(run: Runner) -> None:
    """10.4's triggered variation: SOF-sp's INTERLUDE createPerformanceReport carries the watch, the
    partner arms it on its elements, and a crossing there comes back over INTERLUDE first."""
    data = load_scenario(CANONICAL.parent / "thread-10.4.yaml").model_dump(mode="json", exclude_none=True)
    data["impairments"] = [
        {
            "ne": "pn-access-1",
            "start": 36000,
            "end": 39600,
            "loss": 0.01,
            "alarm": "highFrameLoss",
            "severity": "major",
            "repairable": False,
        }
    ]
    data["workload"][0]["reports"]["requests"] = [
        {
            "after": 18000,
            "type": "performance",
            "trigger": {"metric": "frame_loss_ratio", "threshold": 0.001, "within": 43200},
        }
    ]
    data.pop("expect", None)
    result, trace = run(Scenario.model_validate(data))
    records = [r for r in trace.records if r.instance == "acme/report-1"]
    armed = [r for r in records if r.operation == "createPerformanceReport" and r.kind is Kind.REQUEST]
    assert armed[0].irp == "INTERLUDE" and "watch" in armed[0].payload  # the request that arms
    alerts = [(r.irp, r.src, r.dst) for r in records if r.operation == "thresholdCrossingAlert"]
    assert alerts[:3] == [
        ("ADAGIO", "ecm-pn-access-1", "icm-partner-1-access"),
        ("PRESTO", "icm-partner-1-access", "sof-partner-1"),
        ("INTERLUDE", "sof-partner-1", "sof-sp"),
    ]
    assert result.world.outcomes["acme/report-1"].state == "completed"
