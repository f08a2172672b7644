"""Thread 10.2 at a SOF: service orders that modify or terminate a service already delivered.

A product order item that modifies or deletes a product reaches SOF as a LEGATO service order
whose item is ``modify`` (the new bandwidth) or ``delete`` (the service named, nothing else). The
hops are the 10.2 steps that correspond to an ``add``:

- 8: SOF-sp checks the extra capacity along the service's whole path (as 10.3 does) and books
  the difference on its own links and the ENNI at once; without room the order fails and nothing
  is booked. A delete identifies what to remove.
- 9b: the partner components first: over INTERLUDE (``modifyServiceComponent``, 10.3's task, or
  ``deactivateServiceComponent``) or, with option ``legato-sonata``, through BUS-sp, which orders
  the change from the partner over SONATA (a ``modify`` or ``delete`` product order item). The
  partner's SOF books (or releases) its own segment.
- 9a: the SP forwarding constructs: PRESTO ``update-connectivity-service`` (acknowledged, result
  notified, as 10.3 does) or ``delete-connectivity-service``; the ECMs below (10) reconfigure or
  remove the construct, so the telemetry model carries the new bandwidth or nothing.
- 11: a modified service is tested again; a failed test puts the old bandwidth back.
- 13: the service is active with its new bandwidth, or ``terminated`` with every booking released.

When a partner or an SP reconfiguration fails, what was booked for the change is given back and
the service keeps its bandwidth; the order fails.
"""

from __future__ import annotations

import itertools
from collections.abc import Generator, Sequence
from typing import TYPE_CHECKING, Any

import simpy

from lso_sim.actors.roles import ServiceRecord
from lso_sim.actors.service_retention import gone
from lso_sim.actors.world import PartnerFulfilment
from lso_sim.errors import LsoSimError
from lso_sim.lifecycle.machines import SERVICE_ORDER
from lso_sim.lifecycle.state_machine import Stateful
from lso_sim.messages import assurance, bodies
from lso_sim.messages.envelope import Flow, Message
from lso_sim.messages.operations import (
    DEACTIVATE_PARTNER_COMPONENT,
    DELETE_CONNECTIVITY,
    MODIFY_PARTNER_COMPONENT,
    REQUEST_PARTNER_FULFILMENT,
    TEST_CONNECTIVITY,
    TEST_PARTNER_COMPONENT,
    UPDATE_CONNECTIVITY_SERVICE,
)
from lso_sim.threads import inventory_sync
from lso_sim.threads.resource_tasks import (
    find_service,
    partner_components,
    run_task,
    sp_constructs,
    steps_of,
)

if TYPE_CHECKING:
    from lso_sim.threads.ordering.orchestration import Orchestrator

Construct = tuple[str, str, list[str]]
"""A forwarding construct: ``(ICM id, construct id, NEs)``."""


