"""From a validated scenario to a runnable world: architecture, topology, actors, workload.

Actor instance ids are derived from the scenario so traces read naturally: ``bus-sp``,
``sof-partner-1``, ``icm-<forwarding domain>``, ``ecm-<network element>``, customers by their id.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from typing import Any

from lso_sim.actors.roles import (
    BusinessApplications,
    Customer,
    ElementManager,
    InfrastructureManager,
    ServiceOrchestrator,
)
from lso_sim.actors.world import Options, PartnerFulfilment, World
from lso_sim.architecture.model import Architecture
from lso_sim.architecture.roles import DomainKind, Irp, Role
from lso_sim.engine.channel import ChannelSpec
from lso_sim.engine.observers import TraceObserver
from lso_sim.engine.retry import RetryPolicy
from lso_sim.engine.simulation import ChannelFactory, Simulation
from lso_sim.scenarios import faults, security
from lso_sim.scenarios.arrivals import arrival_times
from lso_sim.scenarios.channels import distribution, link_specs
from lso_sim.scenarios.schema import (
    DEFAULT_REQUEST_TIMEOUT,
    ActorModel,
    OrderModel,
    RetryModel,
    Scenario,
)
from lso_sim.sonata.api import state_of
from lso_sim.telemetry import Impairment, ImpairmentKind, TrafficProfile
from lso_sim.threads.ordering import OrderRequest
from lso_sim.threads.registry import install_threads
from lso_sim.threads.script import threads_called
from lso_sim.topology.network import NetworkTopology


def actor_ids(scenario: Scenario) -> dict[str, Any]:
    """Derived actor ids: ``bus``/``sof`` per domain, ``icm`` per forwarding domain, ``ecm`` per NE."""
    domains = [scenario.provider.id, *(p.id for p in scenario.partners)]
    return {
        "bus": {d: f"bus-{d}" for d in domains},
        "sof": {d: f"sof-{d}" for d in domains},
        "icm": {fd.id: f"icm-{fd.id}" for fd in scenario.topology.forwarding_domains},
        "ecm": {ne: f"ecm-{ne}" for fd in scenario.topology.forwarding_domains for ne in fd.network_elements},
    }


def build_architecture(scenario: Scenario) -> Architecture:
    """The actor graph of a scenario."""
    ids = actor_ids(scenario)
    arch = Architecture()
    provider = scenario.provider.id
    arch.add_domain(provider, DomainKind.PROVIDER)
    for partner in scenario.partners:
        arch.add_domain(partner.id, DomainKind.PARTNER)
    for customer in scenario.customers:
        arch.add_domain(customer.id, DomainKind.CUSTOMER)
        arch.add_actor(customer.id, Role.CUSTOMER, customer.id)
    for domain, bus in ids["bus"].items():
        arch.add_actor(bus, Role.BUS_SP if domain == provider else Role.BUS_PARTNER, domain)
    for domain, sof in ids["sof"].items():
        arch.add_actor(sof, Role.SOF_SP if domain == provider else Role.SOF_PARTNER, domain)
    for fd in scenario.topology.forwarding_domains:
        icm = ids["icm"][fd.id]
        arch.add_actor(icm, Role.ICM, fd.domain)
        for ne in fd.network_elements:
            arch.add_actor(ids["ecm"][ne], Role.ECM, fd.domain, manager=icm)
    return arch


def build_topology(scenario: Scenario) -> NetworkTopology:
    """The network of a scenario."""
    ids = actor_ids(scenario)
    topology = NetworkTopology(scenario.provider.id)
    for fd in scenario.topology.forwarding_domains:
        topology.add_forwarding_domain(fd.id, fd.domain, ids["icm"][fd.id])
        for ne in fd.network_elements:
            topology.add_network_element(ne, fd.id, ids["ecm"][ne])
    for link in scenario.topology.links:
        topology.add_link(link.a, link.b, capacity_mbps=link.capacity_mbps, cost=link.cost, enni=link.enni)
    for customer in scenario.customers:
        for site in customer.sites:
            topology.add_site(
                site.id,
                site.address,
                site.uni or f"uni-{site.id}",
                site.ne,
                capacity_mbps=site.capacity_mbps,
                cpe_first_slot=site.cpe.first_slot if site.cpe is not None else None,
            )
    return topology


def build_world(
    scenario: Scenario,
    observers: Iterable[TraceObserver] = (),
    *,
    channel_factory: ChannelFactory | None = None,
    pace: float | None = None,
) -> World:
    """Build the simulation, its actors and the behaviour of the scenario's threads."""
    architecture = build_architecture(scenario)
    default = scenario.channels.get("default")
    sim = Simulation(
        architecture,
        scenario.seed,
        channel_specs={Irp(k): _channel(v) for k, v in scenario.channels.items() if k != "default"},
        default_channel=_channel(default) if default else None,
        link_specs=link_specs(scenario, architecture),
        channel_factory=channel_factory,
        observers=observers,
        pace=pace,
    )
    o = scenario.options
    world = World(
        sim=sim,
        topology=build_topology(scenario),
        provider=scenario.provider.id,
        options=Options(
            PartnerFulfilment(o.partner_fulfilment),
            o.notification_wait,
            o.sat_failure_probability,
            o.poll_limit,
            tuple((a.action, a.attempts) for a in o.on_test_failure),
            o.topology_read_timeout,
        ),
        offerings=[offering.model_dump() for offering in scenario.offerings],
    )
    _configure_telemetry(scenario, world)
    ids = actor_ids(scenario)

    def settings(role: Role) -> dict[str, Any]:
        model = scenario.actors.get(role) or scenario.actors.get("default") or ActorModel()
        base = scenario.actors.get("default") or ActorModel()
        service = model.service_time or base.service_time
        return {
            "capacity": model.capacity if model.capacity is not None else base.capacity,
            "service_time": distribution(service) if service is not None else None,
            "request_timeout": model.request_timeout or base.request_timeout or DEFAULT_REQUEST_TIMEOUT,
            "retry": _retry(model.retry or base.retry or RetryModel()),
            "timings": {name: distribution(d) for name, d in scenario.timings.get(role, {}).items()},
        }

    for customer in scenario.customers:
        world.customers[customer.id] = Customer(
            sim,
            architecture.actor(customer.id),
            sites=[s.id for s in customer.sites],
            status_via=customer.status_via,
            **settings(Role.CUSTOMER),
        )
    for domain, actor_id in ids["bus"].items():
        spec = architecture.actor(actor_id)
        world.bus[domain] = BusinessApplications(sim, spec, **settings(spec.role))
        state_of(world.bus[domain]).retain(scenario.sellers.retention)
    for domain, actor_id in ids["sof"].items():
        spec = architecture.actor(actor_id)
        world.sof[domain] = ServiceOrchestrator(sim, spec, **settings(spec.role))
        world.sof[domain].retain(scenario.sellers.retention)  # below the sellers, the same
    world.telemetry.retention = scenario.sellers.retention  # stopped flows forgotten too
    for fd in scenario.topology.forwarding_domains:
        icm_id = ids["icm"][fd.id]
        world.icms[icm_id] = InfrastructureManager(
            sim, architecture.actor(icm_id), forwarding_domain=fd.id, **settings(Role.ICM)
        )
        for ne in fd.network_elements:
            ecm_id = ids["ecm"][ne]
            world.ecms[ecm_id] = ElementManager(
                sim, architecture.actor(ecm_id), network_elements=[ne], **settings(Role.ECM)
            )
    faults.install(scenario, world)
    security.enable(scenario, world)  # thread 10.8: on every IRP unless the scenario turns it off
    needed = [work.thread for work in scenario.workload]
    calls = [step.call for work in scenario.workload for step in work.api_script or [] if step.call]
    needed += threads_called(calls)  # an API script installs the sellers it calls
    if any(work.orders or work.generate for work in scenario.workload):
        needed.insert(0, "10.2")
    install_threads(world, needed)
    return world


