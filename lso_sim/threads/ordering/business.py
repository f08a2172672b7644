"""Thread 10.2, the Business Applications: BUS-sp as seller and buyer, BUS-partner as seller.

Each BUS serves the MEF product APIs of :mod:`lso_sim.sonata` (catalog, qualification, quote,
inventory, product order); this module is their back office for 10.2. BUS-sp qualifies and quotes
the Customer's product (steps 3a-3e), fulfils the order (4-7) and reports its completion (14) and
the start of billing (15a). BUS-partner is a full LSO domain's BUS: it qualifies, quotes and
fulfils its part through its own SOF over LEGATO.

Cancellation: the order's back office (:class:`OrderWork`) checks for a cancellation after each
hop it waits for. When one is asked, it cancels its service order at SOF (``cancelServiceOrder``,
which releases the reserved capacity), then each partner order it placed (SONATA
``createCancelProductOrder``, answered by the partner's own assessment), and starts nothing else;
those hops carry step ``cancel``. The point of no return is SOF's: once activation has started
(9a at SOF-sp, the partner's activation in 9b), SOF refuses and the cancellation is denied.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from functools import partial
from typing import Any, cast

import simpy

from lso_sim.actors.roles import BusinessApplications
from lso_sim.actors.world import World
from lso_sim.architecture.roles import Role
from lso_sim.errors import LsoSimError
from lso_sim.messages import bodies
from lso_sim.messages.envelope import Flow, Kind, Message
from lso_sim.messages.operations import (
    ACCEPT_PRODUCT,
    CANCEL_PRODUCT_ORDER_STATE_CHANGE,
    CANCEL_SERVICE_ORDER,
    CHECK_SERVICEABILITY,
    CREATE_CANCEL_PRODUCT_ORDER,
    CREATE_POQ,
    CREATE_PRODUCT_ORDER,
    CREATE_QUOTE,
    CREATE_SERVICE_ORDER,
    DETERMINE_SERVICE_COMPONENTS,
    LIST_PRODUCT,
    PRODUCT_ORDER_ITEM_EXPECTED_DATE_SET,
    PRODUCT_ORDER_ITEM_STATE_CHANGE,
    PRODUCT_ORDER_STATE_CHANGE,
    REQUEST_PARTNER_FULFILMENT,
    RETRIEVE_PRODUCT,
    RETRIEVE_PRODUCT_ORDER,
    RETRIEVE_SERVICE,
    RETRIEVE_SERVICE_ORDER,
    SERVICE_ORDER_STATE_CHANGE,
    SERVICE_STATE_CHANGE,
)
from lso_sim.sonata import listen, register_listener
from lso_sim.sonata.address import AddressApi
from lso_sim.sonata.catalog import CatalogApi
from lso_sim.sonata.inventory import InventoryApi
from lso_sim.sonata.order import ORDER_EVENTS, OrderApi
from lso_sim.sonata.places import KnownPlace, parse_address
from lso_sim.sonata.qualification import QualificationApi
from lso_sim.sonata.quote import QuoteApi
from lso_sim.sonata.reasons import end_reason, refusal_detail
from lso_sim.sonata.site import SiteApi
from lso_sim.sonata.store import Resource
from lso_sim.threads import inventory_sync
from lso_sim.threads.ordering import release
from lso_sim.threads.ordering.admission import Admitter
from lso_sim.threads.ordering.locate import locate_site
from lso_sim.threads.partners import book_of as partner_book


def install(world: World) -> None:
    """Install the MEF product APIs on every BUS, with the 10.2 back office behind them."""
    for bus in world.bus.values():
        seller = Seller(world, bus)
        seller.install()
        bus.apis[CatalogApi.api] = seller.catalog  # on-boarding (10.1) sets what a partner shares
        bus.handle(ACCEPT_PRODUCT, seller.accept_product)
        bus.handle(SERVICE_ORDER_STATE_CHANGE, partial(_signal, bus, "so"))
        bus.handle(SERVICE_STATE_CHANGE, partial(_signal, bus, "service"))
        listen(bus, PRODUCT_ORDER_STATE_CHANGE, partial(_signal, bus, "partner-order"))
        listen(bus, PRODUCT_ORDER_ITEM_STATE_CHANGE, partial(_item_signal, bus, "partner-order"))
        listen(bus, PRODUCT_ORDER_ITEM_EXPECTED_DATE_SET, partial(_item_signal, bus, "partner-date"))
        listen(bus, CANCEL_PRODUCT_ORDER_STATE_CHANGE, partial(_signal, bus, "partner-cancel"))
        bus.handle(REQUEST_PARTNER_FULFILMENT, seller.obtain_partner_component)
        if seller.is_provider and release.option_b(world):
            release.install_buyer(bus)
        inventory_sync.install_product_sync(
            bus, seller.inventory, rounds=world.options.poll_limit, wait=world.options.notification_wait
        )


def _signal(bus: BusinessApplications, resource: str, msg: Message) -> None:
    event = msg.payload["event"]
    known = bus.partner_orders.get(str(event["id"])) if resource == "partner-order" else None
    if known is not None and event["state"] in ORDER_END_STATES:
        known["ended"] = event["state"]  # nothing left to release or cancel
    bus.waiting.fire(f"{resource}:{event['id']}:{event['state']}", event["state"], instance=msg.instance)


def _item_signal(bus: BusinessApplications, resource: str, msg: Message) -> None:
    """A partner order item moved (or got its date): signalled, nobody needs to wait for it."""
    event = msg.payload["event"]
    key = f"{resource}:{event['id']}:{event.get('orderItemId')}:{event.get('state', 'dated')}"
    bus.waiting.fire(key, event.get("state"), instance=msg.instance)


ORDER_END_STATES = frozenset({"completed", "failed", "partial", "cancelled", "rejected"})
"""MEF 123's end states of a product order."""

