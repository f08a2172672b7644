"""Thread 10.4, SOF-sp: offer report types, gather (or reuse) information, assemble, alert, serve.

Gathered information is cached per service and report window: a request within
``report_freshness`` seconds of the last gathering is served without going down to the ICMs and
partners (the trace shows ``assembleReport`` with ``"cached": true`` and no step 4 hops).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from lso_sim.actors.roles import ServiceOrchestrator, ServiceRecord
from lso_sim.actors.world import World
from lso_sim.messages.bodies import timestamp
from lso_sim.messages.envelope import Flow, Message
from lso_sim.messages.operations import (
    LIST_REPORT_TYPES,
    REQUEST_SERVICE_REPORT,
    RETRIEVE_REPORT_REQUEST,
    RETRIEVE_SERVICE_REPORT,
    SERVICE_REPORT_READY,
)
from lso_sim.threads.resource_tasks import (
    METRICS,
    declare_steps,
    find_service,
    gather_service_figures,
    install_alert_sink,
)

THREAD = "10.4"
REPORT_TYPES = ("performance", "fault")


def install(world: World) -> None:
    """Register the 10.4 handlers of SOF-sp."""
    # MEF's 4.1 is two hops (SOF-sp -> PRESTO -> ICM; ICM -> ADAGIO -> ECM): each gets its label.
    declare_steps(THREAD, "4a", below="4a-ecm")
    declare_steps(THREAD, "4b", below="4b", adagio="4b")
    sof = world.sof_sp
    reporter = Reporter(world, sof)
    sof.handle(LIST_REPORT_TYPES, reporter.list_types)
    sof.handle(REQUEST_SERVICE_REPORT, reporter.request_report)
    sof.handle(RETRIEVE_SERVICE_REPORT, reporter.retrieve)
    sof.handle(RETRIEVE_REPORT_REQUEST, reporter.retrieve_request)
    install_alert_sink(sof)


class Reporter:
    """SOF-sp's 10.4 behaviour."""

    def __init__(self, world: World, sof: ServiceOrchestrator) -> None:
        self.world = world
        self.sof = sof

    def list_types(self, msg: Message) -> None:
        """Step 1: the report types of the service established by a product order."""
        order = msg.payload.get("productOrder")
        record = next((r for r in self.sof.services.values() if r.product_order == order), None)
        if record is None:
            self.sof.respond(msg, 404, {"code": "notFound", "reason": f"no service for order {order}"})
            return
        self.sof.respond(
            msg,
            200,
            {
                "service": record.service.id,
                "reportTypes": [
                    {"type": "performance", "metrics": list(METRICS), "counters": True},
                    {"type": "fault", "content": "alarms raised and cleared by the elements of the service"},
                ],
                "delivery": ["once", "scheduled", "triggered"],
                "granularitySeconds": self.world.telemetry.profile.interval,
            },
        )

    def request_report(self, msg: Message) -> Generator[simpy.Event, Any, None]:
        """Step 2: accept a request, then produce its report(s) as asked."""
        sof, world = self.sof, self.world
        body = msg.payload
        record = find_service(sof, body["service"])
        if record is None or body.get("type") not in REPORT_TYPES:
            reason = "unknown service" if record is None else f"report type must be one of {REPORT_TYPES}"
            sof.respond(msg, 422, {"code": "invalid", "reason": reason})
            return
        request_id = sof.next_id("report-request")
        sof.report_requests[request_id] = {"id": request_id, "customer": msg.src, "alerts": {}}
        sof.respond(msg, 202, {"id": request_id, "state": "accepted"})
        schedule = body.get("schedule")
        trigger = body.get("trigger")
        if schedule is not None:
            for sequence in range(int(schedule["count"])):
                if sequence:
                    yield world.sim.env.timeout(float(schedule["every"]))
                yield from self._produce(record, request_id, sequence, body, msg.src, msg.flow, None)
        elif trigger is not None:
            yield from self._triggered(record, request_id, body, msg.src, msg.flow)
        else:
            yield from self._produce(record, request_id, 0, body, msg.src, msg.flow, None)

    def _triggered(
        self, record: ServiceRecord, request_id: str, body: dict[str, Any], customer: str, flow: Flow
    ) -> Generator[simpy.Event, Any, None]:
        """Arm a watch on every element of the service; report when it fires (or say it did not)."""
        sof, world = self.sof, self.world
        trigger = body["trigger"]
        within = float(trigger["within"])
        watch = {
            "id": sof.next_id("watch"),
            "thresholds": {trigger["metric"]: trigger["threshold"]},
            "until": world.sim.now + within,
        }
        figures = yield from self._gather(record, flow, float(body["window"]), watch)
        if isinstance(figures, str):
            self._alert(customer, request_id, 0, None, "failed", flow, figures)
            return
        slack = world.telemetry.profile.interval
        fired, alert = yield from sof.waiting.wait(f"tca:{watch['id']}", within + slack)
        if not fired:
            why = f"{trigger['metric']} did not cross {trigger['threshold']} within {within:g} s"
            self._alert(customer, request_id, 0, None, "notTriggered", flow, why)
            return
        yield from self._produce(record, request_id, 0, body, customer, flow, alert)

    def _gather(
        self, record: ServiceRecord, flow: Flow, window: float, watch: dict[str, Any] | None
    ) -> Generator[simpy.Event, Any, dict[str, Any] | str]:
        world = self.world
        start = max(0.0, world.sim.now - window)
        figures = yield from gather_service_figures(
            world, self.sof, record, flow, start, sp_step="4a", partner_step="4b", watch=watch
        )
        if not isinstance(figures, str):
            figures["window"] = {"start": timestamp(start), "end": timestamp(world.sim.now)}
            self.sof.metrics_cache[f"{record.service.id}/{window:g}"] = (world.sim.now, figures)
        return figures

    def _produce(
        self,
        record: ServiceRecord,
        request_id: str,
        sequence: int,
        body: dict[str, Any],
        customer: str,
        flow: Flow,
        alert: dict[str, Any] | None,
    ) -> Generator[simpy.Event, Any, None]:
        """Steps 3 to 5: decide what is needed, gather it unless current, assemble, alert."""
        sof, world = self.sof, self.world
        window = float(body["window"])
        kind = str(body["type"])
        yield from sof.activity(
            "determineReportInformation",
            flow=flow,
            step="3",
            payload={"service": record.service.id, "type": kind, "windowSeconds": window},
        )
        cached = sof.metrics_cache.get(f"{record.service.id}/{window:g}")
        current = cached is not None and world.sim.now - cached[0] <= sof.report_freshness
        if cached is not None and current:
            figures: dict[str, Any] | str = cached[1]
        else:
            figures = yield from self._gather(record, flow, window, None)
        if isinstance(figures, str):
            # MEF: a report that cannot be gathered is failed; the Customer hears why.
            self._alert(customer, request_id, sequence, None, "failed", flow, figures)
            return
        report_id = sof.next_id("report")
        yield from sof.activity(
            "assembleReport",
            flow=flow,
            step="5",
            payload={"report": report_id, "cached": bool(current), "type": kind},
        )
        report: dict[str, Any] = {
            "id": report_id,
            "service": record.service.id,
            "type": kind,
            "created": timestamp(world.sim.now),
            "window": figures["window"],
            "cached": bool(current),
        }
        if kind == "performance":
            report["endToEnd"] = {"sample": figures["sample"], "counters": figures["counters"]}
            report["components"] = [
                {"component": c["component"], "sample": c["sample"], "counters": c["counters"]}
                for c in figures["components"]
            ]
        else:
            report["alarms"] = figures["alarms"]
        if alert is not None:
            report["trigger"] = {
                "crossed": alert.get("crossed"),
                "networkElement": alert.get("networkElement"),
            }
        sof.reports[report_id] = report
        self._alert(customer, request_id, sequence, report_id, "available", flow)

    def _alert(
        self,
        customer: str,
        request_id: str,
        sequence: int,
        report_id: str | None,
        state: str,
        flow: Flow,
        reason: str | None = None,
    ) -> None:
        alert: dict[str, Any] = {
            "requestId": request_id,
            "sequence": sequence,
            "reportId": report_id,
            "state": state,
        }
        if reason is not None:
            alert["reason"] = reason
        known = self.sof.report_requests.get(request_id)
        if known is not None:
            known["alerts"][str(sequence)] = alert
        self.sof.tell(customer, SERVICE_REPORT_READY, alert, flow=flow, step="5")

    def retrieve_request(self, msg: Message) -> None:
        """A report request and the alerts of its reports so far (what a Customer polls)."""
        known = self.sof.report_requests.get(str(msg.payload.get("id")))
        if known is None or known["customer"] != msg.src:
            reason = f"no report request {msg.payload.get('id')}"
            self.sof.respond(msg, 404, {"code": "notFound", "reason": reason})
            return
        self.sof.respond(msg, 200, {"id": known["id"], "alerts": dict(known["alerts"])})

    def retrieve(self, msg: Message) -> None:
        """Step 6: the Customer reads a report."""
        report = self.sof.reports.get(msg.payload.get("id", ""))
        if report is None:
            self.sof.respond(msg, 404, {"code": "notFound", "reason": f"no report {msg.payload.get('id')}"})
            return
        self.sof.respond(msg, 200, report)
