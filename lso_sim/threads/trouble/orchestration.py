"""Thread 10.5, SOF: analyse a reported (or detected) problem on a service and resolve it.

The same behaviour serves SOF-sp and SOF-partner: a partner SOF works on its own segment when its
BUS reports a ticket the SP raised with the partner, exactly as SOF-sp does for the Customer's.

Steps: identify the components (4), correlate with alarms already received (5), gather fault and
configuration from ICMs (6a, ADAGIO 7 below) and partner SOFs (6b), diagnose with extra tests when
the reads show nothing (8), remediate by reconfiguring, rerouting over the topology or through the
partner's own ticket (9), or by a tracked field repair (10), and report to BUS over LEGATO (11);
to a Customer whose contract names ALLEGRO (``status_via``), SOF-sp reports step 12 itself over
ALLEGRO, MEF's alternative to BUS-sp's CANTATA events, which that Customer then does not get.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import simpy

from lso_sim.actors.roles import ServiceOrchestrator, ServiceRecord
from lso_sim.actors.world import World
from lso_sim.architecture.roles import Role
from lso_sim.messages import bodies
from lso_sim.messages.envelope import Flow, Message
from lso_sim.messages.operations import (
    ACTIVATE_CONNECTIVITY,
    COMPONENT_FAULT_EVENT,
    CONSTRUCT_FAULT_EVENT,
    DEACTIVATE_CONNECTIVITY,
    REPORT_SERVICE_PROBLEM,
    REQUEST_PARTNER_TICKET,
    RETRIEVE_COMPONENT_FAULTS,
    RETRIEVE_CONSTRUCT_FAULTS,
    SERVICE_PROBLEM_STATUS,
    TEST_COMPONENT_DIAGNOSTIC,
    TEST_CONSTRUCT_DIAGNOSTIC,
    TROUBLE_STATUS_ALLEGRO,
    Operation,
)
from lso_sim.threads import topology_info
from lso_sim.threads.resource_tasks import partner_components
from lso_sim.threads.trouble import resources
from lso_sim.threads.trouble.settings import TroubleSettings, settings_of
from lso_sim.topology.network import group_by_forwarding_domain

THREAD = "10.5"

Construct = tuple[str, str, list[str]]
"""``(ICM id, construct id, NEs)`` of one forwarding construct of a service."""


@dataclass(slots=True)
class Problem:
    """One problem SOF works on: the service, who reported it and what was found."""

    id: str
    record: ServiceRecord
    reporter: str
    flow: Flow
    customer: str | None = None
    ticket: str | None = None
    """The Customer's trouble ticket at BUS-sp (None for a proactive problem)."""
    proactive: bool = False
    correlated: list[dict[str, Any]] = field(default_factory=list)
    faulty: list[str] = field(default_factory=list)
    misconfigured: list[str] = field(default_factory=list)
    partner_faults: list[str] = field(default_factory=list)
    resolution: str = "noFaultFound"
    nested: str | None = None
    """The SP's step this partner-side work serves (its hops carry it), or None for the SP's own."""

    def step(self, own: str) -> str:
        """The step label of a record of this problem."""
        return self.nested or own


def install(world: World) -> None:
    """Register the 10.5 handlers of every SOF."""
    for sof in world.sof.values():
        troubleshooter = Troubleshooter(world, sof)
        sof.handle(REPORT_SERVICE_PROBLEM, troubleshooter.report)
        sof.handle(CONSTRUCT_FAULT_EVENT, troubleshooter.alarm)
        if troubleshooter.is_provider:
            sof.handle(COMPONENT_FAULT_EVENT, troubleshooter.partner_alarm)
        sof.handle(
            RETRIEVE_COMPONENT_FAULTS, partial(troubleshooter.component_task, RETRIEVE_CONSTRUCT_FAULTS)
        )
        sof.handle(
            TEST_COMPONENT_DIAGNOSTIC, partial(troubleshooter.component_task, TEST_CONSTRUCT_DIAGNOSTIC)
        )


