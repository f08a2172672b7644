"""The resource layer every thread shares: ICMs over PRESTO and ECMs over ADAGIO.

An ICM receives a PRESTO request about a forwarding construct, fans it out over ADAGIO to the
ECMs of the network elements involved and answers once all have answered. Which MEF step the
ADAGIO hops realise depends on the thread and on the PRESTO step (in 10.2, PRESTO step 9a leads to
ADAGIO step 10), so threads declare it with :func:`step_below`.
"""

from __future__ import annotations

from collections.abc import Generator
from functools import partial
from typing import Any

import simpy

from lso_sim.actors.roles import ElementManager, InfrastructureManager
from lso_sim.actors.world import World
from lso_sim.messages import bodies
from lso_sim.messages.envelope import Message
from lso_sim.messages.operations import (
    ACTIVATE_CONNECTIVITY,
    ACTIVATE_MONITORING,
    CONFIGURE_ELEMENT,
    MONITOR_ELEMENT,
    TEST_CONNECTIVITY,
    TEST_ELEMENT,
    Operation,
)

_STEP_BELOW: dict[tuple[str, str], str] = {}

_ELEMENT_OPERATION: dict[str, Operation] = {
    ACTIVATE_CONNECTIVITY.name: CONFIGURE_ELEMENT,
    TEST_CONNECTIVITY.name: TEST_ELEMENT,
    ACTIVATE_MONITORING.name: MONITOR_ELEMENT,
}


def step_below(thread: str, presto_step: str, adagio_step: str) -> None:
    """Declare which step the ADAGIO hops below PRESTO step ``presto_step`` of ``thread`` realise."""
    _STEP_BELOW[(thread, presto_step)] = adagio_step


def install(world: World) -> None:
    """Give every ICM and ECM of the world its PRESTO/ADAGIO behaviour (idempotent)."""
    for icm in world.icms.values():
        for op in _ELEMENT_OPERATION:
            if not icm.handles(op):
                icm.on(op, partial(_icm_fan_out, world, icm))
    for ecm in world.ecms.values():
        if not ecm.handles(CONFIGURE_ELEMENT.name):
            ecm.on(CONFIGURE_ELEMENT.name, partial(_ecm_configure, world, ecm))
            ecm.on(TEST_ELEMENT.name, partial(_ecm_test, world, ecm))
            ecm.on(MONITOR_ELEMENT.name, partial(_ecm_monitor, ecm))


def _icm_fan_out(world: World, icm: InfrastructureManager, msg: Message) -> Generator[simpy.Event, Any, None]:
    """Apply a PRESTO request to every NE it names through the NE's ECM, then answer."""
    construct, nes, bandwidth = bodies.presto_request(msg.payload)
    element_op = _ELEMENT_OPERATION[msg.operation]
    step = _STEP_BELOW.get((msg.thread, msg.step), msg.step)
    calls = [
        icm.call(
            world.topology.ecm_of(ne),
            element_op,
            {"networkElement": ne, "constructId": construct, "bandwidthMbps": bandwidth},
            flow=msg.flow,
            step=step,
        )
        for ne in nes
    ]
    answers: list[Message] = yield from icm.gather(calls)
    failed = [
        a.payload.get("networkElement")
        for a in answers
        if a.status != 200 or a.payload.get("result") == "fail"
    ]
    if msg.operation == ACTIVATE_CONNECTIVITY.name:
        # PRESTO create-connectivity-service: the TAPI service, or MEF's bodiless 400 on failure
        # (the failed ADAGIO answers are in the trace).
        if failed:
            icm.respond(msg, 400, None)
            return
        # The NEs as the topology's shared tuple: the same run of NEs as the service's component.
        shared = world.topology.share(tuple(nes))
        icm.constructs[construct] = {"networkElements": shared, "bandwidthMbps": bandwidth}
        icm.respond(msg, 200, bodies.presto_connectivity_service(construct, nes, bandwidth))
        return
    result = "fail" if failed else "pass"
    status = 200 if msg.operation == TEST_CONNECTIVITY.name or not failed else 500
    icm.respond(msg, status, {"constructId": construct, "result": result, "failedElements": failed})


def _ecm_configure(world: World, ecm: ElementManager, msg: Message) -> None:
    """Configure a construct on an NE; from now on its bandwidth is traffic in the metric model.

    A body with ``"remedy": true`` is a corrective reconfiguration: it also repairs what a
    reconfiguration can repair on the NE (see :meth:`lso_sim.telemetry.NetworkTelemetry.repair`).
    A ``trafficFilter`` (10.3) is installed on the construct at the NE, replacing the one before.
    """
    ne = msg.payload["networkElement"]
    construct = msg.payload["constructId"]
    bandwidth = float(msg.payload["bandwidthMbps"])
    kept = ecm.configuration.get(ne, {}).get(construct, {}).get("trafficFilter")
    config = {"bandwidthMbps": msg.payload["bandwidthMbps"]}
    rules = msg.payload.get("trafficFilter", kept)  # a filter stays until a change replaces it
    if rules is not None:
        config["trafficFilter"] = rules
    ecm.configure(ne, construct, config)
    world.telemetry.element(ne).carry(construct, bandwidth)
    body: dict[str, Any] = {"networkElement": ne, "result": "pass"}
    if msg.payload.get("remedy"):
        body["repaired"] = [state.id for state in world.telemetry.repair(ne)]
    ecm.respond(msg, 200, body)


def _ecm_test(world: World, ecm: ElementManager, msg: Message) -> None:
    """Test an NE: a random activation failure, or an open impairment of the metric model.

    An NE that is down fails; one that is degraded passes but names the open impairments, which
    is how assurance threads locate a degradation.
    """
    ne = msg.payload["networkElement"]
    failure = world.options.sat_failure_probability
    passed = not (failure and ecm.rng.random() < failure)
    active = world.telemetry.active(ne)
    if any(state.spec.down for state in active):
        passed = False
    faults = world.sim.faults
    injected = faults.hit("test_failure", ne, ecm.id, msg.flow) if faults is not None and passed else None
    if injected is not None:
        passed = False  # an injected test failure (scenario ``faults:``, docs/faults.md)
    body: dict[str, Any] = {"networkElement": ne, "result": "pass" if passed else "fail"}
    if active:
        body["impairments"] = [state.id for state in active]
    if injected is not None:
        body["fault"] = injected.id
    ecm.respond(msg, 200, body)


def _ecm_monitor(ecm: ElementManager, msg: Message) -> None:
    """Start measuring a construct on an NE: an answer, and nothing kept.

    The telemetry model measures every flow of every element whether or not a job is active,
    and nothing read back which constructs were monitored: a set of them per ECM cost about
    0.6 KB per delivered order for nothing (the trace shows each activation). A job re-armed
    with thresholds (10.3) is kept, in the construct's configuration.
    """
    ne = msg.payload["networkElement"]
    ecm.respond(msg, 200, {"networkElement": ne, "result": "pass"})
