"""Thread 10.3, SOF-sp: check a change against the constraints, then carry it out and report it.

Steps: the constraints (1), the request (2) checked (3) and refused with a reason when outside
them, the components to reconfigure (4), SP reconfiguration over PRESTO (5a; ADAGIO 6, result 7)
and partner reconfiguration over INTERLUDE (5b; the partner's result 8), the tests the same way
(9a/9b; 10, 11, 12), inventory and assurance in step (13: monitoring re-armed for a new
bandwidth, :mod:`~lso_sim.threads.control.rearm`), a usage event to BUS-sp (14) and the Customer
told (15). A change is of bandwidth, of the traffic filter (MEF's other example of a control:
rules permitting or denying traffic by VLAN or EtherType, installed on every construct) or both.
"""

from __future__ import annotations

import itertools
from collections.abc import Generator, Sequence
from typing import Any

import simpy

from lso_sim.actors.roles import BusinessApplications, ServiceOrchestrator, ServiceRecord
from lso_sim.actors.world import World
from lso_sim.messages.bodies import timestamp
from lso_sim.messages.envelope import Flow, Message
from lso_sim.messages.operations import (
    FORWARDING_CONSTRUCT_RESULT,
    PARTNER_COMPONENT_RESULT,
    REQUEST_SERVICE_CHANGE,
    RETRIEVE_CONTROL_POLICY,
    RETRIEVE_SERVICE_CHANGE,
    SERVICE_CHANGE_EVENT,
    SERVICE_USAGE_EVENT,
)
from lso_sim.threads import inventory_sync
from lso_sim.threads.control import filters
from lso_sim.threads.control.rearm import install as install_rearm
from lso_sim.threads.control.rearm import rearm
from lso_sim.threads.resource_tasks import (
    declare_steps,
    find_service,
    service_targets,
    signal_task_result,
    test_task,
    update_task,
)

THREAD = "10.3"

DEFAULT_POLICY: dict[str, Any] = {
    "minBandwidthMbps": 10.0,
    "maxBandwidthMbps": 1000.0,
    "scheduledChanges": True,
    "reservations": True,
    **filters.DEFAULT_POLICY,
}
"""Constraints of a service whose product contract says nothing more."""


def install(world: World) -> None:
    """Register the 10.3 handlers of SOF-sp and the usage event sink of BUS-sp."""
    declare_steps(THREAD, "5a", below="6", report="7")
    declare_steps(THREAD, "5b", below="5b", adagio="6", report="7", partner_report="8")
    declare_steps(THREAD, "9a", below="10", report="11")
    declare_steps(THREAD, "9b", below="9b", adagio="10", report="11", partner_report="12")
    sof = world.sof_sp
    controller = Controller(world, sof)
    sof.handle(RETRIEVE_CONTROL_POLICY, controller.policy)
    sof.handle(REQUEST_SERVICE_CHANGE, controller.request_change)
    sof.handle(RETRIEVE_SERVICE_CHANGE, controller.retrieve_change)
    if not sof.handles(FORWARDING_CONSTRUCT_RESULT.name):
        sof.handle(FORWARDING_CONSTRUCT_RESULT, lambda msg: signal_task_result(sof, msg))
    if not sof.handles(PARTNER_COMPONENT_RESULT.name):
        sof.handle(PARTNER_COMPONENT_RESULT, lambda msg: signal_task_result(sof, msg))
    install_usage_sink(world.bus_sp)
    install_rearm(world)


def install_usage_sink(bus: BusinessApplications) -> None:
    """BUS-sp keeps the usage events SOF reports (their billing impact is 10.7's business)."""
    if not bus.handles(SERVICE_USAGE_EVENT.name):
        bus.handle(SERVICE_USAGE_EVENT, lambda msg: bus.usage_events.append(dict(msg.payload)))


