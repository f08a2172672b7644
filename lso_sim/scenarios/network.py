"""``network:``: a provider network, its partners and customers generated from a few numbers.

Writing out a 20-partner network by hand is hundreds of lines nobody reviews. A ``network`` block
is expanded, before the scenario is validated, into ``partners``, ``topology`` and ``customers``,
which are then checked like written ones (so a scenario that loads builds, whichever way it was
written). Shapes come from networkx generators:

* SP metro domain ``metro``: a ring of ``metro`` NEs (``cycle_graph``; a single link for 2, none for 1);
* SP core domain ``core``: a full mesh of ``core`` NEs (``complete_graph``); metro NE *i* links to
  core NE *i* mod ``core``;
* partner *p* (``partner-<p>``): one access domain, a chain of ``partner_size`` NEs
  (``path_graph``); its first ``ennis_per_partner`` NEs each reach a core NE over an ENNI
  (partner *p*'s ENNI *e* lands on core NE (*p* + *e*) mod ``core``);
* customer *c* (``customer-<c>``): a head office on metro NE *c* mod ``metro`` and a branch on the
  last NE of partner *c* mod ``partners`` (on a metro NE when there is no partner).

NE ids: ``metro-<i>``, ``core-<i>``, ``p<p>-access-<i>``; ENNIs ``enni-<p>-<e>``; sites
``customer-<c>-hq`` and ``customer-<c>-branch``; all counted from 1. docs/scenario-format.md
documents the block.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lso_sim.errors import ScenarioError, clip

GENERATED = ("partners", "topology", "customers")
"""The scenario fields a ``network`` block writes."""


class CapacitiesModel(BaseModel):
    """Link capacities (Mbit/s) per kind of link."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    metro: float = Field(default=10_000.0, gt=0)
    core: float = Field(default=100_000.0, gt=0)
    access: float = Field(default=10_000.0, gt=0)
    enni: float = Field(default=10_000.0, gt=0)
    uni: float = Field(default=1_000.0, gt=0)


class NetworkModel(BaseModel):
    """The ``network`` block."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    partners: int = Field(default=1, ge=0, le=1000)
    metro: int = Field(default=2, ge=1, le=10_000)
    core: int = Field(default=2, ge=1, le=1000)
    partner_size: int = Field(default=2, ge=1, le=1000)
    ennis_per_partner: int = Field(default=1, ge=1, le=100)
    customers: int = Field(default=1, ge=1, le=100_000)
    capacity_mbps: CapacitiesModel = CapacitiesModel()


def _graph_links(graph: Any, names: list[str], capacity: float) -> list[dict[str, Any]]:
    return [{"a": names[a], "b": names[b], "capacity_mbps": capacity} for a, b in sorted(graph.edges())]


def generate(model: NetworkModel) -> dict[str, Any]:
    """The ``partners``, ``topology`` and ``customers`` fields ``model`` describes."""
    cap = model.capacity_mbps
    metro = [f"metro-{i + 1}" for i in range(model.metro)]
    core = [f"core-{i + 1}" for i in range(model.core)]
    ring = nx.cycle_graph(model.metro) if model.metro > 2 else nx.path_graph(model.metro)
    domains: list[dict[str, Any]] = [
        {"id": "metro", "domain": "sp", "network_elements": metro},
        {"id": "core", "domain": "sp", "network_elements": core},
    ]
    links = _graph_links(ring, metro, cap.metro) + _graph_links(nx.complete_graph(model.core), core, cap.core)
    links += [{"a": ne, "b": core[i % model.core], "capacity_mbps": cap.core} for i, ne in enumerate(metro)]
    partners: list[dict[str, Any]] = []
    last_ne: list[str] = []
    for p in range(1, model.partners + 1):
        partner = f"partner-{p}"
        access = [f"p{p}-access-{i + 1}" for i in range(model.partner_size)]
        partners.append({"id": partner})
        domains.append({"id": f"{partner}-access", "domain": partner, "network_elements": access})
        links += _graph_links(nx.path_graph(model.partner_size), access, cap.access)
        for e in range(min(model.ennis_per_partner, model.partner_size)):
            links.append(
                {
                    "a": core[(p + e) % model.core],
                    "b": access[e],
                    "capacity_mbps": cap.enni,
                    "enni": f"enni-{p}-{e + 1}",
                }
            )
        last_ne.append(access[-1])
    customers = []
    for c in range(1, model.customers + 1):
        branch = last_ne[(c - 1) % len(last_ne)] if last_ne else metro[c % model.metro]
        customers.append(
            {
                "id": f"customer-{c}",
                "sites": [
                    {
                        "id": f"customer-{c}-hq",
                        "address": f"{c} Main Street",
                        "ne": metro[(c - 1) % model.metro],
                        "capacity_mbps": cap.uni,
                    },
                    {
                        "id": f"customer-{c}-branch",
                        "address": f"{c} Harbour Road",
                        "ne": branch,
                        "capacity_mbps": cap.uni,
                    },
                ],
            }
        )
    return {
        "partners": partners,
        "topology": {"forwarding_domains": domains, "links": links},
        "customers": customers,
    }


def expand(data: dict[str, Any], source: str) -> dict[str, Any]:
    """``data`` with its ``network`` block (if any) replaced by the fields it generates.

    Raises:
        ScenarioError: the block is malformed (located at ``network.<field>``), the provider is
            not ``sp``, or the file also writes a field the block generates.
    """
    if "network" not in data:
        return data
    try:
        model = NetworkModel.model_validate(data["network"])
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(["network", *(str(part) for part in first["loc"])])
        raise ScenarioError(source, field, clip(str(first["msg"]).removeprefix("Value error, "))) from None
    clash = [name for name in GENERATED if name in data]
    if clash:
        raise ScenarioError(
            source, clash[0], "nothing here: the 'network' block generates partners, topology and customers"
        )
    provider = data.get("provider")
    if isinstance(provider, dict) and provider.get("id", "sp") != "sp":
        raise ScenarioError(
            source, "provider.id", "'sp' (the id a generated network uses), or no 'network' block"
        )
    expanded = {key: value for key, value in data.items() if key != "network"}
    expanded.update(generate(model))
    return expanded
