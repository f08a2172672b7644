"""SOF's topology information (10.2 3b, 3c; 10.5 9): read from the ICMs, which read their ECMs.

Every SOF reads each forwarding domain of its management domain when it first needs it (PRESTO
get-topology-details, ADAGIO retrieveElementInventory below, in the flow of the order that needs
it), and again when an ICM says it changed (in the fault's flow). It decomposes on that view, not
on the network: what it was not told about, it does not know; what it could not refresh, it uses
as it last saw it and says so.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest
import simpy
from conftest import Runner

from lso_sim.conformance import find_sdk, load_index, validate_trace_record
from lso_sim.messages import Kind, Message
from lso_sim.messages.envelope import Flow
from lso_sim.messages.operations import GET_TOPOLOGY_DETAILS
from lso_sim.scenarios.build import build_world
from lso_sim.scenarios.schema import Scenario
from lso_sim.threads.topology_info import UPDATE_VIEW
from lso_sim.trace.records import to_record

ORDER = "acme/order-1"
LATER = "acme/order-2"


def _ring(
    scenario: Scenario, faults: list[dict[str, Any]] | None = None, later: float | None = None
) -> Scenario:
    """The 10.2 scenario with a second, dearer aggregation NE in metro: a way around agg-metro-1;
    with ``later``, a second order placed then."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    data.setdefault("options", {})["topology_read_timeout"] = 600  # each read attempt: 10 minutes
    orders = data["workload"][0]["orders"]
    if later is not None:
        orders.append({**orders[0], "at": later})
    topology = data["topology"]
    topology["forwarding_domains"][0]["network_elements"].append("agg-metro-2")
    topology["links"] += [
        {"a": "pe-metro-1", "b": "agg-metro-2", "capacity_mbps": 10000, "cost": 2},
        {"a": "agg-metro-2", "b": "p-core-1", "capacity_mbps": 100000, "cost": 2},
    ]
    data.pop("expect", None)
    if faults:
        data["faults"] = faults
    return Scenario.model_validate(data)


def _flow(records: list[Message], instance: str) -> list[tuple[str, str, str, str]]:
    return [(r.kind.value, r.src, r.dst, r.operation) for r in records if r.instance == instance]


def _views(records: list[Message], fd: str) -> list[dict[str, Any]]:
    return [r.payload for r in records if r.operation == UPDATE_VIEW and r.payload["forwardingDomain"] == fd]


def _order_path(records: list[Message], order: str = ORDER) -> list[str]:
    (answer,) = [
        r
        for r in records
        if r.instance == order and r.kind is Kind.RESPONSE and r.operation == "determineServiceComponents"
    ]
    path: list[str] = answer.payload["path"]
    return path


def test_the_first_order_reads_each_forwarding_domain_at_3b_in_its_own_flow(
    scenario_10_2: Scenario, run: Runner
) -> None:
    """Before answering 3b, SOF-sp asks each of its ICMs; each ICM asks each ECM of its domain once,
    answers, and SOF records its view; the partner's SOF reads its own domain at 3d. A later order
    reads nothing: the view is kept."""
    result, trace = run(_ring(scenario_10_2, later=20000.0))
    records = list(trace.records)
    first = _flow(records, ORDER)
    design = first.index(("request", "bus-sp", "sof-sp", "determineServiceComponents"))
    answer = first.index(("response", "sof-sp", "bus-sp", "determineServiceComponents"))
    reads = [hop for hop in first[design + 1 : answer] if hop[1] == "sof-sp" or hop[2] == "sof-sp"]
    assert sorted(reads) == sorted(
        [
            ("request", "sof-sp", "icm-metro", "get-topology-details"),
            ("request", "sof-sp", "icm-core", "get-topology-details"),
            ("response", "icm-metro", "sof-sp", "get-topology-details"),
            ("response", "icm-core", "sof-sp", "get-topology-details"),
            ("activity", "sof-sp", "sof-sp", UPDATE_VIEW),
            ("activity", "sof-sp", "sof-sp", UPDATE_VIEW),
        ]
    )
    below = [hop for hop in first[design + 1 : answer] if hop[3] == "retrieveElementInventory"]
    assert sorted((kind, src, dst) for kind, src, dst, _ in below if kind == "request") == [
        ("request", "icm-core", "ecm-p-core-1"),
        ("request", "icm-core", "ecm-p-core-2"),
        ("request", "icm-metro", "ecm-agg-metro-1"),
        ("request", "icm-metro", "ecm-agg-metro-2"),
        ("request", "icm-metro", "ecm-pe-metro-1"),
    ]
    topology_hops = [
        r for r in records if r.operation in ("get-topology-details", "retrieveElementInventory", UPDATE_VIEW)
    ]
    assert {(r.instance, r.thread) for r in topology_hops} == {(ORDER, "10.2")}
    assert {r.step for r in topology_hops if r.src.startswith(("sof-sp", "icm-metro", "icm-core"))} == {"3b"}
    assert {r.step for r in topology_hops if "partner" in r.src} == {"3d"}
    assert not any(r.operation == "get-topology-details" for r in records if r.instance == LATER)
    sp = result.world.sof_sp.view
    assert sp is not None and set(sp.domains) == {"metro", "core"} and not sp.stale and not sp.missing
    assert sp.domains["metro"].nodes == {"pe-metro-1": True, "agg-metro-1": True, "agg-metro-2": True}
    partner = result.world.sof["partner-1"].view
    assert partner is not None and set(partner.domains) == {"partner-1-access"}
    # the ENNI is described by the SP domain that holds its SP end, with its capacity
    enni = [link for link in sp.domains["core"].links if link.ends == {"p-core-2", "pn-access-1"}]
    assert [(link.capacity_mbps, link.up) for link in enni] == [(10000.0, True)]
    assert {o.state for o in result.world.outcomes.values()} == {"completed"}


