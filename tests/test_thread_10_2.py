"""Thread 10.2 end to end: every hop MEF 55.0.1 names, in order, deterministic, with both 9b options."""

from __future__ import annotations

import io
from collections.abc import Iterable

from conftest import Runner

from lso_sim.messages import Kind, Message
from lso_sim.scenarios import run_scenario
from lso_sim.scenarios.schema import Scenario
from lso_sim.sonata import state_of
from lso_sim.threads.catalog import THREADS
from lso_sim.trace import JsonlTraceWriter

# (step, IRP, src role, dst role, operation) of every request/notification MEF names for 10.2.
# The Customer registers its notification hubs (POQ, quote, order) before its first request, and
# BUS-sp registers its hub at the partner before ordering from it (MEF's registerListener pattern).
# Before qualifying, each buyer validates the address of each site and finds the seller's site there
# (the Customer for its two sites in step 2, BUS-sp for the partner's site in step 3d). Sellers
# notify every state change the buyer's hubs ask for: a POQ, quote or order going inProgress is
# announced with the step of the request that started it, its end with the step MEF gives it; an
# order's item events come just before the order's own (10.2 13 note: the Customer sees it move).
EXPECTED_HOPS: list[tuple[str, str | None, str, str, str]] = [
    ("setup", "CANTATA", "Customer", "BUS-sp", "registerListener"),
    ("setup", "CANTATA", "Customer", "BUS-sp", "registerListener"),
    ("setup", "CANTATA", "Customer", "BUS-sp", "registerListener"),
    ("1", "CANTATA", "Customer", "BUS-sp", "listProductOffering"),
    ("1", "CANTATA", "Customer", "BUS-sp", "listProduct"),
    ("2", "CANTATA", "Customer", "BUS-sp", "createGeographicAddressValidation"),
    ("2", None, "BUS-sp", "BUS-sp", "matchAddress"),
    ("2", "CANTATA", "Customer", "BUS-sp", "listGeographicSite"),
    ("2", "CANTATA", "Customer", "BUS-sp", "createGeographicAddressValidation"),
    ("2", None, "BUS-sp", "BUS-sp", "matchAddress"),
    ("2", "CANTATA", "Customer", "BUS-sp", "listGeographicSite"),
    ("2", "CANTATA", "Customer", "BUS-sp", "createProductOfferingQualification"),
    ("2", "CANTATA", "BUS-sp", "Customer", "poqStateChangeEvent"),
    ("3a", None, "BUS-sp", "BUS-sp", "assessServiceability"),
    ("2", "CANTATA", "Customer", "BUS-sp", "createQuote"),
    ("2", "CANTATA", "BUS-sp", "Customer", "listenToQuoteStateChangeEvent"),
    ("3b", "LEGATO", "BUS-sp", "SOF-sp", "determineServiceComponents"),
    # SOF-sp's first design reads its topology information: each ICM (metro, core), which asks
    # its ECMs (lso_sim/threads/topology_info.py)
    ("3b", "PRESTO", "SOF-sp", "ICM", "get-topology-details"),
    ("3b", "PRESTO", "SOF-sp", "ICM", "get-topology-details"),
    ("3b", "ADAGIO", "ICM", "ECM", "retrieveElementInventory"),
    ("3b", "ADAGIO", "ICM", "ECM", "retrieveElementInventory"),
    ("3b", "ADAGIO", "ICM", "ECM", "retrieveElementInventory"),
    ("3b", "ADAGIO", "ICM", "ECM", "retrieveElementInventory"),
    ("3b", None, "SOF-sp", "SOF-sp", "updateTopologyView"),
    ("3b", None, "SOF-sp", "SOF-sp", "updateTopologyView"),
    ("3c", "LEGATO", "BUS-sp", "SOF-sp", "checkServiceability"),
    ("3d", "SONATA", "BUS-sp", "BUS-partner", "createGeographicAddressValidation"),
    ("3d", None, "BUS-partner", "BUS-partner", "matchAddress"),
    ("3d", "SONATA", "BUS-sp", "BUS-partner", "listGeographicSite"),
    ("3d", "SONATA", "BUS-sp", "BUS-partner", "createProductOfferingQualification"),
    ("3d", "LEGATO", "BUS-partner", "SOF-partner", "checkServiceability"),
    ("3d", "PRESTO", "SOF-partner", "ICM", "get-topology-details"),
    ("3d", "ADAGIO", "ICM", "ECM", "retrieveElementInventory"),
    ("3d", "ADAGIO", "ICM", "ECM", "retrieveElementInventory"),
    ("3d", None, "SOF-partner", "SOF-partner", "updateTopologyView"),
    ("3d", "SONATA", "BUS-sp", "BUS-partner", "createQuote"),
    ("3d", None, "BUS-partner", "BUS-partner", "priceQuote"),
    ("3e", "CANTATA", "BUS-sp", "Customer", "poqStateChangeEvent"),
    ("3e", None, "BUS-sp", "BUS-sp", "priceQuote"),
    ("3e", "CANTATA", "BUS-sp", "Customer", "listenToQuoteStateChangeEvent"),
    ("3e", "CANTATA", "Customer", "BUS-sp", "retrieveQuote"),
    ("4", "CANTATA", "Customer", "BUS-sp", "createProductOrder"),
    ("4", "CANTATA", "BUS-sp", "Customer", "listenToQuoteStateChangeEvent"),
    ("4", "CANTATA", "BUS-sp", "Customer", "productOrderItemStateChangeEvent"),
    ("4", "CANTATA", "BUS-sp", "Customer", "productOrderStateChangeEvent"),
    ("5", None, "BUS-sp", "BUS-sp", "productToServiceMapping"),
    ("setup", "SONATA", "BUS-sp", "BUS-partner", "registerListener"),
    ("6", "SONATA", "BUS-sp", "BUS-partner", "createProductOrder"),
    ("6", "SONATA", "BUS-partner", "BUS-sp", "productOrderItemStateChangeEvent"),
    ("6", "SONATA", "BUS-partner", "BUS-sp", "productOrderStateChangeEvent"),
    ("6", "LEGATO", "BUS-partner", "SOF-partner", "createServiceOrder"),
    ("7", "LEGATO", "BUS-sp", "SOF-sp", "createServiceOrder"),
    ("8", None, "SOF-sp", "SOF-sp", "designServiceComponents"),
]


