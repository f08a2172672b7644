"""Thread 10.8's instances: a party sends one request, and the receiver's guard decides (step 1).

A scenario's ``probes`` make parties send requests they may or may not be entitled to (a partner
reading its buyer's order, a Customer with an expired credential, an operation from another IRP);
each is an instance ``security/probe-<n>`` that ends ``refused`` (with the status and reason) or
``admitted`` (the receiver's handler answered, whatever it answered).
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import simpy

from lso_sim.actors.world import World
from lso_sim.engine.retry import RetryPolicy
from lso_sim.messages.envelope import Flow
from lso_sim.messages.operations import Operation
from lso_sim.threads.security.guard import THREAD


@dataclass(frozen=True, slots=True)
class Probe:
    """One request a scenario has a party send."""

    instance: str
    at: float
    sender: str
    receiver: str
    operation: Operation
    body: dict[str, Any]


def run(world: World, probe: Probe) -> Generator[simpy.Event, Any, None]:
    """The sender's life line for one probe (a simpy process body)."""
    yield world.sim.env.timeout(probe.at)
    sender = world.sim.actor(probe.sender)
    world.begin(THREAD, probe.instance, sender)
    answer = yield from sender.request(
        probe.receiver,
        probe.operation.name,
        probe.body,
        flow=Flow(THREAD, probe.instance),
        step="1",
        api=probe.operation.api,
        retry=RetryPolicy(attempts=1),
    )
    if answer.status in (401, 403):
        body = answer.payload if isinstance(answer.payload, dict) else {}
        reason = f"{answer.status} {body.get('code')}: {body.get('reason')}"
        world.finish(probe.instance, "refused", reason, status=answer.status)
    else:
        world.finish(probe.instance, "admitted", status=answer.status)