def _retry(model: RetryModel) -> RetryPolicy:
    return RetryPolicy(model.attempts, model.backoff, model.factor, model.max_backoff)


def _configure_telemetry(scenario: Scenario, world: World) -> None:
    """Give the metric model the scenario's traffic profile and impairments."""
    t = scenario.telemetry
    world.telemetry.configure(
        TrafficProfile(
            interval=t.interval,
            load=t.load,
            load_spread=t.load_spread,
            diurnal=t.diurnal,
            frame_bytes=t.frame_bytes,
            base_loss=t.base_loss,
        )
    )
    for imp in scenario.impairments:
        world.telemetry.inject(
            Impairment(
                ne=imp.ne,
                start=imp.start,
                end=imp.end,
                kind=ImpairmentKind(imp.kind),
                loss=imp.loss,
                delay_ms=imp.delay_ms,
                jitter_ms=imp.jitter_ms,
                down=imp.down,
                alarm=imp.alarm,
                severity=imp.severity,
                repairable=imp.repairable,
            )
        )


def _channel(model: Any) -> ChannelSpec:
    return ChannelSpec(distribution(model.latency), model.loss, model.capacity)


def retail_offering(scenario: Scenario) -> str:
    """The offering an order names none of: the first retail one (else the first one)."""
    return next((o.id for o in scenario.offerings if not o.wholesale), scenario.offerings[0].id)


