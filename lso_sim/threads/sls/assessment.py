"""Thread 10.6, SOF-sp: poll, compare with the SLS, locate and resolve degradations, report status.

One assessment is one thread instance (``<service>/sls``) driven by SOF-sp for ``periods`` periods.
First it alerts each partner of the objectives its component is held to (1b,
:mod:`~lso_sim.threads.sls.partner_alert`). Each period it polls every component (1a over PRESTO,
1b over INTERLUDE; ADAGIO 2 below) and re-arms threshold watches until the next poll; an alert (a
TCA) makes it poll at once. It compares the end-to-end figures with the objectives (3). On a
degradation it tests the components (3) to find the impaired elements, reconfigures those
components (4), records whether manual intervention is needed (5) and reports the status to BUS-sp
(6), which tells the Customer (7) over CANTATA; a Customer whose contract names ALLEGRO
(``status_via``) hears step 7 from SOF-sp over ALLEGRO instead, MEF's alternative. When the figures
are back within the objectives it reports the resolution the same way.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import simpy

from lso_sim.actors.roles import ServiceOrchestrator, ServiceRecord
from lso_sim.actors.world import World
from lso_sim.messages.bodies import timestamp
from lso_sim.messages.envelope import Flow
from lso_sim.messages.operations import (
    FORWARDING_CONSTRUCT_RESULT,
    PARTNER_COMPONENT_RESULT,
    SERVICE_QUALITY_STATUS,
    SLS_STATUS_ALLEGRO,
)
from lso_sim.threads.resource_tasks import (
    crosses,
    declare_steps,
    find_service,
    gather_service_figures,
    install_alert_sink,
    metric_value,
    service_targets,
    signal_task_result,
    test_task,
    update_task,
)
from lso_sim.threads.sls.partner_alert import alert_partners, install_partner

THREAD = "10.6"


@dataclass(frozen=True, slots=True)
class Assessment:
    """The SLS assessment of one service.

    Attributes:
        service: service id in SOF-sp's inventory.
        objectives: metric name -> objective (availability: a floor; the others: ceilings).
        start: simulated time of the first poll.
        period: seconds between polls.
        periods: number of polls.
        instance: thread instance id.
        customer: the Customer of the service (whose ``status_via`` picks step 7's IRP).
    """

    service: str
    objectives: dict[str, float]
    start: float
    period: float
    periods: int
    instance: str
    customer: str | None = None


def install(world: World) -> None:
    """Declare the steps of the hops below 10.6 requests and let SOF-sp hear results and alerts."""
    declare_steps(THREAD, "1a", below="2")
    declare_steps(THREAD, "1b", below="1b", adagio="2")
    declare_steps(THREAD, "3", below="3")
    declare_steps(THREAD, "4", below="4")
    sof = world.sof_sp
    install_alert_sink(sof)
    for partner in world.sof.values():
        if partner is not sof:
            install_partner(partner)
    if not sof.handles(FORWARDING_CONSTRUCT_RESULT.name):
        sof.handle(FORWARDING_CONSTRUCT_RESULT, lambda msg: signal_task_result(sof, msg))
    if not sof.handles(PARTNER_COMPONENT_RESULT.name):
        sof.handle(PARTNER_COMPONENT_RESULT, lambda msg: signal_task_result(sof, msg))


def violations(sample: dict[str, Any], objectives: dict[str, float]) -> dict[str, float]:
    """The objectives a sample misses: metric -> measured value."""
    return {
        metric: round(metric_value(sample, metric), 9)
        for metric, objective in sorted(objectives.items())
        if crosses(metric, metric_value(sample, metric), objective)
    }


def run(world: World, assessment: Assessment) -> Generator[simpy.Event, Any, None]:
    """SOF-sp's life line for one assessment (a simpy process body)."""
    if assessment.start > world.sim.now:
        yield world.sim.env.timeout(assessment.start - world.sim.now)
    sof = world.sof_sp
    flow = Flow(THREAD, assessment.instance)
    world.begin(THREAD, assessment.instance, sof)
    record = find_service(sof, assessment.service)
    if record is None:
        world.finish(assessment.instance, "unknownService")
        return
    yield from _Assessor(world, sof, record, assessment, flow).run()


class _Assessor:
    def __init__(
        self,
        world: World,
        sof: ServiceOrchestrator,
        record: ServiceRecord,
        assessment: Assessment,
        flow: Flow,
    ) -> None:
        self.world = world
        self.sof = sof
        self.record = record
        self.assessment = assessment
        self.flow = flow
        self.status = "met"
        self.degradations = 0
        self.resolved = 0
        self.alerts = 0

    def run(self) -> Generator[simpy.Event, Any, None]:
        world, sof, a = self.world, self.sof, self.assessment
        last = max(0.0, world.sim.now - a.period)
        end = world.sim.now + a.period * a.periods
        alerted = yield from alert_partners(world, sof, self.record, a.objectives, end, self.flow, a.period)
        polls = 0
        unmeasured: list[str] = []
        while polls < a.periods:
            polls += 1
            until = world.sim.now + a.period
            watch = {"id": sof.next_id("watch"), "thresholds": dict(a.objectives), "until": until}
            figures = yield from gather_service_figures(
                world,
                sof,
                self.record,
                self.flow,
                last,
                sp_step="1a",
                partner_step="1b",
                watch=watch,
                alerted=alerted,
                deadline=a.period,  # a period's figures come within the period, or it goes unmeasured
            )
            last = world.sim.now
            if isinstance(figures, str):
                # This period cannot be assessed (a component was not measured): say so at the end.
                unmeasured.append(figures)
            else:
                yield from self._assess(figures)
            if polls >= a.periods:
                break
            fired, _alert = yield from sof.waiting.wait(f"tca:{watch['id']}", max(0.0, until - world.sim.now))
            if fired:
                self.alerts += 1
        state = "completed" if self.status == "met" else f"ended {self.status}"
        reason = None
        if unmeasured:
            reason = f"{len(unmeasured)} of {a.periods} periods not measured (last: {unmeasured[-1]})"
            if len(unmeasured) == a.periods:
                state = "failed"
        world.finish(
            a.instance,
            state,
            reason,
            degradations=self.degradations,
            resolved=self.resolved,
            alerts=self.alerts,
        )

    def _assess(self, figures: dict[str, Any]) -> Generator[simpy.Event, Any, None]:
        sof = self.sof
        missed = violations(figures["sample"], self.assessment.objectives)
        yield from sof.activity(
            "assessServiceQuality",
            flow=self.flow,
            step="3",
            payload={"service": self.record.service.id, "endToEnd": figures["sample"], "violations": missed},
        )
        if missed and self.status == "met":
            self.degradations += 1
            yield from self._handle(missed)
        elif missed:
            yield from sof.activity(
                "trackDegradationResolution",
                flow=self.flow,
                step="5",
                payload={"status": self.status, "violations": missed},
            )
        elif self.status != "met":
            self.status = "met"
            self.resolved += 1
            yield from sof.activity(
                "trackDegradationResolution", flow=self.flow, step="5", payload={"status": "resolved"}
            )
            self._report("resolved", {}, manual=False)

    def _handle(self, missed: dict[str, float]) -> Generator[simpy.Event, Any, None]:
        """Steps 3 to 6 of a newly detected degradation."""
        world, sof, record, flow = self.world, self.sof, self.record, self.flow
        wait = world.options.notification_wait
        targets = service_targets(world, record)
        tests = [test_task(sof, t, flow=flow, step="3", wait=wait) for t in targets]
        results: list[dict[str, Any]] = yield from sof.gather(tests)
        impaired = [
            target
            for target, result in zip(targets, results, strict=True)
            if result.get("impairments") or result.get("result") != "pass"
        ]
        located = sorted({i for r in results for i in r.get("impairments", [])})
        remedies = [
            update_task(sof, t, record.bandwidth_mbps, flow=flow, step="4", wait=wait, remedy=True)
            for t in impaired
        ]
        outcomes: list[dict[str, Any]] = yield from sof.gather(remedies)
        repaired = sorted({i for o in outcomes for i in o.get("repaired", [])})
        manual = not located or bool(set(located) - set(repaired))
        self.status = "manualInterventionRequired" if manual else "remedied"
        yield from sof.activity(
            "trackDegradationResolution",
            flow=flow,
            step="5",
            payload={
                "status": self.status,
                "impairments": located,
                "repaired": repaired,
                "manualIntervention": manual,
            },
        )
        self._report("degraded", missed, manual=manual, located=located, repaired=repaired)

    def _report(
        self,
        status: str,
        missed: dict[str, float],
        *,
        manual: bool,
        located: list[str] | None = None,
        repaired: list[str] | None = None,
    ) -> None:
        """Step 6: the status to BUS-sp (which relays it over CANTATA, step 7), or 7 over ALLEGRO."""
        body = {
                "service": self.record.service.id,
                "productOrder": self.record.product_order,
                "status": status,
                "action": self.status,
                "violations": missed,
                "impairments": located or [],
                "repaired": repaired or [],
                "manualIntervention": manual,
                "eventTime": timestamp(self.world.sim.now),
        }
        self.sof.tell(self.world.bus_sp.id, SERVICE_QUALITY_STATUS, body, flow=self.flow, step="6")
        customer = self.world.customers.get(self.assessment.customer or "")
        if customer is not None and customer.status_via == "ALLEGRO":
            self.sof.tell(customer.id, SLS_STATUS_ALLEGRO, body, flow=self.flow, step="7")
