"""How each thread's workload block becomes running thread instances.

The scenario layer owns this translation so that threads never see scenario files: a starter reads
one validated :class:`~lso_sim.scenarios.schema.WorkloadModel` and starts simpy processes of its
thread on the world. Thread 10.2's orders are started by :func:`~lso_sim.scenarios.build.order_requests`
(they are numbered across the whole workload); every other thread registers a starter here.
"""

from __future__ import annotations

from collections.abc import Callable

from lso_sim.actors.world import World
from lso_sim.scenarios.schema import Scenario, WorkloadModel

Starter = Callable[[Scenario, WorkloadModel, World], None]
"""Starts the work of one workload item (called once per item, before the clock runs)."""

STARTERS: dict[str, Starter] = {}
"""Thread id -> its starter (every runnable thread but 10.2)."""


def start_trouble(scenario: Scenario, work: WorkloadModel, world: World) -> None:
    """Thread 10.5: each report establishes its service with 10.2, then breaks an element on it."""
    from lso_sim.errors import ScenarioError
    from lso_sim.threads import trouble
    from lso_sim.threads.ordering import OrderRequest

    index = scenario.workload.index(work)
    where = f"workload.{index}.trouble"
    if work.trouble is None:
        raise ScenarioError(f"<scenario {scenario.name}>", where, "a 'trouble' block for thread 10.5")
    retail = next((o.id for o in scenario.offerings if not o.wholesale), scenario.offerings[0].id)
    trouble.settings_of(world).allegro_updates = work.trouble.allegro_updates
    for n, report in enumerate(work.trouble.reports, start=1):
        if report.order > len(work.orders):
            raise ScenarioError(
                f"<scenario {scenario.name}>",
                f"{where}.reports.{n - 1}.order",
                "an index into this block's orders",
            )
        if report.ne not in world.topology.network_elements():
            raise ScenarioError(
                f"<scenario {scenario.name}>",
                f"{where}.reports.{n - 1}.ne",
                "a network element of the topology",
            )
        order = work.orders[report.order - 1]
        request = OrderRequest(
            order.customer,
            order.sites,
            order.bandwidth_mbps,
            order.offering or retail,
            order.at,
            f"{order.customer}/order-{index + 1}.{n}",
        )
        plan = trouble.TroublePlan(
            f"{order.customer}/trouble-{n}",
            request,
            report.ne,
            report.fault,
            report.after,
            report.detection,
            report.report_delay,
        )
        world.sim.env.process(trouble.run(world, plan))


STARTERS["10.5"] = start_trouble


def start_billing(scenario: Scenario, work: WorkloadModel, world: World) -> None:
    """Thread 10.7: each order establishes a service with 10.2, then is billed period by period."""
    from lso_sim.errors import ScenarioError
    from lso_sim.threads import billing
    from lso_sim.threads.ordering import OrderRequest

    index = scenario.workload.index(work)
    if not work.orders:
        raise ScenarioError(
            f"<scenario {scenario.name}>", f"workload.{index}.orders", "at least one order to bill"
        )
    rules = work.billing.model_dump() if work.billing is not None else {}
    settings = billing.settings_of(world)
    for name, value in rules.items():
        setattr(settings, name, value)
    retail = next((o.id for o in scenario.offerings if not o.wholesale), scenario.offerings[0].id)
    for n, order in enumerate(work.orders, start=1):
        request = OrderRequest(
            order.customer,
            order.sites,
            order.bandwidth_mbps,
            order.offering or retail,
            order.at,
            f"{order.customer}/order-{index + 1}.{n}",
        )
        plan = billing.BillingPlan(f"{order.customer}/billing-{n}", request)
        world.sim.env.process(billing.run(world, plan))


STARTERS["10.7"] = start_billing
