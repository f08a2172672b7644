"""Thread 10.5 below SOF: faults in network elements, and what ICMs and ECMs report about them.

A fault is injected into a network element by the scenario: ``down`` (the ECM raises an alarm),
``degraded`` (frames are lost but no alarm is raised: only a diagnostic test finds it) or
``misconfigured`` (the element's configuration of the constructs through it drifted: a fault and
configuration read finds it). ECMs answer reads and tests over ADAGIO from that state; ICMs fan
PRESTO requests out to their ECMs, keep recent reads in a cache (MEF step 7: "if not already
cached") and pass alarms up to SOF.
"""

from __future__ import annotations

from collections.abc import Generator
from functools import partial
from typing import Any

import simpy

from lso_sim.actors.roles import ElementManager, InfrastructureManager
from lso_sim.actors.world import World
from lso_sim.messages.bodies import timestamp
from lso_sim.messages.envelope import Flow, Message
from lso_sim.messages.operations import (
    CONSTRUCT_FAULT_EVENT,
    DEACTIVATE_CONNECTIVITY,
    ELEMENT_FAULT_EVENT,
    REMOVE_ELEMENT_CONFIGURATION,
    RETRIEVE_CONSTRUCT_FAULTS,
    RETRIEVE_ELEMENT_FAULTS,
    TEST_CONSTRUCT_DIAGNOSTIC,
    TEST_ELEMENT_DIAGNOSTIC,
    Operation,
)
from lso_sim.telemetry import Impairment, ImpairmentKind

FAULT_KINDS = ("down", "degraded", "misconfigured")
LOSS_THRESHOLD = 0.001
"""Frame loss ratio above which a diagnostic test fails."""
TEST_WINDOW = 120.0
"""How long a diagnostic test runs (it measures loss over that window)."""
CACHE_TTL = 300.0
"""How long an ICM reuses an element read (seconds) unless an alarm arrived since."""

_BELOW: dict[str, str] = {"6a": "7", "6b": "7"}
"""ADAGIO step below a PRESTO step of 10.5 (the others keep the PRESTO step)."""

_ELEMENT_OP: dict[str, Operation] = {
    RETRIEVE_CONSTRUCT_FAULTS.name: RETRIEVE_ELEMENT_FAULTS,
    TEST_CONSTRUCT_DIAGNOSTIC.name: TEST_ELEMENT_DIAGNOSTIC,
    DEACTIVATE_CONNECTIVITY.name: REMOVE_ELEMENT_CONFIGURATION,
}


def install(world: World) -> None:
    """Give ICMs and ECMs their 10.5 behaviour (idempotent)."""
    for icm in world.icms.values():
        if icm.handles(RETRIEVE_CONSTRUCT_FAULTS.name):
            continue
        cache: dict[tuple[str, str], tuple[float, dict[str, Any]]] = {}
        for op in _ELEMENT_OP:
            icm.on(op, partial(_icm_fan_out, world, icm, cache))
        icm.handle(ELEMENT_FAULT_EVENT, partial(_icm_alarm, world, icm, cache))
    for ecm in world.ecms.values():
        if ecm.handles(RETRIEVE_ELEMENT_FAULTS.name):
            continue
        ecm.handle(RETRIEVE_ELEMENT_FAULTS, partial(_ecm_read, world, ecm))
        ecm.handle(TEST_ELEMENT_DIAGNOSTIC, partial(_ecm_test, world, ecm))
        ecm.handle(REMOVE_ELEMENT_CONFIGURATION, partial(_ecm_remove, world, ecm))


# -- fault injection and repair -------------------------------------------------------------------


def inject(world: World, ne: str, kind: str, flow: Flow) -> None:
    """Break ``ne`` now; a ``down`` element's ECM raises an alarm to its ICM (step 5's faults).

    ``down`` and ``degraded`` are impairments of the telemetry model (so every figure an ECM
    reports, loss and availability included, reflects them); neither is repairable by a simple
    reconfiguration. ``misconfigured`` changes the element's stored configuration instead.
    """
    ecm = world.ecms[world.topology.ecm_of(ne)]
    now = world.sim.now
    if kind == "misconfigured":
        for construct, config in list(ecm.configuration.get(ne, {}).items()):
            # A drifted bandwidth profile: the element polices the construct far below its order.
            drifted = round(float(config["bandwidthMbps"]) * ecm.rng.uniform(0.1, 0.5), 1)
            ecm.configure(ne, construct, {**config, "bandwidthMbps": drifted})
        return
    if kind == "down":
        spec = Impairment(
            ne,
            now,
            kind=ImpairmentKind.FAULT,
            down=True,
            alarm="lossOfSignal",
            severity="critical",
            repairable=False,
        )
    else:
        spec = Impairment(ne, now, loss=round(ecm.rng.uniform(0.01, 0.08), 4), repairable=False)
    world.telemetry.inject(spec)
    if spec.alarm is not None:
        _alarm(world, ecm, ne, "raised", flow, "5")


def repair(world: World, ne: str, flow: Flow, step: str) -> None:
    """A field technician fixed ``ne``: its impairments close and the ECM clears its alarms."""
    ecm = world.ecms[world.topology.ecm_of(ne)]
    now = world.sim.now
    for state in world.telemetry.active(ne):
        state.repaired_at = now
        if state.spec.alarm is not None:
            _alarm(world, ecm, ne, "cleared", flow, step)


