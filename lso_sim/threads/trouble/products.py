"""Product-to-service lookups in a seller's inventory (the Sonata framework's per-buyer stores).

10.2 records each delivered product in the seller's store of its buyer, with the product order
that delivered it; the service a BUS ordered for that product order is ``svc-<order id>``. Threads
10.5 and 10.7 map between the two here (MEF's product-to-service mapping).
"""

from __future__ import annotations

from lso_sim.actors.roles import BusinessApplications
from lso_sim.actors.world import World
from lso_sim.sonata.api import state_of
from lso_sim.sonata.store import Resource


def product(bus: BusinessApplications, buyer: str, product_id: str) -> Resource | None:
    """``buyer``'s product ``product_id`` at seller ``bus`` (None for another buyer's)."""
    return state_of(bus).buyer(buyer).get("product", product_id)


def service_of(resource: Resource) -> str:
    """The service the seller's BUS ordered for the product."""
    return f"svc-{resource.private['order']}"


def product_of_service(bus: BusinessApplications, service: str) -> tuple[str, Resource] | None:
    """``(buyer, product)`` whose service is ``service`` at seller ``bus``.

    A seller files each product under the id of the order that delivered it, so the look-up
    reads that entry rather than every product of the run.
    """
    if not service.startswith("svc-"):
        return None
    order = service[len("svc-") :]
    for buyer, store in state_of(bus).buyers.items():
        for resource in store.tagged("product", order):
            if resource.private["order"] == order:
                return buyer, resource
    return None


def monthly_price(world: World, bus: BusinessApplications, resource: Resource) -> float:
    """The product's monthly price: the accepted quote's, or the offering's list price for its bandwidth."""
    monthly = resource.private.get("monthly")
    if monthly:
        return float(monthly)
    offering = world.offering(str(resource.body["productOffering"]["id"]))
    service = service_of(resource)
    records = [r for r in world.sof[bus.domain].services.values() if r.service.id == service]
    bandwidth = records[0].bandwidth_mbps if records else 0.0
    return float(offering.get("monthly_base", 0.0)) + float(offering.get("per_mbps", 0.0)) * bandwidth
