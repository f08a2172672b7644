"""Thread 10.2, the Business Applications: BUS-sp as seller and buyer, BUS-partner as seller.

BUS-sp qualifies and quotes the Customer's product (steps 3a-3e), takes the order (4-7) and
reports its completion (14) and the start of billing (15a). BUS-partner is a full LSO domain's
BUS: it qualifies, quotes and fulfils its part through its own SOF over LEGATO.
"""

from __future__ import annotations

from collections.abc import Generator
from functools import partial
from itertools import islice
from typing import Any

import simpy

from lso_sim.actors.roles import BusinessApplications
from lso_sim.actors.world import World
from lso_sim.architecture.roles import Role
from lso_sim.lifecycle.machines import PRODUCT, PRODUCT_OFFERING_QUALIFICATION, PRODUCT_ORDER, QUOTE
from lso_sim.lifecycle.state_machine import Stateful
from lso_sim.messages import bodies
from lso_sim.messages.envelope import Flow, Message
from lso_sim.messages.operations import (
    ACCEPT_PRODUCT,
    CHECK_SERVICEABILITY,
    CREATE_POQ,
    CREATE_PRODUCT_ORDER,
    CREATE_QUOTE,
    CREATE_SERVICE_ORDER,
    DETERMINE_SERVICE_COMPONENTS,
    LIST_PRODUCT,
    LIST_PRODUCT_OFFERING,
    POQ_STATE_CHANGE,
    PRODUCT_ORDER_STATE_CHANGE,
    QUOTE_STATE_CHANGE,
    REQUEST_PARTNER_FULFILMENT,
    RETRIEVE_PRODUCT_ORDER,
    RETRIEVE_QUOTE,
    SERVICE_ORDER_STATE_CHANGE,
    SERVICE_STATE_CHANGE,
)


def install(world: World) -> None:
    """Register the 10.2 handlers of every BUS."""
    for bus in world.bus.values():
        seller = Seller(world, bus)
        bus.handle(LIST_PRODUCT_OFFERING, seller.list_offerings)
        bus.handle(LIST_PRODUCT, seller.list_products)
        bus.handle(CREATE_POQ, seller.create_qualification)
        bus.handle(CREATE_QUOTE, seller.create_quote)
        bus.handle(RETRIEVE_QUOTE, seller.retrieve_quote)
        bus.handle(CREATE_PRODUCT_ORDER, seller.create_order)
        bus.handle(RETRIEVE_PRODUCT_ORDER, seller.retrieve_order)
        bus.handle(ACCEPT_PRODUCT, seller.accept_product)
        bus.handle(SERVICE_ORDER_STATE_CHANGE, partial(_signal, bus, "so"))
        bus.handle(SERVICE_STATE_CHANGE, partial(_signal, bus, "service"))
        bus.handle(PRODUCT_ORDER_STATE_CHANGE, partial(_signal, bus, "partner-order"))
        bus.handle(POQ_STATE_CHANGE, partial(_signal, bus, "partner-poq"))
        bus.handle(QUOTE_STATE_CHANGE, partial(_signal, bus, "partner-quote"))
        bus.handle(REQUEST_PARTNER_FULFILMENT, seller.obtain_partner_component)


def _signal(bus: BusinessApplications, resource: str, msg: Message) -> None:
    event = msg.payload["event"]
    bus.waiting.fire(f"{resource}:{event['id']}:{event['state']}", event["state"])


def _error(status: int, reason: str) -> dict[str, Any]:
    codes = {400: "missingQueryParameter", 404: "notFound", 409: "conflict", 422: "invalidValue"}
    return {"code": codes.get(status, "internalError"), "reason": reason}