def _hops(records: Iterable[Message]) -> list[tuple[str, str | None, str, str, str]]:
    return [
        (r.step, r.irp, r.src_role, r.dst_role, r.operation)
        for r in records
        if r.kind in (Kind.REQUEST, Kind.NOTIFICATION, Kind.ACTIVITY)
    ]


def _jsonl(scenario: Scenario) -> str:
    stream = io.StringIO()
    run_scenario(scenario, [JsonlTraceWriter(stream)])
    return stream.getvalue()


def test_steps_1_to_8_happen_in_mef_order(scenario_10_2: Scenario, run: Runner) -> None:
    """Catalog, qualification, quote, order and design hops come exactly as MEF orders them."""
    result, trace = run(scenario_10_2)
    hops = _hops(trace.records)
    assert hops[: len(EXPECTED_HOPS)] == EXPECTED_HOPS
    assert result.world.outcomes["acme/order-1"].state == "completed"


def test_every_step_of_the_thread_appears_and_first_appearances_follow_mef_order(
    scenario_10_2: Scenario, run: Runner
) -> None:
    """All steps 1-15a appear, and each step first appears after the ones before it."""
    _, trace = run(scenario_10_2)
    order = list(THREADS["10.2"].steps)
    own = (Kind.OUTCOME,)
    first_seen = list(dict.fromkeys(r.step for r in trace.records if r.kind not in own and r.step != "setup"))
    assert sorted(first_seen, key=order.index) == first_seen
    assert set(first_seen) == set(order)


