"""Thread 10.7, the Business Applications: rating and billing by business rules, bills to buyers.

BUS-sp rates the usage summary SOF-sp reports (step 5) and issues the Customer's bill over CANTATA
(6); BUS-partner does the same for BUS-sp over SONATA with its own SOF's figures, and BUS-sp reads
the partner's bill. The rules: a recurring charge pro rata of the product's monthly price, a usage
charge per gigabyte, a credit when the period broke the SLS, tax on the net.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import simpy

from lso_sim.actors.roles import BusinessApplications
from lso_sim.actors.world import World
from lso_sim.messages import billing_bodies as bb
from lso_sim.messages.envelope import Message
from lso_sim.messages.operations import (
    BILL_CREATE,
    RETRIEVE_CUSTOMER_BILL,
    SERVICE_USAGE_EVENT,
    SLS_EXCEPTION_EVENT,
    USAGE_SUMMARY,
)
from lso_sim.sonata import billing
from lso_sim.sonata.api import listen, state_of
from lso_sim.sonata.store import Resource
from lso_sim.threads.billing.settings import settings_of
from lso_sim.threads.trouble import products

API = "billingManagement"
MONTH = 30 * 86400.0


def desk_of(bus: BusinessApplications) -> billing.BillingDesk:
    """The billing seller of ``bus``."""
    desk: billing.BillingDesk = bus.apis[API]
    return desk


def install(world: World) -> None:
    """Give every BUS its billing desk and its 10.7 behaviour (idempotent)."""
    for bus in world.bus.values():
        if API in bus.apis:
            continue
        bus.apis[API] = billing.install(bus)
        rating = Rating(world, bus)
        bus.handle(USAGE_SUMMARY, rating.rate)
        if not bus.handles(SERVICE_USAGE_EVENT.name):  # another thread may record these already
            bus.handle(SERVICE_USAGE_EVENT, rating.note_event)
        bus.handle(SLS_EXCEPTION_EVENT, rating.note_event)
        listen(bus, BILL_CREATE, partial(_partner_bill, bus))


@dataclass(slots=True)
class Rating:
    """Rating and billing at one BUS."""

    world: World
    bus: BusinessApplications
    events: list[dict[str, Any]] = field(default_factory=list)

    def note_event(self, msg: Message) -> None:
        """Steps i and ii: usage events and SLS exceptions wait for the period's rating."""
        self.events.append(dict(msg.payload))

    def rate(self, msg: Message) -> Generator[simpy.Event, Any, None]:
        """Step 4 arrives: rate (5) and bill the product's buyer (6)."""
        bus, world, settings = self.bus, self.world, settings_of(self.world)
        summary = msg.payload
        found = self._product(summary["service"])
        if found is None:
            bus.respond(msg, 404, {"code": "notFound", "reason": f"no product for {summary['service']}"})
            return
        buyer, product = found
        product_id, order_id = product.id, str(product.private["order"])
        bus.respond(msg, 200, {"service": summary["service"], "accepted": True})
        start, end = float(summary["periodStart"]), float(summary["periodEnd"])
        days = (end - start) / 86400.0
        monthly = products.monthly_price(world, bus, product)
        offering = world.offering(str(product.body["productOffering"]["id"]))
        yield from bus.activity(
            "rateAndBill",
            flow=msg.flow,
            step="5",
            payload={
                "product": product_id,
                "gigabytes": summary["gigabytes"],
                "exceptions": summary["exceptions"],
            },
        )
        items = [
            bb.bill_item(
                state_of(bus).next_id("billitem"),
                "recurring",
                f"{offering['name']}, {days:g} day(s)",
                product_id,
                offering["name"],
                order_id,
                start,
                end,
                "day",
                days,
                monthly * 86400.0 / MONTH,
                settings.tax_rate,
            ),
            bb.bill_item(
                state_of(bus).next_id("billitem"),
                "usageBased",
                "traffic carried",
                product_id,
                offering["name"],
                order_id,
                start,
                end,
                "GB",
                float(summary["gigabytes"]),
                settings.per_gb,
                settings.tax_rate,
            ),
        ]
        recurring = float(items[0]["taxExcludedAmount"]["value"])
        credits = settings.sla_credit * recurring if "slsViolation" in summary["exceptions"] else 0.0
        desk = desk_of(bus)
        bill_id = desk.next_bill_id()
        body = bb.bill(
            bill_id,
            f"{len(desk.state.buyer(buyer).all('customerBill')) + 1:06d}",
            f"ba-{buyer}",
            buyer,
            items,
            credits,
            settings.tax_rate,
            start,
            end,
            world.sim.now,
            "generated",
            settings.payment_days,
        )
        if "beyondSls" in summary["exceptions"]:
            yield from bus.activity(
                "flagUpsellOpportunity", flow=msg.flow, step="5", payload={"product": product_id}
            )
        desk.issue(buyer, body, items, flow=msg.flow, step="6")

    def _product(self, service: str) -> tuple[str, Resource] | None:
        return products.product_of_service(self.bus, service)


def _partner_bill(bus: BusinessApplications, msg: Message) -> Generator[simpy.Event, Any, None]:
    """BUS-sp reads a partner's bill (SONATA, step 6)."""
    yield from bus.call(
        msg.src, RETRIEVE_CUSTOMER_BILL, {"id": msg.payload["event"]["id"]}, flow=msg.flow, step="6"
    )
