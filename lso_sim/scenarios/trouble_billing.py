"""Starters of threads 10.5 (trouble reports) and 10.7 (billing and usage).

Each workload item's ``orders`` are established through thread 10.2 first (records of thread
``10.2``, instances numbered with the scenario's other orders, as for 10.3, 10.4 and 10.6); each
thread instance then runs on the product its order made. The schema and loader have already
checked the blocks (order indexes, one report per order, network elements), so nothing here can
fail on a scenario's content.
"""

from __future__ import annotations

from lso_sim.actors.world import World
from lso_sim.scenarios.assurance import prerequisite_orders
from lso_sim.scenarios.schema import Scenario, WorkloadModel
from lso_sim.threads import billing, trouble


def start_trouble(scenario: Scenario, work: WorkloadModel, world: World) -> None:
    """Thread 10.5: each report's order establishes its service, then an element on it breaks."""
    assert work.trouble is not None, "validated by the schema"
    requests = prerequisite_orders(scenario, work)
    for n, report in enumerate(work.trouble.reports, start=1):
        request = requests[report.order]
        plan = trouble.TroublePlan(
            f"{request.customer}/trouble-{n}",
            request,
            report.ne,
            report.fault,
            report.after,
            report.detection,
            report.report_delay,
        )
        world.sim.env.process(world.guarded(trouble.run(world, plan), plan.instance))


def start_billing(scenario: Scenario, work: WorkloadModel, world: World) -> None:
    """Thread 10.7: each order establishes a service with 10.2, then is billed period by period."""
    rules = work.billing.model_dump() if work.billing is not None else {}
    settings = billing.settings_of(world)
    for name, value in rules.items():
        setattr(settings, name, value)
    for n, request in enumerate(prerequisite_orders(scenario, work), start=1):
        plan = billing.BillingPlan(f"{request.customer}/billing-{n}", request)
        world.sim.env.process(world.guarded(billing.run(world, plan), plan.instance))
