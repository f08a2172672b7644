"""The world a scenario builds: the simulation with its live actors, topology and options.

Threads receive a :class:`World` to find their peers: the BUS and SOF of each domain, the ICM of a
forwarding domain, the ECM of a network element.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import simpy

from lso_sim.actors.outcomes import Outcome, Outcomes
from lso_sim.actors.roles import (
    BusinessApplications,
    Customer,
    ElementManager,
    InfrastructureManager,
    RoleActor,
    ServiceOrchestrator,
)
from lso_sim.architecture.roles import DomainKind
from lso_sim.engine.actor import Actor
from lso_sim.engine.simulation import Simulation
from lso_sim.errors import LsoSimError
from lso_sim.messages.envelope import Flow, Kind, Message
from lso_sim.telemetry import NetworkTelemetry
from lso_sim.topology.network import NetworkTopology

END_STEP = "end"
"""Step label of an instance's ``outcome`` record, in every thread."""

AUDIT_STEP = "audit"
"""Step label of the audit record (thread 10.8's step 4) a refused message of another thread leaves
in that thread's instance: the refusal is audited there, so it is part of none of its steps."""

SETUP_STEP = "setup"
"""Step label of set-up hops (a buyer registering its notification hub): work that lets a later
MEF step's events arrive but is part of no MEF step, so it carries no MEF step number."""


class PartnerFulfilment(StrEnum):
    """How SOF-sp obtains partner components in 10.2 step 9b (the two options MEF names)."""

    INTERLUDE = "interlude"
    """SOF-sp -> INTERLUDE -> SOF-partner, guided by policy."""
    LEGATO_SONATA = "legato-sonata"
    """SOF-sp -> LEGATO -> BUS-sp -> SONATA -> BUS-partner."""


@dataclass(frozen=True, slots=True)
class Options:
    """Behavioural options of a run (from the scenario's ``options`` block).

    Attributes:
        partner_fulfilment: option of 10.2 step 9b.
        notification_wait: how long an actor waits for an awaited notification before it polls.
        sat_failure_probability: chance that a service activation test fails.
    """

    partner_fulfilment: PartnerFulfilment = PartnerFulfilment.INTERLUDE
    notification_wait: float = 86400.0
    sat_failure_probability: float = 0.0
    poll_limit: int = 10
    """How many times a party polls for a resource that does not reach an end state before it
    gives up on it (a buyer on its order, BUS on a service order)."""
    on_test_failure: tuple[tuple[str, int], ...] = ()
    """10.2's closed loop (MEF's note at step 12): ``(action, attempts)`` in the order SOF-sp tries
    them when an activation test fails; empty: the order fails at once."""
    topology_read_timeout: float | None = None
    """Seconds a SOF waits for each attempt of a topology read from an ICM (its ICM half of it for
    its ECMs); ``None``: the actor's own request timeout (:mod:`lso_sim.threads.topology_info`)."""


class _LastRecord:
    """Observer keeping the last record of each running instance (one dict store per record).

    An ended instance's records (its outcome, a late duplicate) are not kept: only an instance
    still open at the end is described by its last record, and a run of a million orders must not
    keep one message per order.
    """

    __slots__ = ("_outcomes", "last")

    def __init__(self, outcomes: Outcomes) -> None:
        self.last: dict[str, Message] = {}
        self._outcomes = outcomes

    def on_record(self, record: Message) -> None:
        if not self._outcomes.ended(record.instance):
            self.last[record.instance] = record


