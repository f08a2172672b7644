"""Service terms: a generated order's product is disconnected by its Customer ``term`` seconds on.

The disconnect is its own 10.2 instance (``<customer>/disconnect-<n>``) taking the real path of a
``delete`` item (CANTATA, LEGATO, PRESTO, ADAGIO, the partner over INTERLUDE); it begins only when
the term is over, and ends with its reason whatever the channels lose.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
from lossy import Dropper, Outgoing, check_every_instance_ended, run_lossy

from lso_sim.actors.outcomes import Outcome
from lso_sim.architecture.roles import Irp
from lso_sim.engine.observers import MemoryTrace
from lso_sim.expect import evaluate
from lso_sim.messages.envelope import Kind
from lso_sim.scenarios.build import build_world, order_requests
from lso_sim.scenarios.loader import load_scenario
from lso_sim.scenarios.runner import RunResult, run_scenario
from lso_sim.scenarios.schema import Scenario
from lso_sim.sonata.api import state_of
from lso_sim.threads.ordering.disconnect import instance_of

ROOT = Path(__file__).resolve().parents[1]
TERM = 86400.0


def churn(count: int = 1, term: Any = TERM, **extra: Any) -> Scenario:
    """The canonical 10.2 network with ``count`` generated orders an hour apart, each kept ``term``."""
    data = load_scenario(ROOT / "scenarios" / "thread-10.2.yaml").model_dump(mode="json", exclude_unset=True)
    data.pop("expect")
    generate: dict[str, Any] = {"count": count, "interarrival": 3600}
    if term is not None:
        generate["term"] = term
    data["workload"] = [{"thread": "10.2", "generate": generate}]
    data.update(extra)
    return Scenario.model_validate(data)


def run(scenario: Scenario, until: float | None = None) -> tuple[RunResult, MemoryTrace]:
    trace = MemoryTrace()
    return run_scenario(scenario, [trace], until=until), trace


@cache
def delivered_at() -> float:
    """When the single order of :func:`churn` completes on a clean run (its disconnect begins a
    term later)."""
    result, _trace = run(churn(term=None))
    ended = result.world.outcomes["acme/order-1"].ended
    assert ended is not None
    return ended


def outcome(result: RunResult, instance: str) -> Outcome:
    return result.world.outcomes[instance]


@pytest.mark.parametrize(
    "term", [TERM, {"kind": "exponential", "mean": 3600}, {"kind": "uniform", "low": 10, "high": 1e6}]
)
def test_a_term_changes_no_order_draw(term: Any) -> None:
    """Terms draw from their own stream: customers, sites, bandwidths and arrivals stay the same."""
    kept = churn(count=20, term=None)
    ended = churn(count=20, term=term)

    def drawn(scenario: Scenario) -> list[tuple[Any, ...]]:
        requests = order_requests(scenario, build_world(scenario))
        return [(r.customer, r.sites, r.bandwidth_mbps, r.start, r.instance) for r in requests]

    assert drawn(kept) == drawn(ended)
    terms = [r.term for r in order_requests(ended, build_world(ended))]
    assert all(t is not None and t >= 0 for t in terms)
    assert all(r.term is None for r in order_requests(kept, build_world(kept)))


def test_instance_names_follow_the_order() -> None:
    assert instance_of("acme/order-7") == "acme/disconnect-7"
    assert instance_of("globex/order-12") == "globex/disconnect-12"


def test_each_delivered_product_is_disconnected_a_term_later() -> None:
    """Three orders, three disconnects: each begins exactly a term after its order ended, takes the
    delete item's path below BUS-sp, and leaves the product terminated."""
    result, trace = run(churn(count=3))
    for n in (1, 2, 3):
        order, disconnect = outcome(result, f"acme/order-{n}"), outcome(result, f"acme/disconnect-{n}")
        assert order.state == "completed" and disconnect.state == "completed", disconnect.reason
        assert order.ended is not None
        assert disconnect.started == order.ended + TERM
        product = order.detail["product"]
        assert disconnect.detail["product"] == product
        seller = state_of(result.world.bus_sp).buyer("acme").get("product", product)
        assert seller is not None and seller.body["status"] == "terminated"
    assert result.world.customer("acme").products == []
    records = [r for r in trace.records if r.instance == "acme/disconnect-1"]
    steps = {r.step for r in records}
    assert {"4", "5", "7", "9a", "9b", "10", "13", "14"} <= steps
    operations = {(r.irp, r.operation) for r in records if r.kind is Kind.REQUEST}
    assert ("CANTATA", "createProductOrder") in operations
    assert ("LEGATO", "createServiceOrder") in operations
    assert ("PRESTO", "delete-connectivity-service") in operations
    assert ("INTERLUDE", "deactivateServiceComponent") in operations
    assert not result.open and result.invariants is not None and result.invariants.ok


