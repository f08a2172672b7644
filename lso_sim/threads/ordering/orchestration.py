"""Thread 10.2, the Service Orchestration Functionality: SOF-sp and SOF-partner.

SOF-sp decomposes (3b) and checks (3c) services for BUS-sp, then fulfils a service order (7): it
designs the components (8), has ICMs activate the SP ones (9a, ADAGIO 10 below them) while the
partner components are obtained (9b), tests (11), starts monitoring (12a) and reports the service
active (13). SOF-partner does the same inside its own domain for the partner component.

Cancellation (``cancelServiceOrder``, lso-sim's own LEGATO operation: MEF's LEGATO service ordering
defines none): a SOF takes the capacity of a service's path when design starts and may give it
back until activation starts (the point of no return, :attr:`ServiceRecord.committed`). A
cancelled record releases its reservation, its service goes ``terminated`` and its order
``failed`` (LEGATO has no cancelled state); the SOF's process for it starts no further hop.

Changes (:mod:`lso_sim.threads.ordering.changes`): a service order whose item is ``modify`` (a new
bandwidth) or ``delete`` acts on a service already in the inventory, with the 10.2 steps that
correspond (8 check and book, 9a/9b reconfigure or remove, 10 below, 11 tests, 13 done).
"""

from __future__ import annotations

from collections.abc import Generator
from functools import partial
from typing import Any

import simpy

from lso_sim.actors.roles import NO_PARTNER_ORDERS, ServiceOrchestrator, ServiceRecord
from lso_sim.actors.service_retention import gone
from lso_sim.actors.world import PartnerFulfilment, World
from lso_sim.architecture.roles import Role
from lso_sim.errors import LsoSimError
from lso_sim.lifecycle.machines import SERVICE, SERVICE_ORDER
from lso_sim.lifecycle.state_machine import Stateful
from lso_sim.messages import bodies
from lso_sim.messages.envelope import Flow, Message
from lso_sim.messages.operations import (
    ACTIVATE_CONNECTIVITY,
    ACTIVATE_MONITORING,
    ACTIVATE_PARTNER_COMPONENT,
    CANCEL_SERVICE_ORDER,
    CHECK_SERVICEABILITY,
    CREATE_PERFORMANCE_JOB,
    CREATE_SERVICE_ORDER,
    DEACTIVATE_PARTNER_COMPONENT,
    DETERMINE_SERVICE_COMPONENTS,
    RELEASE_SERVICE_ORDER,
    REQUEST_PARTNER_FULFILMENT,
    RETRIEVE_SERVICE_ORDER,
    SERVICE_ORDER_STATE_CHANGE,
    SERVICE_STATE_CHANGE,
    TEST_CONNECTIVITY,
    TEST_PARTNER_COMPONENT,
    Operation,
)
from lso_sim.threads import inventory_sync, topology_info
from lso_sim.threads.ordering import installation
from lso_sim.threads.ordering.changes import ServiceChanges
from lso_sim.threads.ordering.closed_loop import ClosedLoop, Failing
from lso_sim.threads.resource_layer import step_below
from lso_sim.threads.resource_tasks import partner_components, sp_constructs
from lso_sim.topology.network import ServiceComponent, group_by_forwarding_domain

THREAD = "10.2"


def install(world: World) -> None:
    """Register the 10.2 handlers of every SOF."""
    step_below(THREAD, "9a", "10")
    step_below(THREAD, "9b", "10")
    for sof in world.sof.values():
        orchestrator = Orchestrator(world, sof)
        sof.handle(DETERMINE_SERVICE_COMPONENTS, orchestrator.determine_components)
        sof.handle(CHECK_SERVICEABILITY, orchestrator.check_serviceability)
        sof.handle(CREATE_SERVICE_ORDER, orchestrator.create_service_order)
        sof.handle(CANCEL_SERVICE_ORDER, orchestrator.cancel_service_order)
        sof.handle(RETRIEVE_SERVICE_ORDER, orchestrator.retrieve_service_order)
        sof.handle(RELEASE_SERVICE_ORDER, orchestrator.release_service_order)
        sof.handle(ACTIVATE_PARTNER_COMPONENT, orchestrator.activate_for_provider)
        sof.handle(TEST_PARTNER_COMPONENT, partial(orchestrator.resource_task, TEST_CONNECTIVITY))
        sof.handle(CREATE_PERFORMANCE_JOB, orchestrator.create_performance_job)
        inventory_sync.install_service_inventory(sof)
        if not orchestrator.is_provider:
            sof.handle(DEACTIVATE_PARTNER_COMPONENT, orchestrator.changes.deactivate_for_provider)