def test_activation_fans_out_to_every_icm_ecm_and_the_partner(scenario_10_2: Scenario, run: Runner) -> None:
    """9a reaches each SP ICM, 10 each ECM on the path (SP and partner), 9b/11/12a the partner SOF."""
    result, trace = run(scenario_10_2)
    by_step: dict[str, set[tuple[str, str, str]]] = {}
    for r in trace.records:
        if r.kind is Kind.REQUEST:
            by_step.setdefault(r.step, set()).add((r.irp or "", r.src, r.dst))
    assert {("PRESTO", "sof-sp", "icm-metro"), ("PRESTO", "sof-sp", "icm-core")} <= by_step["9a"]
    assert ("INTERLUDE", "sof-sp", "sof-partner-1") in by_step["9b"]
    assert ("PRESTO", "sof-partner-1", "icm-partner-1-access") in by_step["9b"]
    ecms = {dst for irp, _, dst in by_step["10"] if irp == "ADAGIO"}
    assert ecms == {
        f"ecm-{ne}"
        for ne in ("pe-metro-1", "agg-metro-1", "p-core-1", "p-core-2", "pn-access-1", "pn-access-2")
    }
    for step in ("11", "12a"):
        irps = {irp for irp, _, _ in by_step[step]}
        assert irps == {"PRESTO", "INTERLUDE", "ADAGIO"}
    tail = [
        (r.step, r.irp, r.operation) for r in trace.records if r.kind not in (Kind.RESPONSE, Kind.OUTCOME)
    ][-7:]
    assert tail == [
        ("13", "LEGATO", "serviceStateChangeEvent"),
        ("13", "LEGATO", "serviceOrderStateChangeEvent"),
        ("14", "CANTATA", "productOrderItemStateChangeEvent"),
        ("14", "CANTATA", "productOrderStateChangeEvent"),
        ("15", None, "acceptanceTesting"),
        ("15", "CANTATA", "acceptProductInstance"),
        ("15a", None, "startBilling"),
    ]
    sof = result.world.sof_sp
    (record,) = sof.services.values()
    assert [s for _, s in record.service.history] == [
        "feasibilityChecked",
        "designed",
        "reserved",
        "inactive",
        "active",
    ]
    assert [s for _, s in record.order.history] == ["acknowledged", "inProgress", "completed"]


def test_entities_move_through_mef_states(scenario_10_2: Scenario, run: Runner) -> None:
    """Qualification, quote, order and product end in the states MEF names for success."""
    result, _ = run(scenario_10_2)
    store = state_of(result.world.bus_sp).buyer("acme")
    (poq,) = store.all("productOfferingQualification")
    (quote,) = store.all("quote")
    (order,) = store.all("productOrder")
    (product,) = store.all("product")
    assert poq.entity is not None and quote.entity is not None and order.entity is not None
    assert [s for _, s in poq.entity.history] == ["acknowledged", "inProgress", "done.ready"]
    assert [s for _, s in quote.entity.history] == [
        "acknowledged",
        "inProgress",
        "approved.orderable",
        "accepted",
    ]
    assert [s for _, s in order.entity.history] == ["acknowledged", "inProgress", "completed"]
    assert product.state == "active" and product.body["status"] == "active"
    assert "billingStart" in product.private


def test_same_seed_gives_byte_identical_traces(scenario_10_2: Scenario) -> None:
    """Determinism: two runs of one scenario and seed write the same bytes."""
    assert _jsonl(scenario_10_2) == _jsonl(scenario_10_2)


def test_another_seed_changes_timings_not_the_hops(scenario_10_2: Scenario, run: Runner) -> None:
    """Seeds move times; the sequence of hops stays the MEF one."""
    _, first = run(scenario_10_2)
    _, second = run(scenario_10_2, seed=scenario_10_2.seed + 1)
    assert _hops(first.records)[: len(EXPECTED_HOPS)] == _hops(second.records)[: len(EXPECTED_HOPS)]
    assert sorted(_hops(first.records), key=str) == sorted(_hops(second.records), key=str)
    assert [r.time for r in first.records] != [r.time for r in second.records]