def test_the_topology_answers_are_mef_nrp_bodies(scenario_10_2: Scenario, run: Runner) -> None:
    """get-topology-details requests and answers validate against MEF's PRESTO NRP definitions."""
    sdk = find_sdk()
    if sdk is None:
        pytest.skip("MEF LSO SDK not found (../shared/mef-lso-sdk or $LSO_MEF_SDK)")
    index = load_index(sdk)
    _, trace = run(scenario_10_2)
    hops = [to_record(r) for r in trace.records if r.operation == "get-topology-details"]
    assert len(hops) == 6  # three domains, a request and an answer each
    assert all(r["api"] == "presto-nrp" for r in hops)
    assert [e for r in hops for e in validate_trace_record(r, index=index)] == []


def test_a_fault_reaches_the_view_and_the_next_design_avoids_it(scenario_10_2: Scenario, run: Runner) -> None:
    """ECM -> ICM -> SOF in the fault's flow, SOF reads the domain again; the next order's path
    goes round the failed NE while the first, designed before, went through it."""
    faulty = _ring(scenario_10_2, [{"kind": "element_down", "ne": "agg-metro-1", "at": 15000}], later=20000.0)
    result, trace = run(faulty)
    records = list(trace.records)
    assert [hop for hop in _flow(records, "fault-1") if hop[0] != "fault"] == [
        ("notification", "ecm-agg-metro-1", "icm-metro", "elementStateChangeEvent"),
        ("notification", "icm-metro", "sof-sp", "topologyChangeEvent"),
        ("request", "sof-sp", "icm-metro", "get-topology-details"),
        ("response", "icm-metro", "sof-sp", "get-topology-details"),
        ("activity", "sof-sp", "sof-sp", UPDATE_VIEW),
    ]
    assert _views(records, "metro")[-1]["down"] == ["agg-metro-1"]
    assert "agg-metro-1" in _order_path(records)
    assert "agg-metro-2" in _order_path(records, LATER) and "agg-metro-1" not in _order_path(records, LATER)
    assert result.world.outcomes[LATER].state == "completed"


def test_a_fault_before_anyone_asked_is_seen_by_the_first_read(scenario_10_2: Scenario, run: Runner) -> None:
    """Nobody has read metro yet: no event is sent, and the first read finds the NE down."""
    result, trace = run(_ring(scenario_10_2, [{"kind": "element_down", "ne": "agg-metro-1", "at": 50}]))
    records = list(trace.records)
    assert not any(r.operation in ("elementStateChangeEvent", "topologyChangeEvent") for r in records)
    assert _views(records, "metro")[0]["down"] == ["agg-metro-1"]
    assert "agg-metro-1" not in _order_path(records)
    assert result.world.outcomes[ORDER].state == "completed"


def test_without_a_fault_the_cheaper_way_is_taken(scenario_10_2: Scenario, run: Runner) -> None:
    """The control case of the test above: the same ring, nothing down, the cheaper NE is used."""
    _, trace = run(_ring(scenario_10_2))
    assert "agg-metro-1" in _order_path(list(trace.records))


def test_a_lost_change_notification_leaves_sof_routing_over_the_fault(
    scenario_10_2: Scenario, run: Runner
) -> None:
    """The ECM's event is lost: SOF still believes the NE up, designs the next order over it, and
    the activation test finds it down; that order ends failed with the reason."""
    faults = [
        {"kind": "element_down", "ne": "agg-metro-1", "at": 15000},
        {
            "kind": "channel",
            "irp": "ADAGIO",
            "between": ["ecm-agg-metro-1", "icm-metro"],
            "loss": 1.0,
            "start": 14990,
            "end": 15010,
        },
    ]
    result, trace = run(_ring(scenario_10_2, faults, later=20000.0))
    records = list(trace.records)
    lost = [r for r in records if r.operation == "elementStateChangeEvent"]
    assert [r.lost for r in lost] == [True]
    assert not any(r.operation == "topologyChangeEvent" for r in records)
    assert "agg-metro-1" in _order_path(records, LATER)
    outcome = result.world.outcomes[LATER]
    assert outcome.state == "failed"
    assert outcome.reason is not None and "step 11" in outcome.reason