def test_an_order_that_did_not_complete_is_not_disconnected() -> None:
    """The partner rejects the order: nothing was delivered, so there is nothing to disconnect."""
    scenario = churn(faults=[{"kind": "order_rejection", "partner": "partner-1"}])
    result, _trace = run(scenario)
    assert outcome(result, "acme/order-1").state != "completed"
    assert set(result.world.outcomes) == {"acme/order-1"}


@pytest.mark.parametrize("before", [1.0, TERM / 2, TERM - 0.001])
def test_a_term_not_yet_over_at_the_horizon_is_no_instance(before: float) -> None:
    """A horizon inside the term: the disconnect never began, so no instance and nothing open."""
    result, trace = run(churn(), until=delivered_at() + before)
    assert set(result.world.outcomes) == {"acme/order-1"}
    assert not result.open
    assert not [r for r in trace.records if r.instance == "acme/disconnect-1"]


def test_a_horizon_inside_the_disconnect_ends_it_open_with_what_it_waits_for() -> None:
    """Begun but cut: the disconnect ends ``open`` with a reason, like any instance at the horizon."""
    result, _trace = run(churn(), until=delivered_at() + TERM + 60)
    cut = outcome(result, "acme/disconnect-1")
    assert cut.state == "open" and cut.reason


def _of_disconnect(operation: str, kind: Kind) -> Dropper:
    def match(out: Outgoing) -> bool:
        return out.instance == "acme/disconnect-1" and out.operation == operation and out.kind is kind

    return Dropper(match=match)


@pytest.mark.parametrize(
    ("operation", "kind", "state"),
    [
        ("createProductOrder", Kind.REQUEST, "abandoned"),  # never reaches BUS-sp
        ("createProductOrder", Kind.RESPONSE, "abandoned"),  # BUS-sp's answers never reach the Customer
        ("productOrderStateChangeEvent", Kind.NOTIFICATION, "completed"),  # found by reading the order
        ("serviceOrderStateChangeEvent", Kind.NOTIFICATION, "completed"),  # BUS-sp reads SOF-sp's order
        ("delete-connectivity-service", Kind.REQUEST, "failed"),  # SOF-sp's ICMs never hear of it
    ],
)
def test_a_lost_disconnect_ends_with_its_reason(operation: str, kind: Kind, state: str) -> None:
    result, trace = run_lossy(churn(), _of_disconnect(operation, kind), horizon=400 * 86400)
    disconnect = outcome(result, "acme/disconnect-1")
    assert disconnect.state == state, disconnect.reason
    if state != "completed":
        assert disconnect.reason
    check_every_instance_ended(result, trace, must_explain=lambda o: o.state != "completed")


@pytest.mark.parametrize(
    ("actor", "mode", "state", "says"),
    [
        ("bus-sp", "refuse", "orderRefused", "503"),  # the seller refuses the delete order
        ("sof-sp", "refuse", "failed", "SOF refused"),  # SOF-sp refuses the service order
    ],
)
def test_a_refused_disconnect_ends_with_the_refusal(actor: str, mode: str, state: str, says: str) -> None:
    start = delivered_at() + TERM - 1
    fault = {"kind": "actor_down", "actor": actor, "mode": mode, "start": start, "end": start + 3600}
    result, trace = run(churn(faults=[fault]))
    assert outcome(result, "acme/order-1").state == "completed"
    disconnect = outcome(result, "acme/disconnect-1")
    assert disconnect.state == state
    assert disconnect.reason is not None and says in disconnect.reason, disconnect.reason
    check_every_instance_ended(result, trace, must_explain=lambda o: o.state != "completed")


