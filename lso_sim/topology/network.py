"""The network below the orchestrators: sites, UNIs, network elements, links and ENNIs.

Network elements (NEs) belong to a forwarding domain; a forwarding domain belongs to a management
domain (the service provider or one partner) and is managed by one ICM, each NE by one ECM. UNIs
attach customer sites to NEs; ENNIs join an SP NE to a partner NE. SOF decomposes a connectivity
service by computing a path between two UNIs over this graph and cutting it where it changes
forwarding domain (an SP component per SP forwarding domain) or management domain (a partner
component per partner domain crossed, reached through an ENNI).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import networkx as nx

from lso_sim.errors import LsoSimError


@dataclass(frozen=True, slots=True)
class ForwardingDomain:
    """A set of NEs managed together by one ICM, inside one management domain."""

    id: str
    domain: str
    icm: str


@dataclass(frozen=True, slots=True)
class Site:
    """A customer site with its UNI, attached to an NE.

    ``cpe_first_slot``: the site needs customer equipment installed before its service can work;
    the installer's first free appointment is that many seconds after it is asked for (``None``:
    no installation needed).
    """

    id: str
    address: str
    uni: str
    ne: str
    cpe_first_slot: float | None = None


@dataclass(frozen=True, slots=True)
class ServiceComponent:
    """A piece of a service inside one forwarding domain (SP) or one partner domain.

    Attributes:
        id: stable id, unique within its service.
        domain: management domain that delivers it (the SP's id or a partner's id).
        partner: True when an external provider delivers it (reached over SONATA/INTERLUDE).
        forwarding_domains: forwarding domains crossed (one for an SP component).
        network_elements: NEs on the path, in path order.
        endpoints: UNIs and ENNIs that bound the component.
        icms: ICMs managing the forwarding domains crossed.
        ecms: ECMs managing the NEs crossed.
    """

    id: str
    domain: str
    partner: bool
    forwarding_domains: tuple[str, ...]
    network_elements: tuple[str, ...]
    endpoints: tuple[str, ...]
    icms: tuple[str, ...]
    ecms: tuple[str, ...]

    def as_payload(self) -> dict[str, object]:
        """The component as a JSON object for message payloads."""
        return {
            "id": self.id,
            "domain": self.domain,
            "partner": self.partner,
            "forwardingDomains": list(self.forwarding_domains),
            "networkElements": list(self.network_elements),
            "endpoints": list(self.endpoints),
        }


@dataclass(frozen=True, slots=True)
class Down:
    """NEs and links (as the set of their two NEs) held to be down."""

    nodes: frozenset[str] = frozenset()
    links: frozenset[frozenset[str]] = frozenset()


@dataclass(slots=True)
class Decomposition:
    """A service cut into components along a computed path."""

    path: tuple[str, ...]
    """Its nodes, UNI to UNI (a tuple: its service's ``reserved`` is the same object)."""
    components: list[ServiceComponent] = field(default_factory=list)

    def sp_components(self) -> list[ServiceComponent]:
        """Components the service provider delivers itself."""
        return [c for c in self.components if not c.partner]

    def partner_components(self) -> list[ServiceComponent]:
        """Components external providers deliver."""
        return [c for c in self.components if c.partner]


class NetworkTopology:
    """The graph of NEs, UNIs and links, with bandwidth bookkeeping for reservations.

    Args:
        provider_domain: id of the service provider's management domain; components in any other
            domain are partner components.
    """

    def __init__(self, provider_domain: str) -> None:
        self.provider_domain = provider_domain
        self.graph: nx.Graph = nx.Graph()
        self.forwarding_domains: dict[str, ForwardingDomain] = {}
        self.sites: dict[str, Site] = {}
        self._ne_fd: dict[str, str] = {}
        self._ne_ecm: dict[str, str] = {}
        self._uni_site: dict[str, Site] = {}
        self._shared: dict[tuple[str, ...], tuple[str, ...]] = {}
        """One copy of each tuple of names components hold (see :meth:`decompose`)."""
        self.failed: set[str] = set()
        """NEs that are down (an injected fault): no new path crosses them."""
        self.failed_links: set[frozenset[str]] = set()
        """Links (their two NEs) that are down: no new path uses them."""

    def down_now(self) -> Down:
        """What is down in the network itself (the ground truth an ECM sees)."""
        return Down(frozenset(self.failed), frozenset(self.failed_links))

    # -- building -----------------------------------------------------------------------------

    def add_forwarding_domain(self, fd_id: str, domain: str, icm: str) -> ForwardingDomain:
        """Register a forwarding domain of management domain ``domain`` managed by ``icm``."""
        if fd_id in self.forwarding_domains:
            raise LsoSimError(f"duplicate forwarding domain {fd_id!r}")
        fd = ForwardingDomain(fd_id, domain, icm)
        self.forwarding_domains[fd_id] = fd
        return fd

    def add_network_element(self, ne_id: str, fd_id: str, ecm: str) -> None:
        """Add an NE to forwarding domain ``fd_id``, managed by ``ecm``."""
        if fd_id not in self.forwarding_domains:
            raise LsoSimError(f"NE {ne_id!r} names unknown forwarding domain {fd_id!r}")
        if ne_id in self.graph:
            raise LsoSimError(f"duplicate node id {ne_id!r}")
        self.graph.add_node(ne_id, kind="ne", fd=fd_id, domain=self.forwarding_domains[fd_id].domain)
        self._ne_fd[ne_id] = fd_id
        self._ne_ecm[ne_id] = ecm

    def add_link(
        self, a: str, b: str, *, capacity_mbps: float, cost: float = 1.0, enni: str | None = None
    ) -> None:
        """Join two NEs; an ENNI must join NEs of two different management domains."""
        for ne in (a, b):
            if ne not in self._ne_fd:
                raise LsoSimError(f"link {a}-{b}: {ne!r} is not a network element")
        cross = self.domain_of(a) != self.domain_of(b)
        if cross and enni is None:
            raise LsoSimError(f"link {a}-{b} crosses management domains: declare it as an ENNI")
        if enni is not None and not cross:
            raise LsoSimError(f"ENNI {enni!r} joins {a} and {b} of the same domain")
        self.graph.add_edge(a, b, capacity=capacity_mbps, used=0.0, cost=cost, enni=enni)

    def add_site(
        self,
        site_id: str,
        address: str,
        uni: str,
        ne: str,
        *,
        capacity_mbps: float = 1000.0,
        cpe_first_slot: float | None = None,
    ) -> Site:
        """Add a customer site whose UNI attaches to ``ne`` (see :class:`Site` for ``cpe_first_slot``)."""
        if ne not in self._ne_fd:
            raise LsoSimError(f"site {site_id!r} attaches to unknown NE {ne!r}")
        if site_id in self.sites or uni in self._uni_site:
            raise LsoSimError(f"duplicate site {site_id!r} or UNI {uni!r}")
        site = Site(site_id, address, uni, ne, cpe_first_slot)
        self.sites[site_id] = site
        self._uni_site[uni] = site
        self.graph.add_node(uni, kind="uni", site=site_id, domain=self.domain_of(ne), fd=self._ne_fd[ne])
        self.graph.add_edge(uni, ne, capacity=capacity_mbps, used=0.0, cost=0.0, enni=None)
        return site

    # -- queries ------------------------------------------------------------------------------

    def domain_of(self, node: str) -> str:
        """Management domain of an NE or UNI."""
        domain: str = self.graph.nodes[node]["domain"]
        return domain

    def fd_of(self, node: str) -> str:
        """Forwarding domain of an NE or UNI."""
        fd: str = self.graph.nodes[node]["fd"]
        return fd

    def ecm_of(self, ne: str) -> str:
        """ECM managing an NE."""
        return self._ne_ecm[ne]

    def site_of_uni(self, uni: str) -> Site:
        """The site a UNI belongs to."""
        try:
            return self._uni_site[uni]
        except KeyError:
            raise LsoSimError(f"unknown UNI {uni!r}") from None

    def network_elements(self, domain: str | None = None) -> list[str]:
        """NEs, optionally of one management domain, in insertion order."""
        return [ne for ne in self._ne_fd if domain is None or self.domain_of(ne) == domain]

    def ennis(self) -> Iterator[tuple[str, str, str]]:
        """Every ENNI as ``(enni id, NE, NE)``."""
        for a, b, data in self.graph.edges(data=True):
            if data["enni"] is not None:
                yield data["enni"], a, b

    # -- failures -----------------------------------------------------------------------------

    def set_failed(self, ne: str | None = None, link: tuple[str, str] | None = None, *, down: bool) -> None:
        """Mark an NE or a link down (``down=True``) or back up; paths computed later avoid it."""
        if ne is not None:
            (self.failed.add if down else self.failed.discard)(ne)
        if link is not None:
            (self.failed_links.add if down else self.failed_links.discard)(frozenset(link))

    def _up(self, a: str, b: str, down: Down | None = None) -> bool:
        """True unless an end or the link itself is down (in ``down``, else in the network)."""
        failed, links = (self.failed, self.failed_links) if down is None else (down.nodes, down.links)
        if not failed and not links:
            return True
        return a not in failed and b not in failed and frozenset((a, b)) not in links

    # -- path computation ---------------------------------------------------------------------

    def find_path(
        self,
        uni_a: str,
        uni_b: str,
        bandwidth_mbps: float = 0.0,
        *,
        avoid: frozenset[str] = frozenset(),
        booked_by: str | None = None,
        down: Down | None = None,
    ) -> list[str] | None:
        """Cheapest path between two UNIs with ``bandwidth_mbps`` free on every link.

        ``avoid`` names NEs to route around (rerouting after a fault). ``booked_by`` checks free
        capacity only on the links that domain books (see :meth:`link_owner`): an orchestrator
        designing its part of a service leaves the partners' links to the partners, which may
        already have booked their segment for this very service. ``down`` is what the caller
        believes is down (an orchestrator's topology view, :mod:`lso_sim.topology.view`); without
        it, the network's own state. Ties between equal-cost paths are broken by networkx's
        deterministic search order, so runs stay reproducible.
        """
        for uni in (uni_a, uni_b):
            if uni not in self._uni_site:
                raise LsoSimError(f"unknown UNI {uni!r}")

        def usable(a: str, b: str) -> bool:
            if a in avoid or b in avoid or not self._up(a, b, down):
                return False
            if booked_by is not None and self.link_owner(a, b) != booked_by:
                return True
            data = self.graph.edges[a, b]
            free: float = data["capacity"] - data["used"]
            return free >= bandwidth_mbps

        view = nx.subgraph_view(self.graph, filter_edge=usable)
        try:
            path: list[str] = nx.shortest_path(view, uni_a, uni_b, weight="cost")
        except nx.NetworkXNoPath:
            return None
        return path

    def segment_path(
        self,
        start: str,
        end: str,
        domain: str,
        bandwidth_mbps: float = 0.0,
        *,
        avoid: frozenset[str] = frozenset(),
        down: Down | None = None,
    ) -> list[str] | None:
        """Cheapest path between two nodes staying inside one management domain.

        A partner SOF routes its own component this way: it sees only its own network. ``avoid``
        and ``down`` as for :meth:`find_path`.
        """

        def usable(a: str, b: str) -> bool:
            if a in avoid or b in avoid:
                return False
            data = self.graph.edges[a, b]
            inside = self.domain_of(a) == domain and self.domain_of(b) == domain and self._up(a, b, down)
            free: float = data["capacity"] - data["used"]
            return inside and free >= bandwidth_mbps

        view = nx.subgraph_view(self.graph, filter_edge=usable)
        try:
            path: list[str] = nx.shortest_path(view, start, end, weight="cost")
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            return None
        return path

    def enni_end(self, enni: str, domain: str) -> str:
        """The NE on ``domain``'s side of ENNI ``enni``."""
        for enni_id, a, b in self.ennis():
            if enni_id == enni:
                return a if self.domain_of(a) == domain else b
        raise LsoSimError(f"unknown ENNI {enni!r}")

    def decompose(self, service_id: str, path: Sequence[str]) -> Decomposition:
        """Cut a UNI-to-UNI path into service components.

        An SP component per run of NEs in one SP forwarding domain; a partner component per run of
        NEs in one partner domain (the partner decomposes it further in its own domain).
        """
        result = Decomposition(path=tuple(path))
        nes = path[1:-1]
        runs: list[list[str]] = []
        for ne in nes:
            key = self._run_key(ne)
            if runs and self._run_key(runs[-1][-1]) == key:
                runs[-1].append(ne)
            else:
                runs.append([ne])
        for index, run in enumerate(runs):
            domain = self.domain_of(run[0])
            fds = tuple(dict.fromkeys(self._ne_fd[ne] for ne in run))
            partner = not self._is_provider(domain)
            endpoints: list[str] = []
            first, last = run[0], run[-1]
            before = path[path.index(first) - 1]
            after = path[path.index(last) + 1]
            endpoints.append(self._endpoint(before, first))
            endpoints.append(self._endpoint(last, after))
            result.components.append(
                ServiceComponent(
                    id=f"{service_id}-c{index + 1}",
                    domain=domain,
                    partner=partner,
                    forwarding_domains=self.share(fds),
                    network_elements=self.share(tuple(run)),
                    endpoints=self.share(tuple(endpoints)),
                    icms=self.share(tuple(self.forwarding_domains[fd].icm for fd in fds)),
                    ecms=self.share(tuple(dict.fromkeys(self._ne_ecm[ne] for ne in run))),
                )
            )
        return result

    def share(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """The copy of ``names`` kept for every component holding equal names.

        Every delivered service keeps its decomposition (later threads read its components),
        and services along the same path hold the same tuples: one copy of each serves them
        all (tuples cannot change; their strings, an inter-FD link's name among them, are
        kept once too). Distinct tuples are bounded by the topology's runs, not by the orders.
        ICMs keep their constructs' NEs through it as well (the same runs of NEs).
        """
        return self._shared.setdefault(names, names)

    def _run_key(self, ne: str) -> tuple[str, str]:
        domain = self.domain_of(ne)
        # An SP component stops at each forwarding domain boundary; a partner component spans its
        # whole domain, because the SP does not manage (or see) the partner's forwarding domains.
        return (domain, self._ne_fd[ne] if self._is_provider(domain) else "")

    def _is_provider(self, domain: str) -> bool:
        return domain == self.provider_domain

    def _endpoint(self, a: str, b: str) -> str:
        """Name of the boundary between two adjacent path nodes (UNI, ENNI or inter-FD link)."""
        if self.graph.nodes[a]["kind"] == "uni":
            return a
        if self.graph.nodes[b]["kind"] == "uni":
            return b
        enni: str | None = self.graph.edges[a, b]["enni"]
        return enni if enni is not None else f"{a}~{b}"

    # -- bandwidth ----------------------------------------------------------------------------

    def link_owner(self, a: str, b: str) -> str:
        """The management domain that reserves the link ``a``-``b``.

        A link inside a domain (or a UNI's access link) belongs to that domain. An ENNI joins two
        domains: the service provider, which buys the partner's access over it, reserves it.
        """
        if self.graph.edges[a, b]["enni"] is not None:
            return self.provider_domain
        return self.domain_of(a)

    def reserve(self, path: Sequence[str], bandwidth_mbps: float, domain: str | None = None) -> None:
        """Take ``bandwidth_mbps`` on the links of ``path`` (only those ``domain`` owns, if given).

        Each orchestrator reserves what it manages: SOF-sp its own links and the ENNIs along the
        whole path it computed, a partner's SOF the links of its own segment, so a link crossed
        by one service is reserved once.
        """
        for a, b in self._owned(path, domain):
            self.graph.edges[a, b]["used"] += bandwidth_mbps

    def release(self, path: Sequence[str], bandwidth_mbps: float, domain: str | None = None) -> None:
        """Give back what :meth:`reserve` took (with the same ``domain``)."""
        for a, b in self._owned(path, domain):
            data = self.graph.edges[a, b]
            data["used"] = max(0.0, data["used"] - bandwidth_mbps)

    def _owned(self, path: Sequence[str], domain: str | None) -> list[tuple[str, str]]:
        return [
            (a, b) for a, b in itertools.pairwise(path) if domain is None or self.link_owner(a, b) == domain
        ]

    def utilisation(self, a: str, b: str) -> float:
        """Share of a link's capacity in use (0 to 1)."""
        data = self.graph.edges[a, b]
        used: float = data["used"]
        capacity: float = data["capacity"]
        return used / capacity if capacity else 1.0


def group_by_forwarding_domain(topology: NetworkTopology, nes: list[str]) -> list[tuple[str, list[str]]]:
    """Consecutive NEs of a path grouped by forwarding domain, in path order."""
    groups: list[tuple[str, list[str]]] = []
    for ne in nes:
        fd = topology.fd_of(ne)
        if groups and groups[-1][0] == fd:
            groups[-1][1].append(ne)
        else:
            groups.append((fd, [ne]))
    return groups