CANCEL_STEP = "cancel"
"""Step label of the hops a cancellation causes (10.2 defines no step for them)."""
FORGOTTEN = "SOF no longer knows service order"
"""How the reason of a followed service order the SOF forgot begins (``sellers.retention``)."""


@dataclass(slots=True)
class OrderWork:
    """What a seller's back office has started for one order, and a pending cancellation.

    Attributes:
        flow: the order's thread instance (cancellation hops are recorded in it).
        stop: triggered (with the event to answer on) when a cancellation asks the work to stop.
        service_order: the SOF service order placed for it, once placed.
        partner_orders: partner product orders placed for it: id -> partner BUS.
    """

    flow: Flow
    stop: simpy.Event
    service_order: str | None = None
    partner_orders: dict[str, str] = field(default_factory=dict)


def _item_product(resource: Resource, key: str) -> dict[str, Any]:
    product: dict[str, Any] = resource.private["request"][key][0].get("product", {})
    return product


class Seller:
    """The 10.2 back office of one BUS (the SP's or a partner's) behind its MEF APIs."""

    def __init__(self, world: World, bus: BusinessApplications) -> None:
        self.world = world
        self.bus = bus
        self.is_provider = bus.role is Role.BUS_SP
        self.sof = world.sof[bus.domain].id
        self.partner_hubs: set[str] = set()
        self._bought_for: dict[str, list[str]] = {}
        """With a retention: BUS order id -> the partner orders bought for it (``bus.partner_orders``
        keys), so that a disconnect forgets them without a scan of every partner order of the run."""
        step = "3e" if self.is_provider else "-"
        self.catalog = CatalogApi(bus, world.offerings)
        places = known_places(world, bus)
        self.addresses = AddressApi(bus, places)
        self.sites = SiteApi(bus, places, self.may_see)
        self.qualifications = QualificationApi(bus, self.assess, event_step=step)
        self.quotes = QuoteApi(bus, self.price, event_step=step)
        self.inventory = InventoryApi(bus)
        self.orders = OrderApi(
            bus,
            self.fulfil,
            self.inventory,
            self.quotes,
            event_step="14" if self.is_provider else "9b",
            cancel_hook=self.cancel_order,
            offerings=world.offerings,
            date_hook=None if self.is_provider else partial(release.date_changed, bus, world),
        )
        self.cancel_hubs: set[str] = set()
        admit = Admitter(world, self.is_provider, bus.domain, places, self.qualifications)
        self.qualifications.admit = self.quotes.admit = self.orders.admit = admit

    def install(self) -> None:
        """Install the APIs on the BUS actor."""
        for api in (
            self.catalog,
            self.addresses,
            self.sites,
            self.qualifications,
            self.quotes,
            self.inventory,
            self.orders,
        ):
            api.install()

    def may_see(self, buyer: str, place: KnownPlace) -> bool:
        """Private sites: BUS-sp shows a customer its own; a partner shows BUS-sp the sites it serves."""
        if self.is_provider:
            return place.owner == buyer
        return self.world.sim.actor(buyer).role is Role.BUS_SP  # any provider buying (a sandbox has several)

    # -- steps 2-3: qualification ----------------------------------------------------------------

    def assess(self, msg: Message, poq: Resource) -> Generator[simpy.Event, Any, bool]:
        """Can the POQ's product be delivered? BUS-sp runs 3a-3d; a partner asks its SOF."""
        product = _item_product(poq, "productOfferingQualificationItem")
        places = [p["id"] for p in product.get("place", [])]
        config = product.get("productConfiguration")
        bandwidth = bodies.configured_bandwidth(config) or 0.0
        if not self.is_provider:
            ends = bodies.configured_endpoints(config)
            answer = yield from self.bus.call(
                self.sof,
                CHECK_SERVICEABILITY,
                {"places": places, "enni": ends[1] if len(ends) > 1 else None, "bandwidthMbps": bandwidth},
                flow=msg.flow,
                step=msg.step,
            )
            if answer.status != 200:
                poq.private["reason"] = f"{self.sof} answered {answer.status}: {refusal_detail(answer)}"
                return False
            if not answer.payload["serviceable"]:
                poq.private["reason"] = str(answer.payload.get("reason") or "not serviceable on our network")
                return False
            return True
        design = yield from self._qualify(msg.src, places, bandwidth, msg.flow)
        poq.private["design"] = design
        if not design["feasible"]:
            poq.private["reason"] = design.get("reason") or "the product cannot be delivered"
        return bool(design["feasible"])

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
        reason = None
        if not feasible:
            why = answer.payload.get("reason") if answer.status == 200 else None
            reason = "the SP's part of the path has no capacity left" + (f" ({why})" if why else "")
        partners: dict[str, dict[str, Any]] = {}
        book = partner_book(world)
        for component in (c for c in components if c["partner"]):
            partner_bus = world.bus[component["domain"]].id
            # 3b a.: with partners on-boarded (10.1), the partner's option comes from its catalog.
            chosen, refused = book.offering_for(component["domain"])
            if refused is not None:
                feasible = False
                reason = reason or refused
                partners[component["domain"]] = {
                    "bus": partner_bus,
                    "site": None,
                    "quote": None,
                    "price": None,
                }
                continue
            offering = world.offering(chosen) if chosen is not None else self._partner_offering()
            site = next(e for e in component["endpoints"] if e in _unis_of(world))
            line = world.topology.site_of_uni(site).address
            located = yield from locate_site(bus, partner_bus, line, flow=flow, step="3d")
            if located is None:
                feasible = False
                reason = reason or f"{partner_bus} does not know the site at {line}"
                partners[component["domain"]] = {
                    "bus": partner_bus,
                    "site": None,
                    "quote": None,
                    "price": None,
                }
                continue
            partner_site = located
            enni = next((e for e in component["endpoints"] if e not in _unis_of(world)), None)
            ends = [site, enni or ""]
            poq_body = bodies.poq_create(
                bus.id, offering, [partner_site], bandwidth, instant=True, endpoints=ends
            )
            answer = yield from bus.call(partner_bus, CREATE_POQ, poq_body, flow=flow, step="3d")
            ok = answer.status == 201 and answer.payload["state"] == "done.ready"
            quote_id = None
            price = None
            if ok:
                quote_body = bodies.quote_create(
                    bus.id, offering, [partner_site], bandwidth, instant=True, endpoints=ends
                )
                answer = yield from bus.call(partner_bus, CREATE_QUOTE, quote_body, flow=flow, step="3d")
                ok = answer.status == 201 and answer.payload["state"] == "approved.orderable"
                if ok:
                    quote_id = answer.payload["id"]
                    price = answer.payload["quoteItem"][0]["quoteItemPrice"][0]["price"]["dutyFreeAmount"][
                        "value"
                    ]
            if not ok and reason is None:
                if answer.status == 201:  # created, but not qualified or quoted: the item says why
                    why = f"{answer.payload.get('state')}: {end_reason(answer.payload) or 'no reason given'}"
                else:
                    why = f"{answer.status}: {refusal_detail(answer)}"
                reason = f"{partner_bus} cannot qualify or quote its part ({why})"
            feasible = feasible and ok
            partners[component["domain"]] = {
                "bus": partner_bus,
                "site": partner_site,
                "enni": enni,
                "uni": site,
                "quote": quote_id,
                "price": price,
                "offering": offering["id"],
            }
        return {"feasible": feasible, "components": components, "partners": partners, "reason": reason}

    def _partner_offering(self) -> dict[str, Any]:
        # The wholesale offering partners sell to the SP: the catalog entry marked for it.
        for offering in self.world.offerings:
            if offering.get("wholesale"):
                return offering
        return self.world.offerings[0]

    # -- quote ---------------------------------------------------------------------------------

    def price(self, msg: Message, quote: Resource) -> Generator[simpy.Event, Any, float | None]:
        """The quote's monthly price; BUS-sp first waits for (or runs) the qualification."""
        bus, world = self.bus, self.world
        item = quote.private["request"]["quoteItem"][0]
        product = item.get("product", {})
        bandwidth = bodies.configured_bandwidth(product.get("productConfiguration")) or 0.0
        offering = world.offering(product.get("productOffering", {}).get("id", ""))
        if not self.is_provider:
            yield from bus.activity("priceQuote", flow=msg.flow, step=msg.step, payload={"quote": quote.id})
            return _price(offering, bandwidth)
        # BUS-sp designs before it prices, for an instant quote too: an order on it is fulfilled
        # along that design.
        instant = bool(quote.private["request"].get("instantSyncQuote"))
        qualification = item.get("qualificationItem", {}).get("qualificationId")
        if self.qualifications.state.buyer(msg.src).get("productOfferingQualification", str(qualification)):
            _fired, design = yield from bus.waiting.wait(f"poq:{qualification}", None)
            if design is None:  # the qualification gave up before it had a design
                poq = self.qualifications.state.buyer(msg.src).get(
                    "productOfferingQualification", str(qualification)
                )
                why = poq.private.get("reason") if poq is not None else None
                design = {"feasible": False, "partners": {}, "reason": why or "the qualification failed"}
        else:
            places = [p["id"] for p in product.get("place", [])]
            design = yield from self._qualify(msg.src, places, bandwidth, msg.flow)
        quote.private["design"] = design
        step = msg.step if instant else "3e"
        yield from bus.activity("priceQuote", flow=msg.flow, step=step, payload={"quote": quote.id})
        if not design["feasible"]:
            quote.private["reason"] = design.get("reason") or "the product cannot be delivered"
            return None
        return _price(offering, bandwidth) + sum(p["price"] or 0.0 for p in design["partners"].values())

    # -- steps 4-7 and 14: the order -----------------------------------------------------------

    def fulfil(self, msg: Message, order: Resource) -> Generator[simpy.Event, Any, str]:
        """Deliver the order: its ``add`` item through partners and SOF (BUS-sp) or through its SOF
        (a partner); each ``modify``/``delete`` item as a change of the product's service, all at
        once. Each item's end is reported in ``item_outcomes``; the order is ``completed`` when all
        completed, ``failed`` when none did, else ``partial``."""
        work = OrderWork(msg.flow, self.world.sim.env.event())
        order.private["work"] = work
        items = order.body["productOrderItem"]
        adds = [i for i in items if i["action"] == "add"]
        changes = [i for i in items if i["action"] != "add"]
        if not changes:
            return (yield from self._fulfil_add(msg, order, adds[0], work))
        jobs: list[Generator[simpy.Event, Any, Any]] = [self._change(msg, order, i) for i in changes]
        if adds:
            jobs.insert(0, self._fulfil_add(msg, order, adds[0], work))
        results = yield from self.bus.gather(jobs)
        outcomes = {
            str(i["id"]): "completed" if ok else "failed"
            for i, ok in zip(changes, results[-len(changes) :], strict=True)
        }
        if adds:
            for item in adds:
                outcomes[str(item["id"])] = "completed" if results[0] == "completed" else "failed"
        order.private["item_outcomes"] = outcomes
        ended = set(outcomes.values())
        return "partial" if len(ended) > 1 else ended.pop()

    def _fulfil_add(
        self, msg: Message, order: Resource, item: dict[str, Any], work: OrderWork
    ) -> Generator[simpy.Event, Any, str]:
        """Deliver the order's ``add`` item (steps 5-14 at BUS-sp, the partner's part at a partner)."""
        # The product as admission made it (places as site ids, a partner's end points).
        admitted = {str(i["id"]): i for i in order.private["request"]["productOrderItem"]}
        product = admitted.get(str(item["id"]), item)["product"]
        if self.is_provider:
            quote_id = item["quoteItem"]["quoteId"]
            quote = self.quotes.state.buyer(msg.src).get("quote", str(quote_id))
            assert quote is not None  # accepted by the order API before fulfilment starts
            order.private["monthly"] = quote.private.get("monthly", 0.0)
            outcome = yield from self._fulfil_as_provider(msg, order, product, quote.private["design"], work)
        else:
            outcome = yield from self._fulfil_as_partner(msg, order, product, work)
        if work.stop.triggered and outcome != "cancelled":
            # Delivery ended in the same instant a cancellation arrived: too late to cancel.
            pending = cast(simpy.Event, work.stop.value)
            pending.succeed(f"product order {order.id} has been delivered ({outcome})")
        return outcome

    # -- modify and delete items -----------------------------------------------------------------

    def _change(
        self, msg: Message, order: Resource, item: dict[str, Any]
    ) -> Generator[simpy.Event, Any, bool]:
        """Change (``modify``) or terminate (``delete``) the service behind a delivered product.

        BUS-sp maps the product to its service (5: the service its order established) and sends
        SOF-sp a LEGATO service order with a ``modify`` or ``delete`` item (7); a partner does the
        same with its SOF at the step of the buyer's request. True when the service order completed.
        """
        bus, flow = self.bus, msg.flow
        action = str(item["action"])
        product_id = str(item["product"]["id"])
        product = self.inventory.state.buyer(msg.src).get("product", product_id)
        assert product is not None  # checked when the order was accepted
        service_id = f"svc-{product.private['order']}"
        step = msg.step
        if self.is_provider:
            yield from bus.activity(
                "productToServiceMapping",
                flow=flow,
                step="5",
                payload={"productOrder": order.id, "product": product_id, "service": service_id},
            )
            step = "7"
        bandwidth = (
            bodies.configured_bandwidth(item["product"]["productConfiguration"])
            if action == "modify"
            else None
        )
        body = bodies.service_order_change(order.id, service_id, action, bandwidth)
        # As for an install: SOF may be carrying out a change whose every answer was lost.
        try:
            answer = yield from self._create_service_order(body, order.id, flow, step)
        except LsoSimError:
            # Not found by its externalId either: never received, or carried out and forgotten
            # since (``sellers.retention``). A delete that was carried out shows in the service.
            if action == "delete" and (yield from self._shows_or_unread(service_id, flow, step)):
                return True
            raise
        if answer.status not in (200, 201):  # 200: found by its externalId
            order.private.setdefault("reason", f"SOF refused the {action} of {service_id} ({answer.status})")
            return False
        state, reason = yield from self._follow_service_order(
            str(answer.payload["id"]), flow, "13" if self.is_provider else step
        )
        if action == "delete" and reason is not None and reason.startswith(FORGOTTEN):
            at = "13" if self.is_provider else step
            if (yield from self._service_shows(service_id, "terminated", flow, at)):
                state, reason = "completed", None
            else:  # the delete did not take effect, or BUS could not read the service to know it
                reason = f"SOF does not show service {service_id} terminated; {reason}"
        if reason is not None:
            order.private.setdefault("reason", reason)
        if state == "completed" and action == "delete" and self.inventory.state.retention is not None:
            # sellers.retention: what BUS-sp bought from partners for the product goes with it.
            delivered_by = product.private["order"]
            for bought in self._bought_for.pop(delivered_by, ()):
                known = bus.partner_orders.get(bought)
                if known is not None and known.get("order") == delivered_by:
                    del bus.partner_orders[bought]
        return state == "completed"

    def _partner_product_of(
        self, partner_bus: str, partner_order: str, flow: Flow
    ) -> Generator[simpy.Event, Any, dict[str, Any]]:
        """The product ``partner_order`` delivered, read from BUS-sp's inventory at the partner
        (``listProduct`` by ``productOrderId``, then ``retrieveProduct``); ``{}`` if none is found."""
        listed = yield from self.bus.call(
            partner_bus, LIST_PRODUCT, {"productOrderId": partner_order}, flow=flow, step="9b"
        )
        found = listed.payload if listed.status == 200 and isinstance(listed.payload, list) else []
        if not found or "id" not in found[0]:
            return {}
        product = yield from self.bus.call(
            partner_bus, RETRIEVE_PRODUCT, {"id": found[0]["id"]}, flow=flow, step="9b"
        )
        return dict(product.payload) if product.status == 200 and isinstance(product.payload, dict) else {}

    def _file_partner_order(self, partner_order: str, known: dict[str, Any]) -> None:
        """Remember a partner order BUS bought (``bus.partner_orders``), and for which order."""
        self.bus.partner_orders[partner_order] = known
        bought_for = known.get("order")
        if bought_for is not None and self.inventory.state.retention is not None:
            self._bought_for.setdefault(str(bought_for), []).append(partner_order)

    def _follow_service_order(
        self, service_order: str, flow: Flow, step: str, work: OrderWork | None = None
    ) -> Generator[simpy.Event, Any, tuple[str, str | None]]:
        """Follow a service order to its end: ``(state, reason)``.

        SOF's notification ends the wait; after ``notification_wait`` of silence BUS reads the order
        (LEGATO retrieveServiceOrder), at most ``poll_limit`` times, then gives up on it (``failed``).
        A failed order is read once more for SOF's reason. With ``work``, a cancellation asked
        meanwhile is carried out (state ``cancelled``) or refused (the wait goes on).
        """
        bus, env, options = self.bus, self.world.sim.env, self.world.options
        done = bus.waiting.event(f"so:{service_order}:completed", instance=flow.instance)
        failed = bus.waiting.event(f"so:{service_order}:failed", instance=flow.instance)
        polls = 0
        while True:
            waits = [done, failed, env.timeout(options.notification_wait)]
            if work is not None:
                waits.append(work.stop)
            yield env.any_of(waits)
            if done.triggered:
                return "completed", None
            if work is not None and work.stop.triggered:
                if (yield from self._checkpoint(work)):
                    return "cancelled", None
                continue
            if not failed.triggered and polls >= options.poll_limit:
                return "failed", f"service order {service_order} reached no end state after {polls} reads"
            polls += 1
            answer = yield from bus.call(
                self.sof, RETRIEVE_SERVICE_ORDER, {"id": service_order}, flow=flow, step=step
            )
            if answer.status == 404:
                why = refusal_detail(answer)
                if "forgets" in why:  # sellers.retention shorter than the silence BUS waited
                    return "failed", f"{FORGOTTEN} {service_order}: {why}"
                return "failed", f"SOF knows no service order {service_order}"
            state = answer.payload.get("state") if answer.status == 200 else None
            if state == "completed":
                return "completed", None
            if state == "failed" or failed.triggered:
                notes = answer.payload.get("note") or [] if answer.status == 200 else []
                reason = notes[-1]["text"] if notes else f"service order {service_order} failed"
                return "failed", str(reason)

    def _change_partner_product(
        self, msg: Message, known: dict[str, Any]
    ) -> Generator[simpy.Event, Any, None]:
        """9b, option LEGATO then SONATA, for a change: SOF-sp asked BUS-sp to modify or disconnect
        a partner component. BUS-sp reads the partner order that delivered it (its item names the
        partner's product), orders the change from the partner over SONATA and follows that order."""
        bus, world, flow = self.bus, self.world, msg.flow
        action = str(msg.payload["action"])
        partner_bus = str(known["bus"])
        original = yield from bus.call(
            partner_bus, RETRIEVE_PRODUCT_ORDER, {"id": msg.payload["partnerOrder"]}, flow=flow, step="9b"
        )
        delivered = (
            original.payload["productOrderItem"][0].get("product", {}) if original.status == 200 else {}
        )
        if original.status == 404:
            # The partner forgot the finished order (sellers.retention shorter than the product's
            # life, a disconnect after a term): its product is still in BUS-sp's inventory there,
            # filed under that order.
            bought = str(msg.payload["partnerOrder"])
            delivered = yield from self._partner_product_of(partner_bus, bought, flow)
        if "id" not in delivered:
            bus.respond(msg, 200, {"partnerOrder": None, "state": "failed"})
            return
        configuration = None
        if action == "modify":
            configuration = bodies.reconfigured(
                delivered["productConfiguration"], float(msg.payload["bandwidthMbps"])
            )
        body = bodies.change_order_create(bus.id, action, str(delivered["id"]), configuration)
        if partner_bus not in self.partner_hubs:
            self.partner_hubs.add(partner_bus)
            yield from register_listener(
                bus,
                partner_bus,
                "productOrderManagement",
                list(ORDER_EVENTS),  # the partner part is tracked too (10.2 step 13 note)
                flow=flow,
            )
        answer = yield from bus.call(partner_bus, CREATE_PRODUCT_ORDER, body, flow=flow, step="9b")
        if answer.status != 201:
            bus.respond(msg, 200, {"partnerOrder": None, "state": "failed"})
            return
        partner_order = str(answer.payload["id"])
        self._file_partner_order(partner_order, dict(known))
        done = bus.waiting.event(f"partner-order:{partner_order}:completed", instance=flow.instance)
        failed = bus.waiting.event(f"partner-order:{partner_order}:failed", instance=flow.instance)
        # SOF-sp waits for this answer: read the order as often as one of its waits allows (as for
        # an add, below), until it ends; the partner may itself be reading its SOF late.
        env, wait = world.sim.env, release.wait_within(bus, world)
        state = "unknown"
        for _read in range(world.options.poll_limit):
            yield env.any_of([done, failed, env.timeout(wait)])
            if done.triggered or failed.triggered:
                state = "completed" if done.triggered else "failed"
                break
            try:
                answer = yield from bus.call(
                    partner_bus,
                    RETRIEVE_PRODUCT_ORDER,
                    {"id": partner_order},
                    flow=flow,
                    step="9b",
                    timeout=release.patience(bus),
                )
            except LsoSimError:
                continue
            state = answer.payload.get("state", "unknown") if answer.status == 200 else "unknown"
            if answer.status == 404 and "forgets" in refusal_detail(answer):
                # Forgotten before BUS-sp read how it ended (a lost event, sellers.retention): the
                # product tells, as the change left it.
                state = yield from self._partner_change_shows(
                    partner_bus, str(delivered["id"]), action, msg.payload.get("bandwidthMbps"), flow
                )
            if state in ORDER_END_STATES or state == "unknown":
                break
        bus.respond(msg, 200, {"partnerOrder": partner_order, "state": state})

    def _partner_change_shows(
        self, partner_bus: str, product_id: str, action: str, bandwidth: Any, flow: Flow
    ) -> Generator[simpy.Event, Any, str]:
        """How a partner change order that the partner forgot ended, read from its product:
        ``completed`` when the product shows the change (terminated, or gone: a product is
        forgotten only once terminated; the new bandwidth), ``failed`` when it does not."""
        answer = yield from self.bus.call(
            partner_bus, RETRIEVE_PRODUCT, {"id": product_id}, flow=flow, step="9b"
        )
        if answer.status == 404:
            return "completed" if action == "delete" and "forgets" in refusal_detail(answer) else "unknown"
        if answer.status != 200 or not isinstance(answer.payload, dict):
            return "unknown"
        if action == "delete":
            return "completed" if answer.payload.get("status") == "terminated" else "failed"
        shown = bodies.configured_bandwidth(answer.payload.get("productConfiguration"))
        return "completed" if bandwidth is not None and shown == float(bandwidth) else "failed"

    # -- cancellation --------------------------------------------------------------------------

    def cancel_order(self, msg: Message, order: Resource) -> Generator[simpy.Event, Any, str | None]:
        """The order API's cancel hook: ask the order's back office to stop, and wait for its answer.

        An order that changes delivered products is past the point of no return once its back
        office started: SOF works on a live service at once.
        """
        work: OrderWork | None = order.private.get("work")
        if work is None:
            return None  # nothing started yet
        if any(i["action"] != "add" for i in order.body["productOrderItem"]):
            return f"product order {order.id} changes delivered products; the change has started"
        answer = self.world.sim.env.event()
        work.stop.succeed(answer)
        reason: str | None = yield answer
        return reason

    def _checkpoint(self, work: OrderWork) -> Generator[simpy.Event, Any, bool]:
        """After a hop: if a cancellation waits, stop (True) or, when it is refused, carry on (False)."""
        if not work.stop.triggered:
            return False
        answer = cast(simpy.Event, work.stop.value)
        reason = yield from self._stop(work)
        work.stop = self.world.sim.env.event()
        answer.succeed(reason)
        return reason is None

    def _stop(self, work: OrderWork) -> Generator[simpy.Event, Any, str | None]:
        """Cancel the service order at SOF, then the partner orders; the reason when SOF refuses."""
        bus, flow = self.bus, work.flow
        if work.service_order is not None:
            answer = yield from bus.call(
                self.sof, CANCEL_SERVICE_ORDER, {"id": work.service_order}, flow=flow, step=CANCEL_STEP
            )
            if answer.status != 200:
                return str(answer.payload.get("reason", "the service order can no longer be cancelled"))
        for partner_order, partner_bus in work.partner_orders.items():
            yield from self._cancel_partner_order(partner_order, partner_bus, flow)
        return None

    def _cancel_partner_order(
        self, partner_order: str, partner_bus: str, flow: Flow
    ) -> Generator[simpy.Event, Any, None]:
        """SONATA: cancel a partner order and wait for the partner's decision (recorded when refused)."""
        bus = self.bus
        if partner_bus not in self.cancel_hubs:
            self.cancel_hubs.add(partner_bus)
            yield from register_listener(
                bus,
                partner_bus,
                "productOrderManagement",
                ["cancelProductOrderStateChangeEvent"],
                flow=flow,
            )
        body = bodies.cancel_order_create(bus.id, partner_order, "the buyer's own order was cancelled")
        answer = yield from bus.call(
            partner_bus, CREATE_CANCEL_PRODUCT_ORDER, body, flow=flow, step=CANCEL_STEP
        )
        if answer.status != 201:
            reason = answer.payload if answer.payload else answer.status
            self.world.sim.record_local(
                bus,
                Kind.ERROR,
                "partnerCancellationRefused",
                {"partnerOrder": partner_order, "reason": reason},
                flow=flow,
                step=CANCEL_STEP,
            )
            return
        request = answer.payload["id"]
        done = bus.waiting.event(f"partner-cancel:{request}:done", instance=flow.instance)
        rejected = bus.waiting.event(f"partner-cancel:{request}:rejected", instance=flow.instance)
        env = self.world.sim.env
        yield env.any_of([done, rejected, env.timeout(self.world.options.notification_wait)])
        if not done.triggered:
            self.world.sim.record_local(
                bus,
                Kind.ERROR,
                "partnerCancellationRefused",
                {"partnerOrder": partner_order, "cancelProductOrder": request},
                flow=flow,
                step=CANCEL_STEP,
            )

    # -- steps 4-7 and 14: delivery ------------------------------------------------------------

    def _fulfil_as_provider(
        self, msg: Message, order: Resource, product: dict[str, Any], design: dict[str, Any], work: OrderWork
    ) -> Generator[simpy.Event, Any, str]:
        bus, world, flow = self.bus, self.world, msg.flow
        order_id = order.id
        bandwidth = bodies.configured_bandwidth(product.get("productConfiguration")) or 0.0
        places = [p["id"] for p in product["place"]]
        yield from bus.activity(
            "productToServiceMapping", flow=flow, step="5", payload={"productOrder": order_id}
        )
        if (yield from self._checkpoint(work)):
            return "cancelled"
        partner_orders: dict[str, str] = {}
        for domain, part in design["partners"].items():
            offering = world.offering(part["offering"])
            if part["bus"] not in self.partner_hubs:
                self.partner_hubs.add(part["bus"])
                yield from register_listener(
                    bus,
                    part["bus"],
                    "productOrderManagement",
                    # the partner part is tracked too (10.2 step 13 note); option b's release too
                    list(ORDER_EVENTS) + (list(release.RELEASE_EVENTS) if release.option_b(world) else []),
                    flow=flow,
                )
            body = bodies.order_create(
                bus.id,
                offering,
                [part["site"]],
                bandwidth,
                part["quote"],
                endpoints=[part["uni"], part["enni"] or ""],
            )
            if release.option_b(world):  # committed and reserved now, built when released at 9b
                release.defer(world, body, offering)
            answer = yield from bus.call(part["bus"], CREATE_PRODUCT_ORDER, body, flow=flow, step="6")
            if answer.status == 201:
                partner_orders[domain] = answer.payload["id"]
                work.partner_orders[answer.payload["id"]] = part["bus"]
                self._file_partner_order(
                    str(answer.payload["id"]),
                    {
                        "domain": domain,
                        "bus": part["bus"],
                        "order": order_id,
                        "item": str(body["productOrderItem"][0]["id"]),
                    },
                )
            if (yield from self._checkpoint(work)):
                return "cancelled"
            if answer.status != 201:
                why = f"{part['bus']} refused the partner order ({answer.status}): {refusal_detail(answer)}"
                order.private.setdefault("reason", why)
                return "failed"
        unis = [world.topology.sites[p].uni for p in places]
        service_id = f"svc-{order_id}"
        body = bodies.service_order_create(order_id, service_id, unis, bandwidth)
        body["serviceOrderItem"][0]["service"]["serviceCharacteristic"].append(
            {"name": "partnerOrders", "value": partner_orders}
        )
        answer = yield from self._create_service_order(body, order_id, flow, "7")
        state = yield from self._after_service_order(answer, work, order, "13")
        if state == "failed" and release.option_b(world):
            # Option b: what the partners committed and reserved at step 6 and were never asked to
            # build is cancelled over SONATA, so they free it now, not when their hold runs out.
            for partner_order, partner_bus in release.unreleased(bus, work.partner_orders).items():
                yield from self._cancel_partner_order(partner_order, partner_bus, flow)
        return state

    def _fulfil_as_partner(
        self, msg: Message, order: Resource, product: dict[str, Any], work: OrderWork
    ) -> Generator[simpy.Event, Any, str]:
        order_id = order.id
        config = product["productConfiguration"]
        ends = bodies.configured_endpoints(config)
        bandwidth = bodies.configured_bandwidth(config) or 0.0
        body = bodies.service_order_create(order_id, f"svc-{order_id}", ends, bandwidth)
        offering_id = product.get("productOffering", {}).get("id")
        offering = next((o for o in self.world.offerings if o["id"] == offering_id), {})
        held = release.held_until(self.world, order, offering)
        if held is not None:  # option b: SOF reserves now and builds when the buyer releases
            order.private["held"] = held
            body["requestedStartDate"] = held
        answer = yield from self._create_service_order(body, order_id, msg.flow, msg.step)
        return (yield from self._after_service_order(answer, work, order, msg.step))

    def _create_service_order(
        self, body: dict[str, Any], order_id: str, flow: Flow, step: str
    ) -> Generator[simpy.Event, Any, Message]:
        """LEGATO createServiceOrder; if no answer ever comes, find the order by its externalId.

        The create may have reached SOF with every answer lost: SOF is then working on an order
        BUS does not know, and failing the product order would leave a service nobody sold (the
        ``inventories-agree`` invariant). So before giving up, BUS reads the service order by the
        product order's id, at most ``poll_limit`` times; only when none is found does it fail.
        """
        bus = self.bus
        try:
            return (yield from bus.call(self.sof, CREATE_SERVICE_ORDER, body, flow=flow, step=step))
        except LsoSimError as exc:
            given_up = exc
        for _ in range(self.world.options.poll_limit):
            try:
                found = yield from bus.call(
                    self.sof, RETRIEVE_SERVICE_ORDER, {"externalId": order_id}, flow=flow, step=step
                )
            except LsoSimError:
                continue
            if found.status == 200:
                return found
            if found.status == 404:
                break  # SOF never got the create: it really failed
        raise given_up

    def _after_service_order(
        self, answer: Message, work: OrderWork, order: Resource, step: str
    ) -> Generator[simpy.Event, Any, str]:
        """Wait for the service order's end (or a cancellation that SOF accepts)."""
        if answer.status in (200, 201):  # 200: found by its externalId after the create's answer was lost
            work.service_order = str(answer.payload["id"])
            if not self.is_provider:  # an option-b release may be waiting for it
                placed = f"service-order-placed:{order.id}"
                self.bus.waiting.fire(placed, work.service_order, instance=work.flow.instance)
        if (yield from self._checkpoint(work)):
            return "cancelled"
        if work.service_order is None:
            order.private.setdefault("reason", f"SOF refused the service order ({answer.status})")
            return "failed"
        state, reason = yield from self._follow_service_order(work.service_order, work.flow, step, work)
        forgotten = reason is not None and reason.startswith(FORGOTTEN)
        if forgotten:
            if (yield from self._service_shows(f"svc-{order.id}", "active", work.flow, step)):
                state, reason = "completed", None
            else:
                reason = f"SOF does not show service svc-{order.id} active; {reason}"
        if reason is not None:
            order.private.setdefault("reason", reason)
        return state

    def _shows_or_unread(self, service_id: str, flow: Flow, step: str) -> Generator[simpy.Event, Any, bool]:
        """:meth:`_service_shows` ``terminated``; False when the read itself gets no answer."""
        try:
            return (yield from self._service_shows(service_id, "terminated", flow, step))
        except LsoSimError:
            return False

    def _service_shows(
        self, service_id: str, state: str, flow: Flow, step: str
    ) -> Generator[simpy.Event, Any, bool]:
        """Whether SOF's service is in ``state``: how an add or delete order that SOF forgot before
        BUS read how it ended (a lost notification, then a lost read; ``sellers.retention``) ended.

        A SOF forgets only services that ended, so a forgotten service (404) shows ``terminated``.
        """
        read = yield from self.bus.call(self.sof, RETRIEVE_SERVICE, {"id": service_id}, flow=flow, step=step)
        if read.status == 404:
            return state == "terminated"
        return read.status == 200 and read.payload.get("state") == state

    # -- step 9b, option LEGATO then SONATA ----------------------------------------------------

    def obtain_partner_component(self, msg: Message) -> Generator[simpy.Event, Any, None]:
        """SOF-sp asked BUS-sp for a partner component: follow the partner's product order to its end."""
        bus, world = self.bus, self.world
        partner_order = msg.payload["partnerOrder"]
        known = bus.partner_orders.get(partner_order)
        if known is None:
            bus.respond(msg, 404, {"code": "notFound", "reason": f"no partner order {partner_order}"})
            return
        if msg.payload.get("action") in ("modify", "delete"):
            yield from self._change_partner_product(msg, known)
            return
        signal, instance = f"partner-order:{partner_order}", msg.instance
        done = bus.waiting.event(f"{signal}:completed", instance=instance)
        failed = bus.waiting.event(f"{signal}:failed", instance=instance)
        rejected = bus.waiting.event(f"{signal}:rejected", instance=instance)  # MEF 123: ends it too
        if not (done.triggered or failed.triggered or rejected.triggered):  # an ended order is only read
            refused = yield from release.release(bus, world, partner_order, known, msg.flow)
            if refused is not None:
                unreleased = {"partnerOrder": partner_order, "state": "notReleased", "reason": refused}
                bus.respond(msg, 200, unreleased)
                return
        # SOF-sp waits for this answer: read the order as often as one of its waits allows.
        env, wait = world.sim.env, release.wait_within(bus, world)
        for _read in range(world.options.poll_limit):
            yield env.any_of([done, failed, rejected, env.timeout(wait)])
            try:
                answer = yield from bus.call(
                    known["bus"],
                    RETRIEVE_PRODUCT_ORDER,
                    {"id": partner_order},
                    flow=msg.flow,
                    step="9b",
                    timeout=release.patience(bus),
                )
            except LsoSimError:
                continue
            state = answer.payload.get("state") if answer.status == 200 else "unknown"
            if answer.status == 404 and "forgets" in refusal_detail(answer):
                # Forgotten before BUS-sp read how it ended (a lost event, sellers.retention):
                # a product it delivered says it completed.
                delivered = yield from self._partner_product_of(known["bus"], partner_order, msg.flow)
                state = "completed" if delivered.get("status") == "active" else "unknown"
            if state in ORDER_END_STATES or state == "unknown" or done.triggered or failed.triggered:
                break
        else:
            reads = world.options.poll_limit
            lost = f"partner order {partner_order} reached no end state after {reads} reads"
            bus.respond(msg, 200, {"partnerOrder": partner_order, "state": "unknown", "reason": lost})
            return
        if state in ORDER_END_STATES:
            known["ended"] = state
        body: dict[str, Any] = {"partnerOrder": partner_order, "state": state}
        if state != "completed":
            body["reason"] = (end_reason(answer.payload) if answer.status == 200 else None) or (
                f"{known['bus']} answered {answer.status} to {RETRIEVE_PRODUCT_ORDER.name}"
                if answer.status != 200
                else f"partner order {partner_order} is {state}"
            )
        bus.respond(msg, 200, body)

    # -- step 15: acceptance and billing -------------------------------------------------------

    def accept_product(self, msg: Message) -> Generator[simpy.Event, Any, None]:
        bus = self.bus
        order_id = str(msg.payload["productOrderId"])
        order = self.orders.state.buyer(msg.src).get("productOrder", order_id)
        products = order.private.get("products", []) if order is not None else []
        if order is None or not products:
            bus.respond(msg, 404, {"code": "notFound", "reason": f"no product delivered by order {order_id}"})
            return
        product = self.inventory.state.buyer(msg.src).get("product", products[0])
        assert product is not None
        bus.respond(msg, 200, {"productId": product.id, "accepted": bool(msg.payload.get("accepted"))})
        if msg.payload.get("accepted"):
            yield from bus.activity(
                "startBilling",
                flow=msg.flow,
                step="15a",
                payload={"product": product.id, "monthly": order.private.get("monthly", 0.0)},
            )
            product.private["billingStart"] = self.world.sim.now
            product.private["monthly"] = order.private.get("monthly", 0.0)


def known_places(world: World, bus: BusinessApplications) -> list[KnownPlace]:
    """The sites a BUS knows: BUS-sp every customer site, a partner the sites on its network."""
    owners = {site: customer.id for customer in world.customers.values() for site in customer.sites}
    topology = world.topology
    return [
        KnownPlace(site.id, owners.get(site.id, ""), site.address, parse_address(site.address))
        for site in topology.sites.values()
        if bus.role is Role.BUS_SP or topology.domain_of(site.ne) == bus.domain
    ]


def _price(offering: dict[str, Any], bandwidth: float) -> float:
    return float(offering.get("monthly_base", 0.0)) + float(offering.get("per_mbps", 0.0)) * bandwidth




def _unis_of(world: World) -> set[str]:
    return {site.uni for site in world.topology.sites.values()}


__all__ = ["Seller", "install"]
