"""Thread 10.2 step 9 b), option b: SOF-sp -> LEGATO -> BUS-sp -> SONATA -> BUS-partner.

MEF 55.0.1 lets SOF-sp obtain a partner component either from the partner's SOF (INTERLUDE,
option a) or through the Business Applications (option b). In option b the product order BUS-sp
places at step 6 carries the partner's commitment: BUS-sp asks for a date after the partner's
standard interval (:func:`defer`), the partner commits to it (``expectedCompletionDate``) and
places a service order at its SOF that is to start then (``requestedStartDate``,
:func:`held_until`); its SOF designs the segment and reserves its capacity, then holds. Nothing is
built until SOF-sp, at 9 b), asks BUS-sp for the component.

MEF's product order API (MEF 123) has no reserve-then-release order; the buyer's one lever over
*when* a seller delivers an order it has committed to is the item's requested delivery date. So
BUS-sp releases the partner's work with ``createModifyProductOrderItemRequestedDeliveryDate``
bringing the item's ``requestedCompletionDate`` to now. Moving a date inside the seller's standard
interval is an expedite under MEF's rules: the partner raises a blocking charge
(``chargeCreateEvent``) and BUS-sp, which asked for the date, accepts it (``patchCharge``). When
the request ends ``done`` the partner's BUS releases its service order at its SOF over LEGATO
(``releaseServiceOrder``), which builds the segment; the partner order then completes as usual
and BUS-sp answers SOF-sp with its end state.

Unhappy paths end with a reason: the request refused by the partner (an error status), declined
(``done.declined``: the charge refused or unanswered), or the partner order failing after it; a
lost request is re-sent and, when every attempt times out, SOF-sp's wait gives up. SOF-sp then
fails the service order and takes down what it built (``Orchestrator._undo``); BUS-sp, seeing the
service order fail, cancels the partner orders it never released (:func:`unreleased`, SONATA
``createCancelProductOrder``), and the partner's SOF gives their reservation back. A partner that
cannot be reached releases its reservation when its own wait runs out.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from lso_sim.actors.roles import BusinessApplications
from lso_sim.actors.world import PartnerFulfilment, World
from lso_sim.errors import LsoSimError
from lso_sim.messages import bodies
from lso_sim.messages.envelope import Flow, Kind, Message
from lso_sim.messages.operations import (
    CHARGE_CREATE,
    CREATE_MODIFY_DELIVERY_DATE,
    LIST_CHARGE,
    MODIFY_DELIVERY_DATE_STATE_CHANGE,
    PATCH_CHARGE,
    RELEASE_SERVICE_ORDER,
    RETRIEVE_CHARGE,
    RETRIEVE_MODIFY_DELIVERY_DATE,
)
from lso_sim.sonata import listen
from lso_sim.sonata.api import with_params
from lso_sim.sonata.reasons import refusal_detail
from lso_sim.sonata.store import Resource

STEP = "9b"

RELEASE_EVENTS = ("chargeCreateEvent", "modifyProductOrderItemRequestedDeliveryDateStateChangeEvent")
"""The events BUS-sp registers for besides the order's own, in option b: the release's charge and
the release request's end."""


def option_b(world: World) -> bool:
    """True when the scenario chose option b (``options.partner_fulfilment: legato-sonata``)."""
    return world.options.partner_fulfilment is PartnerFulfilment.LEGATO_SONATA


# -- BUS-sp, the buyer ---------------------------------------------------------------------------


def install_buyer(bus: BusinessApplications) -> None:
    """Let BUS-sp hear the release's charge and the release request's state."""
    listen(bus, CHARGE_CREATE, lambda msg: _accept_charge(bus, msg))
    listen(bus, MODIFY_DELIVERY_DATE_STATE_CHANGE, lambda msg: _release_signal(bus, msg))


def _release_signal(bus: BusinessApplications, msg: Message) -> None:
    event = msg.payload["event"]
    bus.waiting.fire(f"partner-release:{event['id']}:{event['state']}", event["state"], instance=msg.instance)