def order_request(order: OrderModel, retail: str, number: int) -> OrderRequest:
    """The 10.2 order of a workload entry; ``number`` counts the scenario's orders from 1."""
    return OrderRequest(
        order.customer,
        order.sites,
        order.bandwidth_mbps,
        order.offering or retail,
        order.at,
        f"{order.customer}/order-{number}",
    )


ORDER_STREAMS = ("workload/10.2", "workload/10.2/term", "workload/10.2/arrivals")
"""The streams generated orders draw from: customers, sites, bandwidths and gaps; terms; arrival
times of a profile (each its own, so that giving a term or a profile shifts no other draw)."""


class OrderRequests:
    """The 10.2 orders of the workload, made as they are walked: the explicit ones, then the
    generated ones.

    Generated orders draw from the simulation's own workload streams, so they depend only on the
    seed; their terms (``generate.term``) from ``workload/10.2/term``, so giving a term changes no
    order's customer, sites or bandwidth. Every walk draws from copies of those streams as they
    were when this was made, so each walk gives the same orders: the runner walks them once for
    the horizon and again as they arrive (:class:`~lso_sim.engine.launches.Launches`), and a
    million orders are never held at once (as a list, about 1 KB each from the first instant).
    """

    def __init__(self, scenario: Scenario, world: World) -> None:
        self._scenario = scenario
        self._retail = retail_offering(scenario)
        self._states = [world.sim.random.stream(name).getstate() for name in ORDER_STREAMS]

    def __iter__(self) -> Iterator[OrderRequest]:
        scenario, retail = self._scenario, self._retail
        rng, terms, arrivals = (_copy(state) for state in self._states)
        number = 0
        for work in scenario.workload:
            if work.thread != "10.2":
                continue  # other threads start their own orders (see scenarios/starters.py)
            for order in work.orders:
                number += 1
                yield order_request(order, retail, number)
            if work.generate is None:
                continue
            gen = work.generate
            pool = [
                c
                for c in scenario.customers
                if (gen.customers is None or c.id in gen.customers) and len(c.sites) >= 2
            ]
            gap = distribution(gen.interarrival)
            term = distribution(gen.term) if gen.term is not None else None
            at = 0.0
            times = arrival_times(gen.arrivals, gen.count, arrivals) if gen.arrivals is not None else None
            for _ in range(gen.count):
                if times is not None:
                    at = next(times)
                customer = pool[rng.randrange(len(pool))]
                a, b = rng.sample(range(len(customer.sites)), 2)
                bandwidth = gen.bandwidth_mbps[rng.randrange(len(gen.bandwidth_mbps))]
                number += 1
                yield OrderRequest(
                    customer.id,
                    (customer.sites[a].id, customer.sites[b].id),
                    bandwidth,
                    retail,
                    at,
                    f"{customer.id}/order-{number}",
                    term.sample(terms) if term is not None else None,
                )
                if times is None:
                    at += gap.sample(rng)


def _copy(state: Any) -> random.Random:
    rng = random.Random()
    rng.setstate(state)
    return rng


def order_requests(scenario: Scenario, world: World) -> list[OrderRequest]:
    """The 10.2 orders of the workload as a list (:class:`OrderRequests`, walked once)."""
    return list(OrderRequests(scenario, world))