def test_a_lost_first_read_refuses_that_order_and_the_next_one_reads_again(
    scenario_10_2: Scenario, run: Runner
) -> None:
    """core's ICM refuses while the first order needs it: that order ends unable to be provided,
    saying which domain and why; the next order reads core again and completes."""
    faults = [{"kind": "actor_down", "actor": "icm-core", "mode": "refuse", "end": 1000}]
    result, trace = run(_ring(scenario_10_2, faults, later=20000.0))
    records = list(trace.records)
    views = [
        (r.instance, r.payload)
        for r in records
        if r.operation == UPDATE_VIEW and r.payload["forwardingDomain"] == "core"
    ]
    assert [instance for instance, _ in views] == [ORDER, LATER]
    assert views[0][1]["missing"] == "icm-core answered 503 to get-topology-details for core"
    assert "asOf" in views[1][1]
    first = result.world.outcomes[ORDER]
    assert first.state == "quote unableToProvide"
    assert (
        first.reason is not None
        and "no topology of forwarding domain core: icm-core answered 503" in first.reason
    )
    assert result.world.outcomes[LATER].state == "completed"


def test_no_answer_at_all_refuses_the_order_with_the_reason(scenario_10_2: Scenario, run: Runner) -> None:
    """Core never answers: 3b refuses (noTopology), and the order ends saying which domain and why."""
    faults = [{"kind": "channel", "irp": "PRESTO", "between": ["sof-sp", "icm-core"], "loss": 1.0}]
    result, trace = run(_ring(scenario_10_2, faults))
    (refusal,) = [
        r for r in trace.records if r.operation == "determineServiceComponents" and r.kind is Kind.RESPONSE
    ]
    assert refusal.status == 422 and refusal.payload["code"] == "noTopology"
    assert refusal.payload["reason"].startswith(
        "no topology of forwarding domain core: icm-core gave no topology"
    )
    outcome = result.world.outcomes[ORDER]
    assert outcome.state != "completed"
    assert outcome.reason is not None and "no topology of forwarding domain core" in outcome.reason


def test_a_refresh_without_answer_keeps_the_last_view_marked_stale(
    scenario_10_2: Scenario, run: Runner
) -> None:
    """The fault's event arrives late and the re-read is not answered in time: SOF keeps its view of
    metro from the first order, says it is stale and why, and the next order's 3b says so."""
    faults = [
        {"kind": "element_down", "ne": "agg-metro-1", "at": 15000},
        # each way 2000 s: the read's answers come after SOF gave up on it (4 attempts of 600 s)
        {
            "kind": "channel",
            "irp": "PRESTO",
            "between": ["sof-sp", "icm-metro"],
            "delay": 2000,
            "start": 14990,
        },
    ]
    result, trace = run(_ring(scenario_10_2, faults, later=25000.0))
    records = list(trace.records)
    stale = _views(records, "metro")[-1]
    assert "stale" in stale and stale["asOf"] < 15000
    assert "icm-metro gave no topology of metro" in stale["stale"]
    view = result.world.sof_sp.view
    assert view is not None and "metro" in view.stale and view.domains["metro"].nodes["agg-metro-1"]
    (answer,) = [
        r
        for r in records
        if r.instance == LATER and r.kind is Kind.RESPONSE and r.operation == "determineServiceComponents"
    ]
    assert any(
        note.startswith("forwarding domain metro: view of t=") for note in answer.payload["topologyNotes"]
    )


def test_an_icm_refuses_a_topology_it_does_not_manage(scenario_10_2: Scenario) -> None:
    """Asked for another ICM's forwarding domain, or with no name at all, an ICM answers MEF NRP's
    bodiless 400 and nothing breaks."""
    data = scenario_10_2.model_dump(mode="json", exclude_none=True)
    data["workload"][0]["orders"][0]["at"] = 1e7  # no order while the ICM is asked
    data.pop("expect", None)
    world = build_world(Scenario.model_validate(data))
    sof = world.sof_sp
    answers: list[Message] = []

    def ask() -> Generator[simpy.Event, Any, None]:
        for body in ({"input": {"topology-id-or-name": "core"}}, {"input": {}}, {}):
            answer = yield from sof.call(
                "icm-metro", GET_TOPOLOGY_DETAILS, body, flow=Flow("10.2", "probe"), step="3b"
            )
            answers.append(answer)

    world.sim.env.process(ask())
    world.sim.run(until=1000)
    assert [(a.status, a.payload) for a in answers] == [(400, None), (400, None), (400, None)]