class ServiceChanges:
    """The ``modify`` and ``delete`` service orders of one SOF (SOF-sp or a partner's)."""

    def __init__(self, orchestrator: Orchestrator) -> None:
        self.orchestrator = orchestrator
        self.world = orchestrator.world
        self.sof = orchestrator.sof

    # -- the service order -----------------------------------------------------------------------

    def service_order(self, msg: Message) -> Generator[simpy.Event, Any, None]:
        """LEGATO createServiceOrder with a ``modify`` or ``delete`` item."""
        sof, now = self.sof, self.world.sim.now
        item = msg.payload["serviceOrderItem"][0]
        action = str(item["action"])
        service_id = str(item["service"]["id"])
        record = find_service(sof, service_id)
        if record is None or record.buyer != msg.src or record.service.state != "active":
            state = record.service.state if record is not None and record.buyer == msg.src else "unknown"
            reason = f"service {service_id} is {state}; only an active service can be changed"
            sof.respond(
                msg,
                422,
                [
                    {
                        "code": "referenceNotFound",
                        "reason": reason,
                        "propertyPath": "/serviceOrderItem/0/service/id",
                    }
                ],
            )
            return
        order = Stateful(sof.next_id("so"), SERVICE_ORDER, now)
        sof.service_orders.add(order, msg.payload)
        if sof.forgetting is not None:  # sellers.retention: a few ended services forgotten
            sof.forgetting.sweep()
        sof.respond(msg, 201, bodies.service_order(order.id, msg.payload, "acknowledged", now))
        order.move("inProgress", now)
        provider = self.orchestrator.is_provider
        step = msg.step
        try:
            if action == "modify":
                chars = {c["name"]: c["value"] for c in item["service"]["serviceCharacteristic"]}
                wanted = float(chars["bandwidthMbps"])
                ok = yield from self._modify(record, wanted, msg.flow, step)
            else:
                ok = yield from self._delete(record, msg.flow, step)
        except LsoSimError as exc:
            # A request given up on: the change fails with the reason (what it had booked for a
            # larger bandwidth stays with the service until a later change or delete).
            self.orchestrator.fail(record, str(exc), order)
            ok = False
        if not ok:
            self.orchestrator.fail(record, f"the {action} of service {service_id} did not complete", order)
        self.orchestrator._finish(record, ok, msg.flow, "13" if provider else step, order)

    # -- modify ----------------------------------------------------------------------------------

    def _modify(
        self, record: ServiceRecord, wanted: float, flow: Flow, step: str
    ) -> Generator[simpy.Event, Any, bool]:
        sof = self.sof
        provider = self.orchestrator.is_provider
        path = record.decomposition.path if record.decomposition is not None else record.reserved
        delta = wanted - record.bandwidth_mbps
        # Check and book in the same instant: no other order can take the room in between. SOF-sp
        # checks the whole path (its view of the partner's links too, as 10.3 does); a partner its
        # own segment.
        free = self._free(path, None if provider else sof.domain)
        feasible = delta <= 0 or free >= delta
        if feasible:
            self._rebook(record, delta)
        yield from sof.activity(
            "designServiceComponents",
            flow=flow,
            step="8" if provider else step,
            payload={
                "service": record.service.id,
                "action": "modify",
                "bandwidthMbps": wanted,
                "freeMbps": round(free, 6),
                "feasible": feasible,
            },
        )
        if not feasible:
            return False
        before = record.bandwidth_mbps
        ok = yield from self._apply(record, wanted, flow, step)
        if ok:
            ok = yield from self._test(record, flow, "11" if provider else step)
        if not ok and record.bandwidth_mbps != before:
            # Partly or wholly applied: put the old bandwidth back everywhere.
            yield from self._apply(record, before, flow, step)
        if not ok:
            self._rebook(record, -delta)
            record.bandwidth_mbps = before
            return False
        if provider:
            yield from sof.activity(
                "activateService", flow=flow, step="13", payload={"service": record.service.id}
            )
        return True

    def _apply(
        self, record: ServiceRecord, bandwidth: float, flow: Flow, step: str
    ) -> Generator[simpy.Event, Any, bool]:
        """Give the partner components (9b), then the SP constructs (9a), ``bandwidth``.

        The record takes the new bandwidth once the partners have it (a partner that refused
        changed nothing)."""
        sof, world = self.sof, self.world
        provider = self.orchestrator.is_provider
        if provider:
            partners = [
                self._partner(domain, component, order, record, "modify", bandwidth, flow)
                for domain, component, order in partner_components(record)
            ]
            if not all((yield from sof.gather(partners))):
                return False
        wait = world.options.notification_wait
        updates = [
            run_task(
                sof,
                icm,
                UPDATE_CONNECTIVITY_SERVICE,
                assurance.update_connectivity(cid, bandwidth),
                flow=flow,
                step="9a" if provider else step,
                wait=wait,
            )
            for icm, cid, _nes in sp_constructs(world, record)
        ]
        results: list[dict[str, Any]] = yield from sof.gather(updates)
        record.bandwidth_mbps = bandwidth
        return all(r.get("result") == "pass" for r in results)

    def _test(self, record: ServiceRecord, flow: Flow, step: str) -> Generator[simpy.Event, Any, bool]:
        """11: service activation tests of the SP constructs and (SOF-sp) the partner components."""
        orchestrator = self.orchestrator
        tests = [
            orchestrator._presto(TEST_CONNECTIVITY, cid, icm, nes, record, flow, step)
            for icm, cid, nes in sp_constructs(self.world, record)
        ]
        if orchestrator.is_provider:
            tests += [
                orchestrator._interlude(TEST_PARTNER_COMPONENT, domain, component, record, flow, step)
                for domain, component, _order in partner_components(record)
            ]
        return all((yield from self.sof.gather(tests)))

    # -- delete ----------------------------------------------------------------------------------

    def _delete(self, record: ServiceRecord, flow: Flow, step: str) -> Generator[simpy.Event, Any, bool]:
        sof = self.sof
        provider = self.orchestrator.is_provider
        yield from sof.activity(
            "designServiceComponents",
            flow=flow,
            step="8" if provider else step,
            payload={"service": record.service.id, "action": "delete"},
        )
        if provider:
            partners = [
                self._partner(domain, component, order, record, "delete", None, flow)
                for domain, component, order in partner_components(record)
            ]
            if not all((yield from sof.gather(partners))):
                return False
        ok = yield from self._remove(record, flow, "9a" if provider else step)
        if provider:
            yield from sof.activity(
                "deactivateService", flow=flow, step="13", payload={"service": record.service.id}
            )
        return ok

    def _remove(self, record: ServiceRecord, flow: Flow, step: str) -> Generator[simpy.Event, Any, bool]:
        """Remove the service's constructs (PRESTO), release its bookings, terminate it."""
        sof, world = self.sof, self.world
        calls = [
            self._delete_construct(icm, cid, flow, step) for icm, cid, _nes in sp_constructs(world, record)
        ]
        ok = all((yield from sof.gather(calls)))
        if record.reserved:
            world.topology.release(record.reserved, record.bandwidth_mbps, sof.domain)
            record.reserved = ()
        record.constructs = []
        record.service.move("terminated", world.sim.now)
        if sof.forgetting is not None:  # sellers.retention: forgotten when its retention is over
            sof.forgetting.ended(record)
        return ok

    def _delete_construct(
        self, icm: str, construct: str, flow: Flow, step: str
    ) -> Generator[simpy.Event, Any, bool]:
        body = bodies.presto_delete_connectivity(construct)
        answer = yield from self.sof.call(icm, DELETE_CONNECTIVITY, body, flow=flow, step=step)
        return answer.status == 200

    def deactivate_for_provider(self, msg: Message) -> Generator[simpy.Event, Any, None]:
        """INTERLUDE 9b at a partner SOF: remove the component SOF-sp ordered, release its segment."""
        sof = self.sof
        known = sof.sold_under.get(str(msg.payload.get("partnerOrder")))
        record = sof.services.get(known) if known is not None else None
        if record is None or record.service.state != "active":
            sof.respond(
                msg,
                404,
                {"code": "notFound", "reason": gone(sof, f"active component {msg.payload['componentId']}")},
            )
            return
        ok = yield from self._remove(record, msg.flow, msg.step)
        if sof.forgetting is not None:  # sellers.retention: no service order here, so sweep now
            sof.forgetting.sweep()
        sof.respond(msg, 200, {"componentId": msg.payload["componentId"], "result": "pass" if ok else "fail"})
        # Removed without BUS-partner ordering it: its product must show the termination.
        inventory_sync.announce(sof, record, flow=msg.flow, step=steps_of(msg).sync)

    # -- shared ----------------------------------------------------------------------------------

    def _partner(
        self,
        domain: str,
        component: str,
        partner_order: str | None,
        record: ServiceRecord,
        action: str,
        bandwidth: float | None,
        flow: Flow,
    ) -> Generator[simpy.Event, Any, bool]:
        """9b: change or remove one partner component, by the option 10.2's add orders use."""
        sof, world = self.sof, self.world
        body: dict[str, Any] = {"componentId": component, "partnerOrder": partner_order}
        if action == "modify":
            body["bandwidthMbps"] = bandwidth
        if world.options.partner_fulfilment is PartnerFulfilment.LEGATO_SONATA:
            request = dict(body, service=record.service.id, component=component, action=action)
            del request["componentId"]
            answer = yield from sof.call(
                self.orchestrator.bus, REQUEST_PARTNER_FULFILMENT, request, flow=flow, step="9b"
            )
            return answer.status == 200 and answer.payload.get("state") == "completed"
        partner_sof = world.sof[domain].id
        if action == "modify":
            result = yield from run_task(
                sof,
                partner_sof,
                MODIFY_PARTNER_COMPONENT,
                body,
                flow=flow,
                step="9b",
                wait=world.options.notification_wait,
            )
            return result.get("result") == "pass"
        answer = yield from sof.call(partner_sof, DEACTIVATE_PARTNER_COMPONENT, body, flow=flow, step="9b")
        return answer.status == 200 and answer.payload.get("result") == "pass"

    def _free(self, path: Sequence[str], domain: str | None) -> float:
        """Room left on the links of ``path`` (only those ``domain`` owns, if given)."""
        topology = self.world.topology
        graph = topology.graph
        return min(
            (
                float(graph.edges[a, b]["capacity"]) - float(graph.edges[a, b]["used"])
                for a, b in itertools.pairwise(path)
                if domain is None or topology.link_owner(a, b) == domain
            ),
            default=0.0,
        )

    def _rebook(self, record: ServiceRecord, delta: float) -> None:
        """Take (or give back) ``delta`` Mb/s on the links this SOF booked for ``record``."""
        topology, domain = self.world.topology, self.sof.domain
        if delta > 0:
            topology.reserve(record.reserved, delta, domain)
        elif delta < 0:
            topology.release(record.reserved, -delta, domain)
