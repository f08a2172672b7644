"""Invariants checked after every run (docs/faults.md, "Invariants").

Each invariant holds on every canonical scenario, and breaks, naming what broke, on a hand-made
record stream or a hand-broken world. A property test drives random 10.2 order mixes (add,
modify, delete, cancel) and checks that bookings and inventories always agree.
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest
import simpy
from conftest import SCENARIOS

from lso_sim.actors.outcomes import Outcome
from lso_sim.actors.world import World
from lso_sim.architecture import Architecture, DomainKind, Role
from lso_sim.cli.main import main
from lso_sim.engine import Actor, ChannelSpec, Constant, MemoryTrace, RequestTimeout, Simulation
from lso_sim.invariants import InvariantReport, MessageLedger, Status, check_run
from lso_sim.invariants.bookings import check_bookings
from lso_sim.invariants.inventories import check_inventories
from lso_sim.invariants.result import MAX_LISTED
from lso_sim.messages import Flow, Kind, Message
from lso_sim.replay.check import check_scenario
from lso_sim.scenarios import load_scenario, run_scenario
from lso_sim.scenarios import runner as runner_module
from lso_sim.scenarios.runner import RunResult
from lso_sim.sonata import state_of

CANONICAL = sorted(SCENARIOS.glob("*.yaml"))


def run(name: str, **update: Any) -> RunResult:
    scenario = load_scenario(SCENARIOS / name)
    if update:
        data = scenario.model_dump(mode="json")
        for key, value in update.items():
            data["options" if key == "partner_fulfilment" else key] = (
                dict(data["options"], partner_fulfilment=value) if key == "partner_fulfilment" else value
            )
        scenario = type(scenario).model_validate(data)
    return run_scenario(scenario)


def report_of(result: RunResult) -> InvariantReport:
    assert result.invariants is not None
    return result.invariants


def result_named(report: InvariantReport, name: str) -> Any:
    return next(r for r in report.results if r.name == name)


# -- every canonical scenario ----------------------------------------------------------------------


@pytest.mark.parametrize("path", CANONICAL, ids=lambda p: p.stem)
def test_every_invariant_holds_on_the_canonical_scenarios(path: Path) -> None:
    report = report_of(run_scenario(load_scenario(path)))
    assert [str(r) for r in report.results if r.status is not Status.HELD] == []
    assert [r.name for r in report.results] == [
        "one-outcome-per-instance",
        "requests-answered",
        "messages-conserved",
        "bookings-match-services",
        "inventories-agree",
    ]
    assert not report.cut


def test_the_legato_sonata_option_keeps_every_invariant() -> None:
    report = report_of(run("thread-10.2.yaml", partner_fulfilment="legato-sonata"))
    assert report.ok, report.failures()


# -- a hand-made record stream ---------------------------------------------------------------------


class Stream:
    """Records as the engine makes them, fed to a ledger."""

    def __init__(self) -> None:
        self.ledger = MessageLedger()
        self.seq = 0

    def add(
        self,
        kind: Kind,
        *,
        lost: bool = False,
        answers: str | None = None,
        retry_of: str | None = None,
        instance: str = "order-1",
        src: str = "acme",
        dst: str = "bus-sp",
    ) -> str:
        seq, self.seq = self.seq, self.seq + 1
        ident = f"m{seq}"
        correlation = answers if kind is not Kind.REQUEST else (retry_of or ident)
        time = float(seq)
        message = Message(
            seq, time, None if lost else time + 0.5, ident, "10.2", instance, "1", "CANTATA", src, dst,
            "Customer", "BUS-sp", kind, "createProductOrder", None, correlation, None, {},
        )  # fmt: skip
        self.ledger.on_record(message)
        return ident


def settled(*script: str, cut: bool = False) -> Any:
    """Play a script of request events ('req', 'req lost', 'resp', 'resp lost', 'timeout', 'retry')."""
    stream = Stream()
    first = last = ""
    for step in script:
        if step.startswith("req"):
            first = last = stream.add(Kind.REQUEST, lost=step.endswith("lost"))
        elif step.startswith("retry"):
            last = stream.add(Kind.REQUEST, lost=step.endswith("lost"), retry_of=first)
        elif step.startswith("resp"):
            stream.add(Kind.RESPONSE, lost=step.endswith("lost"), answers=last, src="bus-sp", dst="acme")
        elif step == "late resp to first":
            stream.add(Kind.RESPONSE, answers=first, src="bus-sp", dst="acme")
        elif step == "timeout":
            stream.add(Kind.TIMEOUT, answers=last)
    return stream.ledger.check_requests(cut)


@pytest.mark.parametrize(
    "script",
    [
        ("req", "resp"),
        ("req lost", "timeout"),
        ("req", "resp lost", "timeout"),
        ("req", "timeout", "late resp to first"),
        ("req", "resp lost", "retry", "resp"),
        ("req lost", "retry lost", "retry", "resp"),
        ("req lost", "retry", "late resp to first", "resp"),
    ],
    ids=" ".join,
)
def test_a_request_is_settled_by_a_response_a_timeout_or_a_retry(script: tuple[str, ...]) -> None:
    assert settled(*script).status is Status.HELD


@pytest.mark.parametrize(
    ("script", "why"),
    [
        (("req",), "unanswered"),
        (("req lost",), "request lost"),
        (("req", "resp lost"), "response lost"),
        (("req lost", "retry", "resp lost"), "response lost"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else v,
)
def test_a_request_nobody_settled_breaks_the_invariant_saying_why(script: tuple[str, ...], why: str) -> None:
    result = settled(*script)
    assert result.status is Status.BROKEN and result.offenders == 1
    assert "requests with no response, timeout or retry" in result.explanation
    assert "createProductOrder acme->bus-sp (10.2/order-1, t=" in result.explanation
    assert result.explanation.endswith(why)


def test_at_a_horizon_unsettled_requests_are_in_flight_not_violations() -> None:
    result = settled("req", cut=True)
    assert result.status is Status.HELD
    assert "1 in flight at the horizon: m0 createProductOrder" in result.explanation


def test_explanations_list_a_few_offenders_and_count_the_rest() -> None:
    stream = Stream()
    for n in range(MAX_LISTED + 4):
        stream.add(Kind.REQUEST, instance=f"order-{n}")
    result = stream.ledger.check_requests(False)
    assert result.offenders == MAX_LISTED + 4 and result.explanation.endswith("and 4 more")
    assert result.explanation.count("createProductOrder") == MAX_LISTED


def outcome(instance: str, ended: float | None = 10.0) -> Outcome:
    return Outcome("10.2", instance, 0.0, ended, "completed" if ended is not None else "running")


def test_each_instance_that_began_has_exactly_one_outcome_record() -> None:
    stream = Stream()
    for instance in ("order-1", "order-2", "order-2", "ghost"):
        stream.add(Kind.OUTCOME, instance=instance)
    began = {i: outcome(i) for i in ("order-1", "order-2", "order-3")}
    result = stream.ledger.check_outcomes(began)
    assert result.status is Status.BROKEN and result.offenders == 3
    assert "order-2: 2 outcome records" in result.explanation
    assert "order-3: 0 outcome records" in result.explanation
    assert "ghost: outcome record but the instance never began" in result.explanation
    fewer = {"order-1": outcome("order-1"), "ghost": outcome("ghost")}
    assert stream.ledger.check_outcomes(fewer).held is False
    good = Stream()
    good.add(Kind.OUTCOME, instance="order-1")
    assert good.ledger.check_outcomes({"order-1": outcome("order-1")}).status is Status.HELD


# -- message conservation on a small simulation ---------------------------------------------------


def small_world(loss: float, timeout: float | None = 5.0) -> tuple[Simulation, MessageLedger, Actor, Actor]:
    arch = Architecture()
    arch.add_domain("cus", DomainKind.CUSTOMER)
    arch.add_domain("sp", DomainKind.PROVIDER)
    arch.add_actor("cus", Role.CUSTOMER, "cus")
    arch.add_actor("bus", Role.BUS_SP, "sp")
    ledger = MessageLedger()
    sim = Simulation(arch, 3, default_channel=ChannelSpec(Constant(0.5), loss=loss), observers=[ledger])
    cus = Actor(sim, arch.actor("cus"), request_timeout=timeout)
    bus = Actor(sim, arch.actor("bus"))
    bus.on("ping", lambda msg: bus.respond(msg, 200, {}))

    def client() -> Generator[simpy.Event, Any, None]:
        for _ in range(40):
            with contextlib.suppress(RequestTimeout):
                yield from cus.request("bus", "ping", {}, flow=Flow("t", "i"), step="1")

    sim.env.process(client())
    return sim, ledger, cus, bus


def conservation(sim: Simulation, ledger: MessageLedger, cut: bool = False) -> Any:
    return ledger.check_conservation(sim.channels(), sim.actors, sim.now, cut)


def test_with_losses_and_timeouts_messages_and_requests_are_accounted_for() -> None:
    sim, ledger, _, _ = small_world(loss=0.3)
    sim.run()
    (channel,) = sim.channels()
    assert channel.lost > 0
    result = conservation(sim, ledger)
    assert result.status is Status.HELD and f"{channel.lost} lost + 0 in transit" in result.explanation
    assert ledger.check_requests(False).status is Status.HELD


def test_a_lost_answer_without_a_timeout_is_a_request_nobody_settled() -> None:
    sim, ledger, _, _ = small_world(loss=0.3, timeout=None)
    sim.run()
    result = ledger.check_requests(False)
    assert result.status is Status.BROKEN and result.offenders == 1
    assert result.explanation.endswith(("request lost", "response lost"))


def test_a_run_cut_at_a_horizon_counts_messages_in_transit() -> None:
    sim, ledger, _, _ = small_world(loss=0.0)
    sim.run(until=3.25)  # the second request is on the wire
    result = conservation(sim, ledger, cut=True)
    assert result.status is Status.HELD and "+ 1 in transit" in result.explanation
    not_cut = conservation(sim, ledger, cut=False)
    assert not_cut.status is Status.BROKEN and "1 messages still in transit" in not_cut.explanation


@pytest.mark.parametrize("tamper", ["channel sent", "channel lost", "actor received"])
def test_counters_that_disagree_with_the_records_break_conservation(tamper: str) -> None:
    sim, ledger, _, bus = small_world(loss=0.3)
    sim.run()
    (channel,) = sim.channels()
    if tamper == "channel sent":
        channel.sent += 1
    elif tamper == "channel lost":
        channel.lost += 1
    else:
        bus.stats.received -= 1
    result = conservation(sim, ledger)
    assert result.status is Status.BROKEN
    expected = "bus: " if tamper == "actor received" else "CANTATA bus-cus: channel sent"
    assert expected in result.explanation


# -- bookings and inventories on a hand-broken world -----------------------------------------------


@pytest.fixture
def delivered() -> World:
    """The canonical 10.2 run: one product delivered across the SP and the partner."""
    return run_scenario(load_scenario(SCENARIOS / "thread-10.2.yaml")).world


def test_a_link_booked_more_than_its_services_hold_breaks_the_bookings(delivered: World) -> None:
    assert check_bookings(delivered).status is Status.HELD
    delivered.topology.graph.edges["p-core-1", "p-core-2"]["used"] += 50.0
    result = check_bookings(delivered)
    assert result.status is Status.BROKEN and result.offenders == 1
    assert "link p-core-1-p-core-2: booked 250 Mb/s, held by svc-" in result.explanation
    assert result.explanation.endswith("= 200")
    assert check_bookings(delivered, cut=True).status is Status.SKIPPED


def test_a_service_released_without_giving_its_bandwidth_back_breaks_the_bookings(delivered: World) -> None:
    (record,) = delivered.sof_sp.services.values()
    record.reserved = []
    result = check_bookings(delivered)
    assert result.status is Status.BROKEN
    assert "booked 200 Mb/s, held by no service = 0" in result.explanation


def products(world: World, domain: str) -> list[Any]:
    state = state_of(world.bus[domain])
    return [p for store in state.buyers.values() for p in store.all("product")]


def test_inventories_hold_then_break_when_a_product_and_its_service_disagree(delivered: World) -> None:
    assert check_inventories(delivered).status is Status.HELD
    (record,) = delivered.sof_sp.services.values()
    record.bandwidth_mbps = 300.0
    result = check_inventories(delivered)
    assert result.status is Status.BROKEN
    assert "shows 200 Mb/s but service svc-" in result.explanation and "has 300" in result.explanation


def test_a_terminated_service_under_an_active_product_breaks_the_inventories(delivered: World) -> None:
    (record,) = delivered.sof["partner-1"].services.values()
    record.service.move("terminated", delivered.sim.now)
    result = check_inventories(delivered)
    assert result.status is Status.BROKEN
    assert "is active but service svc-" in result.explanation and "is terminated" in result.explanation


def test_a_partner_product_that_is_missing_breaks_the_inventories(delivered: World) -> None:
    (partner_product,) = products(delivered, "partner-1")
    partner_product.private["order"] = "elsewhere"
    result = check_inventories(delivered)
    assert result.status is Status.BROKEN
    assert "left no product at bus-partner-1" in result.explanation


def test_a_product_stuck_in_a_transitional_status_breaks_the_inventories(delivered: World) -> None:
    (product,) = products(delivered, "sp")
    product.move("active.pendingChange", delivered.sim.now, field_name="status")
    result = check_inventories(delivered)
    assert result.status is Status.BROKEN and "is still active.pendingChange" in result.explanation


# -- wired into run, check and the pytest plugin ---------------------------------------------------


@pytest.fixture
def leaking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every run leaks 10 Mb/s on one link before its invariants are checked."""
    original = runner_module.check_run

    def leak(world: World, ledger: MessageLedger, *, cut: bool | None = None) -> InvariantReport:
        a, b, _ = next(iter(world.topology.graph.edges(data=True)))
        world.topology.graph.edges[a, b]["used"] += 10.0
        return original(world, ledger, cut=cut)

    monkeypatch.setattr(runner_module, "check_run", leak)


