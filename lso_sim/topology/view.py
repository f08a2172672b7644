"""An orchestrator's view of the network: what its ICMs last told it, and how old that is.

MEF 55.0.1 10.2 step 3b has SOF "use its topology information" to decompose a service, and 3c
check its serviceability; 10.5 step 9 reroutes with it. That information is not the network
itself: each ICM answers for its own forwarding domain (over PRESTO, from what its ECMs told it
over ADAGIO), and an answer can be lost or late. A :class:`TopologyView` holds the latest answer
per forwarding domain, with when it was given and, when a later refresh failed, why the view is
stale; path computation then goes over the network graph restricted to what the view knows:

* an NE of one of the orchestrator's own forwarding domains that no ICM ever described is not
  used (the orchestrator does not know it exists);
* what is *down* is what the answers said, not what is down now: a fault the orchestrator was not
  told about is routed over (and fails later, at activation or test), and a repaired one still
  avoided until an answer says so;
* link capacity stays the orchestrator's own booking ledger (the graph's ``used`` figures, which
  only the orchestrators move); the answers' free capacity is what the ICM saw when it answered.

Another provider's domain is not in the view: SOF-sp routes to a partner through the ENNIs it
shares with it and leaves the inside of that domain to the partner's SOF.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lso_sim.topology.network import Down, NetworkTopology


@dataclass(frozen=True, slots=True)
class LinkState:
    """One link as an ICM described it.

    Attributes:
        ends: its two NEs.
        up: its operational state.
        capacity_mbps: total capacity.
        free_mbps: capacity not booked when the ICM answered.
    """

    ends: frozenset[str]
    up: bool
    capacity_mbps: float
    free_mbps: float


@dataclass(frozen=True, slots=True)
class DomainState:
    """One forwarding domain as its ICM described it at ``as_of``.

    Attributes:
        forwarding_domain: its id.
        icm: the ICM that answered.
        as_of: simulated time of the answer.
        nodes: NE id -> up.
        links: the links with at least one end in the domain.
    """

    forwarding_domain: str
    icm: str
    as_of: float
    nodes: dict[str, bool]
    links: tuple[LinkState, ...]


@dataclass(slots=True)
class TopologyView:
    """What one orchestrator knows of the forwarding domains of its management domain.

    Args:
        network: the network graph (its structure and the bookings ledger).
        domain: the orchestrator's management domain; only its forwarding domains are viewed.
    """

    network: NetworkTopology
    domain: str
    domains: dict[str, DomainState] = field(default_factory=dict)
    """Latest answer per forwarding domain."""
    stale: dict[str, str] = field(default_factory=dict)
    """Forwarding domain -> why its view may be out of date (a refresh that failed)."""
    missing: dict[str, str] = field(default_factory=dict)
    """Forwarding domain -> why there is no view of it at all (no answer ever came)."""
    reading: dict[str, Any] = field(default_factory=dict)
    """Forwarding domain -> the read in flight (an engine event), which later needs wait for."""

    def forwarding_domains(self) -> list[str]:
        """The forwarding domains of the orchestrator's management domain, in declaration order."""
        return [fd.id for fd in self.network.forwarding_domains.values() if fd.domain == self.domain]

    # -- learning -------------------------------------------------------------------------------

    def learn(self, state: DomainState) -> None:
        """Take an ICM's answer as the current view of its forwarding domain."""
        self.domains[state.forwarding_domain] = state
        self.stale.pop(state.forwarding_domain, None)
        self.missing.pop(state.forwarding_domain, None)

    def refresh_failed(self, fd: str, reason: str) -> None:
        """A read of ``fd`` got no answer: keep the last view (stale) or note there is none."""
        if fd in self.domains:
            self.stale[fd] = reason
        else:
            self.missing[fd] = reason

    # -- reading --------------------------------------------------------------------------------

    def unknown(self) -> list[str]:
        """Own forwarding domains with no view yet, in declaration order."""
        return [fd for fd in self.forwarding_domains() if fd not in self.domains]

    def why_unknown(self, fd: str) -> str:
        """Why there is no view of ``fd``."""
        icm = self.network.forwarding_domains[fd].icm
        return self.missing.get(fd, f"{icm} has not described it yet")

    def down(self) -> Down:
        """What the answers say is down (a link is down when any answer describing it says so)."""
        nodes = frozenset(ne for state in self.domains.values() for ne, up in state.nodes.items() if not up)
        links = frozenset(link.ends for state in self.domains.values() for link in state.links if not link.up)
        return Down(nodes, links)

    def unseen(self) -> frozenset[str]:
        """NEs of own forwarding domains that no answer described: not routed over."""
        known = {ne for state in self.domains.values() for ne in state.nodes}
        return frozenset(ne for ne in self.network.network_elements(self.domain) if ne not in known)

    def notes(self, path: list[str]) -> list[str]:
        """Why parts of ``path`` were computed on an old view: one line per stale domain crossed."""
        crossed = dict.fromkeys(
            self.network.fd_of(n) for n in path if self.network.graph.nodes[n]["kind"] == "ne"
        )
        return [
            f"forwarding domain {fd}: view of t={self.domains[fd].as_of:g}s used ({self.stale[fd]})"
            for fd in crossed
            if fd in self.stale and fd in self.domains
        ]

    # -- path computation -------------------------------------------------------------------------

    def find_path(
        self,
        uni_a: str,
        uni_b: str,
        bandwidth_mbps: float = 0.0,
        *,
        avoid: frozenset[str] = frozenset(),
        booked_by: str | None = None,
    ) -> list[str] | None:
        """:meth:`NetworkTopology.find_path` over what this view knows."""
        return self.network.find_path(
            uni_a, uni_b, bandwidth_mbps, avoid=avoid | self.unseen(), booked_by=booked_by, down=self.down()
        )

    def segment_path(
        self, start: str, end: str, bandwidth_mbps: float = 0.0, *, avoid: frozenset[str] = frozenset()
    ) -> list[str] | None:
        """:meth:`NetworkTopology.segment_path` inside the own domain, over what this view knows."""
        return self.network.segment_path(
            start, end, self.domain, bandwidth_mbps, avoid=avoid | self.unseen(), down=self.down()
        )
