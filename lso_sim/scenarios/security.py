"""Security in a scenario (thread 10.8): credentials of the built world, probes, and their checks."""

from __future__ import annotations

from lso_sim.actors.world import World
from lso_sim.architecture.model import Architecture
from lso_sim.errors import LsoSimError, ScenarioError
from lso_sim.messages.operations import CATALOG, Operation
from lso_sim.scenarios.schema import Scenario, WorkloadModel, body_problem
from lso_sim.threads import security


def enable(scenario: Scenario, world: World) -> None:
    """Guard every arriving message of ``world``, unless the scenario turned security off."""
    if scenario.security.enabled:
        terms = {c.actor: (c.expires, c.revoked) for c in scenario.security.credentials}
        security.enable(world, terms)


def _operation(name: str, api: str | None) -> Operation | list[str]:
    """The operation ``name`` (of ``api``), or the APIs to choose from when that is not one."""
    found = [op for (a, n), op in CATALOG.items() if n == name and (api is None or a == api)]
    if len(found) == 1:
        return found[0]
    return sorted(str(op.api) for op in found) or sorted({str(a) for (a, n) in CATALOG if n == name})


def start_probes(scenario: Scenario, work: WorkloadModel, world: World) -> None:
    """Thread 10.8: each probe is an instance ``security/probe-<n>``."""
    assert work.probes is not None, "validated by the schema"
    for n, item in enumerate(work.probes.requests, start=1):
        op = _operation(item.operation, item.api)
        assert isinstance(op, Operation), "checked by the loader"
        probe = security.Probe(
            f"security/probe-{n}", item.at, item.sender, item.receiver, op, dict(item.body)
        )
        world.sim.env.process(world.guarded(security.run(world, probe), probe.instance))


def check(
    scenario: Scenario, index: int, work: WorkloadModel, source: str, architecture: Architecture
) -> None:
    """Check what the credentials and probes name: actors, operations, an IRP between the two ends."""
    actors = sorted(spec.id for spec in architecture.actors())
    if index == 0:
        for j, credential in enumerate(scenario.security.credentials):
            if credential.actor not in actors:
                raise ScenarioError(
                    source,
                    f"security.credentials.{j}.actor",
                    f"an actor id ({', '.join(actors)}), got {credential.actor!r}",
                )
    if work.probes is None:
        return
    for j, item in enumerate(work.probes.requests):
        where = f"workload.{index}.probes.requests.{j}"
        for name in ("sender", "receiver"):
            value = getattr(item, name)
            if value not in actors:
                raise ScenarioError(
                    source, f"{where}.{name}", f"an actor id ({', '.join(actors)}), got {value!r}"
                )
        problem = body_problem(item.body)
        if problem is not None:
            raise ScenarioError(source, f"{where}.body", problem)
        op = _operation(item.operation, item.api)
        if not isinstance(op, Operation):
            expected = (
                f"an 'api' naming which ({', '.join(op)})"
                if len(op) > 1
                else f"a known operation, got {item.operation!r}"
            )
            raise ScenarioError(source, f"{where}.{'api' if len(op) > 1 else 'operation'}", expected)
        try:
            architecture.irp_between(item.sender, item.receiver)
        except LsoSimError as exc:
            raise ScenarioError(
                source, f"{where}.receiver", f"an actor an IRP joins to the sender ({exc})"
            ) from None
