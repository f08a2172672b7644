"""Resource-layer behaviour the assurance threads share: reconfigure, test and measure constructs.

Where :mod:`lso_sim.threads.resource_layer` answers PRESTO requests once all ECMs have answered,
the tasks here follow the shape of threads 10.3 to 10.7, where MEF names the report back as a step
of its own:

* ``update-connectivity-service`` (PRESTO, MEF NRP) and ``testForwardingConstruct``: the ICM
  acknowledges, works through its ECMs over ADAGIO, then notifies the result
  (``forwardingConstructTaskResult``).
* ``retrieveForwardingConstructMetrics`` (PRESTO) and ``retrieveElementMetrics`` (ADAGIO): the
  figures of the ECMs' metric model (:mod:`lso_sim.telemetry`), composed along the construct. A
  request may arm a threshold watch: the ECM alerts when a measurement interval crosses it, and
  the alert travels up (ADAGIO -> ICM -> PRESTO -> SOF, and from a partner SOF over INTERLUDE).
* Partner SOF: ``modifyServiceComponent`` / ``verifyServiceComponent`` (acknowledged, result
  notified as ``serviceComponentTaskResult``) and ``createPerformanceReport`` (MEF INTERLUDE).

Which MEF step each hop below a request realises depends on the thread, so threads declare it
with :func:`declare_steps`.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from functools import partial
from typing import Any

import simpy

from lso_sim.actors.roles import (
    ElementManager,
    InfrastructureManager,
    RoleActor,
    ServiceOrchestrator,
    ServiceRecord,
)
from lso_sim.actors.service_retention import gone
from lso_sim.actors.world import World
from lso_sim.architecture.roles import Role
from lso_sim.engine.retry import NO_RETRY, RetryPolicy
from lso_sim.errors import LsoSimError
from lso_sim.messages import assurance as bodies
from lso_sim.messages.envelope import Flow, Message
from lso_sim.messages.operations import (
    CONFIGURE_ELEMENT,
    CREATE_PARTNER_PERFORMANCE_REPORT,
    FORWARDING_CONSTRUCT_RESULT,
    MODIFY_PARTNER_COMPONENT,
    PARTNER_COMPONENT_RESULT,
    RETRIEVE_CONSTRUCT_METRICS,
    RETRIEVE_ELEMENT_METRICS,
    TEST_ELEMENT,
    TEST_FORWARDING_CONSTRUCT,
    THRESHOLD_CROSSING_ALERT,
    UPDATE_CONNECTIVITY_SERVICE,
    VERIFY_PARTNER_COMPONENT,
    Operation,
)
from lso_sim.telemetry import Metric, Sample, compose
from lso_sim.threads import inventory_sync

METRICS: tuple[Metric, ...] = ("utilisation", "frame_loss_ratio", "delay_ms", "jitter_ms", "availability")
_PAYLOAD_KEY: dict[str, str] = {
    "utilisation": "utilisation",
    "frame_loss_ratio": "frameLossRatio",
    "delay_ms": "oneWayDelayMs",
    "jitter_ms": "jitterMs",
    "availability": "availability",
}


@dataclass(frozen=True, slots=True)
class TaskSteps:
    """The MEF steps of the hops below one request.

    Attributes:
        below: step of the hops one level down (ADAGIO below PRESTO; the partner's PRESTO below
            INTERLUDE).
        adagio: step of the partner's ADAGIO hops (below INTERLUDE only).
        report: step of the ICM's result notification.
        partner_report: step of the partner SOF's result notification (INTERLUDE).
        sync: step of the partner SOF's inventory event to its BUS when the task changed the
            component (:mod:`lso_sim.threads.inventory_sync`).
    """

    below: str
    adagio: str
    report: str
    partner_report: str
    sync: str


_STEPS: dict[tuple[str, str], TaskSteps] = {}


def declare_steps(
    thread: str,
    step: str,
    *,
    below: str | None = None,
    adagio: str | None = None,
    report: str | None = None,
    partner_report: str | None = None,
    sync: str | None = None,
) -> None:
    """Declare the steps of the hops below a request of ``thread`` sent at ``step``.

    Anything left out is ``step`` itself (the hops below carry the request's step); ``sync``
    defaults to the partner's report step.
    """
    under = below or step
    reported = partner_report or report or step
    _STEPS[(thread, step)] = TaskSteps(under, adagio or under, report or step, reported, sync or reported)


def steps_of(msg: Message) -> TaskSteps:
    """The steps of the hops below ``msg``."""
    return _STEPS.get((msg.thread, msg.step), TaskSteps(msg.step, msg.step, msg.step, msg.step, msg.step))


def install(world: World) -> None:
    """Register the shared assurance handlers on every ICM, ECM and partner SOF (idempotent)."""
    for icm in world.icms.values():
        if icm.handles(UPDATE_CONNECTIVITY_SERVICE.name):
            continue
        icm.handle(UPDATE_CONNECTIVITY_SERVICE, partial(_icm_task, world, icm, CONFIGURE_ELEMENT))
        icm.handle(TEST_FORWARDING_CONSTRUCT, partial(_icm_task, world, icm, TEST_ELEMENT))
        icm.handle(RETRIEVE_CONSTRUCT_METRICS, partial(_icm_metrics, world, icm))
        icm.handle(THRESHOLD_CROSSING_ALERT, partial(_icm_forward_alert, icm))
    for ecm in world.ecms.values():
        if not ecm.handles(RETRIEVE_ELEMENT_METRICS.name):
            ecm.handle(RETRIEVE_ELEMENT_METRICS, partial(_ecm_metrics, world, ecm))
    for sof in world.sof.values():
        if sof.role is Role.SOF_PARTNER and not sof.handles(MODIFY_PARTNER_COMPONENT.name):
            partner = PartnerTasks(world, sof)
            sof.handle(MODIFY_PARTNER_COMPONENT, partial(partner.component_task, UPDATE_CONNECTIVITY_SERVICE))
            sof.handle(VERIFY_PARTNER_COMPONENT, partial(partner.component_task, TEST_FORWARDING_CONSTRUCT))
            sof.handle(CREATE_PARTNER_PERFORMANCE_REPORT, partner.performance_report)
            sof.handle(FORWARDING_CONSTRUCT_RESULT, partial(signal_task_result, sof))
            sof.handle(THRESHOLD_CROSSING_ALERT, partner.forward_alert)


# -- figures ---------------------------------------------------------------------------------------


def sample_from(payload: dict[str, Any]) -> Sample:
    """A :class:`Sample` back from its JSON form."""
    return Sample(
        float(payload["start"]),
        float(payload["end"]),
        float(payload["utilisation"]),
        float(payload["frameLossRatio"]),
        float(payload["oneWayDelayMs"]),
        float(payload["jitterMs"]),
        float(payload["availability"]),
    )


def metric_value(sample: dict[str, Any], metric: str) -> float:
    """The value of ``metric`` (a :data:`Metric` name) in a sample payload."""
    return float(sample[_PAYLOAD_KEY[metric]])


def crosses(metric: str, value: float, threshold: float) -> bool:
    """True when ``value`` is worse than ``threshold`` (availability: lower; the rest: higher)."""
    return value < threshold if metric == "availability" else value > threshold


def compose_figures(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """End-to-end figures of parts in series: composed gauges, entry counters in, exit counters out."""
    sample = compose(sample_from(p["sample"]) for p in parts).as_payload()
    first, last = parts[0]["counters"], parts[-1]["counters"]
    counters = {
        "octetsIn": first["octetsIn"],
        "octetsOut": last["octetsOut"],
        "framesIn": first["framesIn"],
        "framesOut": last["framesOut"],
        "erroredFrames": sum(int(p["counters"]["erroredFrames"]) for p in parts),
    }
    alarms = [alarm for p in parts for alarm in p.get("alarms", [])]
    return {"sample": sample, "counters": counters, "alarms": alarms}


# -- ECM ---------------------------------------------------------------------------------------------


def _ecm_metrics(world: World, ecm: ElementManager, msg: Message) -> None:
    """ADAGIO: read the metric model of one NE for one construct; maybe arm a threshold watch."""
    body = msg.payload
    ne, construct = body["networkElement"], body["constructId"]
    element = world.telemetry.element(ne)
    now = world.sim.now
    start = float(body.get("start", max(0.0, now - world.telemetry.profile.interval)))
    end = max(now, start + 1e-6)
    answer = {
        "networkElement": ne,
        "constructId": construct,
        "sample": element.window(start, end).as_payload(),
        "counters": element.counters(construct).as_payload(),
        "alarms": [e.as_payload() for e in world.telemetry.alarm_events(ne, until=now) if e.time >= start],
    }
    ecm.respond(msg, 200, answer)
    watch = body.get("watch")
    if watch:
        ecm.watches[construct] = str(watch["id"])
        crossings = [
            found[0]
            for metric, threshold in sorted(watch["thresholds"].items())
            if (found := element.first_crossing(metric, float(threshold), now, float(watch["until"])))
        ]
        if crossings:
            ecm.start(_ecm_alert(world, ecm, msg, dict(watch), min(crossings)))


def _ecm_alert(
    world: World, ecm: ElementManager, origin: Message, watch: dict[str, Any], at: float
) -> Generator[simpy.Event, Any, None]:
    """At the end of the interval that crossed, alert the ICM (unless re-armed or repaired since)."""
    yield world.sim.env.timeout(max(0.0, at - world.sim.now))
    ne, construct = origin.payload["networkElement"], origin.payload["constructId"]
    if ecm.watches.get(construct) != str(watch["id"]):
        return
    sample = world.telemetry.element(ne).sample()
    crossed = {
        metric: round(sample.value(metric), 9)
        for metric, threshold in sorted(watch["thresholds"].items())
        if crosses(metric, sample.value(metric), float(threshold))
    }
    if not crossed:
        return
    ecm.tell(
        origin.src,
        THRESHOLD_CROSSING_ALERT,
        {
            "networkElement": ne,
            "constructId": construct,
            "crossed": crossed,
            "thresholds": watch["thresholds"],
            "watch": watch["id"],
            "sample": sample.as_payload(),
        },
        flow=origin.flow,
        step=origin.step,
    )


# -- ICM ---------------------------------------------------------------------------------------------


def _icm_task(
    world: World, icm: InfrastructureManager, element_op: Operation, msg: Message
) -> Generator[simpy.Event, Any, None]:
    """PRESTO update/test: acknowledge, work through the ECMs, then notify the result."""
    steps = steps_of(msg)
    update = msg.operation == UPDATE_CONNECTIVITY_SERVICE.name
    rules = None
    if update:
        construct = msg.payload["input"]["service-id-or-name"]
        size = msg.payload["input"]["conn-constraint"]["requested-capacity"]["total-size"]["value"]
        bandwidth = float(size)
        rules = msg.payload["input"].get("traffic-filter")
    else:
        construct = msg.payload["constructId"]
    known = icm.constructs.get(construct)
    if known is None:
        icm.respond(msg, 404, {"code": "notFound", "reason": f"no forwarding construct {construct!r}"})
        return
    icm.respond(msg, 201 if update else 202, None if update else {"taskId": msg.id, "state": "inProgress"})
    if not update:
        bandwidth = float(known["bandwidthMbps"])
    remedy = bool(msg.payload.get("remedy"))
    calls = []
    for ne in known["networkElements"]:
        body: dict[str, Any] = {"networkElement": ne, "constructId": construct, "bandwidthMbps": bandwidth}
        if remedy:
            body["remedy"] = True
        if rules is not None:
            body["trafficFilter"] = rules
        calls.append(_element_call(icm, world.topology.ecm_of(ne), element_op, body, msg.flow, steps.adagio))
    answers: list[Message | str] = yield from icm.gather(calls)
    lost = [a for a in answers if isinstance(a, str)]
    done = [a for a in answers if not isinstance(a, str)]
    failed = [
        a.payload.get("networkElement")
        for a in done
        if a.status != 200 or a.payload.get("result") == "fail"
    ] + [ne for ne, a in zip(known["networkElements"], answers, strict=True) if isinstance(a, str)]
    if update and not failed:
        known["bandwidthMbps"] = bandwidth
        if rules is not None:
            known["trafficFilter"] = rules
    repaired = [i for a in done for i in a.payload.get("repaired", [])]
    impaired = sorted({i for a in done for i in a.payload.get("impairments", [])})
    result: dict[str, Any] = {
        "taskId": msg.id,
        "task": "update" if update else "test",
        "constructId": construct,
        "result": "fail" if failed else "pass",
        "failedElements": failed,
        "repaired": repaired,
        "impairments": impaired,
    }
    if lost:
        result["reason"] = "; ".join(lost)
    icm.tell(msg.src, FORWARDING_CONSTRUCT_RESULT, result, flow=msg.flow, step=steps.report)


def _element_call(
    icm: InfrastructureManager, ecm: str, op: Operation, body: dict[str, Any], flow: Flow, step: str
) -> Generator[simpy.Event, Any, Message | str]:
    """One ADAGIO request of a fan-out: the response, or why it was given up on."""
    try:
        answer: Message = yield from icm.call(ecm, op, body, flow=flow, step=step)
    except LsoSimError as exc:
        return str(exc)
    return answer


def _icm_metrics(world: World, icm: InfrastructureManager, msg: Message) -> Generator[simpy.Event, Any, None]:
    """PRESTO: gather one construct's figures from its ECMs and compose them along the construct."""
    body = msg.payload
    construct = body["constructId"]
    known = icm.constructs.get(construct)
    if known is None:
        icm.respond(msg, 404, {"code": "notFound", "reason": f"no forwarding construct {construct!r}"})
        return
    watch = body.get("watch")
    if watch:
        icm.watchers[str(watch["id"])] = {"to": msg.src, "construct": construct, "step": msg.step}
    calls = []
    for ne in known["networkElements"]:
        request: dict[str, Any] = {"networkElement": ne, "constructId": construct}
        if "start" in body:
            request["start"] = body["start"]
        if watch:
            request["watch"] = watch
        calls.append(
            _element_call(
                icm,
                world.topology.ecm_of(ne),
                RETRIEVE_ELEMENT_METRICS,
                request,
                msg.flow,
                steps_of(msg).adagio,
            )
        )
    answers: list[Message | str] = yield from icm.gather(calls)
    parts = [a.payload for a in answers if not isinstance(a, str) and a.status == 200]
    if len(parts) != len(answers):
        lost = "; ".join(a for a in answers if isinstance(a, str))
        icm.respond(msg, 502, {"code": "elementUnavailable", "reason": lost or "an ECM did not report"})
        return
    figures = compose_figures(parts)
    icm.respond(msg, 200, {"constructId": construct, **figures, "elements": parts})


def _icm_forward_alert(icm: InfrastructureManager, msg: Message) -> None:
    """ADAGIO TCA from an ECM: pass it to the SOF that armed the watch (over PRESTO)."""
    watcher = icm.watchers.get(str(msg.payload["watch"]))
    if watcher is None:
        raise LsoSimError(f"{icm.id}: alert for unknown watch {msg.payload['watch']!r}")
    icm.tell(watcher["to"], THRESHOLD_CROSSING_ALERT, dict(msg.payload), flow=msg.flow, step=watcher["step"])


# -- SOF helpers ----------------------------------------------------------------------------------------


def signal_task_result(sof: RoleActor, msg: Message) -> None:
    """A task result notification: wake whoever waits for that task."""
    sof.waiting.fire(f"task:{msg.payload['taskId']}", msg.payload)


def run_task(
    actor: RoleActor, dst: str, op: Operation, body: Any, *, flow: Flow, step: str, wait: float
) -> Generator[simpy.Event, Any, dict[str, Any]]:
    """Send an acknowledged task and wait for its result notification.

    Returns:
        The result payload, or ``{"result": "fail", "reason": ...}`` when the task was refused or
        no result came within ``wait`` seconds, or the request was given up on: a failed task
        never raises, so a fan-out of tasks always ends with every result.
    """
    try:
        answer = yield from actor.call(dst, op, body, flow=flow, step=step)
    except LsoSimError as exc:
        # Given up after every attempt: the task failed, and says why (docs/faults.md).
        return {"result": "fail", "reason": str(exc)}
    if answer.status not in (201, 202):
        return {"result": "fail", "reason": f"{op.name} to {dst} refused with status {answer.status}"}
    fired, value = yield from actor.waiting.wait(f"task:{answer.correlation_id}", wait)
    if not fired:
        return {"result": "fail", "reason": f"no result of {op.name} from {dst} within {wait:g} s"}
    result: dict[str, Any] = value
    return result


def sp_constructs(world: World, record: ServiceRecord) -> list[tuple[str, str, list[str]]]:
    """The SP forwarding constructs of a provider service: ``(ICM id, construct id, NEs)``."""
    if record.decomposition is None:
        return list(record.constructs)
    return [
        (world.icm_of_fd(c.forwarding_domains[0]).id, c.id, list(c.network_elements))
        for c in record.decomposition.sp_components()
    ]


def partner_components(record: ServiceRecord) -> list[tuple[str, str, str | None]]:
    """The partner components of a provider service: ``(partner domain, component id, partner order)``."""
    if record.decomposition is None:
        return []
    return [
        (c.domain, c.id, record.partner_orders.get(c.domain))
        for c in record.decomposition.partner_components()
    ]


def find_service(sof: ServiceOrchestrator, service_id: str) -> ServiceRecord | None:
    """The record of service ``service_id`` in SOF's inventory."""
    for record in sof.services.values():
        if record.service.id == service_id:
            return record
    return None


# -- partner SOF ------------------------------------------------------------------------------------------


class PartnerTasks:
    """A partner SOF's side of the INTERLUDE assurance tasks."""

    def __init__(self, world: World, sof: ServiceOrchestrator) -> None:
        self.world = world
        self.sof = sof

    def _record(self, partner_order: str | None) -> ServiceRecord | None:
        known = self.sof.sold_under.get(str(partner_order))
        return self.sof.services.get(known) if known is not None else None

    def component_task(self, op: Operation, msg: Message) -> Generator[simpy.Event, Any, None]:
        """INTERLUDE modify/verify: acknowledge, run it through this domain's ICMs, notify the result."""
        sof, world = self.sof, self.world
        record = self._record(msg.payload.get("partnerOrder"))
        if record is None or not record.constructs:
            sof.respond(
                msg,
                404,
                {"code": "notFound", "reason": gone(sof, f"active component {msg.payload['componentId']}")},
            )
            return
        sof.respond(msg, 202, {"taskId": msg.id, "state": "inProgress"})
        steps = steps_of(msg)
        update = op is UPDATE_CONNECTIVITY_SERVICE
        before = record.bandwidth_mbps
        if update:
            wanted = float(msg.payload.get("bandwidthMbps", record.bandwidth_mbps))
            _rebook(world, record, wanted - record.bandwidth_mbps, sof.domain)
            record.bandwidth_mbps = wanted
        results = []
        for icm, construct, _nes in record.constructs:
            body: Any = (
                bodies.update_connectivity(
                    construct,
                    record.bandwidth_mbps,
                    remedy=bool(msg.payload.get("remedy")),
                    traffic_filter=msg.payload.get("trafficFilter"),
                )
                if update
                else {"constructId": construct}
            )
            results.append(
                run_task(
                    sof, icm, op, body, flow=msg.flow, step=steps.below, wait=world.options.notification_wait
                )
            )
        outcomes: list[dict[str, Any]] = yield from sof.gather(results)
        failed = [o for o in outcomes if o.get("result") != "pass"]
        if failed and update and record.bandwidth_mbps != before:
            # A change that failed gives its capacity back: nothing stays booked for it.
            _rebook(world, record, before - record.bandwidth_mbps, sof.domain)
            record.bandwidth_mbps = before
        result: dict[str, Any] = {
            "taskId": msg.id,
            "task": "update" if update else "test",
            "componentId": msg.payload["componentId"],
            "result": "fail" if failed else "pass",
            "repaired": [i for o in outcomes for i in o.get("repaired", [])],
            "impairments": sorted({i for o in outcomes for i in o.get("impairments", [])}),
        }
        reasons = [str(o["reason"]) for o in failed if o.get("reason")]
        if reasons:
            result["reason"] = "; ".join(reasons)
        sof.tell(msg.src, PARTNER_COMPONENT_RESULT, result, flow=msg.flow, step=steps.partner_report)
        if record.bandwidth_mbps != before:
            # The component changed without BUS ordering it: BUS's product must follow.
            inventory_sync.announce(sof, record, flow=msg.flow, step=steps.sync)

    def performance_report(self, msg: Message) -> Generator[simpy.Event, Any, None]:
        """INTERLUDE createPerformanceReport: gather this domain's figures of the component."""
        sof, world = self.sof, self.world
        body = msg.payload
        component = body["performanceJob"]["servicePayloadSpecificAttributes"]["interface"]
        record = self._record(body.get("partnerOrder"))
        if record is None or not record.constructs:
            sof.respond(msg, 404, {"code": "notFound", "reason": gone(sof, f"active component {component}")})
            return
        start = float(body.get("start", max(0.0, world.sim.now - world.telemetry.profile.interval)))
        watch = self._thresholds(body.get("watch"), str(body.get("partnerOrder")))
        calls = []
        for icm, construct, _nes in record.constructs:
            request: dict[str, Any] = {"constructId": construct, "start": start}
            if watch:
                sof.watchers[str(watch["id"])] = {"to": msg.src, "component": component, "step": msg.step}
                request["watch"] = watch
            calls.append(_sp_figures(sof, icm, request, msg.flow, steps_of(msg).below))
        answers: list[dict[str, Any] | str] = yield from sof.gather(calls)
        parts = [a for a in answers if not isinstance(a, str)]
        if len(parts) != len(answers):
            reason = "; ".join(a for a in answers if isinstance(a, str))
            sof.respond(msg, 502, {"code": "unavailable", "reason": reason})
            return
        figures = compose_figures(parts)
        report = bodies.performance_report(
            sof.next_id("pr"), body, component, figures, start, world.sim.now, world.sim.now
        )
        sof.respond(msg, 201, report)

    def _thresholds(self, watch: dict[str, Any] | None, partner_order: str) -> dict[str, Any] | None:
        """A watch named without thresholds takes those SOF-sp alerted this partner of (10.6 1b);
        with no alert in force there is nothing to watch, and figures alone are reported."""
        if not watch or "thresholds" in watch:
            return watch
        held = self.sof.held_to.get(partner_order)
        if held is None or held["until"] < self.world.sim.now:
            return None
        return {**watch, "thresholds": held["thresholds"]}

    def forward_alert(self, msg: Message) -> None:
        """A TCA from one of this domain's ICMs: pass it to the provider that asked (INTERLUDE)."""
        watcher = self.sof.watchers.get(str(msg.payload["watch"]))
        if watcher is None:
            raise LsoSimError(f"{self.sof.id}: alert for unknown watch {msg.payload['watch']!r}")
        payload = {**msg.payload, "componentId": watcher["component"]}
        self.sof.tell(watcher["to"], THRESHOLD_CROSSING_ALERT, payload, flow=msg.flow, step=watcher["step"])


# -- SOF-sp: gathering a service's figures (10.4 step 4, 10.6 step 1) ----------------------------------------


def install_alert_sink(sof: ServiceOrchestrator) -> None:
    """SOF-sp wakes whoever armed a watch when its threshold crossing alert arrives."""
    if not sof.handles(THRESHOLD_CROSSING_ALERT.name):
        sof.handle(
            THRESHOLD_CROSSING_ALERT, lambda msg: sof.waiting.fire(f"tca:{msg.payload['watch']}", msg.payload)
        )


def gather_service_figures(
    world: World,
    sof: ServiceOrchestrator,
    record: ServiceRecord,
    flow: Flow,
    start: float,
    *,
    sp_step: str,
    partner_step: str,
    watch: dict[str, Any] | None = None,
    deadline: float | None = None,
    alerted: frozenset[str] = frozenset(),
) -> Generator[simpy.Event, Any, dict[str, Any] | str]:
    """Figures of every component of a service since ``start``, composed end to end.

    SP components come from their ICMs over PRESTO (``sp_step``), partner components from the
    partner's SOF over INTERLUDE (``partner_step``), all at once. ``watch`` arms a threshold watch
    on every element on the way. ``deadline`` (seconds) bounds the gathering: each request gets
    one attempt that long, for work with a rhythm of its own (a measurement period must not wait
    days for a lost answer). ``alerted``: partner orders whose partner already holds the watch's
    thresholds (10.6 step 1b's alert), so their requests name the watch without them. Returns why,
    in one line, when a component could not be measured.
    """
    bound = _Bound(deadline)
    assert record.decomposition is not None
    calls = []
    names = []
    for component in record.decomposition.components:
        names.append(component.id)
        if component.partner:
            order = record.partner_orders.get(component.domain)
            named = watch
            if watch is not None and order in alerted:
                named = {"id": watch["id"], "until": watch["until"]}
            body = bodies.performance_report_create(
                sof.id, world.sof[component.domain].id, component.id, order, start, world.sim.now, named
            )
            partner = world.sof[component.domain].id
            calls.append(_partner_figures(sof, partner, body, flow, partner_step, bound))
        else:
            icm = world.icm_of_fd(component.forwarding_domains[0]).id
            request: dict[str, Any] = {"constructId": component.id, "start": start}
            if watch is not None:
                request["watch"] = watch
            calls.append(_sp_figures(sof, icm, request, flow, sp_step, bound))
    parts: list[dict[str, Any] | str] = yield from sof.gather(calls)
    problems = [p for p in parts if isinstance(p, str)]
    if problems:
        return "; ".join(problems)
    measured = [p for p in parts if not isinstance(p, str)]
    figures = compose_figures(measured)
    figures["components"] = [{"component": name, **part} for name, part in zip(names, measured, strict=True)]
    return figures


@dataclass(frozen=True, slots=True)
class _Bound:
    """How long one gathering may wait for each answer (``None``: the actor's own policy)."""

    deadline: float | None

    @property
    def retry(self) -> RetryPolicy | None:
        return None if self.deadline is None else NO_RETRY


_UNBOUNDED = _Bound(None)


def _sp_figures(
    sof: ServiceOrchestrator,
    icm: str,
    body: dict[str, Any],
    flow: Flow,
    step: str,
    bound: _Bound = _UNBOUNDED,
) -> Generator[simpy.Event, Any, dict[str, Any] | str]:
    """One construct's figures from its ICM, or why there are none."""
    answer = yield from _ask(sof, icm, RETRIEVE_CONSTRUCT_METRICS, body, flow, step, bound)
    if isinstance(answer, str):
        return answer
    return {k: answer.payload[k] for k in ("sample", "counters", "alarms")}


def _partner_figures(
    sof: ServiceOrchestrator,
    partner: str,
    body: dict[str, Any],
    flow: Flow,
    step: str,
    bound: _Bound = _UNBOUNDED,
) -> Generator[simpy.Event, Any, dict[str, Any] | str]:
    """One partner component's figures from the partner's SOF, or why there are none."""
    answer = yield from _ask(sof, partner, CREATE_PARTNER_PERFORMANCE_REPORT, body, flow, step, bound)
    if isinstance(answer, str):
        return answer
    return bodies.report_figures(answer.payload)


def _ask(
    sof: ServiceOrchestrator,
    dst: str,
    op: Operation,
    body: dict[str, Any],
    flow: Flow,
    step: str,
    bound: _Bound,
) -> Generator[simpy.Event, Any, Message | str]:
    """Send ``op`` within ``bound``: the successful answer, or why there is none, in one line."""
    try:
        answer = yield from sof.call(
            dst, op, body, flow=flow, step=step, timeout=bound.deadline, retry=bound.retry
        )
    except LsoSimError as exc:
        return str(exc)
    if answer.status != op.success:
        return _refused(op, dst, answer)
    return answer


def _refused(op: Operation, dst: str, answer: Message) -> str:
    """A refusal in one line: the operation, who refused, the status and the reason it gave."""
    why = answer.payload.get("reason") if isinstance(answer.payload, dict) else None
    return f"{op.name} to {dst} answered {answer.status}" + (f": {why}" if why else "")


def _rebook(world: World, record: ServiceRecord, delta: float, domain: str) -> None:
    """Take (or give back) ``delta`` Mb/s on the links ``domain`` reserved for ``record``."""
    if delta > 0:
        world.topology.reserve(record.reserved, delta, domain)
    elif delta < 0:
        world.topology.release(record.reserved, -delta, domain)


Target = tuple[str, str, str | None]
"""What a task goes to: ``(actor id, construct or component id, partner order or None)``: an ICM
for an SP forwarding construct, a partner's SOF for a partner component."""


def service_targets(world: World, record: ServiceRecord) -> list[Target]:
    """Every part of a provider service: its SP constructs, then its partner components."""
    return [(icm, cid, None) for icm, cid, _ in sp_constructs(world, record)] + [
        (world.sof[domain].id, component, order) for domain, component, order in partner_components(record)
    ]


def test_task(
    sof: RoleActor, target: Target, *, flow: Flow, step: str, wait: float
) -> Generator[simpy.Event, Any, dict[str, Any]]:
    """Test one part: a construct over PRESTO, a partner component over INTERLUDE."""
    dst, part, order = target
    if order is None:
        body: dict[str, Any] = {"constructId": part}
        return run_task(sof, dst, TEST_FORWARDING_CONSTRUCT, body, flow=flow, step=step, wait=wait)
    body = {"componentId": part, "partnerOrder": order}
    return run_task(sof, dst, VERIFY_PARTNER_COMPONENT, body, flow=flow, step=step, wait=wait)


def update_task(
    sof: RoleActor,
    target: Target,
    bandwidth_mbps: float,
    *,
    flow: Flow,
    step: str,
    wait: float,
    remedy: bool = False,
    traffic_filter: list[dict[str, Any]] | None = None,
) -> Generator[simpy.Event, Any, dict[str, Any]]:
    """Reconfigure one part to ``bandwidth_mbps`` (``remedy``: also repair what can be repaired;
    ``traffic_filter``: install these filter rules, 10.3's filtering control)."""
    dst, part, order = target
    if order is None:
        body = bodies.update_connectivity(part, bandwidth_mbps, remedy=remedy, traffic_filter=traffic_filter)
        return run_task(sof, dst, UPDATE_CONNECTIVITY_SERVICE, body, flow=flow, step=step, wait=wait)
    request: dict[str, Any] = {"componentId": part, "partnerOrder": order, "bandwidthMbps": bandwidth_mbps}
    if traffic_filter is not None:
        request["trafficFilter"] = traffic_filter
    if remedy:
        request["remedy"] = True
    return run_task(sof, dst, MODIFY_PARTNER_COMPONENT, request, flow=flow, step=step, wait=wait)
