"""Bodies of the topology information hops: ADAGIO element inventory, PRESTO topology (TAPI).

PRESTO's ``get-topology-details`` is MEF's NRP (TAPI) RPC: its input names a topology (here a
forwarding domain), its output is a ``tapi.topology.Topology`` whose nodes are the domain's
network elements and whose links join them, each with its operational state and capacity
(``total-potential-capacity``, ``available-capacity``, in Mb/s). ADAGIO has no MEF API: the ECM's
element inventory and state change bodies are lso-sim's own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

JsonObject = dict[str, Any]

ENABLED, DISABLED = "ENABLED", "DISABLED"


def state(up: bool) -> str:
    """TAPI operational state of something up (``True``) or down."""
    return ENABLED if up else DISABLED


def link_id(a: str, b: str, enni: str | None) -> str:
    """A link's id: its ENNI's, or its two NEs in sorted order."""
    return enni if enni is not None else "~".join(sorted((a, b)))


def element(ne: str, fd: str, up: bool, links: Iterable[JsonObject]) -> JsonObject:
    """One NE in an ECM's ``retrieveElementInventory`` answer."""
    return {"networkElement": ne, "forwardingDomain": fd, "operationalState": state(up), "links": list(links)}


def element_link(to: str, to_fd: str, up: bool, capacity: float, free: float, enni: str | None) -> JsonObject:
    """One link of an NE as its ECM describes it."""
    return {
        "to": to,
        "toForwardingDomain": to_fd,
        "operationalState": state(up),
        "capacityMbps": capacity,
        "freeMbps": free,
        "enni": enni,
    }


def topology_request(fd: str) -> JsonObject:
    """Input of PRESTO get-topology-details for forwarding domain ``fd``."""
    return {"input": {"topology-id-or-name": fd}}


def topology_requested(body: Mapping[str, Any]) -> str | None:
    """The forwarding domain a get-topology-details input names (``None`` if malformed)."""
    tapi = body.get("input") if isinstance(body, Mapping) else None
    name = tapi.get("topology-id-or-name") if isinstance(tapi, Mapping) else None
    return name if isinstance(name, str) else None


def _capacity(mbps: float) -> JsonObject:
    return {"total-size": {"value": round(mbps), "unit": "MBPS"}}


def topology(fd: str, elements: Iterable[JsonObject]) -> JsonObject:
    """Output of get-topology-details: the TAPI topology of ``fd`` from its ECMs' elements.

    A link between two NEs the ICM both manages is listed once; a link leaving the domain (to
    another forwarding domain, or an ENNI) is listed with its far end in that domain's topology.
    """
    nodes: list[JsonObject] = []
    links: dict[str, JsonObject] = {}
    for item in elements:
        ne = str(item["networkElement"])
        nodes.append(
            {
                "uuid": ne,
                "name": [{"value-name": "networkElement", "value": ne}],
                "operational-state": item["operationalState"],
                "layer-protocol-name": ["ETH"],
            }
        )
        for link in item["links"]:
            ident = link_id(ne, link["to"], link["enni"])
            if ident in links:
                continue
            entry: JsonObject = {
                "uuid": ident,
                "node-edge-point": [
                    {"topology-id": fd, "node-id": ne},
                    {"topology-id": link["toForwardingDomain"], "node-id": link["to"]},
                ],
                "operational-state": link["operationalState"],
                "total-potential-capacity": _capacity(link["capacityMbps"]),
                "available-capacity": _capacity(link["freeMbps"]),
                "layer-protocol-name": ["ETH"],
            }
            if link["enni"] is not None:
                entry["name"] = [{"value-name": "enni", "value": link["enni"]}]
            links[ident] = entry
    return {
        "output": {
            "topology": {
                "uuid": fd,
                "name": [{"value-name": "forwardingDomain", "value": fd}],
                "layer-protocol-name": ["ETH"],
                "node": nodes,
                "link": list(links.values()),
            }
        }
    }


def read_topology(
    body: Mapping[str, Any],
) -> tuple[dict[str, bool], list[tuple[frozenset[str], bool, float, float]]]:
    """Nodes (NE -> up) and links (ends, up, capacity, free) of a get-topology-details output."""
    tapi = body["output"]["topology"]
    nodes = {str(n["uuid"]): n.get("operational-state") == ENABLED for n in tapi.get("node", [])}
    links = [
        (
            frozenset(str(end["node-id"]) for end in link["node-edge-point"]),
            link.get("operational-state") == ENABLED,
            float(link["total-potential-capacity"]["total-size"]["value"]),
            float(link["available-capacity"]["total-size"]["value"]),
        )
        for link in tapi.get("link", [])
    ]
    return nodes, links


def change(ne: str | None, link: tuple[str, str] | None, up: bool) -> JsonObject:
    """Body of an ECM's ``elementStateChangeEvent``: which NE or link, and its new state."""
    return {
        "networkElement": ne,
        "link": list(link) if link is not None else None,
        "operationalState": state(up),
    }