@pytest.mark.parametrize("seed", [1, 2])
def test_every_order_and_disconnect_ends_whatever_legato_loses(seed: int) -> None:
    """A third of LEGATO lost, orders and disconnects alike: each instance ends once, with a reason
    when it did not complete, and every disconnect of a delivered product began."""
    dropper = Dropper(loss=0.3, irps=frozenset({Irp.LEGATO}), spare=frozenset(), seed=seed)
    result, trace = run_lossy(churn(count=6, term=3 * 3600), dropper, horizon=400 * 86400)
    check_every_instance_ended(result, trace, must_explain=lambda o: o.state != "completed")
    for n in range(1, 7):
        order = outcome(result, f"acme/order-{n}")
        began = f"acme/disconnect-{n}" in result.world.outcomes
        assert began == (order.state == "completed" and order.detail.get("product") is not None)
    assert dropper.dropped


def test_the_churn_scenario_ends_cleanly_and_forgets_what_ended() -> None:
    """scenarios/whatif/churn.yaml: 300 orders with a day's term, LEGATO lossy, an hour's
    retention. Every instance ends, one disconnect per delivered product, its expectations hold,
    and at the end the SOFs keep only the services that ended in its last hours."""
    scenario = load_scenario(ROOT / "scenarios" / "whatif" / "churn.yaml")
    result = run_scenario(scenario)
    outcomes = list(result.world.outcomes.values())
    assert all(o.ended is not None and o.state != "open" for o in outcomes)
    delivered = {o.instance for o in outcomes if "/order-" in o.instance and o.detail.get("product")}
    disconnects = {o.instance for o in outcomes if "/disconnect-" in o.instance}
    assert disconnects == {instance_of(i) for i in delivered}
    assert result.invariants is not None and result.invariants.failures() == []
    assert evaluate(scenario.expect, [], outcomes) == []
    assert sum(len(sof.services) for sof in result.world.sof.values()) < 30


@pytest.mark.parametrize("instance", ["acme/order-1", "acme/disconnect-1"])
def test_a_service_order_forgotten_before_bus_read_its_end_is_read_from_its_service(instance: str) -> None:
    """SOF-sp's notifications of the service order are lost and BUS-sp reads it only after a day's
    silence, when an hour's retention has made SOF-sp forget it: BUS-sp reads the service instead
    (active for an add, terminated or forgotten for a delete), and the instance completes."""

    def match(out: Outgoing) -> bool:
        return out.instance == instance and out.operation == "serviceOrderStateChangeEvent"

    scenario = churn(count=4, sellers={"retention": 3600.0})
    result, trace = run_lossy(scenario, Dropper(match=match), horizon=400 * 86400)
    assert outcome(result, instance).state == "completed", outcome(result, instance).reason
    reads = [
        r
        for r in trace.records
        if r.instance == instance and r.operation == "serviceGet" and r.src == "sof-sp" and r.status
    ]
    forgotten = [
        r
        for r in trace.records
        if r.instance == instance and r.operation == "retrieveServiceOrder" and r.kind is Kind.RESPONSE
    ]
    assert forgotten and forgotten[-1].status == 404 and "forgets" in str(forgotten[-1].payload)
    assert reads
    check_every_instance_ended(result, trace, must_explain=lambda o: o.state != "completed")


@pytest.mark.parametrize("instance", ["acme/order-1", "acme/disconnect-1"])
def test_a_forgotten_service_order_whose_service_cannot_be_read_fails_saying_so(instance: str) -> None:
    """As above, but every read of the service is lost too: BUS-sp cannot tell how the order
    ended, and the instance fails naming the read that went unanswered."""

    def match(out: Outgoing) -> bool:
        lost = ("serviceOrderStateChangeEvent", "serviceGet")
        return out.instance == instance and out.operation in lost

    scenario = churn(count=4, sellers={"retention": 3600.0})
    result, trace = run_lossy(scenario, Dropper(match=match), horizon=400 * 86400)
    ended = outcome(result, instance)
    assert ended.state == "failed"
    assert ended.reason is not None and "serviceGet" in ended.reason and "no response" in ended.reason
    check_every_instance_ended(result, trace, must_explain=lambda o: o.state != "completed")


