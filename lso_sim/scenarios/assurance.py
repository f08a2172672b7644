"""Starters of the assurance threads' workload blocks: 10.3 ``control``, 10.4 ``reports``, 10.6 ``sls``.

Each block's ``orders`` are first established through thread 10.2 (instances
``<customer>/order-<n>``, numbered after the 10.2 workload's own orders); once a service is active,
the block's thread instances start on it, at times given relative to that moment.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import simpy

from lso_sim.actors.roles import ServiceRecord
from lso_sim.actors.world import World
from lso_sim.scenarios.build import order_request, retail_offering
from lso_sim.scenarios.schema import ChangeModel, Scenario, WorkloadModel
from lso_sim.threads import control, reports, sls
from lso_sim.threads.ordering import OrderRequest
from lso_sim.threads.prerequisite import establish

OnActive = Callable[[int, ServiceRecord, OrderRequest], None]
"""Called when the service of order ``index`` of the block is active."""

Planned = Callable[[int, OrderRequest], list[str]]
"""The thread instances a block would start on the service of order ``index``."""


def prerequisite_orders(scenario: Scenario, work: WorkloadModel) -> list[OrderRequest]:
    """The 10.2 orders that establish the services of a workload block, with unique instance ids."""
    before = sum(
        len(w.orders) + (w.generate.count if w.generate is not None else 0)
        for w in scenario.workload
        if w.thread == "10.2"
    )
    for other in scenario.workload:
        if other is work:
            break
        if other.thread != "10.2":
            before += len(other.orders)
    retail = retail_offering(scenario)
    return [order_request(order, retail, before + n) for n, order in enumerate(work.orders, start=1)]


def _establish_then(
    world: World, index: int, request: OrderRequest, on_active: OnActive, planned: Planned, thread: str
) -> Generator[simpy.Event, Any, None]:
    record = yield from establish(world, request)
    if record is not None:
        on_active(index, record, request)
        return
    # No service to act on: the instances planned on it still end, saying why they never ran.
    order = world.outcomes.get(request.instance)
    why = f"order {request.instance} ended {order.state if order else 'unstarted'}"
    if order is not None and order.reason:
        why += f": {order.reason}"
    for instance in planned(index, request):
        world.begin(thread, instance, world.customer(request.customer))
        world.finish(instance, "noService", why)


def start_block(
    scenario: Scenario, work: WorkloadModel, world: World, on_active: OnActive, planned: Planned
) -> None:
    """Establish each order of ``work`` through 10.2, then call ``on_active`` (or end the instances
    ``planned`` on it, saying why, when the service never became active)."""
    for index, request in enumerate(prerequisite_orders(scenario, work)):
        world.sim.env.process(
            world.guarded(
                _establish_then(world, index, request, on_active, planned, work.thread), request.instance
            )
        )


_start_block = start_block  # the name other branches may still use


def start_control(scenario: Scenario, work: WorkloadModel, world: World) -> None:
    """Thread 10.3: after each service is active, its customer's changes, each its own instance."""
    block = work.control
    assert block is not None
    c = block.constraints
    policy = {
        "minBandwidthMbps": c.min_bandwidth_mbps,
        "maxBandwidthMbps": c.max_bandwidth_mbps,
        "scheduledChanges": c.scheduled_changes,
        "reservations": c.reservations,
        "trafficFiltering": c.traffic_filtering,
        "maxFilterRules": c.max_filter_rules,
        "filterActions": sorted(set(c.filter_actions)),
    }
    numbered = list(enumerate(block.changes, start=1))

    def on_active(index: int, record: ServiceRecord, request: OrderRequest) -> None:
        assert record.product_order is not None
        world.sof_sp.control_policies[record.product_order] = dict(policy)
        now = world.sim.now
        for n, change in numbered:
            if change.order != index:
                continue
            instance = f"{request.customer}/change-{n}"
            world.sim.env.process(
                world.guarded(
                    control.run(
                        world,
                        control.ChangeRequest(
                            request.customer,
                            record.product_order,
                            change.bandwidth_mbps,
                            now + change.after,
                            instance,
                            change.delay,
                            change.duration,
                            _rules(change),
                        ),
                    ),
                    instance,
                )
            )

    def planned(index: int, request: OrderRequest) -> list[str]:
        return [f"{request.customer}/change-{n}" for n, change in numbered if change.order == index]

    start_block(scenario, work, world, on_active, planned)


def _rules(change: ChangeModel) -> list[dict[str, Any]] | None:
    """A change's traffic filter as SOF-sp's ALLEGRO body names it (``None``: left as it is)."""
    if change.traffic_filter is None:
        return None
    return [
        {
            "action": rule.action,
            "match": {
                k: v
                for k, v in (("vlan", rule.match.vlan), ("etherType", rule.match.ether_type))
                if v is not None
            },
        }
        for rule in change.traffic_filter
    ]


def start_reports(scenario: Scenario, work: WorkloadModel, world: World) -> None:
    """Thread 10.4: after each service is active, its customer's report requests."""
    block = work.reports
    assert block is not None
    reports.configure(world, freshness=block.freshness)
    numbered = list(enumerate(block.requests, start=1))

    def on_active(index: int, record: ServiceRecord, request: OrderRequest) -> None:
        assert record.product_order is not None
        now = world.sim.now
        for n, item in numbered:
            if item.order != index:
                continue
            trigger = (
                None
                if item.trigger is None
                else reports.Trigger(item.trigger.metric, item.trigger.threshold, item.trigger.within)
            )
            instance = f"{request.customer}/report-{n}"
            world.sim.env.process(
                world.guarded(
                    reports.run(
                        world,
                        reports.ReportRequest(
                            request.customer,
                            record.product_order,
                            item.type,
                            now + item.after,
                            instance,
                            window=item.window,
                            every=item.every,
                            count=item.count if item.every is not None else 1,
                            trigger=trigger,
                        ),
                    ),
                    instance,
                )
            )

    def planned(index: int, request: OrderRequest) -> list[str]:
        return [f"{request.customer}/report-{n}" for n, item in numbered if item.order == index]

    start_block(scenario, work, world, on_active, planned)


def start_sls(scenario: Scenario, work: WorkloadModel, world: World) -> None:
    """Thread 10.6: after each service is active, SOF-sp assesses it against its objectives."""
    block = work.sls
    assert block is not None
    o = block.objectives
    objectives = {
        "frame_loss_ratio": o.frame_loss_ratio,
        "delay_ms": o.delay_ms,
        "jitter_ms": o.jitter_ms,
        "availability": o.availability,
    }

    def on_active(index: int, record: ServiceRecord, request: OrderRequest) -> None:
        instance = f"{request.customer}/sls-{index + 1}"
        world.sim.env.process(
            world.guarded(
                sls.run(
                    world,
                    sls.Assessment(
                        record.service.id,
                        objectives,
                        world.sim.now + block.after,
                        block.period,
                        block.periods,
                        instance,
                        request.customer,
                    ),
                ),
                instance,
            )
        )

    def planned(index: int, request: OrderRequest) -> list[str]:
        return [f"{request.customer}/sls-{index + 1}"]

    start_block(scenario, work, world, on_active, planned)