def test_run_shows_the_invariants_and_exits_0_when_they_hold(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--thread", "10.2", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "Invariants" in out and "bookings-match-services" in out and "broken" not in out


@pytest.mark.usefixtures("leaking")
def test_run_exits_1_naming_the_broken_invariant(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--thread", "10.2", "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "1 invariant broken:" in out
    assert "invariant bookings-match-services broken: 1 links whose booking differs" in out


@pytest.mark.usefixtures("leaking")
def test_check_fails_a_scenario_whose_invariants_break() -> None:
    result = check_scenario(SCENARIOS / "thread-10.2.yaml")
    assert result.status == "failed" and result.failures == ()
    assert len(result.invariants) == 1 and "bookings-match-services" in result.invariants[0]


def test_check_run_reports_a_cut_run() -> None:
    """Stopped while the Customer waits for its quote: in flight, not broken; not cut: broken."""
    scenario = load_scenario(SCENARIOS / "thread-10.2.yaml")
    trace = MemoryTrace()
    run_scenario(scenario, [trace])
    answers = {r.correlation_id: r.time for r in trace.records if r.kind is Kind.RESPONSE}
    waiting = next(r for r in trace.records if r.kind is Kind.REQUEST and answers[r.id] - r.time > 60)
    result = run_scenario(scenario, until=waiting.time + 30)
    report = report_of(result)
    assert report.cut and report.ok, report.failures()
    assert "in flight at the horizon" in result_named(report, "requests-answered").explanation
    ledger = MessageLedger()
    for record in trace.records:
        if record.time <= waiting.time:
            ledger.on_record(record)
    assert result_named(check_run(result.world, ledger, cut=False), "requests-answered").held is False