class Troubleshooter:
    """The 10.5 behaviour of one SOF."""

    def __init__(self, world: World, sof: ServiceOrchestrator) -> None:
        self.world = world
        self.sof = sof
        self.is_provider = sof.role is Role.SOF_SP
        self.bus = world.bus[sof.domain].id
        self.settings: TroubleSettings = settings_of(world)

    # -- entry points ----------------------------------------------------------------------------

    def report(self, msg: Message) -> Generator[simpy.Event, Any, None]:
        """Step 3 (LEGATO): BUS reports a problem on a service; SOF acknowledges and works on it."""
        record = self._record(msg.payload["service"])
        if record is None:
            self.sof.respond(msg, 404, {"code": "notFound", "reason": f"no service {msg.payload['service']}"})
            return
        problem = Problem(
            self.sof.next_id("problem"),
            record,
            msg.src,
            msg.flow,
            customer=msg.payload.get("customer"),
            ticket=msg.payload.get("ticket"),
            nested=None if msg.step == "3" else msg.step,
        )
        self.sof.respond(
            msg, 200, {"problemId": problem.id, "service": record.service.id, "state": "inProgress"}
        )
        yield from self.resolve(problem)

    def alarm(self, msg: Message) -> Generator[simpy.Event, Any, None]:
        """An ICM's alarm: logged for step 5; with proactive detection it starts the thread itself."""
        entry = dict(msg.payload, received=self.world.sim.now)
        self.sof.alarms.append(entry)
        if not self.is_provider:
            self._tell_provider(msg)
        yield from self._detected(msg)

    def partner_alarm(self, msg: Message) -> Generator[simpy.Event, Any, None]:
        """A partner SOF's fault event (INTERLUDE): logged against the partner component for step 5;
        with proactive detection it starts the thread itself, as an ICM's alarm does."""
        order = msg.payload.get("partnerOrder")
        hit = next(
            ((r, c) for r in self.sof.services.values() for _d, c, o in partner_components(r) if o == order),
            None,
        )
        component = hit[1] if hit is not None else None
        self.sof.alarms.append(dict(msg.payload, received=self.world.sim.now, component=component))
        if hit is not None:
            yield from self._detected(msg, hit[0].service.id)

    def _detected(self, msg: Message, service_hit: str | None = None) -> Generator[simpy.Event, Any, None]:
        """Proactive detection (SOF-sp only): a raised alarm of a watched instance opens a problem
        (for a partner's event, only the event about the watched service's own component)."""
        proactive = self.is_provider and msg.instance in self.settings.proactive
        if msg.payload["state"] != "raised" or not proactive:
            return
        customer, service = self.settings.proactive[msg.instance]
        record = self._record(service)
        if record is None or record.service.state != "active" or service_hit not in (None, service):
            return
        problem = Problem(
            self.sof.next_id("problem"), record, self.bus, msg.flow, proactive=True, customer=customer
        )
        self._status(problem, "detected", {"networkElement": msg.payload["networkElement"]})
        yield from self.resolve(problem)

    def _tell_provider(self, msg: Message) -> None:
        """A partner SOF passes an alarm on its components to the provider that bought them (INTERLUDE)."""
        touched = set(msg.payload.get("constructs", []))
        provider = self.world.sof_sp.id
        for record in self.sof.services.values():
            if record.product_order is None or not touched & {cid for _icm, cid, _nes in record.constructs}:
                continue
            body = {
                "partnerOrder": record.product_order,
                "service": record.service.id,
                "domain": self.sof.domain,
                **{
                    k: msg.payload[k]
                    for k in ("networkElement", "alarmType", "perceivedSeverity", "state", "eventTime")
                },
            }
            self.sof.tell(provider, COMPONENT_FAULT_EVENT, body, flow=msg.flow, step=msg.step)

    # -- the steps ---------------------------------------------------------------------------------

    def resolve(self, problem: Problem) -> Generator[simpy.Event, Any, None]:
        """Steps 4 to 11 for one problem."""
        sof, flow, record = self.sof, problem.flow, problem.record
        constructs = self._constructs(record)
        partners = self._partner_parts(record)
        yield from sof.activity(
            "identifyServiceComponents",
            flow=flow,
            step=problem.step("4"),
            payload={
                "service": record.service.id,
                "constructs": [c[1] for c in constructs],
                "partnerComponents": [p[1] for p in partners],
            },
        )
        path = set(self._path_nes(record))
        open_alarms = self._open_alarms()
        parts = {p[1] for p in partners}
        problem.correlated = [
            a for a in open_alarms if a["networkElement"] in path or a.get("component") in parts
        ]
        yield from sof.activity(
            "correlateFaults",
            flow=flow,
            step=problem.step("5"),
            payload={"correlated": [a["networkElement"] for a in problem.correlated]},
        )

        # 6a/6b (7 below): current fault and configuration, SP and partner parts in parallel.
        reads = [
            self._presto(
                RETRIEVE_CONSTRUCT_FAULTS, c, record, flow, problem.step("6a" if self.is_provider else "6b")
            )
            for c in constructs
        ]
        reads += [self._interlude(RETRIEVE_COMPONENT_FAULTS, p, flow, problem.step("6b")) for p in partners]
        answers = yield from sof.gather(reads)
        self._findings(problem, answers, partners)

        # 8: diagnose; test end to end and per component when the reads explain nothing.
        tested = False
        if not (problem.faulty or problem.misconfigured or problem.partner_faults):
            tested = True
            tests = [
                self._presto(TEST_CONSTRUCT_DIAGNOSTIC, c, record, flow, problem.step("8"))
                for c in constructs
            ]
            tests += [
                self._interlude(TEST_COMPONENT_DIAGNOSTIC, p, flow, problem.step("8")) for p in partners
            ]
            self._findings(problem, (yield from sof.gather(tests)), partners)
        yield from sof.activity(
            "diagnoseTrouble",
            flow=flow,
            step=problem.step("8"),
            payload={
                "faulty": problem.faulty,
                "misconfigured": problem.misconfigured,
                "partnerComponents": problem.partner_faults,
                "tested": tested,
            },
        )
        self._status(problem, "inProgress", {"faulty": problem.faulty + problem.partner_faults})

        # 9 and 10: remediate.
        if problem.misconfigured:
            yield from self._reconfigure(problem, constructs)
        if problem.faulty:
            rerouted = yield from self._reroute(problem)
            if not rerouted:
                yield from self._field_repair(problem, constructs)
        if problem.partner_faults:
            yield from self._partner_ticket(problem)
        self._status(problem, "resolved", {})

    def _findings(
        self, problem: Problem, answers: list[dict[str, Any]], partners: list[tuple[str, str, str | None]]
    ) -> None:
        """Fold read or test answers into the problem (faulty NEs, drifted NEs, faulty partner parts)."""
        for answer in answers:
            if "componentId" in answer:
                if answer.get("result") == "fail" and answer["componentId"] not in problem.partner_faults:
                    problem.partner_faults.append(answer["componentId"])
                continue
            for element in answer.get("elements", []):
                ne = element["networkElement"]
                broken = element.get("alarms") or element.get("operState") == "down"
                broken = broken or element.get("frameLossRatio", 0.0) > resources.LOSS_THRESHOLD
                if broken and ne not in problem.faulty:
                    problem.faulty.append(ne)
                elif element.get("configMatches") is False and ne not in problem.misconfigured:
                    problem.misconfigured.append(ne)

    def _reconfigure(
        self, problem: Problem, constructs: list[Construct]
    ) -> Generator[simpy.Event, Any, None]:
        """9: re-apply the construct configuration on the drifted NEs (ADAGIO configure below)."""
        calls = [
            self._presto(
                ACTIVATE_CONNECTIVITY, (icm, cid, nes), problem.record, problem.flow, problem.step("9")
            )
            for icm, cid, nes in constructs
            if any(ne in problem.misconfigured for ne in nes)
        ]
        yield from self.sof.gather(calls)
        problem.resolution = "reconfigured"

    def _reroute(self, problem: Problem) -> Generator[simpy.Event, Any, bool]:
        """9: move the service onto a path that avoids the faulty NEs, keeping its partner parts."""
        world, record, flow = self.world, problem.record, problem.flow
        topology = world.topology
        old_constructs = self._constructs(record)
        old_path = self._path(record)
        held = record.reserved or old_path
        yield from topology_info.ensure(world, self.sof, flow, problem.step("9"))
        topology.release(held, record.bandwidth_mbps, self.sof.domain)
        avoid = frozenset(problem.faulty)
        if self.is_provider:
            new_path = topology_info.view_of(self.sof).find_path(
                *record.endpoints, record.bandwidth_mbps, avoid=avoid, booked_by=self.sof.domain
            )
            keep_partners = new_path is not None and [n for n in new_path if not self._is_own(n)] == [
                n for n in old_path if not self._is_own(n)
            ]
            if new_path is None or not keep_partners:
                topology.reserve(held, record.bandwidth_mbps, self.sof.domain)
                return False
            decomposition = topology.decompose(record.service.id + "-r", new_path)
            new_constructs = [
                (world.icm_of_fd(c.forwarding_domains[0]).id, c.id, list(c.network_elements))
                for c in decomposition.sp_components()
            ]
        else:
            uni, enni = record.endpoints
            end = topology.enni_end(enni, self.sof.domain)
            new_path = topology_info.view_of(self.sof).segment_path(
                uni, end, record.bandwidth_mbps, avoid=avoid
            )
            if new_path is None:
                topology.reserve(held, record.bandwidth_mbps, self.sof.domain)
                return False
            decomposition = None
            nes = [n for n in new_path if topology.graph.nodes[n]["kind"] == "ne"]
            new_constructs = [
                (world.icm_of_fd(fd).id, f"{record.service.id}-{fd}-r", group)
                for fd, group in group_by_forwarding_domain(topology, nes)
            ]
        topology.reserve(new_path, record.bandwidth_mbps, self.sof.domain)
        record.reserved = tuple(new_path)
        changed_old = [c for c in old_constructs if c not in new_constructs]
        added = [c for c in new_constructs if c not in old_constructs]
        yield from self.sof.activity(
            "computeReroute",
            flow=flow,
            step=problem.step("9"),
            payload={"avoid": sorted(avoid), "path": new_path},
        )
        yield from self.sof.gather(
            [self._presto(ACTIVATE_CONNECTIVITY, c, record, flow, problem.step("9")) for c in added]
        )
        yield from self.sof.gather(
            [self._presto(DEACTIVATE_CONNECTIVITY, c, record, flow, problem.step("9")) for c in changed_old]
        )
        if decomposition is not None:
            record.decomposition = decomposition
        else:
            record.constructs = new_constructs
        problem.resolution = "rerouted"
        return True

    def _field_repair(
        self, problem: Problem, constructs: list[Construct]
    ) -> Generator[simpy.Event, Any, None]:
        """10: no automatic remedy: dispatch a technician, track the repair, verify with a test."""
        flow, sof, step = problem.flow, self.sof, problem.step("10")
        self._status(problem, "manualInterventionRequired", {"networkElements": problem.faulty})
        yield from sof.activity(
            "dispatchFieldRepair", flow=flow, step=step, payload={"networkElements": problem.faulty}
        )
        yield from sof.activity(
            "fieldRepair", flow=flow, step=step, payload={"networkElements": problem.faulty}
        )
        for ne in problem.faulty:
            resources.repair(self.world, ne, flow, step)
        yield from sof.gather(
            [
                self._presto(TEST_CONSTRUCT_DIAGNOSTIC, c, problem.record, flow, step)
                for c in constructs
                if any(ne in problem.faulty for ne in c[2])
            ]
        )
        problem.resolution = "repaired"

    def _partner_ticket(self, problem: Problem) -> Generator[simpy.Event, Any, None]:
        """9: the fault is in a partner's component: BUS raises a ticket with the partner over SONATA."""
        record = problem.record
        for domain, component, partner_order in self._partner_parts(record):
            if component not in problem.partner_faults:
                continue
            site = next(
                (
                    self.world.topology.site_of_uni(u).id
                    for u in record.endpoints
                    if self.world.topology.domain_of(u) == domain
                ),
                None,
            )
            yield from self.sof.call(
                self.bus,
                REQUEST_PARTNER_TICKET,
                {
                    "service": record.service.id,
                    "component": component,
                    "partner": domain,
                    "partnerOrder": partner_order,
                    "site": site,
                    "faultyNetworkElements": [],
                },
                flow=problem.flow,
                step=problem.step("9"),
            )
        problem.resolution = "partnerResolved" if problem.resolution == "noFaultFound" else problem.resolution

    # -- partner side of 6b and 8 ----------------------------------------------------------------

    def component_task(self, op: Operation, msg: Message) -> Generator[simpy.Event, Any, None]:
        """INTERLUDE 6b/8: read or test the partner component through this domain's ICMs."""
        record = self._by_partner_order(msg.payload["partnerOrder"])
        if record is None:
            self.sof.respond(
                msg, 404, {"code": "notFound", "reason": f"no service for {msg.payload['partnerOrder']}"}
            )
            return
        answers = yield from self.sof.gather(
            [self._presto(op, c, record, msg.flow, msg.step) for c in self._constructs(record)]
        )
        elements = [e for a in answers for e in a.get("elements", [])]
        failed = [ne for a in answers for ne in a.get("failedElements", [])]
        self.sof.respond(
            msg,
            200,
            {
                "componentId": msg.payload["componentId"],
                "result": "fail" if failed else "pass",
                "failedElements": failed,
                "elements": elements,
            },
        )

    # -- helpers -----------------------------------------------------------------------------------

    def _presto(
        self, op: Operation, construct: Construct, record: ServiceRecord, flow: Flow, step: str
    ) -> Generator[simpy.Event, Any, dict[str, Any]]:
        icm, cid, nes = construct
        body: dict[str, Any]
        if op is ACTIVATE_CONNECTIVITY:
            # MEF Presto's create-connectivity-service (TAPI), as 10.2 activates constructs.
            domain = self.world.icms[icm].forwarding_domain
            body = bodies.presto_create_connectivity(cid, domain, nes, record.bandwidth_mbps)
        else:
            body = {
                "constructId": cid,
                "service": record.service.id,
                "networkElements": nes,
                "bandwidthMbps": record.bandwidth_mbps,
            }
        answer = yield from self.sof.call(icm, op, body, flow=flow, step=step)
        payload: dict[str, Any] = answer.payload if isinstance(answer.payload, dict) else {}
        return payload

    def _interlude(
        self, op: Operation, part: tuple[str, str, str | None], flow: Flow, step: str
    ) -> Generator[simpy.Event, Any, dict[str, Any]]:
        domain, component, partner_order = part
        answer = yield from self.sof.call(
            self.world.sof[domain].id,
            op,
            {"componentId": component, "partnerOrder": partner_order},
            flow=flow,
            step=step,
        )
        payload: dict[str, Any] = dict(answer.payload) if isinstance(answer.payload, dict) else {}
        payload.setdefault("componentId", component)
        if answer.status != 200:
            payload["result"] = "fail"
        return payload

    def _status(self, problem: Problem, state: str, detail: dict[str, Any]) -> None:
        """11 (LEGATO to BUS) and, for a Customer whose status goes over ALLEGRO, 12 to it."""
        body = {
            "problemId": problem.id,
            "service": problem.record.service.id,
            "state": state,
            "proactive": problem.proactive,
            "resolution": problem.resolution,
            **detail,
        }
        self.sof.tell(
            problem.reporter, SERVICE_PROBLEM_STATUS, body, flow=problem.flow, step=problem.step("11")
        )
        customer = self.world.customers.get(problem.customer or "")
        if self.is_provider and customer is not None and customer.status_via == "ALLEGRO":
            update = {**body, "ticket": problem.ticket} if problem.ticket else body
            self.sof.tell(customer.id, TROUBLE_STATUS_ALLEGRO, update, flow=problem.flow, step="12")

    def _record(self, service_id: str) -> ServiceRecord | None:
        return next((r for r in self.sof.services.values() if r.service.id == service_id), None)

    def _by_partner_order(self, partner_order: str) -> ServiceRecord | None:
        return next((r for r in self.sof.services.values() if r.product_order == partner_order), None)

    def _constructs(self, record: ServiceRecord) -> list[Construct]:
        if self.is_provider and record.decomposition is not None:
            return [
                (self.world.icm_of_fd(c.forwarding_domains[0]).id, c.id, list(c.network_elements))
                for c in record.decomposition.sp_components()
            ]
        return [(icm, cid, list(nes)) for icm, cid, nes in record.constructs]

    def _partner_parts(self, record: ServiceRecord) -> list[tuple[str, str, str | None]]:
        if not self.is_provider or record.decomposition is None:
            return []
        return [
            (c.domain, c.id, record.partner_orders.get(c.domain))
            for c in record.decomposition.partner_components()
        ]

    def _path(self, record: ServiceRecord) -> list[str]:
        if self.is_provider and record.decomposition is not None:
            return list(record.decomposition.path)
        topology = self.world.topology
        uni, enni = record.endpoints
        nes = [ne for _icm, _cid, group in record.constructs for ne in group]
        del topology, enni
        return [uni, *nes]

    def _path_nes(self, record: ServiceRecord) -> list[str]:
        return [
            n
            for n in self._path(record)
            if self.world.topology.graph.nodes[n]["kind"] == "ne" and self._is_own(n)
        ]

    def _is_own(self, node: str) -> bool:
        return self.world.topology.domain_of(node) == self.sof.domain

    def _open_alarms(self) -> list[dict[str, Any]]:
        latest: dict[str, dict[str, Any]] = {}
        for alarm in self.sof.alarms:
            latest[alarm["networkElement"]] = alarm
        return [a for a in latest.values() if a["state"] == "raised"]
