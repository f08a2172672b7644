"""The network topology: forwarding domains, NEs, UNIs, ENNIs, path computation."""

from lso_sim.topology.network import Decomposition, ForwardingDomain, NetworkTopology, ServiceComponent, Site

__all__ = ["Decomposition", "ForwardingDomain", "NetworkTopology", "ServiceComponent", "Site"]
