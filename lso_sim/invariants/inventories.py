"""Invariant 5: product, service and partner inventories agree about every delivered order.

Four inventories describe one connectivity service: the product BUS-sp sold the Customer
(CANTATA product inventory), the service SOF-sp runs for it, and for each partner component the
product BUS-partner sold BUS-sp (SONATA) and the service SOF-partner runs. They are kept in step
by separate messages (order completion, LEGATO inventory events, INTERLUDE changes), so a lost or
forgotten one shows here. Pairs checked, for every seller (BUS-sp and each BUS-partner):

- a completed (or partial) product order's completed ``add`` item left a product;
- every product has the service its order established (``svc-<order id>`` at the SOF of the
  seller's domain); an ``active`` product has an ``active`` service of the bandwidth its
  configuration shows; a ``terminated`` product a ``terminated`` service and the other way round;
  no product is left in a transitional status (``pendingActive``, ``active.pendingChange``,
  ``pendingTerminate``) once the run has ended;
- every partner component of an SP service (``ServiceRecord.partner_orders``) is a product at
  that partner, in the same state (active or terminated) as the SP service.
"""

from __future__ import annotations

from collections.abc import Iterator

from lso_sim.actors.roles import ServiceRecord
from lso_sim.actors.world import World
from lso_sim.invariants.result import InvariantResult, Status, listed, verdict
from lso_sim.messages.bodies import configured_bandwidth
from lso_sim.sonata.api import state_of
from lso_sim.sonata.store import Resource

INVENTORIES_AGREE = "inventories-agree"
TRANSITIONAL = frozenset(
    {"pendingActive", "active.pendingChange", "pendingTerminate", "suspendedPendingTerminate"}
)
"""Product statuses that only last while an order item is being worked on."""
TOLERANCE_MBPS = 1e-6


def check_inventories(world: World, *, cut: bool = False) -> InvariantResult:
    """Cross-check the four inventories; at a horizon cut differences are shown, not counted."""
    problems: list[str] = []
    by_order = {domain: _by_order(world, domain) for domain in sorted(world.bus)}
    for domain, bus in sorted(world.bus.items()):
        sof = world.sof.get(domain)
        services = {r.service.id: r for r in sof.services.values()} if sof is not None else {}
        for buyer, product in _products(world, domain):
            problems += _product_vs_service(f"{bus.id}/{buyer}", product, services)
        problems += _orders_left_products(world, domain)
    if world.provider in world.sof and world.provider in world.bus:
        sold = by_order[world.provider]
        for record in world.sof_sp.services.values():
            delivered = record.service.id.removeprefix("svc-") in sold
            problems += _partner_components(world, record, by_order, delivered)
    products = sum(len(index) for index in by_order.values())
    result = verdict(
        INVENTORIES_AGREE,
        problems,
        "disagreements between inventories",
        f"{products} products agree with their services and partner components",
    )
    if cut and problems:
        return InvariantResult(
            INVENTORIES_AGREE,
            Status.SKIPPED,
            f"not conclusive at a horizon cut: {listed(problems)}",
            len(problems),
        )
    return result


def _by_order(world: World, domain: str) -> dict[str, Resource]:
    """A domain's products by the id of the order that delivered them."""
    return {str(p.private.get("order")): p for _, p in _products(world, domain)}


def _products(world: World, domain: str) -> Iterator[tuple[str, Resource]]:
    """Every product a domain's BUS sold, with its buyer, in a stable order."""
    state = state_of(world.bus[domain])
    for buyer in sorted(state.buyers):
        for product in state.buyers[buyer].all("product"):
            yield buyer, product


def _product_vs_service(where: str, product: Resource, services: dict[str, ServiceRecord]) -> list[str]:
    name = f"product {product.id} of {where}"
    service_id = f"svc-{product.private.get('order')}"
    record = services.get(service_id)
    status = product.state
    if status in TRANSITIONAL:
        return [f"{name} is still {status}"]
    if record is None:
        return [f"{name}: no service {service_id}"]
    service_state = record.service.state
    if status == "terminated" or service_state == "terminated":
        if status != service_state:
            return [f"{name} is {status} but service {service_id} is {service_state}"]
        return []
    if service_state != "active" and status == "active":
        return [f"{name} is active but service {service_id} is {service_state}"]
    shown = configured_bandwidth(product.peek().get("productConfiguration"))
    if shown is not None and abs(shown - record.bandwidth_mbps) > TOLERANCE_MBPS:
        return [f"{name} shows {shown:g} Mb/s but service {service_id} has {record.bandwidth_mbps:g}"]
    return []


def _orders_left_products(world: World, domain: str) -> list[str]:
    """A completed ``add`` item of a delivered order must have left a product."""
    state = state_of(world.bus[domain])
    problems: list[str] = []
    for buyer in sorted(state.buyers):
        store = state.buyers[buyer]
        delivered = {str(p.private.get("order")) for p in store.all("product")}
        for order in store.all("productOrder"):
            if order.state not in ("completed", "partial") or order.id in delivered:
                continue
            adds = [
                str(item["id"])
                for item in order.peek().get("productOrderItem", [])
                if item.get("action") == "add"
                and order.items.get(str(item["id"])) is not None
                and order.items[str(item["id"])].state == "completed"
            ]
            if adds:
                problems.append(
                    f"product order {order.id} of {world.bus[domain].id}/{buyer} is {order.state} "
                    f"but left no product (items {', '.join(adds)})"
                )
    return problems


def _partner_components(
    world: World, record: ServiceRecord, by_order: dict[str, dict[str, Resource]], delivered: bool
) -> list[str]:
    """Each partner order behind an SP service delivered a product in the service's state.

    Only services that were delivered (their product exists at BUS-sp) are checked: a service
    whose order failed may leave partner products behind, which is the order's fall-out, not a
    disagreement about a delivered order.
    """
    problems: list[str] = []
    state = record.service.state
    if not delivered or state not in ("active", "terminated"):
        return problems
    for domain, partner_order in sorted(record.partner_orders.items()):
        bus = world.bus.get(domain)
        if bus is None:
            problems.append(
                f"service {record.service.id}: partner order {partner_order} of unknown domain {domain}"
            )
            continue
        product = by_order.get(domain, {}).get(partner_order)
        if product is None:
            problems.append(
                f"service {record.service.id} is {state} but partner order {partner_order} "
                f"left no product at {bus.id}"
            )
        elif (product.state == "terminated") != (state == "terminated"):
            problems.append(
                f"service {record.service.id} is {state} but its partner product {product.id} "
                f"at {bus.id} is {product.state}"
            )
    return problems