def _alarm(world: World, ecm: ElementManager, ne: str, state: str, flow: Flow, step: str) -> None:
    icm = world.icm_of_fd(world.topology.fd_of(ne))
    body = {
        "networkElement": ne,
        "alarmType": "lossOfSignal",
        "perceivedSeverity": "critical" if state == "raised" else "cleared",
        "state": state,
        "eventTime": timestamp(world.sim.now),
    }
    ecm.tell(icm.id, ELEMENT_FAULT_EVENT, body, flow=flow, step=step)


# -- ICM --------------------------------------------------------------------------------------------


def _icm_alarm(
    world: World,
    icm: InfrastructureManager,
    cache: dict[tuple[str, str], tuple[float, dict[str, Any]]],
    msg: Message,
) -> None:
    """Pass an element alarm up to this domain's SOF, naming the constructs it touches."""
    ne = msg.payload["networkElement"]
    for key in [k for k in cache if k[1] == ne]:
        del cache[key]
    constructs = sorted(cid for cid, c in icm.constructs.items() if ne in c["networkElements"])
    body = dict(msg.payload, forwardingDomain=icm.forwarding_domain, constructs=constructs)
    icm.tell(world.sof[icm.domain].id, CONSTRUCT_FAULT_EVENT, body, flow=msg.flow, step=msg.step)


def _icm_fan_out(
    world: World,
    icm: InfrastructureManager,
    cache: dict[tuple[str, str], tuple[float, dict[str, Any]]],
    msg: Message,
) -> Generator[simpy.Event, Any, None]:
    """Apply a PRESTO request to each NE of the construct through its ECM, then answer."""
    body = msg.payload
    construct: str = body["constructId"]
    nes: list[str] = body["networkElements"]
    element_op = _ELEMENT_OP[msg.operation]
    step = _BELOW.get(msg.step, msg.step) if msg.thread == "10.5" else msg.step
    now = world.sim.now
    reads: dict[str, dict[str, Any]] = {}
    if element_op is RETRIEVE_ELEMENT_FAULTS:
        for ne in nes:
            hit = cache.get((construct, ne))
            if hit is not None and now - hit[0] <= CACHE_TTL:
                reads[ne] = dict(hit[1], cached=True)
    calls = [
        icm.call(
            world.topology.ecm_of(ne),
            element_op,
            {"networkElement": ne, "constructId": construct, "bandwidthMbps": body.get("bandwidthMbps", 0)},
            flow=msg.flow,
            step=step,
        )
        for ne in nes
        if ne not in reads
    ]
    answers: list[Message] = yield from icm.gather(calls)
    for answer in answers:
        ne = answer.payload.get("networkElement", "")
        reads[ne] = answer.payload
        if element_op is RETRIEVE_ELEMENT_FAULTS and answer.status == 200:
            cache[(construct, ne)] = (world.sim.now, answer.payload)
    if element_op is REMOVE_ELEMENT_CONFIGURATION:
        icm.constructs.pop(construct, None)
    elements = [reads[ne] for ne in nes if ne in reads]
    failed = [e["networkElement"] for e in elements if e.get("result") == "fail"]
    icm.respond(
        msg,
        200,
        {
            "constructId": construct,
            "result": "fail" if failed else "pass",
            "failedElements": failed,
            "elements": elements,
        },
    )


# -- ECM --------------------------------------------------------------------------------------------


def _ecm_read(world: World, ecm: ElementManager, msg: Message) -> None:
    """Alarms, operational state and configuration of the construct on one NE."""
    ne, construct = msg.payload["networkElement"], msg.payload["constructId"]
    element = world.telemetry.element(ne)
    open_faults = world.telemetry.active(ne)
    config = ecm.configuration.get(ne, {}).get(construct)
    expected = float(msg.payload.get("bandwidthMbps", 0))
    matches = config is not None and abs(float(config["bandwidthMbps"]) - expected) < 1e-6
    alarms = [
        {"alarmType": s.spec.alarm, "perceivedSeverity": s.spec.severity, "raised": timestamp(s.spec.start)}
        for s in open_faults
        if s.spec.alarm is not None
    ]
    ecm.respond(
        msg,
        200,
        {
            "networkElement": ne,
            "operState": "down" if any(s.spec.down for s in open_faults) else "up",
            "alarms": alarms,
            "configured": config is not None,
            "configuredBandwidthMbps": None if config is None else config["bandwidthMbps"],
            "configMatches": matches,
            "counters": element.counters(construct).as_payload(),
            "result": "fail" if alarms or not matches else "pass",
        },
    )


def _ecm_test(world: World, ecm: ElementManager, msg: Message) -> Generator[simpy.Event, Any, None]:
    """A loss test through the NE: it runs for a while and reports what the telemetry model measured."""
    ne = msg.payload["networkElement"]
    start = world.sim.now
    yield world.sim.env.timeout(TEST_WINDOW)
    sample = world.telemetry.element(ne).window(start, world.sim.now)
    loss = sample.frame_loss_ratio
    ecm.respond(
        msg,
        200,
        {
            "networkElement": ne,
            "frameLossRatio": round(loss, 9),
            "availability": round(sample.availability, 6),
            "result": "fail" if loss > LOSS_THRESHOLD else "pass",
        },
    )


def _ecm_remove(world: World, ecm: ElementManager, msg: Message) -> None:
    ne = msg.payload["networkElement"]
    ecm.configuration.get(ne, {}).pop(msg.payload["constructId"], None)
    world.telemetry.element(ne).carry(msg.payload["constructId"], 0.0)
    ecm.respond(msg, 200, {"networkElement": ne, "result": "pass"})
