"""The world ``lso-sim serve`` runs: a scenario's, or the demo world, with one buyer per token.

Without a scenario the sandbox is a small world of its own (:func:`demo_scenario`): an SP, one
access partner, two demo buyers with two sites each, and a catalog of MEF's standard product
specifications as the SDK defines them (Access E-Line and the UNIs it needs, subscriber EPL,
EVPL, EP-LAN, EVP-LAN, EP-TREE, EVP-TREE, Internet Access), so a request written after MEF's
published examples names an offering this seller sells.

Buyers are named by bearer tokens, from the scenario's ``serve:`` block
(:mod:`lso_sim.scenarios.serve_schema`). With ``--role sp`` the seller is BUS-sp over CANTATA and a
buyer is a Customer (the block's ``customer``). With ``--role partner`` the seller is the first
partner's BUS over SONATA and a buyer is a service provider's BUS (the block's ``provider``): the
scenario's own BUS-sp, or a BUS-sp actor of its own, so two buyers never share a store. The demo
world's block names ``demo-buyer-1`` and ``demo-buyer-2`` for both roles. A scenario without the
block keeps the older rule: each customer's id is its token (``sp``), the BUS-sp id (``partner``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from lso_sim.actors.roles import BusinessApplications, RoleActor
from lso_sim.actors.world import World
from lso_sim.architecture.roles import Role
from lso_sim.engine.observers import TraceObserver
from lso_sim.scenarios.build import build_world
from lso_sim.scenarios.schema import Scenario
from lso_sim.threads.security.guard import issue

ServeRole = Literal["partner", "sp"]
DEMO_TOKENS = ("demo-buyer-1", "demo-buyer-2")
"""Tokens of the demo buyers (``Authorization: Bearer demo-buyer-1``)."""

STANDARD_OFFERINGS: tuple[tuple[str, str, str, bool], ...] = (
    ("access-eline", "Access E-Line", "urn:mef:lso:spec:sonata:access-eline-ovc:v5.0.0:all", True),
    (
        "operator-uni",
        "Operator UNI",
        "urn:mef:lso:spec:sonata:carrier-ethernet-operator-uni:v5.0.0:all",
        True,
    ),
    ("epl", "Ethernet Private Line", "urn:mef:lso:spec:cantata-sonata:epl-evc:v1.0.0:all", False),
    ("evpl", "Ethernet Virtual Private Line", "urn:mef:lso:spec:cantata-sonata:evpl-evc:v1.0.0:all", False),
    ("eplan", "Ethernet Private LAN", "urn:mef:lso:spec:cantata-sonata:eplan-evc:v1.0.0:all", False),
    (
        "evplan",
        "Ethernet Virtual Private LAN",
        "urn:mef:lso:spec:cantata-sonata:evplan-evc:v1.0.0:all",
        False,
    ),
    ("eptree", "Ethernet Private Tree", "urn:mef:lso:spec:cantata-sonata:eptree-evc:v1.0.0:all", False),
    (
        "evptree",
        "Ethernet Virtual Private Tree",
        "urn:mef:lso:spec:cantata-sonata:evptree-evc:v1.0.0:all",
        False,
    ),
    (
        "subscriber-uni",
        "Subscriber UNI",
        "urn:mef:lso:spec:cantata-sonata:carrier-ethernet-subscriber-uni:v1.0.0:all",
        False,
    ),
    (
        "internet-access",
        "Internet Access",
        "urn:mef:lso:spec:cantata-sonata:basic-internet-access:v1.0.0:all",
        False,
    ),
)
"""(offering id, name, MEF specification ``$id``, sold wholesale to providers). The access offering
comes first among wholesale ones: it is what BUS-sp buys from the partner for a partner's part."""


