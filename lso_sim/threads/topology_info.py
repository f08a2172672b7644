"""SOF's topology information (10.2 3b, 3c; 10.5 9), learnt from its ICMs, which learn from ECMs.

MEF 55.0.1 has SOF decompose a service and check its serviceability "using its topology
information", and reroute with it. lso-sim gives every SOF a :class:`TopologyView` that it builds
from answers, not from the network itself:

* **when first needed**: a decomposition (3b), serviceability check (3c, 3d at a partner), design
  (8) or reroute (10.5 9) that finds a forwarding domain of the SOF's management domain not yet
  described reads it from the ICM that manages it (PRESTO ``get-topology-details``, MEF's NRP
  RPC), inside the flow and step of the request that needed it. The first time, the ICM asks its
  ECMs (ADAGIO ``retrieveElementInventory``) and answers from what they say; afterwards it answers
  from what it holds. Needs arriving while a read is in flight wait for it.
* **when told of a change**: an ECM whose NE or link goes down or comes back tells its ICM
  (``elementStateChangeEvent``) if the ICM has read it, the ICM tells every SOF that has read its
  topology (``topologyChangeEvent``), and SOF reads that forwarding domain again; these hops
  belong to the fault's flow (thread ``fault``), as the alarms of 10.5 do.

Why not at start-up, nor per decomposition: a world that never decomposes (an API tour, a
sandbox) has no reason to read; a read at each decomposition would cost one exchange per order
and ICM for answers that almost always say the same thing. Read once when needed and kept
current by events, the view costs the first order that needs it one exchange per forwarding
domain (its lead time shows it) and each fault one more.

Unhappy paths. A read that gets no answer (lost, or its ICM down) within the SOF's request
timeout (or the scenario's ``options.topology_read_timeout``) and its retries leaves the view as
it was: a forwarding domain described before keeps its last known view, marked *stale* with the
reason, and is still used (SOF cannot do better; the 3b answer says so in ``topologyNotes``); one
never described is *missing*, a service that needs it is refused at 3b with the reason, and the
next need reads it again. A lost change event is not noticed at all: SOF routes over what its
view says, and the fault shows up later (an activation test fails, step 11). Each read ends with
an ``updateTopologyView`` record saying what SOF now knows.
"""

from __future__ import annotations

from collections.abc import Generator
from functools import partial
from typing import Any

import simpy

from lso_sim.actors.roles import ElementManager, InfrastructureManager, ServiceOrchestrator
from lso_sim.actors.world import World
from lso_sim.errors import LsoSimError
from lso_sim.messages import topology_bodies as bodies
from lso_sim.messages.envelope import Flow, Message
from lso_sim.messages.operations import (
    ELEMENT_STATE_CHANGE_EVENT,
    GET_TOPOLOGY_DETAILS,
    RETRIEVE_ELEMENT_INVENTORY,
    TOPOLOGY_CHANGE_EVENT,
)
from lso_sim.topology.view import DomainState, LinkState, TopologyView

THREAD = "10.2"
STEP = "3b"
UPDATE_VIEW = "updateTopologyView"
"""The activity SOF records after each read: what it now knows of the forwarding domain."""


def install(world: World) -> None:
    """Give ECMs, ICMs and SOFs their topology behaviour and start the SOFs' first reads (idempotent)."""
    for ecm in world.ecms.values():
        if not ecm.handles(RETRIEVE_ELEMENT_INVENTORY.name):
            ecm.handle(RETRIEVE_ELEMENT_INVENTORY, partial(_ecm_inventory, world, ecm))
    for icm in world.icms.values():
        if not icm.handles(GET_TOPOLOGY_DETAILS.name):
            icm.handle(GET_TOPOLOGY_DETAILS, partial(_icm_topology, world, icm))
            icm.handle(ELEMENT_STATE_CHANGE_EVENT, partial(_icm_changed, world, icm))
    for sof in world.sof.values():
        if sof.view is None:
            sof.view = TopologyView(world.topology, sof.domain)
            sof.handle(TOPOLOGY_CHANGE_EVENT, partial(_sof_changed, world, sof))


def view_of(sof: ServiceOrchestrator) -> TopologyView:
    """``sof``'s view (installed with thread 10.2)."""
    if sof.view is None:
        raise LsoSimError(f"{sof.id} has no topology view: thread 10.2 is not installed")
    return sof.view


