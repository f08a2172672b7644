"""Starters of threads 10.5 (trouble reports) and 10.7 (billing and usage).

Each instance first establishes its service through thread 10.2 (records of thread ``10.2``),
then runs its own thread; the scenario's schema and loader have already checked the blocks (order
indexes, network elements), so nothing here can fail on a scenario's content.
"""

from __future__ import annotations

from lso_sim.actors.world import World
from lso_sim.scenarios.schema import Scenario, WorkloadModel
from lso_sim.threads import billing, trouble
from lso_sim.threads.ordering import OrderRequest


def start_trouble(scenario: Scenario, work: WorkloadModel, world: World) -> None:
    """Thread 10.5: each report establishes its service with 10.2, then breaks an element on it."""
    index = scenario.workload.index(work)
    assert work.trouble is not None, "validated by the schema"
    retail = next((o.id for o in scenario.offerings if not o.wholesale), scenario.offerings[0].id)
    trouble.settings_of(world).allegro_updates = work.trouble.allegro_updates
    for n, report in enumerate(work.trouble.reports, start=1):
        order = work.orders[report.order]
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


def start_billing(scenario: Scenario, work: WorkloadModel, world: World) -> None:
    """Thread 10.7: each order establishes a service with 10.2, then is billed period by period."""
    index = scenario.workload.index(work)
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
