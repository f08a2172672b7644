"""Thread 10.9, the Customer Application Coordinator: follow the applications' load, change the
bandwidth between the data centres over ALLEGRO, up and down, within the contract.

Steps (derived from MEF's purpose text, docs/threads/10.9.md): the coordinator reads the
service's controllable bandwidth and bounds from SOF-sp (1); at every period it assesses the
applications' load (2) and decides the bandwidth they need, within the bounds (3); when that
differs from what the service has, it has SOF-sp change it (4), which is a thread 10.3 change of
its own (``<instance>/change-<k>``: SP and partner segments reconfigured, tested, billed), and
confirms the applications have the capacity (5). The instance ends when its management window
ends, with how many changes it made and why any did not happen.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import simpy

from lso_sim.actors.world import World
from lso_sim.messages.envelope import Flow
from lso_sim.messages.operations import RETRIEVE_CONTROL_POLICY
from lso_sim.threads import control
from lso_sim.threads.cloud.load import LoadModel, needed_bandwidth
from lso_sim.threads.control import ChangeRequest

THREAD = "10.9"


@dataclass(frozen=True, slots=True)
class CloudPlan:
    """One coordinator managing the connectivity between two data centres.

    Attributes:
        instance: thread instance id.
        customer: the customer (whose domain the coordinator is in).
        product_order: the product order that established the connectivity service.
        start: simulated time the coordinator starts.
        duration: seconds it manages the service.
        period: seconds between two load assessments.
        load: the applications' load.
        headroom: bandwidth asked for per Mbit/s of demand (1.2: 20 % above demand).
        step_mbps: bandwidth granularity of a change.
    """

    instance: str
    customer: str
    product_order: str
    start: float
    duration: float
    period: float
    load: LoadModel
    headroom: float = 1.2
    step_mbps: float = 50.0


def run(world: World, plan: CloudPlan) -> Generator[simpy.Event, Any, None]:
    """The coordinator's life line (a simpy process body)."""
    if plan.start > world.sim.now:
        yield world.sim.env.timeout(plan.start - world.sim.now)
    customer = world.customer(plan.customer)
    flow = Flow(THREAD, plan.instance)
    world.begin(THREAD, plan.instance, customer)

    # 1: what may be changed, within which bounds.
    answer = yield from customer.call(
        world.sof_sp.id, RETRIEVE_CONTROL_POLICY, {"productOrder": plan.product_order}, flow=flow, step="1"
    )
    if answer.status != 200:
        world.finish(
            plan.instance, "unknownService", f"SOF-sp answered {answer.status}", status=answer.status
        )
        return
    current = float(answer.payload["bandwidthMbps"])
    bounds = answer.payload["constraints"]
    low, high = float(bounds["minBandwidthMbps"]), float(bounds["maxBandwidthMbps"])

    end = plan.start + plan.duration
    tally = {"up": 0, "down": 0, "capped": 0, "notChanged": 0}
    reasons: list[str] = []
    changes = 0
    while world.sim.now < end:
        # 2: the applications' load now.
        demand = plan.load.demand(world.sim.now - plan.start, customer.rng)
        yield from customer.activity(
            "assessApplicationLoad",
            flow=flow,
            step="2",
            payload={"demandMbps": round(demand, 3), "bandwidthMbps": current},
        )
        # 3: the bandwidth they need, within the contract.
        target, capped = needed_bandwidth(demand, plan.headroom, plan.step_mbps, low, high)
        tally["capped"] += capped
        if target != current:
            yield from customer.activity(
                "planConnectivityCapacity",
                flow=flow,
                step="3",
                payload={"fromMbps": current, "toMbps": target, "cappedByContract": capped},
            )
            # 4: SOF-sp changes it, SP and partner segments alike: a 10.3 change of its own.
            changes += 1
            change = f"{plan.instance}/change-{changes}"
            yield from customer.activity(
                "changeConnectivityBandwidth",
                flow=flow,
                step="4",
                payload={"change": change, "toMbps": target},
            )
            yield from world.guarded(
                control.run(
                    world, ChangeRequest(plan.customer, plan.product_order, target, world.sim.now, change)
                ),
                change,
            )
            outcome = world.outcomes[change]
            if outcome.state == "completed":
                tally["up" if target > current else "down"] += 1
                current = target
                # 5: the applications have the capacity they need.
                yield from customer.activity(
                    "confirmApplicationCapacity", flow=flow, step="5", payload={"bandwidthMbps": current}
                )
            else:
                tally["notChanged"] += 1
                reasons.append(f"{change} {outcome.state}: {outcome.reason or 'no reason given'}")
        wait = min(plan.period, end - world.sim.now)
        if wait > 0:
            yield world.sim.env.timeout(wait)
    world.finish(
        plan.instance,
        "completed",
        "; ".join(reasons) or None,
        bandwidth=current,
        changes=changes,
        **tally,
    )