def no_path_reason(sof: ServiceOrchestrator, a: str, b: str, where: str = "") -> str:
    """Why no path was found between ``a`` and ``b`` (``where``: in which domain, said after the
    capacity reason): a forwarding domain never described, or capacity."""
    view = view_of(sof)
    unknown = view.unknown()
    if unknown:
        return f"no topology of forwarding domain {unknown[0]}: {view.why_unknown(unknown[0])}"
    return f"no path with capacity between {a} and {b}{where}"


# -- ECM: its elements ---------------------------------------------------------------------------


def _ecm_inventory(world: World, ecm: ElementManager, msg: Message) -> None:
    """Describe the NEs this ECM manages in the forwarding domain asked about, as they are now."""
    fd = msg.payload.get("forwardingDomain")
    topology = world.topology
    down = topology.down_now()
    graph = topology.graph
    elements = []
    for ne in ecm.network_elements:
        if ne not in graph or topology.fd_of(ne) != fd:
            continue
        links = [
            bodies.element_link(
                other,
                topology.fd_of(other),
                frozenset((ne, other)) not in down.links,
                data["capacity"],
                max(0.0, data["capacity"] - data["used"]),
                data["enni"],
            )
            for other, data in graph[ne].items()
            if graph.nodes[other]["kind"] == "ne"
        ]
        elements.append(bodies.element(ne, str(fd), ne not in down.nodes, links))
    ecm.respond(msg, 200, {"networkElements": elements})


def element_changed(world: World, ne: str | None, link: tuple[str, str] | None, up: bool, flow: Flow) -> None:
    """An NE or link went down (``up=False``) or came back: its ECM tells its ICM, if the ICM has
    read it (called by the fault hooks, in the fault's ``flow``)."""
    element = ne if ne is not None else link[0] if link is not None else None
    if element is None:
        return
    ecm = world.ecms.get(world.topology.ecm_of(element))
    icm = world.icm_of_fd(world.topology.fd_of(element))
    if ecm is None or element not in icm.elements:
        return  # nobody has asked about it yet: the first read will see it as it is
    ecm.tell(icm.id, ELEMENT_STATE_CHANGE_EVENT, bodies.change(ne, link, up), flow=flow, step=STEP)


# -- ICM: its forwarding domain ---------------------------------------------------------------------


def _icm_topology(
    world: World, icm: InfrastructureManager, msg: Message
) -> Generator[simpy.Event, Any, None]:
    """PRESTO get-topology-details: the forwarding domain from what the ECMs said (asked once)."""
    fd = bodies.topology_requested(msg.payload)
    if fd != icm.forwarding_domain:
        icm.respond(msg, 400, None)  # MEF NRP's bodiless 400: not a topology this ICM knows
        return
    icm.topology_readers.add(msg.src)
    nes = [ne for ne in world.topology.network_elements() if world.topology.fd_of(ne) == fd]
    unknown = [ne for ne in nes if ne not in icm.elements]
    ecms = list(dict.fromkeys(world.topology.ecm_of(ne) for ne in unknown))
    calls = [
        icm.call(
            ecm,
            RETRIEVE_ELEMENT_INVENTORY,
            {"forwardingDomain": fd},
            flow=msg.flow,
            step=msg.step,
            timeout=_half(world.options.topology_read_timeout),
        )
        for ecm in ecms
    ]
    for answer in (yield from _each(icm, calls)):
        if answer is not None and answer.status == 200:
            for item in answer.payload["networkElements"]:
                icm.elements[item["networkElement"]] = item
    # An NE whose ECM did not answer is left out: SOF will not route over what nobody described.
    icm.respond(msg, 200, bodies.topology(fd, [icm.elements[ne] for ne in nes if ne in icm.elements]))


def _half(timeout: float | None) -> float | None:
    """An ICM's bound on its ECMs: half the SOF's, so that it answers (with what it has) in time."""
    return None if timeout is None else timeout / 2


def _each(
    actor: InfrastructureManager | ServiceOrchestrator, calls: list[Generator[simpy.Event, Any, Message]]
) -> Generator[simpy.Event, Any, list[Message | None]]:
    """Run ``calls`` in parallel; an answer never received is ``None`` (the others still count)."""

    def settled(call: Generator[simpy.Event, Any, Message]) -> Generator[simpy.Event, Any, Message | None]:
        try:
            return (yield from call)
        except LsoSimError:
            return None

    answers: list[Message | None] = yield from actor.gather([settled(c) for c in calls])
    return answers