@dataclass(slots=True)
class World:
    """Everything a thread needs to run."""

    sim: Simulation
    topology: NetworkTopology
    provider: str
    options: Options
    customers: dict[str, Customer] = field(default_factory=dict)
    bus: dict[str, BusinessApplications] = field(default_factory=dict)
    sof: dict[str, ServiceOrchestrator] = field(default_factory=dict)
    icms: dict[str, InfrastructureManager] = field(default_factory=dict)
    ecms: dict[str, ElementManager] = field(default_factory=dict)
    offerings: list[dict[str, Any]] = field(default_factory=list)
    outcomes: Outcomes = field(init=False)
    """Every thread instance that began, how it ended (packed once ended: :mod:`lso_sim.actors.outcomes`)."""
    telemetry: NetworkTelemetry = field(init=False)
    """The ECM metric model of the network (see :mod:`lso_sim.telemetry`)."""

    _last: _LastRecord = field(init=False)

    def __post_init__(self) -> None:
        self.telemetry = NetworkTelemetry(self.sim.random.seed, lambda: self.sim.now, self._ne_capacity)
        self.outcomes = Outcomes(self.sim.actor)
        self._last = _LastRecord(self.outcomes)
        self.sim.add_observer(self._last)

    def _ne_capacity(self, ne: str) -> float:
        """An NE's forwarding capacity: its fastest attached link (what utilisation is measured on)."""
        graph = self.topology.graph
        if ne not in graph:
            return 1.0
        return max((float(data["capacity"]) for _, _, data in graph.edges(ne, data=True)), default=1.0)

    def offering(self, offering_id: str) -> dict[str, Any]:
        """The product offering ``offering_id`` of the SP's catalog."""
        for offering in self.offerings:
            if offering["id"] == offering_id:
                return offering
        raise LsoSimError(f"unknown product offering {offering_id!r}")

    def begin(self, thread: str, instance: str, driver: Actor) -> Outcome:
        """Record that a thread instance starts now, driven by ``driver``."""
        outcome = Outcome(thread, instance, self.sim.now, driver)
        self.outcomes[instance] = outcome
        return outcome

    def finish(self, instance: str, state: str, reason: str | None = None, **detail: Any) -> None:
        """Record that a thread instance ended now in ``state``, and write its ``outcome`` record.

        An instance ends once: a later call (a late answer after the driver gave up, say) changes
        nothing, so every instance has exactly one outcome.
        """
        outcome = self.outcomes[instance]
        if outcome.ended is not None:
            return
        outcome.ended = self.sim.now
        outcome.state = state
        outcome.reason = reason
        outcome.detail.update(detail)
        driver = outcome.driver or self.bus_sp
        self._last.last.pop(instance, None)
        for actor in self.sim.actors.values():
            if isinstance(actor, RoleActor):
                actor.waiting.release(instance)  # the instance is over: its fired signals are spent
        self.sim.record_local(
            driver,
            Kind.OUTCOME,
            "outcome",
            {"state": state, "reason": reason},
            flow=Flow(outcome.thread, instance),
            step=END_STEP,
        )
        self.outcomes.settle(instance)

    def is_over(self, instance: str) -> bool:
        """Whether ``instance`` began and has ended."""
        return self.outcomes.ended(instance)

    def guarded(
        self, body: Generator[simpy.Event, Any, Any], instance: str | None = None
    ) -> Generator[simpy.Event, Any, None]:
        """Run a thread's life line; a failure it did not handle ends its instance, never the run.

        ``instance`` is the instance the life line drives (when known before it begins); one that
        began and has not ended gets outcome ``failed`` with the error as reason.
        """
        try:
            yield from body
        except LsoSimError as exc:
            outcome = self.outcomes.get(instance) if instance is not None else None
            driver = outcome.driver if outcome is not None and outcome.driver else self.bus_sp
            flow = Flow(outcome.thread, outcome.instance) if outcome is not None else Flow("-", "-")
            self.sim.record_local(
                driver,
                Kind.ERROR,
                "instanceFailed",
                {"error": type(exc).__name__, "reason": str(exc)},
                flow=flow,
                step="-",
            )
            if outcome is not None:
                self.finish(outcome.instance, "failed", str(exc))

    def close_open(self, at_horizon: bool) -> list[Outcome]:
        """End every instance still running when the run stops, in state ``open``, saying what it
        was waiting for; returns them. Call once, after the simulation stopped."""
        pending: dict[str, list[str]] = {}
        for actor in self.sim.actors.values():
            for flow, what in actor.pending_calls():
                pending.setdefault(flow.instance, []).append(what)
        still = self.outcomes.still_running()
        for outcome in still:
            waits = pending.get(outcome.instance)
            if waits:
                waiting = "waiting for " + "; ".join(sorted(waits))
            else:
                last = self.last_records.get(outcome.instance)
                waiting = "waiting for a notification or a timer" + (
                    f" (last: {last.kind} {last.operation} {last.src} -> {last.dst} at {last.time:g} s)"
                    if last is not None
                    else ""
                )
            why = "still running at the horizon" if at_horizon else "nothing left to happen"
            self.finish(outcome.instance, "open", f"{why}: {waiting}")
        return still

    @property
    def last_records(self) -> dict[str, Message]:
        """The last record of each thread instance (what an open instance did last)."""
        return self._last.last

    @property
    def bus_sp(self) -> BusinessApplications:
        """The service provider's BUS."""
        return self.bus[self.provider]

    @property
    def sof_sp(self) -> ServiceOrchestrator:
        """The service provider's SOF."""
        return self.sof[self.provider]

    def partners(self) -> list[str]:
        """Ids of the partner domains."""
        return [d.id for d in self.sim.architecture.domains(DomainKind.PARTNER)]

    def icm_of_fd(self, fd: str) -> InfrastructureManager:
        """The ICM managing forwarding domain ``fd``."""
        try:
            return self.icms[self.topology.forwarding_domains[fd].icm]
        except KeyError:
            raise LsoSimError(f"no ICM manages forwarding domain {fd!r}") from None

    def customer(self, customer_id: str) -> Customer:
        """The customer actor called ``customer_id``."""
        try:
            return self.customers[customer_id]
        except KeyError:
            raise LsoSimError(f"unknown customer {customer_id!r}") from None