def release(
    bus: BusinessApplications, world: World, partner_order: str, known: dict[str, Any], flow: Flow
) -> Generator[simpy.Event, Any, str | None]:
    """Ask the partner to build now: ``None`` when the release was accepted, else the reason.

    Every attempt of the release gets a share of one request timeout (:func:`patience`), so that
    BUS-sp gives up (and says why) while SOF-sp still waits for its answer.
    """
    body = {
        "productOrderItem": {
            "productOrderId": partner_order,
            "productOrderHref": f"/productOrder/{partner_order}",
            "productOrderItemId": str(known.get("item", "1")),
        },
        "requestedCompletionDate": bodies.timestamp(world.sim.now),
        "relatedContactInformation": [bodies.contact(bus.id, "buyerContactInformation")],
    }
    try:
        answer = yield from bus.call(
            known["bus"], CREATE_MODIFY_DELIVERY_DATE, body, flow=flow, step=STEP, timeout=patience(bus)
        )
    except LsoSimError as exc:
        return f"the release of partner order {partner_order} was given up on ({exc})"
    if answer.status != 201:
        why = f"{answer.status}: {refusal_detail(answer)}"
        return f"{known['bus']} refused to release partner order {partner_order} ({why})"
    request = str(answer.payload["id"])
    known["release"] = request  # the charge this request brings is BUS-sp's to accept
    env, instance, options = world.sim.env, flow.instance, world.options
    done = bus.waiting.event(f"partner-release:{request}:done", instance=instance)
    declined = bus.waiting.event(f"partner-release:{request}:done.declined", instance=instance)
    rejected = bus.waiting.event(f"partner-release:{request}:rejected", instance=instance)
    for _poll in range(options.poll_limit):
        yield env.any_of([done, declined, rejected, env.timeout(wait_within(bus, world))])
        if done.triggered:
            known["released"] = True
            return None
        if declined.triggered or rejected.triggered:
            ended = "done.declined" if declined.triggered else "rejected"
            return f"{known['bus']} did not release partner order {partner_order} (request {request} {ended})"
        # No word: read the request (its notifications, or the charge's, may have been lost).
        state = yield from _read_release(bus, known["bus"], request, partner_order, flow)
        if state == "done":
            known["released"] = True
            return None
        if state in ("done.declined", "rejected"):
            return f"{known['bus']} did not release partner order {partner_order} (request {request} {state})"
    return f"the release of partner order {partner_order} reached no end after {options.poll_limit} reads"


def unreleased(bus: BusinessApplications, partner_orders: dict[str, str]) -> dict[str, str]:
    """Of ``partner_orders`` (order id: partner BUS), those BUS-sp never released and has not seen
    end: committed and reserved at the partner since step 6, nothing built."""
    held = {}
    for order, partner_bus in partner_orders.items():
        known = bus.partner_orders.get(order, {})
        if not (known.get("released") or known.get("ended")):
            held[order] = partner_bus
    return held


def wait_within(bus: BusinessApplications, world: World) -> float:
    """How long BUS-sp waits for a partner's word before it reads, while SOF-sp waits for it.

    SOF-sp's request is re-sent while BUS-sp works (each copy joins the work in progress), so its
    answer may take as long as SOF-sp's retry horizon; BUS-sp spreads ``poll_limit`` reads over
    that horizon, waiting ``notification_wait`` at most between two.
    """
    if bus.request_timeout is None:
        return world.options.notification_wait
    horizon = bus.retry.horizon(bus.request_timeout)
    return min(world.options.notification_wait, horizon / (world.options.poll_limit + 1))


def _read_release(
    bus: BusinessApplications, seller: str, request: str, partner_order: str, flow: Flow
) -> Generator[simpy.Event, Any, str | None]:
    """Read the release request; answer its charge if it waits for one. Its state (``None``: unread)."""
    try:
        answer = yield from bus.call(
            seller,
            RETRIEVE_MODIFY_DELIVERY_DATE,
            {"id": request},
            flow=flow,
            step=STEP,
            timeout=patience(bus),
        )
        state = str(answer.payload.get("state")) if answer.status == 200 else None
        if state == "inProgress.assessingCharge":
            listed = yield from bus.call(
                seller,
                LIST_CHARGE,
                {"productOrderId": partner_order, "state": "awaitingResponse"},
                flow=flow,
                step=STEP,
                timeout=patience(bus),
            )
            for charge in listed.payload if listed.status == 200 and isinstance(listed.payload, list) else []:
                yield from _answer_charge(bus, seller, str(charge["id"]), flow)
        return state
    except LsoSimError:
        return None  # the next read, if any, tries again


def patience(bus: BusinessApplications) -> float | None:
    """Per-attempt timeout of BUS-sp's own requests at 9 b): all its attempts end within about one
    ``request_timeout``, well inside SOF-sp's wait for its answer (``None``: no timeouts)."""
    if bus.request_timeout is None:
        return None
    return bus.request_timeout / bus.retry.attempts


def _accept_charge(bus: BusinessApplications, msg: Message) -> Generator[simpy.Event, Any, None]:
    """``chargeCreateEvent``: answer the charge a partner raised."""
    yield from _answer_charge(bus, msg.src, str(msg.payload["event"]["id"]), msg.flow)


