"""The LSO architecture of one simulation as a graph of actor instances joined by IRPs.

Nodes are actor instances (``bus-sp``, ``icm-metro``...) carrying their role and management
domain; an edge exists exactly where an IRP of :data:`~lso_sim.architecture.roles.IRP_RULES`
joins the two instances. The engine asks :meth:`Architecture.irp_between` before every send, so a
message between actors that MEF does not connect fails loudly instead of being simulated.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import networkx as nx

from lso_sim.architecture.roles import IRP_RULES, ROLES_OF_DOMAIN, DomainKind, Irp, Role
from lso_sim.errors import IrpViolation, LsoSimError


@dataclass(frozen=True, slots=True)
class Domain:
    """A management domain: the customer's, the service provider's or one partner's."""

    id: str
    kind: DomainKind


@dataclass(frozen=True, slots=True)
class ActorSpec:
    """One actor instance of the architecture.

    Attributes:
        id: instance id used in traces (``src``/``dst``).
        role: its functional role.
        domain: id of the management domain it belongs to.
        manager: for an ECM, the ICM that manages it (the ADAGIO peer); ``None`` otherwise.
    """

    id: str
    role: Role
    domain: str
    manager: str | None = None


_PEER_ROLES: dict[Role, frozenset[Role]] = {
    role: frozenset({r.b for r in IRP_RULES if r.a is role} | {r.a for r in IRP_RULES if r.b is role})
    for role in Role
}
"""Roles that some IRP may join to each role: linking a new actor only looks at these."""


class Architecture:
    """Domains, actor instances and the IRP links between them."""

    def __init__(self) -> None:
        self._graph: nx.Graph = nx.Graph()
        self._domains: dict[str, Domain] = {}
        self._actors: dict[str, ActorSpec] = {}
        self._by_role: dict[Role, list[ActorSpec]] = {role: [] for role in Role}

    # -- building -----------------------------------------------------------------------------

    def add_domain(self, domain_id: str, kind: DomainKind) -> Domain:
        """Register a management domain; ids are unique across the architecture."""
        if domain_id in self._domains:
            raise LsoSimError(f"duplicate domain id {domain_id!r}")
        domain = Domain(domain_id, kind)
        self._domains[domain_id] = domain
        return domain

    def add_actor(self, actor_id: str, role: Role, domain_id: str, manager: str | None = None) -> ActorSpec:
        """Add an actor instance and link it, by the IRP rules, to every actor already present."""
        if actor_id in self._actors:
            raise LsoSimError(f"duplicate actor id {actor_id!r}")
        domain = self._domains.get(domain_id)
        if domain is None:
            raise LsoSimError(f"actor {actor_id!r} names unknown domain {domain_id!r}")
        if role not in ROLES_OF_DOMAIN[domain.kind]:
            raise LsoSimError(f"role {role} cannot live in {domain.kind} domain {domain_id!r}")
        if (role is Role.ECM) != (manager is not None):
            raise LsoSimError(f"actor {actor_id!r}: an ECM, and only an ECM, names its managing ICM")
        if manager is not None:
            peer = self._actors.get(manager)
            if peer is None or peer.role is not Role.ICM or peer.domain != domain_id:
                raise LsoSimError(
                    f"ECM {actor_id!r}: manager {manager!r} is not an ICM of domain {domain_id!r}"
                )
        spec = ActorSpec(actor_id, role, domain_id, manager)
        self._graph.add_node(actor_id, role=role, domain=domain_id)
        for peer_role in _PEER_ROLES[role]:
            for other in self._by_role[peer_role]:
                irp = self._rule_irp(spec, other)
                if irp is not None:
                    self._graph.add_edge(actor_id, other.id, irp=irp)
        self._actors[actor_id] = spec
        self._by_role[role].append(spec)
        return spec

    def _rule_irp(self, one: ActorSpec, two: ActorSpec) -> Irp | None:
        for rule in IRP_RULES:
            if (one.role, two.role) == (rule.a, rule.b):
                a, b = one, two
            elif (one.role, two.role) == (rule.b, rule.a):
                a, b = two, one
            else:
                continue
            if rule.same_domain and a.domain != b.domain:
                continue
            if rule.managed_only and b.manager != a.id:
                continue
            return rule.irp
        return None

    # -- queries ------------------------------------------------------------------------------

    @property
    def graph(self) -> nx.Graph:
        """The underlying networkx graph (read it, do not modify it)."""
        return self._graph

    def actor(self, actor_id: str) -> ActorSpec:
        """The instance named ``actor_id``."""
        try:
            return self._actors[actor_id]
        except KeyError:
            raise LsoSimError(f"unknown actor {actor_id!r}") from None

    def actors(self, role: Role | None = None, domain: str | None = None) -> list[ActorSpec]:
        """Actor instances, optionally of one role and/or one domain, in insertion order."""
        return [
            a
            for a in self._actors.values()
            if (role is None or a.role is role) and (domain is None or a.domain == domain)
        ]

    def domains(self, kind: DomainKind | None = None) -> list[Domain]:
        """Domains, optionally of one kind, in insertion order."""
        return [d for d in self._domains.values() if kind is None or d.kind is kind]

    def irps_of(self, actor_id: str) -> set[Irp]:
        """Every IRP that touches ``actor_id``."""
        if actor_id not in self._graph:
            return set()
        return {data["irp"] for _, _, data in self._graph.edges(actor_id, data=True)}

    def irp_between(self, src: str, dst: str) -> Irp:
        """The IRP joining two actors.

        Raises:
            IrpViolation: no IRP joins them; the message names both and the IRPs each has.
        """
        data = self._graph.get_edge_data(src, dst)
        if data is None:
            raise IrpViolation(src, dst, self.irps_of(src), self.irps_of(dst))
        irp: Irp = data["irp"]
        return irp

    def links(self) -> Iterator[tuple[str, str, Irp]]:
        """Every IRP link as ``(actor, actor, irp)``, in a stable order."""
        for a, b, data in sorted(self._graph.edges(data=True), key=lambda e: (e[2]["irp"], e[0], e[1])):
            yield a, b, data["irp"]

    def managed_ecms(self, icm_id: str) -> list[str]:
        """The ECMs an ICM manages over ADAGIO."""
        return [a.id for a in self._actors.values() if a.manager == icm_id]

    def __contains__(self, actor_id: object) -> bool:
        return actor_id in self._actors

    def __len__(self) -> int:
        return len(self._actors)


def role_summary(specs: Iterable[ActorSpec]) -> dict[Role, int]:
    """Count actor instances per role (for summaries)."""
    counts: dict[Role, int] = {}
    for spec in specs:
        counts[spec.role] = counts.get(spec.role, 0) + 1
    return counts