def _icm_changed(world: World, icm: InfrastructureManager, msg: Message) -> None:
    """An ECM's state change: update the NE or link in what the ICM holds, and tell SOF."""
    ne, link = msg.payload.get("networkElement"), msg.payload.get("link")
    new_state = msg.payload["operationalState"]
    if ne is not None and ne in icm.elements:
        icm.elements[ne] = {**icm.elements[ne], "operationalState": new_state}
    if link is not None:
        for end, other in ((link[0], link[1]), (link[1], link[0])):
            if end in icm.elements:
                item = icm.elements[end]
                links = [
                    {**entry, "operationalState": new_state} if entry["to"] == other else entry
                    for entry in item["links"]
                ]
                icm.elements[end] = {**item, "links": links}
    for sof in sorted(icm.topology_readers):
        body = {
            "topology-id": icm.forwarding_domain,
            "networkElement": ne,
            "link": link,
            "operationalState": new_state,
        }
        icm.tell(sof, TOPOLOGY_CHANGE_EVENT, body, flow=msg.flow, step=STEP)


# -- SOF: reading its view ---------------------------------------------------------------------------


def _sof_changed(world: World, sof: ServiceOrchestrator, msg: Message) -> None:
    """An ICM says its forwarding domain changed: read it again."""
    fd = msg.payload.get("topology-id")
    if isinstance(fd, str) and fd in world.topology.forwarding_domains:
        sof.start(read(world, sof, fd, msg.flow, msg.step))


def read(
    world: World, sof: ServiceOrchestrator, fd: str, flow: Flow, step: str
) -> Generator[simpy.Event, Any, bool]:
    """Read forwarding domain ``fd`` from its ICM into ``sof``'s view; False if no answer came.

    Never raises: a read that fails leaves the last view, marked stale (or missing), and says why.
    """
    view = view_of(sof)
    icm = world.topology.forwarding_domains[fd].icm
    done = world.sim.env.event()
    view.reading[fd] = done
    reason: str | None = None
    asked = world.sim.now
    try:
        answer = yield from sof.call(
            icm,
            GET_TOPOLOGY_DETAILS,
            bodies.topology_request(fd),
            flow=flow,
            step=step,
            timeout=world.options.topology_read_timeout,
        )
    except LsoSimError as exc:
        reason = f"{icm} gave no topology of {fd} ({exc})"
    else:
        if answer.status != 200 or not isinstance(answer.payload, dict):
            reason = f"{icm} answered {answer.status} to get-topology-details for {fd}"
    report: dict[str, Any] = {"forwardingDomain": fd, "icm": icm}
    if reason is not None and fd in view.domains and view.domains[fd].as_of >= asked:
        # Another read answered while this one waited: its view stands.
        report.update(unanswered=reason, asOf=view.domains[fd].as_of)
    elif reason is not None:
        view.refresh_failed(fd, reason)
        if fd in view.domains:
            report.update(stale=reason, asOf=view.domains[fd].as_of)
        else:
            report["missing"] = reason
    else:
        nodes, links = bodies.read_topology(answer.payload)
        state = DomainState(
            fd,
            icm,
            world.sim.now,
            nodes,
            tuple(LinkState(ends, up, capacity, free) for ends, up, capacity, free in links),
        )
        view.learn(state)
        report.update(
            asOf=state.as_of,
            networkElements=len(nodes),
            down=sorted(ne for ne, up in nodes.items() if not up),
            linksDown=sorted("~".join(sorted(link.ends)) for link in state.links if not link.up),
        )
    if view.reading.get(fd) is done:
        del view.reading[fd]
    done.succeed(reason is None)
    yield from sof.activity(UPDATE_VIEW, flow=flow, step=step, payload=report)
    return reason is None


def ensure(
    world: World, sof: ServiceOrchestrator, flow: Flow, step: str
) -> Generator[simpy.Event, Any, None]:
    """Before using the view: read, in ``flow``, the forwarding domains never described (or wait
    for the read of them already in flight)."""
    view = view_of(sof)
    unknown = view.unknown()
    if not unknown:
        return
    pending = [view.reading[fd] for fd in unknown if fd in view.reading]
    reads = [read(world, sof, fd, flow, step) for fd in unknown if fd not in view.reading]
    yield from sof.gather(reads)
    if pending:
        yield world.sim.env.all_of(pending)
