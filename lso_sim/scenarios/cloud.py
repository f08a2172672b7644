"""Starter of thread 10.9's ``cloud`` block: a coordinator per established connectivity service."""

from __future__ import annotations

from lso_sim.actors.roles import ServiceRecord
from lso_sim.actors.world import World
from lso_sim.scenarios.assurance import start_block
from lso_sim.scenarios.schema import Scenario, WorkloadModel
from lso_sim.threads import cloud
from lso_sim.threads.ordering import OrderRequest


def start_cloud(scenario: Scenario, work: WorkloadModel, world: World) -> None:
    """Thread 10.9: once each order's service is active, its customer's coordinator manages it."""
    block = work.cloud
    assert block is not None, "validated by the schema"
    policy = {
        "minBandwidthMbps": block.min_bandwidth_mbps,
        "maxBandwidthMbps": block.max_bandwidth_mbps,
        "scheduledChanges": True,
        "reservations": True,
    }
    load = cloud.LoadModel(tuple(cloud.LoadPoint(p.at, p.demand_mbps) for p in block.load), block.jitter)

    def instance(index: int, request: OrderRequest) -> str:
        return f"{request.customer}/cloud-{index + 1}"

    def on_active(index: int, record: ServiceRecord, request: OrderRequest) -> None:
        assert record.product_order is not None
        world.sof_sp.control_policies[record.product_order] = dict(policy)
        plan = cloud.CloudPlan(
            instance(index, request),
            request.customer,
            record.product_order,
            world.sim.now,
            block.duration,
            block.period,
            load,
            block.headroom,
            block.step_mbps,
        )
        world.sim.env.process(world.guarded(cloud.run(world, plan), plan.instance))

    start_block(scenario, work, world, on_active, lambda index, request: [instance(index, request)])