def _answer_charge(
    bus: BusinessApplications, seller: str, ident: str, flow: Flow
) -> Generator[simpy.Event, Any, None]:
    """Accept the charge a release of BUS-sp's brought; decline any other.

    A release brings the delivery date inside the partner's standard interval, which MEF's rules
    charge as an expedite; BUS-sp asked for that date, so it pays. It has no reason to accept any
    other charge (it never asks for an expedited date at step 6), so it declines them, saying so.
    """
    try:
        answer = yield from bus.call(
            seller, RETRIEVE_CHARGE, {"id": ident}, flow=flow, step=STEP, timeout=patience(bus)
        )
        if answer.status != 200:
            raise LsoSimError(f"{seller} answered {answer.status} to {RETRIEVE_CHARGE.name} for {ident}")
        charge = answer.payload
        if charge.get("state") != "awaitingResponse":
            return  # answered already (a notification and a read both led here)
        release = charge.get("modifyProductOrderItemRequestedDeliveryDate", {}).get("id")
        ours = any(known.get("release") == release for known in bus.partner_orders.values())
        verdict = "accepted" if release is not None and ours else "rejected"
        items = [{"id": line["id"], "acceptanceIndicator": verdict} for line in charge["chargeItem"]]
        answer = yield from bus.call(
            seller,
            PATCH_CHARGE,
            with_params({"id": ident}, {"chargeItem": items}),
            flow=flow,
            step=STEP,
            timeout=patience(bus),
        )
        if answer.status not in (200, 409):  # 409: answered meanwhile
            raise LsoSimError(f"{seller} answered {answer.status} to {PATCH_CHARGE.name} for {ident}")
    except LsoSimError as exc:  # the charge then times out at the seller: the release is declined
        bus.sim.record_local(
            bus, Kind.ERROR, "chargeNotAnswered", {"charge": ident, "reason": str(exc)}, flow=flow, step=STEP
        )


def defer(world: World, body: dict[str, Any], offering: dict[str, Any]) -> None:
    """Step 6 in option b: ask for the partner's item on a date after its standard interval.

    That date is not an expedite (no charge), and it tells the partner to commit and reserve but
    hold the build until BUS-sp brings the date forward at 9 b). A day is added to the standard
    interval so that the request's transit time can never make it an expedite.
    """
    interval = float(offering.get("standard_interval", 2_592_000.0))
    date = bodies.timestamp(world.sim.now + interval + 86_400.0)
    body["productOrderItem"][0]["requestedCompletionDate"] = date


# -- BUS-partner, the seller -----------------------------------------------------------------------


def held_until(world: World, order: Resource, offering: dict[str, Any]) -> str | None:
    """The date a partner order is held until (option b), or ``None`` to build it at once.

    An order is held when its first item asks for a date after the seller's standard date (an
    expedite is not held: its buyer wants it early). An undated order, as a buyer straight to a
    partner places it (the sandbox), is built at once.
    """
    if not option_b(world):
        return None
    date = order.body["productOrderItem"][0].get("requestedCompletionDate")
    if not isinstance(date, str):
        return None
    standard = bodies.seconds(order.body["orderDate"]) + float(offering.get("standard_interval", 2_592_000.0))
    return date if bodies.seconds(date) >= standard else None


def date_changed(
    bus: BusinessApplications, world: World, msg: Message, order: Resource, item_id: str
) -> None:
    """The order API's date hook at a partner: a held order whose date is now due is released.

    A date moved but still ahead leaves the order held (within the partner's hold limit).
    """
    if order.private.get("held") is None or order.private.get("released"):
        return
    item = next(i for i in order.body["productOrderItem"] if str(i["id"]) == item_id)
    if bodies.seconds(str(item["requestedCompletionDate"])) > world.sim.now:
        return
    order.private["released"] = True
    bus.start(_release(bus, world, order, msg.flow))


def _release(
    bus: BusinessApplications, world: World, order: Resource, flow: Flow
) -> Generator[simpy.Event, Any, None]:
    """Have the SOF build the service order held for ``order`` (once it is placed)."""
    placed, service_order = yield from bus.waiting.wait(
        f"service-order-placed:{order.id}", world.options.notification_wait
    )
    reason: str | None = None
    if not placed:
        reason = f"no service order was placed for product order {order.id}"
    else:
        try:
            answer = yield from bus.call(
                world.sof[bus.domain].id, RELEASE_SERVICE_ORDER, {"id": service_order}, flow=flow, step=STEP
            )
            if answer.status != 200:
                reason = f"{answer.status}: {refusal_detail(answer)}"
        except LsoSimError as exc:
            reason = str(exc)
    if reason is not None:  # the service order then fails on its own; say why it was never built
        order.private.setdefault("reason", f"the release of product order {order.id} failed ({reason})")
        bus.sim.record_local(
            bus,
            Kind.ERROR,
            "releaseNotApplied",
            {"productOrder": order.id, "reason": reason},
            flow=flow,
            step=STEP,
        )




__all__ = [
    "RELEASE_EVENTS",
    "date_changed",
    "defer",
    "held_until",
    "install_buyer",
    "option_b",
    "patience",
    "release",
    "unreleased",
    "wait_within",
]