def demo_scenario() -> Scenario:
    """The world served when no scenario is given (see the module docstring)."""
    sites = {
        "demo-buyer-1": [
            ("1 Main Street, Springfield", "pe-metro-1"),
            ("9 Harbour Road, Shelbyville", "pn-access-2"),
        ],
        "demo-buyer-2": [
            ("5 Market Square, Springfield", "pe-metro-1"),
            ("3 Quay Lane, Shelbyville", "pn-access-2"),
        ],
    }
    data: dict[str, Any] = {
        "name": "sandbox",
        "description": "lso-sim serve without a scenario: two demo buyers, MEF's standard products",
        "seed": 1,
        "provider": {"id": "sp", "name": "Sandbox Service Provider"},
        "partners": [{"id": "partner-1", "name": "Sandbox Access Partner"}],
        "customers": [
            {
                "id": buyer,
                "name": buyer,
                "sites": [
                    {"id": f"{buyer}-site-{n}", "address": line, "ne": ne}
                    for n, (line, ne) in enumerate(lines, 1)
                ],
            }
            for buyer, lines in sites.items()
        ],
        "topology": {
            "forwarding_domains": [
                {"id": "metro", "domain": "sp", "network_elements": ["pe-metro-1", "agg-metro-1"]},
                {"id": "core", "domain": "sp", "network_elements": ["p-core-1", "p-core-2"]},
                {
                    "id": "partner-1-access",
                    "domain": "partner-1",
                    "network_elements": ["pn-access-1", "pn-access-2"],
                },
            ],
            "links": [
                {"a": "pe-metro-1", "b": "agg-metro-1", "capacity_mbps": 10000},
                {"a": "agg-metro-1", "b": "p-core-1", "capacity_mbps": 100000},
                {"a": "p-core-1", "b": "p-core-2", "capacity_mbps": 100000},
                {"a": "p-core-2", "b": "pn-access-1", "capacity_mbps": 10000, "enni": "enni-sp-partner-1"},
                {"a": "pn-access-1", "b": "pn-access-2", "capacity_mbps": 10000},
            ],
        },
        "offerings": [
            {
                "id": ident,
                "name": name,
                "specification": spec,
                "monthly_base": 100,
                "per_mbps": 1,
                "wholesale": wholesale,
            }
            for ident, name, spec, wholesale in STANDARD_OFFERINGS
        ],
        "timings": {
            "BUS-sp": {"assessServiceability": 60, "priceQuote": 300, "productToServiceMapping": 60},
            "SOF-sp": {"designServiceComponents": 900},
            "SOF-partner": {"designServiceComponents": 1800},
        },
        "workload": [
            {"thread": "10.2", "api_script": [{"buyer": "demo-buyer-1", "call": "listProductOffering"}]}
        ],
        "serve": {
            "buyers": [
                {"token": token, "customer": token, "provider": f"bus-{token}"} for token in DEMO_TOKENS
            ]
        },
    }
    return Scenario.model_validate(data)


SELLER_CALLS = ("listProductOffering", "listTroubleTicket", "listCustomerBill")
"""One operation of each thread whose sellers the sandbox serves (installing them installs all)."""


@dataclass(slots=True)
class Sandbox:
    """A built world, the seller it serves, and the buyer actor of each token."""

    world: World
    seller: RoleActor
    buyers: Mapping[str, RoleActor]
    role: ServeRole


def build_sandbox(
    scenario: Scenario | None,
    role: ServeRole,
    observers: list[TraceObserver],
) -> Sandbox:
    """Build the served world: the scenario's actors and sellers, none of its workload."""
    scenario = scenario if scenario is not None else demo_scenario()
    first = scenario.customers[0].id
    data = scenario.model_dump(mode="json", exclude_none=True)
    data["workload"] = [
        {"thread": "10.2", "api_script": [{"buyer": first, "call": call} for call in SELLER_CALLS]}
    ]
    data.pop("expect", None)
    if role == "partner":
        # A sandbox partner is bought from directly: no SOF-sp will activate its part over
        # INTERLUDE (10.2 step 9b), so it activates its own segment as in the LEGATO/SONATA option.
        data.setdefault("options", {})["partner_fulfilment"] = "legato-sonata"
    world = build_world(Scenario.model_validate(data), observers)
    buyers: dict[str, RoleActor] = {}
    if role == "sp":
        seller: RoleActor = world.bus_sp
        for token, customer in _buyers(scenario, role, world.bus_sp.id):
            buyers[token] = world.customers[customer]
    else:
        partners = world.partners()
        if not partners:
            raise ValueError("--role partner needs a scenario with a partner")
        seller = world.bus[partners[0]]
        for token, provider in _buyers(scenario, role, world.bus_sp.id):
            buyers[token] = _provider_buyer(world, provider)
    if not buyers:
        field = "customer" if role == "sp" else "provider"
        raise ValueError(f"serve.buyers: no buyer has a '{field}', so none can buy with --role {role}")
    return Sandbox(world, seller, buyers, role)


def _buyers(scenario: Scenario, role: ServeRole, bus_sp: str) -> list[tuple[str, str]]:
    """``(token, actor id)`` of each buyer for ``role``: the ``serve:`` block's, or without one
    each customer by its id (``sp``) and the scenario's BUS-sp by its id (``partner``)."""
    if scenario.serve is None:
        if role == "sp":
            return [(c.id, c.id) for c in scenario.customers]
        return [(bus_sp, bus_sp)]
    if role == "sp":
        return [(b.token, b.customer) for b in scenario.serve.buyers if b.customer is not None]
    return [(b.token, b.provider) for b in scenario.serve.buyers if b.provider is not None]


def _provider_buyer(world: World, name: str) -> RoleActor:
    """The BUS-sp actor ``name`` buying from partners: the world's own for its id, else a
    provider's BUS of its own with that id."""
    if name == world.bus_sp.id:
        return world.bus_sp
    architecture = world.sim.architecture
    spec = architecture.add_actor(name, Role.BUS_SP, world.provider)
    buyer = BusinessApplications(world.sim, spec)
    issue(world, buyer)  # its bearer token authenticated it; inside, it presents a credential (10.8)
    return buyer


__all__ = ["DEMO_TOKENS", "STANDARD_OFFERINGS", "Sandbox", "ServeRole", "build_sandbox", "demo_scenario"]
