"""What the probe orders: its defaults, or what a scenario says (``lso-sim probe --scenario S``).

A scenario already says what its buyers order: the first order of its workload (a 10.2 item's,
or a service an assurance thread's item establishes through 10.2 first) names two sites (so their
addresses), an offering and a bandwidth. The probe orders the same, shaped for the API it plays
against: over CANTATA (a customer buying from the SP) both sites and the order's offering; over
SONATA (a provider buying from a partner) the sites on a partner's network, the partner's end of
the service, with the scenario's first wholesale offering, as BUS-sp would buy it (MEF 55.0.1
10.2 step 9).
"""

from __future__ import annotations

from dataclasses import dataclass

from lso_sim.scenarios.build import retail_offering
from lso_sim.scenarios.schema import OrderModel, Scenario


@dataclass(frozen=True, slots=True)
class Plan:
    """Addresses to validate and order at, the offering to ask for (``None``: the probe picks one
    from the catalog), and the bandwidth in Mb/s."""

    addresses: tuple[str, ...]
    offering: str | None
    bandwidth: float


DEFAULT = Plan(("9 Harbour Road, Shelbyville",), None, 100.0)
"""Without a scenario over SONATA: the demo sandbox's partner site, the catalog's access offering,
100 Mb/s."""
DEFAULT_CANTATA = Plan(("1 Main Street, Springfield", "9 Harbour Road, Shelbyville"), None, 100.0)
"""Without a scenario over CANTATA: an EPL between the demo sandbox's first buyer's two sites."""


def default_plan(irp: str) -> Plan:
    """What the probe orders without a scenario (an EPL needs two ends; an access, one)."""
    return DEFAULT_CANTATA if irp == "cantata" else DEFAULT


class PlanError(ValueError):
    """The scenario says nothing the probe can order; the message names the field."""


def first_order(scenario: Scenario) -> OrderModel:
    """The first order of the workload (every thread's ``orders`` are products 10.2 establishes).

    Raises:
        PlanError: the scenario lists no order (only generated or scripted work).
    """
    for work in scenario.workload:
        if work.orders:
            return work.orders[0]
    raise PlanError("workload: an item with 'orders' (the probe orders what the first one says)")


def plan_of(scenario: Scenario, irp: str) -> Plan:
    """What to order from a seller over ``irp`` (``cantata`` or ``sonata``), after the scenario.

    Raises:
        PlanError: no order, or (over SONATA) none of its sites is on a partner's network.
    """
    order = first_order(scenario)
    sites = {site.id: site for customer in scenario.customers for site in customer.sites}
    chosen = [sites[name] for name in order.sites]
    if irp == "cantata":
        offering = order.offering or retail_offering(scenario)
        return Plan(tuple(site.address for site in chosen), offering, order.bandwidth_mbps)
    domain_of = {ne: fd.domain for fd in scenario.topology.forwarding_domains for ne in fd.network_elements}
    remote = [site for site in chosen if domain_of.get(site.ne) != scenario.provider.id]
    if not remote:
        raise PlanError(
            f"workload: over SONATA the probe buys a partner's end, but both sites of the first "
            f"order ({', '.join(order.sites)}) are on {scenario.provider.id}'s network"
        )
    wholesale = next((o.id for o in scenario.offerings if o.wholesale), None)
    return Plan(tuple(site.address for site in remote), wholesale, order.bandwidth_mbps)


__all__ = ["DEFAULT", "DEFAULT_CANTATA", "Plan", "PlanError", "default_plan", "first_order", "plan_of"]