class Controller:
    """SOF-sp's 10.3 behaviour."""

    def __init__(self, world: World, sof: ServiceOrchestrator) -> None:
        self.world = world
        self.sof = sof
        self.filters: dict[str, list[dict[str, Any]]] = {}
        """Service id -> the traffic filter rules in force on it (none: no filter)."""

    def _policy_of(self, record: ServiceRecord) -> dict[str, Any]:
        return self.sof.control_policies.get(record.product_order or "", DEFAULT_POLICY)

    # -- 1 ----------------------------------------------------------------------------------------

    def policy(self, msg: Message) -> None:
        """The constraints of the service established by a product order."""
        order = msg.payload.get("productOrder")
        record = next(
            (
                r
                for r in self.sof.services.values()
                if r.product_order == order and r.service.state == "active"
            ),
            None,
        )
        if record is None:
            self.sof.respond(msg, 404, {"code": "notFound", "reason": f"no active service for order {order}"})
            return
        policy = {**DEFAULT_POLICY, **self._policy_of(record)}
        permitted = ["bandwidthMbps", "trafficFilter"] if policy["trafficFiltering"] else ["bandwidthMbps"]
        self.sof.respond(
            msg,
            200,
            {
                "service": record.service.id,
                "bandwidthMbps": record.bandwidth_mbps,
                "trafficFilter": self.filters.get(record.service.id, []),
                "permittedChanges": permitted,
                "constraints": policy,
            },
        )

    # -- 2, 3: check, then accept or refuse --------------------------------------------------------

    def request_change(self, msg: Message) -> Generator[simpy.Event, Any, None]:
        sof, world = self.sof, self.world
        body = msg.payload
        record = find_service(sof, body["service"])
        yield from sof.activity("checkServiceConstraints", flow=msg.flow, step="3", payload=dict(body))
        if record is None or record.service.state != "active":
            sof.respond(msg, 404, {"code": "notFound", "reason": f"no active service {body['service']}"})
            return
        wanted = float(body.get("bandwidthMbps", record.bandwidth_mbps))
        rules = body.get("trafficFilter")
        refusal = filters.refusal(body, {**DEFAULT_POLICY, **self._policy_of(record)})
        refusal = refusal or self._refusal(record, wanted, body)
        if refusal is not None:
            sof.respond(msg, 422, {"code": refusal[0], "reason": refusal[1]})
            return
        change = sof.next_id("change")
        delay = float(body.get("delay") or 0.0)
        duration = body.get("duration")
        assert record.decomposition is not None
        path = record.decomposition.path
        # A reservation holds the extra capacity from acceptance, so its window is guaranteed it;
        # other changes take (or give back) capacity when they are applied.
        hold = max(0.0, wanted - record.bandwidth_mbps) if duration is not None else 0.0
        self._rebook(path, hold)
        state = "reserved" if duration is not None else "scheduled" if delay else "inProgress"
        sof.changes[change] = {"id": change, "customer": msg.src, "state": state, "phases": {}}
        sof.respond(
            msg,
            202,
            {
                "id": change,
                "service": record.service.id,
                "state": state,
                "bandwidthMbps": wanted,
                **({"trafficFilter": rules} if rules is not None else {}),
                "applyAt": timestamp(world.sim.now + delay),
            },
        )
        if delay:
            yield world.sim.env.timeout(delay)
        self._rebook(path, -hold)
        before = record.bandwidth_mbps
        before_rules = None if rules is None else self.filters.get(record.service.id, [])
        yield from self._apply(record, change, wanted, "applied", msg.src, msg.flow, rules)
        if duration is not None:
            yield world.sim.env.timeout(float(duration))
            yield from self._apply(record, change, before, "reverted", msg.src, msg.flow, before_rules)

    def _refusal(self, record: ServiceRecord, wanted: float, body: dict[str, Any]) -> tuple[str, str] | None:
        policy = self._policy_of(record)
        low, high = float(policy["minBandwidthMbps"]), float(policy["maxBandwidthMbps"])
        if not low <= wanted <= high:
            return (
                "outsideConstraints",
                f"bandwidth {wanted:g} Mbit/s is outside the permitted {low:g}-{high:g} Mbit/s",
            )
        if body.get("delay") and not policy["scheduledChanges"]:
            return ("notPermitted", "scheduled changes are not permitted on this service")
        if body.get("duration") is not None and not policy["reservations"]:
            return ("notPermitted", "reservations are not permitted on this service")
        extra = wanted - record.bandwidth_mbps
        if extra > 0 and record.decomposition is not None:
            free = self._free(record.decomposition.path)
            if free < extra:
                return ("noCapacity", f"only {free:g} Mbit/s more is free along the service's path")
        return None

    def _free(self, path: Sequence[str]) -> float:
        graph = self.world.topology.graph
        return min(
            (
                float(graph.edges[a, b]["capacity"]) - float(graph.edges[a, b]["used"])
                for a, b in itertools.pairwise(path)
            ),
            default=0.0,
        )

    def _rebook(self, path: Sequence[str], delta: float) -> None:
        # SOF-sp books its own links and the ENNIs; the partner books its segment when asked to
        # change its component (INTERLUDE, step 5b).
        if delta > 0:
            self.world.topology.reserve(path, delta, self.sof.domain)
        elif delta < 0:
            self.world.topology.release(path, -delta, self.sof.domain)

    # -- 4 to 15: carry a change out --------------------------------------------------------------

    def _apply(
        self,
        record: ServiceRecord,
        change: str,
        bandwidth: float,
        phase: str,
        customer: str,
        flow: Flow,
        rules: list[dict[str, Any]] | None = None,
    ) -> Generator[simpy.Event, Any, None]:
        """Steps 4 to 15 of one phase: ``bandwidth`` and, unless ``None``, the filter ``rules``."""
        sof, world = self.sof, self.world
        wait = world.options.notification_wait
        assert record.decomposition is not None
        path = record.decomposition.path
        delta = bandwidth - record.bandwidth_mbps
        if delta > 0 and self._free(path) < delta:
            short = f"only {self._free(path):g} Mbit/s of the {delta:g} Mbit/s more is free along the path"
            self._notify(record, change, phase, "failed", customer, flow, short)
            return
        self._rebook(path, delta)
        targets = service_targets(world, record)
        yield from sof.activity(
            "identifyServiceComponents",
            flow=flow,
            step="4",
            payload={
                "constructs": [part for _, part, order in targets if order is None],
                "partnerComponents": [part for _, part, order in targets if order is not None],
            },
        )
        # 5a/5b: each SP construct over PRESTO, each partner component over INTERLUDE; 9a/9b: tests.
        reconfigure = [
            update_task(
                sof,
                t,
                bandwidth,
                flow=flow,
                step="5a" if t[2] is None else "5b",
                wait=wait,
                traffic_filter=rules,
            )
            for t in targets
        ]
        # The tasks never raise: a part given up on is a failed result with its reason.
        results: list[dict[str, Any]] = yield from sof.gather(reconfigure)
        ok = all(r.get("result") == "pass" for r in results)
        if ok:
            tests = [
                test_task(sof, t, flow=flow, step="9a" if t[2] is None else "9b", wait=wait) for t in targets
            ]
            results = yield from sof.gather(tests)
            ok = all(r.get("result") == "pass" for r in results)
        old = record.bandwidth_mbps
        reason = None
        if not ok:
            # The change cannot complete: its capacity is given back, the Customer told why.
            self._rebook(path, -delta)
            reason = _failure_reason(targets, results)
        if ok:
            # 13: assurance follows a new bandwidth (monitoring jobs and thresholds), then inventory.
            problems = (yield from rearm(world, sof, targets, bandwidth, flow)) if bandwidth != old else []
            synchronised: dict[str, Any] = {"service": record.service.id, "bandwidthMbps": bandwidth}
            if bandwidth != old:
                synchronised["monitoringRearmed"] = len(targets) - len(problems)
            if problems:
                synchronised["monitoringNotRearmed"] = problems
            if rules is not None:
                self.filters[record.service.id] = rules
                synchronised["trafficFilterRules"] = len(rules)
            yield from sof.activity(
                "synchroniseInventoryAndAssurance", flow=flow, step="13", payload=synchronised
            )
            record.bandwidth_mbps = bandwidth
            if bandwidth != old:
                # BUS-sp's product shows the ordered bandwidth until BUS-sp reads the service.
                inventory_sync.announce(sof, record, flow=flow, step="13")
            sof.tell(
                world.bus_sp.id,
                SERVICE_USAGE_EVENT,
                {
                    "eventType": "serviceChange",
                    "eventTime": timestamp(world.sim.now),
                    "service": record.service.id,
                    "productOrder": record.product_order,
                    "change": change,
                    "phase": phase,
                    "previousBandwidthMbps": old,
                    "bandwidthMbps": bandwidth,
                },
                flow=flow,
                step="14",
            )
        self._notify(record, change, phase, "completed" if ok else "failed", customer, flow, reason)

    def _notify(
        self,
        record: ServiceRecord,
        change: str,
        phase: str,
        state: str,
        customer: str,
        flow: Flow,
        reason: str | None = None,
    ) -> None:
        """Step 15: tell the Customer how the change (or its reversal) ended (and why it failed)."""
        event: dict[str, Any] = {
            "changeId": change,
            "service": record.service.id,
            "phase": phase,
            "state": state,
            "bandwidthMbps": record.bandwidth_mbps,
            "trafficFilter": self.filters.get(record.service.id, []),
            "eventTime": timestamp(self.world.sim.now),
        }
        if reason is not None:
            event["reason"] = reason
        known = self.sof.changes.get(change)
        if known is not None:
            known["phases"][phase] = event
            known["state"] = state
        self.sof.tell(customer, SERVICE_CHANGE_EVENT, event, flow=flow, step="15")

    def retrieve_change(self, msg: Message) -> None:
        """A change and how each of its phases ended so far (what a Customer polls)."""
        known = self.sof.changes.get(str(msg.payload.get("id")))
        if known is None or known["customer"] != msg.src:
            self.sof.respond(
                msg, 404, {"code": "notFound", "reason": f"no service change {msg.payload.get('id')}"}
            )
            return
        self.sof.respond(
            msg, 200, {"id": known["id"], "state": known["state"], "phases": dict(known["phases"])}
        )


def _failure_reason(targets: list[tuple[str, str, str | None]], results: list[dict[str, Any]]) -> str:
    """One line naming the first part that failed and why."""
    for (dst, part, _order), result in zip(targets, results, strict=True):
        if result.get("result") != "pass":
            why = result.get("reason") or (
                "failed elements " + ", ".join(map(str, result["failedElements"]))
                if result.get("failedElements")
                else "failed"
            )
            return f"{part} at {dst}: {why}"
    return "a component failed"
