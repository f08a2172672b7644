"""The world a scenario builds: the simulation with its live actors, topology and options.

Threads receive a :class:`World` to find their peers: the BUS and SOF of each domain, the ICM of a
forwarding domain, the ECM of a network element.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from lso_sim.actors.roles import (
    BusinessApplications,
    Customer,
    ElementManager,
    InfrastructureManager,
    ServiceOrchestrator,
)
from lso_sim.architecture.roles import DomainKind
from lso_sim.engine.simulation import Simulation
from lso_sim.errors import LsoSimError
from lso_sim.telemetry import NetworkTelemetry
from lso_sim.topology.network import NetworkTopology


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


@dataclass(slots=True)
class Outcome:
    """How one thread instance ended, as the actor that drove it saw it.

    Attributes:
        thread: thread id.
        instance: instance id.
        started: simulated time it started.
        ended: simulated time it ended (``None`` while still running).
        state: final state in MEF terms (e.g. the product order state), or why it stopped.
        detail: extra facts for summaries (order id, product id...).
    """

    thread: str
    instance: str
    started: float
    ended: float | None = None
    state: str = "running"
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def lead_time(self) -> float | None:
        """Ended minus started, when ended."""
        return None if self.ended is None else self.ended - self.started


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
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    telemetry: NetworkTelemetry = field(init=False)
    """The ECM metric model of the network (see :mod:`lso_sim.telemetry`)."""

    def __post_init__(self) -> None:
        self.telemetry = NetworkTelemetry(self.sim.random.seed, lambda: self.sim.now, self._ne_capacity)

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

    def begin(self, thread: str, instance: str) -> Outcome:
        """Record that a thread instance starts now."""
        outcome = Outcome(thread, instance, self.sim.now)
        self.outcomes[instance] = outcome
        return outcome

    def finish(self, instance: str, state: str, **detail: Any) -> None:
        """Record that a thread instance ended now in ``state``."""
        outcome = self.outcomes[instance]
        outcome.ended = self.sim.now
        outcome.state = state
        outcome.detail.update(detail)

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