@pytest.mark.parametrize("partner_fulfilment", ["interlude", "legato-sonata"])
def test_a_partner_order_forgotten_by_the_partner_does_not_stop_the_disconnect(
    partner_fulfilment: str,
) -> None:
    """With an hour's retention the partner forgets the order that delivered its part long before
    the term ends. Over LEGATO then SONATA, BUS-sp finds the partner's product in its inventory
    there (listProduct by productOrderId) and orders its delete; every disconnect completes and
    the inventories agree."""
    options = {"partner_fulfilment": partner_fulfilment}
    scenario = churn(count=3, sellers={"retention": 3600.0}, options=options)
    result, trace = run(scenario)
    for n in (1, 2, 3):
        assert outcome(result, f"acme/disconnect-{n}").state == "completed", outcome(
            result, f"acme/disconnect-{n}"
        ).reason
    assert result.invariants is not None and result.invariants.failures() == []
    if partner_fulfilment == "legato-sonata":
        lists = [
            r for r in trace.records if r.operation == "listProduct" and r.src == "bus-sp" and r.step == "9b"
        ]
        assert len(lists) == 3


def test_a_delete_whose_every_answer_was_lost_and_then_forgotten_completes() -> None:
    """Every answer of SOF-sp to the disconnect's createServiceOrder is lost: SOF-sp carries the
    delete out, and forgets the order an hour later, long before BUS-sp's last re-send gives up.
    Not finding the order by its externalId, BUS-sp reads the service: forgotten, so terminated
    (SOF forgets only services that ended). The disconnect completes and the inventories agree,
    where BUS-sp used to fail the disconnect and keep the product active."""

    def match(out: Outgoing) -> bool:
        return (
            out.instance == "acme/disconnect-1"
            and out.operation == "createServiceOrder"
            and out.kind is Kind.RESPONSE
            and out.src == "sof-sp"
        )

    dropper = Dropper(match=match)
    result, trace = run_lossy(churn(sellers={"retention": 3600.0}), dropper, horizon=400 * 86400)
    assert dropper.dropped
    disconnect = outcome(result, "acme/disconnect-1")
    assert disconnect.state == "completed", disconnect.reason
    found = [
        r
        for r in trace.records
        if r.instance == "acme/disconnect-1" and r.operation == "retrieveServiceOrder" and r.status
    ]
    assert found and found[-1].status == 404 and "forgets" in str(found[-1].payload)
    assert result.invariants is not None and result.invariants.failures() == []
    check_every_instance_ended(result, trace)


def test_a_partner_service_deleted_and_forgotten_before_its_read_got_through_ends_its_product() -> None:
    """BUS-partner hears of the deleted service (serviceDeleteEvent) but the answers to its reads
    are lost until SOF-partner has forgotten the service: the read then answered 404 says the
    service ended, so BUS-partner's product is terminated too, not left active."""
    lost = 0

    def match(out: Outgoing) -> bool:
        nonlocal lost
        partner_read = (
            out.instance == "acme/disconnect-1"
            and out.operation == "serviceGet"
            and out.kind is Kind.RESPONSE
            and out.src == "sof-partner-1"
        )
        if partner_read and lost < 4:  # every attempt of the first read
            lost += 1
            return True
        return False

    # Later orders make SOF-partner sweep what it may forget (it examines a few at each order).
    scenario = churn(count=4, sellers={"retention": 3600.0})
    result, trace = run_lossy(scenario, Dropper(match=match), horizon=400 * 86400)
    assert lost == 4
    answered = [
        r
        for r in trace.records
        if r.operation == "serviceGet" and r.src == "sof-partner-1" and r.delivered is not None
    ]
    assert answered and answered[-1].status == 404
    not_updated = [r for r in trace.records if r.operation == "productInventoryNotUpdated"]
    assert not not_updated, not_updated
    assert result.invariants is not None and result.invariants.failures() == []
    check_every_instance_ended(result, trace)