def test_legato_sonata_option_routes_9b_through_the_business_layer(
    scenario_10_2: Scenario, run: Runner
) -> None:
    """Option b of 9b: SOF-sp -> LEGATO -> BUS-sp -> SONATA -> BUS-partner, and no INTERLUDE activation."""
    result, trace = run(scenario_10_2, options={"partner_fulfilment": "legato-sonata"})
    nine_b = [
        (r.irp, r.src_role, r.dst_role, r.operation)
        for r in trace.records
        if r.step == "9b" and r.kind is Kind.REQUEST
    ]
    assert ("LEGATO", "SOF-sp", "BUS-sp", "requestPartnerFulfilment") in nine_b
    assert ("SONATA", "BUS-sp", "BUS-partner", "retrieveProductOrder") in nine_b
    assert not any(op == "activateServiceComponent" for *_, op in nine_b)
    chain = [hop for hop in nine_b if hop[3] in ("requestPartnerFulfilment", "retrieveProductOrder")]
    assert chain[0][3] == "requestPartnerFulfilment"
    assert result.world.outcomes["acme/order-1"].state == "completed"


def test_failed_activation_test_fails_the_order_and_frees_bandwidth(
    scenario_10_2: Scenario, run: Runner
) -> None:
    """When every element test fails, the service order and the product order fail, visibly."""
    result, trace = run(scenario_10_2, options={"sat_failure_probability": 1.0})
    assert result.world.outcomes["acme/order-1"].state == "failed"
    events = [
        r.payload["event"]["state"]
        for r in trace.records
        if r.operation == "productOrderStateChangeEvent" and r.dst == "acme"
    ]
    assert events == ["inProgress", "failed"]  # every state change the order goes through
    topology = result.world.topology
    sp_links = [
        d
        for a, b, d in topology.graph.edges(data=True)
        if topology.domain_of(a) == topology.domain_of(b) == "sp"
    ]
    assert sp_links and all(d["used"] == 0 for d in sp_links)


def test_many_generated_orders_all_complete_and_share_capacity(scenario_10_2: Scenario, run: Runner) -> None:
    """A generated workload runs many concurrent instances; each completes with its own records."""
    workload = [
        {
            "thread": "10.2",
            "generate": {
                "count": 20,
                "interarrival": {"kind": "exponential", "mean": 600},
                "bandwidth_mbps": [10, 20],
            },
        }
    ]
    result, trace = run(scenario_10_2, workload=workload)
    states = {o.state for o in result.world.outcomes.values()}
    assert len(result.world.outcomes) == 20 and states == {"completed"}
    per_instance = {r.instance for r in trace.records}
    assert len(per_instance) == 20


def test_no_capacity_left_means_unable_to_provide(scenario_10_2: Scenario, run: Runner) -> None:
    """An order larger than any path's capacity is qualified as unable to provide, and stops there."""
    data = scenario_10_2.model_dump(mode="json")
    data["workload"][0]["orders"][0]["bandwidth_mbps"] = 50000
    result, trace = run(Scenario.model_validate(data))
    outcome = result.world.outcomes["acme/order-1"]
    assert outcome.state == "quote unableToProvide"
    assert not any(r.operation == "createProductOrder" for r in trace.records)
    (poq,) = state_of(result.world.bus_sp).buyer("acme").all("productOfferingQualification")
    assert poq.state == "done.unableToProvide"


def test_lossy_cantata_still_ends_every_instance_and_records_the_losses(
    scenario_10_2: Scenario, run: Runner
) -> None:
    """Lost CANTATA messages show as delivered=null; timeouts and polling still end each instance."""
    data = scenario_10_2.model_dump(mode="json")
    data["channels"]["CANTATA"] = {"latency": 0.05, "loss": 0.3}
    data["actors"]["default"] = {"request_timeout": 600}
    data["options"] = {"notification_wait": 3600}
    data["workload"] = [
        {"thread": "10.2", "generate": {"count": 8, "interarrival": 900, "bandwidth_mbps": [10]}}
    ]
    result, trace = run(Scenario.model_validate(data))
    lost = [r for r in trace.records if r.lost]
    assert lost and all(r.irp == "CANTATA" for r in lost)
    assert any(r.kind is Kind.TIMEOUT for r in trace.records)
    assert all(o.ended is not None for o in result.world.outcomes.values())