class Orchestrator:
    """The 10.2 behaviour of one SOF."""

    def __init__(self, world: World, sof: ServiceOrchestrator) -> None:
        self.world = world
        self.sof = sof
        self.is_provider = sof.role is Role.SOF_SP
        self.bus = world.bus[sof.domain].id
        self.changes = ServiceChanges(self)
        self.closed_loop = ClosedLoop(self)
        self.failed_elements: dict[str, list[str]] = {}
        """NEs whose last test failed, by construct (a closed-loop reroute avoids them)."""

    # -- steps 3b, 3c (and the partner's 3d) ---------------------------------------------------

    def determine_components(self, msg: Message) -> Generator[simpy.Event, Any, None]:
        """3b: the path and components, computed on the SOF's topology view (not the network)."""
        endpoints = msg.payload["endpoints"]
        if len(endpoints) != 2:  # a buyer's product with one place (or three) is not a point-to-point EVC
            self.sof.respond(
                msg, 422, {"code": "invalidValue", "reason": f"two endpoints expected, got {len(endpoints)}"}
            )
            return
        yield from topology_info.ensure(self.world, self.sof, msg.flow, msg.step)
        view = topology_info.view_of(self.sof)
        uni_a, uni_b = endpoints
        path = view.find_path(uni_a, uni_b, float(msg.payload["bandwidthMbps"]))
        if path is None:
            reason = topology_info.no_path_reason(self.sof, uni_a, uni_b)
            code = "noTopology" if view.unknown() else "noPath"
            self.sof.respond(msg, 422, {"code": code, "reason": reason})
            return
        decomposition = self.world.topology.decompose(f"design-{msg.id}", path)
        components = bodies.components_payload(decomposition.components)
        body: dict[str, Any] = {"path": path, "components": components}
        notes = view.notes(path)
        if notes:
            body["topologyNotes"] = notes
        self.sof.respond(msg, 200, body)

    def check_serviceability(self, msg: Message) -> Generator[simpy.Event, Any, None]:
        """3c: each SP component (or the partner's segment) still has a path on the SOF's view."""
        yield from topology_info.ensure(self.world, self.sof, msg.flow, msg.step)
        topology = self.world.topology
        bandwidth = float(msg.payload["bandwidthMbps"])
        if self.is_provider:
            # The SP part is serviceable when each SP component's NEs still have a path with capacity.
            blocked = [
                (c["networkElements"][0], c["networkElements"][-1])
                for c in msg.payload["components"]
                if self._segment(c["networkElements"][0], c["networkElements"][-1], bandwidth) is None
            ]
        else:
            site = topology.sites[msg.payload["places"][0]]
            enni = msg.payload.get("enni")
            end = topology.enni_end(enni, self.sof.domain) if enni else site.ne
            blocked = [] if self._segment(site.uni, end, bandwidth) is not None else [(site.uni, end)]
        body: dict[str, Any] = {"serviceable": not blocked}
        if blocked:
            a, b = blocked[0]
            body["reason"] = f"no path with {bandwidth:g} Mbps free between {a} and {b}"
        self.sof.respond(msg, 200, body)

    def _segment(self, start: str, end: str, bandwidth: float) -> list[str] | None:
        return topology_info.view_of(self.sof).segment_path(start, end, bandwidth)

    # -- step 7 onwards: a service order -------------------------------------------------------

    def create_service_order(self, msg: Message) -> Generator[simpy.Event, Any, None]:
        sof, world = self.sof, self.world
        now = world.sim.now
        problem = _malformed_service_order(msg.payload)
        if problem is not None:  # only a party outside the threads (a 10.8 probe) sends one
            sof.respond(msg, 400, {"code": "invalidBody", "reason": problem})
            return
        if msg.payload["serviceOrderItem"][0]["action"] != "add":
            yield from self.changes.service_order(msg)
            return
        item = msg.payload["serviceOrderItem"][0]["service"]
        chars = {c["name"]: c["value"] for c in item["serviceCharacteristic"]}
        order_id = sof.next_id("so")
        record = ServiceRecord(
            service=Stateful(item["id"], SERVICE, now),
            order=Stateful(order_id, SERVICE_ORDER, now),
            bandwidth_mbps=float(chars["bandwidthMbps"]),
            endpoints=(chars["endpoints"][0], chars["endpoints"][1]),
            product_order=msg.payload.get("externalId"),
            partner_orders=dict(chars["partnerOrders"]) if chars.get("partnerOrders") else NO_PARTNER_ORDERS,
            buyer=msg.src,
        )
        sof.services[order_id] = record
        sof.service_orders.add(record.order, msg.payload, buyer=msg.src)
        if sof.forgetting is not None:  # sellers.retention: a few ended services forgotten
            sof.forgetting.keep(order_id)
        sof.respond(msg, 201, bodies.service_order(order_id, msg.payload, "acknowledged", now))
        record.order.move("inProgress", world.sim.now)
        if self.is_provider:
            work = self._fulfil_provider_service(record, msg.flow)
            completed = yield from self._settle(record, work, msg.flow)
        else:
            # First order wins, as the signal's first fire did; the signal goes with the instance.
            if sof.sold_under.setdefault(str(record.product_order), order_id) == order_id:
                sof.waiting.fire(f"service-order-for:{record.product_order}", order_id, instance=msg.instance)
            if world.options.partner_fulfilment is PartnerFulfilment.INTERLUDE:
                # Wait for SOF-sp's INTERLUDE request; activate_for_provider completes the order,
                # unless it never comes (SOF-sp gave up or lost it): then the order fails.
                sof.start(self._expect_activation(record, msg.flow))
                return
            if not _starts_later(msg.payload, now):  # not held for a release: build now
                segment = self._activate_partner_segment(record, msg.flow, "9b")
                completed = yield from self._settle(record, segment, msg.flow)
                if not record.cancelled:
                    self._finish(record, completed, msg.flow, "9b")
                return
            # Option b: the step-6 order carries the partner's commitment. Its segment is designed
            # and reserved now; it is built only when the buyer releases it (9b, BUS-partner's
            # releaseServiceOrder), unless that never comes (then the order fails, as above).
            reserved = yield from self._settle(
                record, self._reserve_partner_segment(record, msg.flow, msg.step), msg.flow
            )
            if reserved:
                sof.start(self._expect_activation(record, msg.flow))
            elif not record.cancelled:
                self._finish(record, False, msg.flow, msg.step)
            return
        if not record.cancelled:
            self._finish(record, completed, msg.flow, "13")

    def _settle(
        self, record: ServiceRecord, work: Generator[simpy.Event, Any, bool], flow: Flow
    ) -> Generator[simpy.Event, Any, bool]:
        """Run a service order's work; a failure (a request given up on, say) fails the order with
        its reason and gives back what it held, instead of leaving it ``inProgress`` forever."""
        try:
            return (yield from work)
        except LsoSimError as exc:
            self.fail(record, str(exc))
            if record.activated:  # some components were built before the give-up: take them down
                yield from self._undo(record, flow)
            elif record.reserved:
                self._release(record)
            return False

    def fail(self, record: ServiceRecord, reason: str, order: Stateful | None = None) -> None:
        """Note why ``record``'s service order (or the change ``order``) fails; the first reason stays."""
        self.sof.order_reasons.setdefault((order or record.order).id, reason)

    def _expect_activation(self, record: ServiceRecord, flow: Flow) -> Generator[simpy.Event, Any, None]:
        """The partner side of 9b over INTERLUDE: if SOF-sp's activation request has not come within
        ``notification_wait`` times ``poll_limit``, fail the order and release its capacity."""
        options = self.world.options
        yield self.world.sim.env.timeout(options.notification_wait * options.poll_limit)
        if record.committed or record.cancelled or record.order.state != "inProgress":
            return
        self.fail(record, f"no activation request for {record.service.id} from the provider's SOF")
        if record.reserved:
            self._release(record)
        elif record.service.machine.can(record.service.state, "terminated"):
            record.service.move("terminated", self.world.sim.now)
        self._finish(record, False, flow, "9b")

    def retrieve_service_order(self, msg: Message) -> None:
        """LEGATO retrieveServiceOrder: BUS reads a service order (its state, and why it failed)."""
        ident = str(msg.payload.get("id"))
        external = msg.payload.get("externalId")
        if external is not None:  # the buyer never got the create's answer: find it by its own id
            found = self.sof.service_orders.find(msg.src, external)
            ident = found if found is not None else f"with externalId {external}"
        entry = self.sof.service_orders.get(ident)
        if entry is None:
            self.sof.respond(
                msg, 404, {"code": "notFound", "reason": gone(self.sof, f"service order {ident}")}
            )
            return
        order, request = entry
        body = bodies.service_order(ident, request, order.state, order.created)
        reason = self.sof.order_reasons.get(ident)
        if reason is not None:
            body["note"] = [bodies.sof_note(f"{ident}-failure", reason, self.world.sim.now)]
        self.sof.respond(msg, 200, body)

    def cancel_service_order(self, msg: Message) -> None:
        """Cancel a service order before its activation: release its capacity, start nothing more."""
        sof, now = self.sof, self.world.sim.now
        ident = str(msg.payload.get("id"))
        record = sof.services.get(ident)
        if record is None or record.buyer != msg.src:
            sof.respond(msg, 404, {"code": "notFound", "reason": f"no service order {ident}"})
            return
        if record.committed or record.order.state != "inProgress":
            reason = (
                f"service order {ident} is {record.order.state}"
                if record.order.state != "inProgress"
                else f"activation of service {record.service.id} has started"
            )
            sof.respond(msg, 409, {"code": "pastPointOfNoReturn", "reason": reason})
            return
        record.cancelled = True
        released = list(record.reserved)
        if record.reserved:
            self.world.topology.release(record.reserved, record.bandwidth_mbps, self.sof.domain)
            record.reserved = ()
        if record.service.machine.can(record.service.state, "terminated"):
            record.service.move("terminated", now)
        record.order.move("failed", now)
        sof.respond(
            msg,
            200,
            {
                "id": ident,
                "state": record.order.state,
                "service": record.service.id,
                "releasedPath": released,
            },
        )

    def _fulfil_provider_service(
        self, record: ServiceRecord, flow: Flow
    ) -> Generator[simpy.Event, Any, bool]:
        sof, world = self.sof, self.world
        topology = world.topology
        # The path's capacity is held while the components are designed (a cancellation before
        # activation gives it back: cancel_service_order).
        # SOF-sp checks and books its own links and the ENNIs; the partners' segments are theirs
        # (with legato-sonata, the partner has already booked its segment for this service).
        yield from topology_info.ensure(world, sof, flow, "8")
        path = topology_info.view_of(sof).find_path(
            record.endpoints[0], record.endpoints[1], record.bandwidth_mbps, booked_by=self.sof.domain
        )
        decomposition = topology.decompose(record.service.id, path) if path is not None else None
        if path is not None:
            record.decomposition = decomposition
            self._reserve(record, path)
        yield from sof.activity(
            "designServiceComponents", flow=flow, step="8", payload={"service": record.service.id}
        )
        if decomposition is None or record.cancelled:
            if decomposition is None:
                a, b = record.endpoints
                self.fail(record, topology_info.no_path_reason(sof, a, b))
            return False
        record.committed = True
        sp_parts = decomposition.sp_components()
        partner_parts = decomposition.partner_components()

        # 9a and 9b start together: the ICMs and the partners work in parallel.
        activations = self._sp_calls(ACTIVATE_CONNECTIVITY, sp_parts, record, flow, "9a")
        activations += [
            self._obtain_partner(c.domain, c.id, c.endpoints, record, flow) for c in partner_parts
        ]
        # 8 note: customer equipment installed at its dated appointment, beside 9a and 9b
        activations += installation.installations(world, sof, record, flow)
        if not all((yield from sof.gather(activations))):
            self.fail(record, _because("a component could not be activated (step 9)", record))
            yield from self._undo(record, flow)
            return False
        record.service.move("inactive", world.sim.now)

        tests = self._sp_calls(TEST_CONNECTIVITY, sp_parts, record, flow, "11")
        tests += [
            self._interlude(TEST_PARTNER_COMPONENT, c.domain, c.id, record, flow, "11") for c in partner_parts
        ]
        passed = yield from sof.gather(tests)
        if not all(passed):
            why = None
            if world.options.on_test_failure:  # MEF's note at 12: policy-driven closed loop first
                failing = Failing(
                    [c for c, ok in zip(sp_constructs(world, record), passed, strict=False) if not ok],
                    {ne for c in sp_parts for ne in self.failed_elements.pop(c.id, [])},
                    [c for c, ok in zip(partner_parts, passed[len(sp_parts) :], strict=True) if not ok],
                )
                why = yield from self.closed_loop.handle(record, failing, flow)
            if why is not None or not world.options.on_test_failure:
                what = "the service activation tests failed (step 11)"
                self.fail(record, f"{what}; {why}" if why else _because(what, record))
                yield from self._undo(record, flow)
                return False
            assert record.decomposition is not None  # a provider service was designed at step 8
            sp_parts = record.decomposition.sp_components()  # a reroute may have moved them

        monitors = self._sp_calls(ACTIVATE_MONITORING, sp_parts, record, flow, "12a")
        monitors += [self._performance_job(c, record, flow) for c in partner_parts]
        yield from sof.gather(monitors)

        yield from sof.activity(
            "activateService", flow=flow, step="13", payload={"service": record.service.id}
        )
        record.service.move("active", world.sim.now)
        return True

    def _sp_calls(
        self, op: Operation, parts: list[ServiceComponent], record: ServiceRecord, flow: Flow, step: str
    ) -> list[Generator[simpy.Event, Any, bool]]:
        """One PRESTO call per SP component, to the ICM of its forwarding domain."""
        return [
            self._presto(
                op,
                c.id,
                self.world.icm_of_fd(c.forwarding_domains[0]).id,
                list(c.network_elements),
                record,
                flow,
                step,
            )
            for c in parts
        ]

    def _undo(self, record: ServiceRecord, flow: Flow) -> Generator[simpy.Event, Any, None]:
        """Compensate a service order failing after step 9: take down what was built.

        SP constructs are deleted over PRESTO and partner components removed by the option their
        activation used (INTERLUDE ``deactivateServiceComponent``, or BUS-sp deleting the partner
        product over SONATA), so that no network element carries, and no partner bills for, a
        service the Customer will never get. Best effort: a take-down that fails or gets no answer
        is noted as a problem of the order, and the capacity SOF-sp holds is released whatever
        happens.
        """
        changes = self.changes
        undo = [
            changes._partner(domain, component, order, record, "delete", None, flow)
            for domain, component, order in partner_components(record)
            if component in record.activated
        ]
        undo += [
            changes._delete_construct(icm, construct, flow, "9a")
            for icm, construct, _nes in sp_constructs(self.world, record)
            if construct in record.activated
        ]
        try:
            if undo and not all((yield from self.sof.gather(undo))):
                record.problems.append("some components could not be taken down")
        except LsoSimError as exc:
            record.problems.append(f"taking the components down: {exc}")
        finally:
            record.activated = ()
            self._release(record)

    def _reserve(self, record: ServiceRecord, path: list[str]) -> None:
        self.world.topology.reserve(path, record.bandwidth_mbps, self.sof.domain)
        # The decomposition's own tuple when it was cut from this path: one copy for both.
        design = record.decomposition
        record.reserved = design.path if design is not None and list(design.path) == path else tuple(path)
        record.service.path(self.world.sim.now, "designed", "reserved")

    def _release(self, record: ServiceRecord) -> None:
        self.world.topology.release(record.reserved, record.bandwidth_mbps, self.sof.domain)
        record.reserved = ()
        record.service.move("terminated", self.world.sim.now)

    def _presto(
        self,
        op: Operation,
        construct: str,
        icm: str,
        nes: list[str],
        record: ServiceRecord,
        flow: Flow,
        step: str,
    ) -> Generator[simpy.Event, Any, bool]:
        if op is ACTIVATE_CONNECTIVITY:
            fd = self.world.topology.fd_of(nes[0])
            body = bodies.presto_create_connectivity(construct, fd, nes, record.bandwidth_mbps)
        else:
            body = {
                "constructId": construct,
                "service": record.service.id,
                "networkElements": nes,
                "bandwidthMbps": record.bandwidth_mbps,
            }
        answer = yield from self.sof.call(icm, op, body, flow=flow, step=step)
        if answer.status != 200 or not isinstance(answer.payload, dict):
            record.problems.append(f"{icm} answered {answer.status} to {op.name} for {construct}")
            return False
        if op is ACTIVATE_CONNECTIVITY:
            enabled = answer.payload["output"]["service"]["operational-state"] == "ENABLED"
            if enabled:
                record.activate(construct)
            else:
                record.problems.append(f"{icm} could not enable {construct}")
            return bool(enabled)
        passed = answer.payload.get("result") == "pass"
        if not passed:
            record.problems.append(f"{construct} failed {op.name} at {icm}")
            if self.world.options.on_test_failure:  # kept for the closed loop only, which takes it
                self.failed_elements[construct] = list(answer.payload.get("failedElements") or [])
        return passed

    def _obtain_partner(
        self, domain: str, component: str, endpoints: tuple[str, ...], record: ServiceRecord, flow: Flow
    ) -> Generator[simpy.Event, Any, bool]:
        partner_order = record.partner_orders.get(domain)
        if self.world.options.partner_fulfilment is PartnerFulfilment.LEGATO_SONATA:
            answer = yield from self.sof.call(
                self.bus,
                REQUEST_PARTNER_FULFILMENT,
                {"service": record.service.id, "component": component, "partnerOrder": partner_order},
                flow=flow,
                step="9b",
            )
            if answer.status == 200 and answer.payload.get("state") == "completed":
                record.activate(component)
                return True
            record.problems.append(
                f"{domain}'s product order {partner_order} ended {answer.payload.get('state')}: "
                f"{answer.payload.get('reason')}"
                if answer.status == 200
                else f"{self.bus} answered {answer.status} to {REQUEST_PARTNER_FULFILMENT.name}"
            )
            return False
        answer = yield from self.sof.call(
            self.world.sof[domain].id,
            ACTIVATE_PARTNER_COMPONENT,
            {
                "componentId": component,
                "partnerOrder": partner_order,
                "endpoints": list(endpoints),
                "bandwidthMbps": record.bandwidth_mbps,
            },
            flow=flow,
            step="9b",
        )
        if answer.status == 200 and answer.payload.get("result") == "pass":
            record.activate(component)
            return True
        record.problems.append(
            f"{domain} did not activate {component}"
            + (f" ({answer.status} to {ACTIVATE_PARTNER_COMPONENT.name})" if answer.status != 200 else "")
        )
        return False

    def _interlude(
        self, op: Operation, domain: str, component: str, record: ServiceRecord, flow: Flow, step: str
    ) -> Generator[simpy.Event, Any, bool]:
        body = {"componentId": component, "partnerOrder": record.partner_orders.get(domain)}
        answer = yield from self.sof.call(self.world.sof[domain].id, op, body, flow=flow, step=step)
        if answer.status in (200, 201) and answer.payload.get("result") == "pass":
            return True
        record.problems.append(f"{component} failed {op.name} at {domain} ({answer.status})")
        return False

    def _performance_job(
        self, component: ServiceComponent, record: ServiceRecord, flow: Flow
    ) -> Generator[simpy.Event, Any, bool]:
        """INTERLUDE 12a: ask the partner for a proactive performance job on its component."""
        topology = self.world.topology
        enni = next(
            (e for e in component.endpoints if topology.graph.nodes.get(e, {}).get("kind") != "uni"),
            component.endpoints[-1],
        )
        body = bodies.performance_job_create(component.id, record.partner_orders.get(component.domain), enni)
        answer = yield from self.sof.call(
            self.world.sof[component.domain].id, CREATE_PERFORMANCE_JOB, body, flow=flow, step="12a"
        )
        return answer.status == 201 and answer.payload.get("state") == "inProgress"

    def _finish(
        self, record: ServiceRecord, completed: bool, flow: Flow, step: str, order: Stateful | None = None
    ) -> None:
        """End a service order (``record``'s own, or ``order`` changing it) and tell BUS."""
        sof, now = self.sof, self.world.sim.now
        order = order or record.order
        order.move("completed" if completed else "failed", now)
        if completed:
            sof.tell(
                record.buyer,
                SERVICE_STATE_CHANGE,
                bodies.state_change_event(
                    "serviceStateChangeEvent",
                    "service",
                    record.service.id,
                    record.service.state,
                    now,
                    sof.next_id("event"),
                ),
                flow=flow,
                step=step,
            )
        sof.tell(
            record.buyer,
            SERVICE_ORDER_STATE_CHANGE,
            bodies.state_change_event(
                "serviceOrderStateChangeEvent",
                "serviceOrder",
                order.id,
                order.state,
                now,
                sof.next_id("event"),
            ),
            flow=flow,
            step=step,
        )

    # -- the partner's side of 9b, 11 and 12a --------------------------------------------------

    def _partner_record(self, partner_order: str) -> Generator[simpy.Event, Any, ServiceRecord | None]:
        key = f"service-order-for:{partner_order}"
        known = self.sof.sold_under.get(str(partner_order))
        if known is not None and not self.sof.waiting.holds(key):
            # Its signal was delivered and dropped with its instance: the wait would resume at once.
            return self.sof.services.get(known)
        fired, order_id = yield from self.sof.waiting.wait(key, self.world.options.notification_wait)
        return self.sof.services.get(order_id) if fired else None

    def activate_for_provider(self, msg: Message) -> Generator[simpy.Event, Any, None]:
        """INTERLUDE 9b: SOF-sp asks this partner SOF to activate the component it ordered."""
        record = yield from self._partner_record(msg.payload["partnerOrder"])
        if record is None:
            self.sof.respond(
                msg,
                404,
                {
                    "code": "notFound",
                    "reason": gone(self.sof, f"service order for {msg.payload['partnerOrder']}"),
                },
            )
            return
        if record.order.state != "inProgress" or record.committed:
            # This side gave up waiting already: nothing is activated.
            self.sof.respond(msg, 200, {"componentId": msg.payload["componentId"], "result": "fail"})
            return
        segment = self._activate_partner_segment(record, msg.flow, msg.step)
        ok = yield from self._settle(record, segment, msg.flow)
        self.sof.respond(
            msg, 200, {"componentId": msg.payload["componentId"], "result": "pass" if ok else "fail"}
        )
        if not record.cancelled:
            self._finish(record, ok, msg.flow, msg.step)

    def release_service_order(self, msg: Message) -> Generator[simpy.Event, Any, None]:
        """LEGATO 9b, option b: BUS-partner releases the service order held since step 6: build it.

        The answer (200) only says the build has started; the service order's end reaches BUS as
        usual (``serviceOrderStateChangeEvent``). A service order that is not held reserved (never
        placed by this buyer, already built, cancelled or failed) is refused with the reason.
        """
        sof = self.sof
        ident = str(msg.payload.get("id"))
        record = sof.services.get(ident)
        if record is None or record.buyer != msg.src:
            sof.respond(msg, 404, {"code": "notFound", "reason": f"no service order {ident}"})
            return
        if record.committed or record.cancelled or record.order.state != "inProgress" or not record.reserved:
            why = "being built already" if record.committed else record.order.state
            sof.respond(
                msg, 409, {"code": "notHeld", "reason": f"service order {ident} is {why}, not held reserved"}
            )
            return
        sof.respond(msg, 200, {"id": ident, "service": record.service.id, "released": True})
        build = self._build_partner_segment(record, msg.flow, msg.step)
        ok = yield from self._settle(record, build, msg.flow)
        if not record.cancelled:
            self._finish(record, ok, msg.flow, msg.step)

    def _activate_partner_segment(
        self, record: ServiceRecord, flow: Flow, step: str
    ) -> Generator[simpy.Event, Any, bool]:
        """Design, reserve and build the partner segment at once (option a, INTERLUDE)."""
        if not (yield from self._reserve_partner_segment(record, flow, step)):
            return False
        return (yield from self._build_partner_segment(record, flow, step))

    def _reserve_partner_segment(
        self, record: ServiceRecord, flow: Flow, step: str
    ) -> Generator[simpy.Event, Any, bool]:
        """Find and book the segment between the UNI and the ENNI, and design the component."""
        sof, world = self.sof, self.world
        topology = world.topology
        uni, enni = record.endpoints
        yield from topology_info.ensure(world, sof, flow, step)
        path = self._segment(uni, topology.enni_end(enni, sof.domain), record.bandwidth_mbps)
        if path is not None:
            self._reserve(record, path)
        yield from sof.activity(
            "designServiceComponents", flow=flow, step=step, payload={"service": record.service.id}
        )
        if path is None or record.cancelled:
            if path is None:
                self.fail(record, topology_info.no_path_reason(sof, uni, enni, f" in {sof.domain}"))
            return False
        return True

    def _build_partner_segment(
        self, record: ServiceRecord, flow: Flow, step: str
    ) -> Generator[simpy.Event, Any, bool]:
        """Activate the reserved segment: one PRESTO construct per forwarding domain of its path."""
        sof, world = self.sof, self.world
        topology = world.topology
        path = record.reserved
        record.committed = True
        nes = [n for n in path if topology.graph.nodes[n]["kind"] == "ne"]
        record.constructs = [
            (world.icm_of_fd(fd).id, f"{record.service.id}-{fd}", group)
            for fd, group in group_by_forwarding_domain(topology, nes)
        ]
        calls = [
            self._presto(ACTIVATE_CONNECTIVITY, cid, icm, group, record, flow, step)
            for icm, cid, group in record.constructs
        ]
        ok = all((yield from sof.gather(calls)))
        if ok:
            record.service.path(world.sim.now, "inactive", "active")
        else:
            self.fail(record, f"a construct of {record.service.id} could not be activated (step {step})")
        return ok

    def resource_task(self, op: Operation, msg: Message) -> Generator[simpy.Event, Any, None]:
        """INTERLUDE 11/12a: test or monitor the partner component through this domain's ICMs."""
        sof = self.sof
        record = yield from self._partner_record(msg.payload["partnerOrder"])
        if record is None:
            sof.respond(
                msg,
                404,
                {"code": "notFound", "reason": gone(sof, f"service for {msg.payload['partnerOrder']}")},
            )
            return
        calls = [
            self._presto(op, cid, icm, nes, record, msg.flow, msg.step) for icm, cid, nes in record.constructs
        ]
        ok = all((yield from sof.gather(calls)))
        status = 201 if msg.operation == CREATE_PERFORMANCE_JOB.name else 200
        sof.respond(
            msg, status, {"componentId": msg.payload["componentId"], "result": "pass" if ok else "fail"}
        )

    def create_performance_job(self, msg: Message) -> Generator[simpy.Event, Any, None]:
        """INTERLUDE 12a: monitor the partner component (PRESTO monitoring through this domain's ICMs).

        The job is answered ``inProgress`` (a proactive job running) when every ICM started
        monitoring, ``rejected`` with the reason otherwise; an unknown partner order is MEF's 422.
        """
        sof = self.sof
        partner_order = bodies.job_partner_order(msg.payload)
        record = yield from self._partner_record(str(partner_order))
        if record is None:
            reason = f"no service for partner order {partner_order}"
            sof.respond(
                msg, 422, [{"code": "referenceNotFound", "reason": reason, "propertyPath": "/description"}]
            )
            return
        calls = [
            self._presto(ACTIVATE_MONITORING, cid, icm, nes, record, msg.flow, msg.step)
            for icm, cid, nes in record.constructs
        ]
        ok = all((yield from sof.gather(calls)))
        job = bodies.performance_job(
            sof.next_id("pm-job"), msg.payload, "inProgress" if ok else "rejected", self.world.sim.now
        )
        if not ok:
            job["rejectionReason"] = "monitoring could not be started on every network element"
        sof.respond(msg, 201, job)


def _because(what: str, record: ServiceRecord) -> str:
    """``what`` went wrong, with the first cause a branch found (``record.problems``)."""
    return f"{what}: {record.problems[0]}" if record.problems else what


def _starts_later(body: Any, now: float) -> bool:
    """True when a service order asks to start after ``now`` (its ``requestedStartDate``): a
    partner's BUS holding the order for its buyer's release (10.2 9 b) option b)."""
    start = body.get("requestedStartDate") if isinstance(body, dict) else None
    try:
        return isinstance(start, str) and bodies.seconds(start) > now
    except ValueError:
        return False


def _malformed_service_order(body: Any) -> str | None:
    """Why a LEGATO ``createServiceOrder`` body cannot be read (``None`` when it can)."""
    try:
        item = body["serviceOrderItem"][0]
        action = item["action"]
        if action == "add":
            chars = {c["name"]: c["value"] for c in item["service"]["serviceCharacteristic"]}
            float(chars["bandwidthMbps"])
            if len(chars["endpoints"]) != 2:
                raise ValueError("a service between exactly two endpoints")
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        return f"not a service order lso-sim can read (serviceOrderItem: {type(exc).__name__} {exc})"
    return None
