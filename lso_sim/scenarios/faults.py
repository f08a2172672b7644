"""A scenario's ``faults:`` block: checking what each fault names, and installing it in a world.

:func:`check` runs at load time (from :func:`lso_sim.scenarios.loader.check_references`): an
actor, a partner, an NE or a link that does not exist, or an IRP that joins no selected pair, is a
located scenario error, never a surprise during the run. :func:`install` runs when the world is
built: it turns each entry into an engine :class:`~lso_sim.engine.faults.Fault` (id ``fault-<n>``,
numbered from 1 in file order), plugs the simulation's :class:`~lso_sim.engine.faults.FaultInjector`
in, and gives network faults their start/end hooks (:mod:`lso_sim.threads.faults`).
"""

from __future__ import annotations

from typing import Any

from lso_sim.actors.world import World
from lso_sim.architecture.model import Architecture
from lso_sim.engine.faults import ActorDownEffect, ChannelEffect, Fault, FaultInjector, Window
from lso_sim.errors import LsoSimError, ScenarioError
from lso_sim.scenarios.fault_schema import (
    ActorDownFaultModel,
    ChannelFaultModel,
    ElementDownFaultModel,
    FailingTestFaultModel,
    FaultModel,
    LinkDownFaultModel,
    OrderRejectionFaultModel,
)
from lso_sim.scenarios.schema import Scenario
from lso_sim.threads import faults as network_faults


def _choices(values: list[str]) -> str:
    shown = ", ".join(values[:12])
    return shown + (f" and {len(values) - 12} more" if len(values) > 12 else "")


def _short(value: str) -> str:
    return repr(value if len(value) <= 60 else value[:57] + "...")


def selected_links(architecture: Architecture, model: ChannelFaultModel) -> list[tuple[str, str]]:
    """The ``(a, b)`` actor pairs (sorted) of the IRP links a channel fault selects."""
    chosen: list[tuple[str, str]] = []
    for a, b, irp in architecture.links():
        if irp != model.irp:
            continue
        if model.between is not None and {a, b} != set(model.between):
            continue
        if model.towards is not None and model.towards not in (
            architecture.actor(a).domain,
            architecture.actor(b).domain,
        ):
            continue
        chosen.append((a, b) if a <= b else (b, a))
    return sorted(chosen)


def check(scenario: Scenario, source: str, architecture: Architecture) -> None:
    """Check that every fault names things the scenario has (raises a located ScenarioError).

    ``architecture`` is the scenario's actor graph (:func:`lso_sim.scenarios.build.build_architecture`).
    """
    actors = sorted(spec.id for spec in architecture.actors())
    domains = sorted(d.id for d in architecture.domains())
    partners = [p.id for p in scenario.partners]
    nes = [ne for fd in scenario.topology.forwarding_domains for ne in fd.network_elements]
    links = {frozenset((link.a, link.b)) for link in scenario.topology.links}
    for i, fault in enumerate(scenario.faults):
        where = f"faults.{i}"

        def fail(field: str, expected: str, at: str = where) -> None:
            raise ScenarioError(source, f"{at}.{field}" if field else at, expected)

        if isinstance(fault, ChannelFaultModel):
            for k, actor in enumerate(fault.between or ()):
                if actor not in actors:
                    fail(f"between.{k}", f"an actor id ({_choices(actors)}), got {_short(actor)}")
            if fault.towards is not None and fault.towards not in domains:
                fail("towards", f"a domain id ({_choices(domains)}), got {_short(fault.towards)}")
            if not selected_links(architecture, fault):
                fail("irp", f"an IRP that joins the selected actors; no {fault.irp} link matches")
        elif isinstance(fault, ActorDownFaultModel):
            if fault.actor not in actors:
                fail("actor", f"an actor id ({_choices(actors)}), got {_short(fault.actor)}")
        elif isinstance(fault, OrderRejectionFaultModel):
            if fault.partner not in partners:
                known = _choices(partners) or "none declared"
                fail("partner", f"a partner id ({known}), got {_short(fault.partner)}")
        elif isinstance(fault, FailingTestFaultModel):
            if fault.ne is not None and fault.ne not in nes:
                fail("ne", f"a network element id ({_choices(nes)}), got {_short(fault.ne)}")
            if fault.domain is not None and fault.domain not in domains:
                fail("domain", f"a domain id ({_choices(domains)}), got {_short(fault.domain)}")
        elif isinstance(fault, ElementDownFaultModel):
            if fault.ne not in nes:
                fail("ne", f"a network element id ({_choices(nes)}), got {_short(fault.ne)}")
        elif isinstance(fault, LinkDownFaultModel):
            for end in ("a", "b"):
                if getattr(fault, end) not in nes:
                    fail(end, f"a network element id ({_choices(nes)}), got {_short(getattr(fault, end))}")
            if frozenset((fault.a, fault.b)) not in links:
                fail("", f"a link of topology.links; {fault.a} and {fault.b} are not joined")


def install(scenario: Scenario, world: World) -> FaultInjector | None:
    """Give ``world``'s simulation the scenario's faults (nothing at all without a ``faults`` block)."""
    if not scenario.faults:
        return None
    injector = FaultInjector(world.sim)
    world.sim.inject_faults(injector)
    for n, model in enumerate(scenario.faults, start=1):
        _add(injector, world, f"fault-{n}", model)
    return injector


def _add(injector: FaultInjector, world: World, ident: str, model: FaultModel) -> None:
    start, end = model.window
    params: dict[str, Any] = model.model_dump(exclude={"kind", "at", "start", "end"}, exclude_none=True)
    fault = Fault(ident, model.kind, Window(start, end), params)
    architecture = world.sim.architecture
    if isinstance(model, ChannelFaultModel):
        fault.effect = ChannelEffect(
            model.irp,
            frozenset(model.between) if model.between else None,
            model.towards,
            model.loss,
            model.delay,
            model.jitter,
        )
        fault.anchors = [(a, b) for a, b in selected_links(architecture, model)]
        injector.add(fault)
    elif isinstance(model, ActorDownFaultModel):
        fault.effect = ActorDownEffect(model.actor, model.mode)
        fault.anchors = [(model.actor, None)]
        injector.add(fault)
    elif isinstance(model, OrderRejectionFaultModel):
        bus = world.bus[model.partner].id
        fault.probability = model.probability
        fault.target = frozenset({bus})
        fault.anchors = [(bus, None)]
        injector.add(fault)
    elif isinstance(model, FailingTestFaultModel):
        nes = world.topology.network_elements(model.domain) if model.ne is None else [model.ne]
        fault.probability = model.probability
        fault.target = frozenset(nes) if (model.ne or model.domain) else frozenset()
        fault.anchors = [(world.topology.ecm_of(ne), None) for ne in nes]
        injector.add(fault)
    elif isinstance(model, ElementDownFaultModel):
        fault.anchors = [(world.topology.ecm_of(model.ne), None)]
        on_start, on_end = network_faults.hooks(world, ne=model.ne)
        injector.add(fault, on_start=on_start, on_end=on_end)
    elif isinstance(model, LinkDownFaultModel):
        fault.anchors = [(world.topology.ecm_of(model.a), None)]
        on_start, on_end = network_faults.hooks(world, link=(model.a, model.b))
        injector.add(fault, on_start=on_start, on_end=on_end)
    else:  # pragma: no cover - the schema's union has no other member
        raise LsoSimError(f"unknown fault kind {model.kind!r}")