class Seller:
    """The 10.2 behaviour of one BUS (the SP's or a partner's)."""

    def __init__(self, world: World, bus: BusinessApplications) -> None:
        self.world = world
        self.bus = bus
        self.is_provider = bus.role is Role.BUS_SP
        self.sof = world.sof[bus.domain].id

    # -- step 1: catalog and inventory ---------------------------------------------------------

    def list_offerings(self, msg: Message) -> None:
        self.bus.respond(msg, 200, [bodies.offering_summary(o) for o in self.world.offerings])

    def list_products(self, msg: Message) -> None:
        store = self.bus.store(msg.src)
        wanted = msg.payload.get("status")
        limit = int(msg.payload.get("limit", 20))
        matching = (
            (pid, product)
            for pid, product in store.products.items()
            if wanted is None or product.state == wanted
        )
        items = [
            bodies.product_summary(
                pid,
                product.state,
                self.world.offering(store.documents[pid]["offering"]),
                store.documents[pid]["places"],
            )
            for pid, product in islice(matching, limit)
        ]
        self.bus.respond(msg, 200, items)

    # -- steps 2-3: qualification ----------------------------------------------------------------

    def create_qualification(self, msg: Message) -> Generator[simpy.Event, Any, None]:
        bus, now = self.bus, self.world.sim.now
        store = bus.store(msg.src)
        poq_id = bus.next_id("poq")
        poq = Stateful(poq_id, PRODUCT_OFFERING_QUALIFICATION, now)
        store.qualifications[poq_id] = poq
        store.documents[poq_id] = msg.payload
        item = msg.payload["productOfferingQualificationItem"][0]["product"]
        places = [p["id"] for p in item["place"]]
        bandwidth = float(item["productConfiguration"]["bandwidthMbps"])
        if not self.is_provider:
            # A partner answers its buyer at once (instant qualification): its SOF checks its network.
            answer = yield from bus.call(
                self.sof,
                CHECK_SERVICEABILITY,
                {
                    "places": places,
                    "enni": item["productConfiguration"].get("enni"),
                    "bandwidthMbps": bandwidth,
                },
                flow=msg.flow,
                step=msg.step,
            )
            ready = answer.status == 200 and answer.payload["serviceable"]
            poq.move("done.ready" if ready else "done.unableToProvide", self.world.sim.now)
            bus.respond(msg, 201, bodies.poq(poq_id, msg.payload, poq.state, poq.state, self.world.sim.now))
            return
        bus.respond(msg, 201, bodies.poq(poq_id, msg.payload, poq.state, "acknowledged", now))
        poq.move("inProgress", self.world.sim.now)
        design = yield from self._qualify(msg.src, places, bandwidth, msg.flow)
        store.documents[f"{poq_id}:design"] = design
        poq.move("done.ready" if design["feasible"] else "done.unableToProvide", self.world.sim.now)
        bus.waiting.fire(f"poq:{poq_id}", design)
        bus.tell(
            msg.src,
            POQ_STATE_CHANGE,
            bodies.state_change_event(
                "poqStateChangeEvent",
                "productOfferingQualification",
                poq_id,
                poq.state,
                self.world.sim.now,
                bus.next_id("event"),
            ),
            flow=msg.flow,
            step="3e",
        )

    def _qualify(
        self, buyer: str, places: list[str], bandwidth: float, flow: Flow
    ) -> Generator[simpy.Event, Any, dict[str, Any]]:
        """Steps 3a-3d: decompose, check the SP footprint, qualify and price the partner parts."""
        bus, world = self.bus, self.world
        yield from bus.activity("assessServiceability", flow=flow, step="3a", payload={"places": places})
        unis = [world.topology.sites[p].uni for p in places]
        answer = yield from bus.call(
            self.sof,
            DETERMINE_SERVICE_COMPONENTS,
            {"endpoints": unis, "bandwidthMbps": bandwidth},
            flow=flow,
            step="3b",
        )
        if answer.status != 200:
            return {"feasible": False, "reason": answer.payload.get("reason", "no path"), "partners": {}}
        components = answer.payload["components"]
        sp_part = [c for c in components if not c["partner"]]
        answer = yield from bus.call(
            self.sof,
            CHECK_SERVICEABILITY,
            {"components": sp_part, "bandwidthMbps": bandwidth},
            flow=flow,
            step="3c",
        )
        feasible = answer.status == 200 and bool(answer.payload["serviceable"])
        partners: dict[str, dict[str, Any]] = {}
        for component in (c for c in components if c["partner"]):
            partner_bus = world.bus[component["domain"]].id
            offering = self._partner_offering()
            site = next(e for e in component["endpoints"] if e in _unis_of(world))
            partner_site = world.topology.site_of_uni(site).id
            enni = next((e for e in component["endpoints"] if e not in _unis_of(world)), None)
            poq_body = bodies.poq_create(bus.id, offering, [partner_site], bandwidth, instant=True)
            poq_body["productOfferingQualificationItem"][0]["product"]["productConfiguration"]["enni"] = enni
            answer = yield from bus.call(partner_bus, CREATE_POQ, poq_body, flow=flow, step="3d")
            ok = answer.status == 201 and answer.payload["state"] == "done.ready"
            quote_id = None
            price = None
            if ok:
                quote_body = bodies.quote_create(bus.id, offering, [partner_site], bandwidth, instant=True)
                quote_body["quoteItem"][0]["product"]["productConfiguration"]["enni"] = enni
                answer = yield from bus.call(partner_bus, CREATE_QUOTE, quote_body, flow=flow, step="3d")
                ok = answer.status == 201 and answer.payload["state"] == "approved.orderable"
                if ok:
                    quote_id = answer.payload["id"]
                    price = answer.payload["quoteItem"][0]["quoteItemPrice"][0]["price"]["dutyFreeAmount"][
                        "value"
                    ]
            feasible = feasible and ok
            partners[component["domain"]] = {
                "bus": partner_bus,
                "site": partner_site,
                "enni": enni,
                "quote": quote_id,
                "price": price,
                "offering": offering["id"],
            }
        return {"feasible": feasible, "components": components, "partners": partners}

    def _partner_offering(self) -> dict[str, Any]:
        # The wholesale offering partners sell to the SP: the catalog entry marked for it.
        for offering in self.world.offerings:
            if offering.get("wholesale"):
                return offering
        return self.world.offerings[0]

    # -- quote ---------------------------------------------------------------------------------

    def create_quote(self, msg: Message) -> Generator[simpy.Event, Any, None]:
        bus, world = self.bus, self.world
        store = bus.store(msg.src)
        quote_id = bus.next_id("quote")
        quote = Stateful(quote_id, QUOTE, world.sim.now)
        store.quotes[quote_id] = quote
        store.documents[quote_id] = msg.payload
        item = msg.payload["quoteItem"][0]
        bandwidth = float(item["product"]["productConfiguration"]["bandwidthMbps"])
        offering = world.offering(item["product"]["productOffering"]["id"])
        if not self.is_provider or msg.payload.get("instantSyncQuote"):
            yield from bus.activity("priceQuote", flow=msg.flow, step=msg.step, payload={"quote": quote_id})
            price = _price(offering, bandwidth)
            quote.move("approved.orderable", world.sim.now)
            store.documents[f"{quote_id}:price"] = {"monthly": price}
            bus.respond(msg, 201, bodies.quote(quote_id, msg.payload, quote.state, world.sim.now, price))
            return
        bus.respond(msg, 201, bodies.quote(quote_id, msg.payload, quote.state, world.sim.now, None))
        quote.move("inProgress", world.sim.now)
        qualification = item.get("qualificationItem", {}).get("qualificationId")
        if qualification in store.qualifications:
            _fired, design = yield from bus.waiting.wait(f"poq:{qualification}", None)
        else:
            places = [p["id"] for p in item["product"]["place"]]
            design = yield from self._qualify(msg.src, places, bandwidth, msg.flow)
            store.documents[f"{quote_id}:design"] = design
        yield from bus.activity("priceQuote", flow=msg.flow, step="3e", payload={"quote": quote_id})
        if design["feasible"]:
            price = _price(offering, bandwidth) + sum(p["price"] or 0.0 for p in design["partners"].values())
            quote.move("approved.orderable", world.sim.now)
            store.documents[f"{quote_id}:price"] = {"monthly": price}
        else:
            quote.move("unableToProvide", world.sim.now)
        store.documents[f"{quote_id}:design"] = design
        bus.tell(
            msg.src,
            QUOTE_STATE_CHANGE,
            bodies.state_change_event(
                "quoteStateChangeEvent", "quote", quote_id, quote.state, world.sim.now, bus.next_id("event")
            ),
            flow=msg.flow,
            step="3e",
        )

    def retrieve_quote(self, msg: Message) -> None:
        store = self.bus.store(msg.src)
        quote_id = msg.payload["id"]
        quote = store.quotes.get(quote_id)
        if quote is None:
            self.bus.respond(msg, 404, _error(404, f"no quote {quote_id}"))
            return
        price = store.documents.get(f"{quote_id}:price", {}).get("monthly")
        body = bodies.quote(quote_id, store.documents[quote_id], quote.state, self.world.sim.now, price)
        self.bus.respond(msg, 200, body)

    # -- steps 4-7 and 14: the order -----------------------------------------------------------

    def create_order(self, msg: Message) -> Generator[simpy.Event, Any, None]:
        bus, world = self.bus, self.world
        store = bus.store(msg.src)
        item = msg.payload["productOrderItem"][0]
        quote_id = item.get("quoteItem", {}).get("quoteId")
        quote = store.quotes.get(quote_id) if quote_id else None
        if quote is None or not quote.machine.can(quote.state, "accepted"):
            state = quote.state if quote else "missing"
            bus.respond(msg, 422, _error(422, f"quote {quote_id} is {state}, not orderable"))
            return
        quote.move("accepted", world.sim.now)
        order_id = bus.next_id("order")
        order = Stateful(order_id, PRODUCT_ORDER, world.sim.now)
        store.orders[order_id] = order
        store.documents[order_id] = msg.payload
        bus.respond(msg, 201, bodies.order(order_id, msg.payload, order.state, "acknowledged", world.sim.now))
        order.move("inProgress", world.sim.now)
        if self.is_provider:
            design = store.documents[f"{quote_id}:design"]
            state = yield from self._fulfil_as_provider(msg, order_id, design)
        else:
            state = yield from self._fulfil_as_partner(msg, order_id)
        order.move(state, world.sim.now)
        if state == "completed":
            product_id = bus.next_id("product")
            product = Stateful(product_id, PRODUCT, world.sim.now)
            product.move("active", world.sim.now)
            store.products[product_id] = product
            places = [p["id"] for p in item["product"]["place"]]
            store.documents[product_id] = {
                "offering": item["product"]["productOffering"]["id"],
                "places": places,
                "order": order_id,
                "monthly": store.documents[f"{quote_id}:price"]["monthly"],
            }
            store.documents[f"{order_id}:product"] = {"id": product_id}
        bus.tell(
            msg.src,
            PRODUCT_ORDER_STATE_CHANGE,
            bodies.state_change_event(
                "productOrderStateChangeEvent",
                "productOrder",
                order_id,
                state,
                world.sim.now,
                bus.next_id("event"),
            ),
            flow=msg.flow,
            step="14" if self.is_provider else "9b",
        )

    def _fulfil_as_provider(
        self, msg: Message, order_id: str, design: dict[str, Any]
    ) -> Generator[simpy.Event, Any, str]:
        bus, world, flow = self.bus, self.world, msg.flow
        item = msg.payload["productOrderItem"][0]
        bandwidth = float(item["product"]["productConfiguration"]["bandwidthMbps"])
        places = [p["id"] for p in item["product"]["place"]]
        yield from bus.activity(
            "productToServiceMapping", flow=flow, step="5", payload={"productOrder": order_id}
        )
        partner_orders: dict[str, str] = {}
        for domain, part in design["partners"].items():
            offering = world.offering(part["offering"])
            body = bodies.order_create(bus.id, offering, [part["site"]], bandwidth, part["quote"])
            body["productOrderItem"][0]["product"]["productConfiguration"]["enni"] = part["enni"]
            answer = yield from bus.call(part["bus"], CREATE_PRODUCT_ORDER, body, flow=flow, step="6")
            if answer.status != 201:
                return "failed"
            partner_orders[domain] = answer.payload["id"]
            bus.partner_orders[answer.payload["id"]] = {
                "domain": domain,
                "bus": part["bus"],
                "order": order_id,
            }
        unis = [world.topology.sites[p].uni for p in places]
        service_id = f"svc-{order_id}"
        body = bodies.service_order_create(order_id, service_id, unis, bandwidth)
        body["serviceOrderItem"][0]["service"]["serviceCharacteristic"].append(
            {"name": "partnerOrders", "value": partner_orders}
        )
        answer = yield from bus.call(self.sof, CREATE_SERVICE_ORDER, body, flow=flow, step="7")
        if answer.status != 201:
            return "failed"
        return (yield from self._await_service_order(answer.payload["id"]))

    def _fulfil_as_partner(self, msg: Message, order_id: str) -> Generator[simpy.Event, Any, str]:
        bus, world = self.bus, self.world
        item = msg.payload["productOrderItem"][0]
        config = item["product"]["productConfiguration"]
        site = world.topology.sites[item["product"]["place"][0]["id"]]
        body = bodies.service_order_create(
            order_id, f"svc-{order_id}", [site.uni, config["enni"]], float(config["bandwidthMbps"])
        )
        answer = yield from bus.call(self.sof, CREATE_SERVICE_ORDER, body, flow=msg.flow, step=msg.step)
        if answer.status != 201:
            return "failed"
        return (yield from self._await_service_order(answer.payload["id"]))

    def _await_service_order(self, service_order: str) -> Generator[simpy.Event, Any, str]:
        env = self.world.sim.env
        done = self.bus.waiting.event(f"so:{service_order}:completed")
        failed = self.bus.waiting.event(f"so:{service_order}:failed")
        yield env.any_of([done, failed])
        return "completed" if done.triggered else "failed"

    def retrieve_order(self, msg: Message) -> None:
        store = self.bus.store(msg.src)
        order_id = msg.payload["id"]
        order = store.orders.get(order_id)
        if order is None:
            self.bus.respond(msg, 404, _error(404, f"no product order {order_id}"))
            return
        item_state = "completed" if order.state == "completed" else "inProgress"
        if order.state in ("failed", "cancelled", "rejected"):
            item_state = order.state
        body = bodies.order(order_id, store.documents[order_id], order.state, item_state, self.world.sim.now)
        self.bus.respond(msg, 200, body)

    # -- step 9b, option LEGATO then SONATA ----------------------------------------------------

    def obtain_partner_component(self, msg: Message) -> Generator[simpy.Event, Any, None]:
        """SOF-sp asked BUS-sp for a partner component: follow the partner's product order to its end."""
        bus, world = self.bus, self.world
        partner_order = msg.payload["partnerOrder"]
        known = bus.partner_orders.get(partner_order)
        if known is None:
            bus.respond(msg, 404, _error(404, f"no partner order {partner_order}"))
            return
        done = bus.waiting.event(f"partner-order:{partner_order}:completed")
        failed = bus.waiting.event(f"partner-order:{partner_order}:failed")
        yield world.sim.env.any_of([done, failed, world.sim.env.timeout(world.options.notification_wait)])
        answer = yield from bus.call(
            known["bus"], RETRIEVE_PRODUCT_ORDER, {"id": partner_order}, flow=msg.flow, step="9b"
        )
        state = answer.payload.get("state") if answer.status == 200 else "unknown"
        bus.respond(msg, 200, {"partnerOrder": partner_order, "state": state})

    # -- step 15: acceptance and billing -------------------------------------------------------

    def accept_product(self, msg: Message) -> Generator[simpy.Event, Any, None]:
        bus, store = self.bus, self.bus.store(msg.src)
        order_id = msg.payload["productOrderId"]
        product = store.documents.get(f"{order_id}:product")
        if product is None:
            bus.respond(msg, 404, _error(404, f"no product delivered by order {order_id}"))
            return
        bus.respond(msg, 200, {"productId": product["id"], "accepted": bool(msg.payload.get("accepted"))})
        if msg.payload.get("accepted"):
            yield from bus.activity(
                "startBilling",
                flow=msg.flow,
                step="15a",
                payload={"product": product["id"], "monthly": store.documents[product["id"]]["monthly"]},
            )
            store.documents[product["id"]]["billingStart"] = self.world.sim.now


def _price(offering: dict[str, Any], bandwidth: float) -> float:
    return float(offering.get("monthly_base", 0.0)) + float(offering.get("per_mbps", 0.0)) * bandwidth


def _unis_of(world: World) -> set[str]:
    return {site.uni for site in world.topology.sites.values()}


__all__ = ["Seller", "install"]
