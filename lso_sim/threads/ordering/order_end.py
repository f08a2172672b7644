"""Thread 10.2, step 14 at the Customer: waiting for a product order to end, and learning why.

Shared by the Customer's orders (:mod:`~lso_sim.threads.ordering.customer`) and its disconnects
(:mod:`~lso_sim.threads.ordering.disconnect`): both wait for the seller's notification, read the
order after a silence, and read a failed order once for its reason.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from lso_sim.actors.roles import Customer
from lso_sim.actors.world import World
from lso_sim.messages.envelope import Flow, Kind, Message
from lso_sim.messages.operations import RETRIEVE_PRODUCT_ORDER
from lso_sim.sonata.reasons import end_reason, refusal

FINAL_ORDER_STATES = frozenset({"completed", "failed", "partial", "cancelled", "rejected"})


def abandon(
    world: World, customer: Customer, instance: str, flow: Flow, why: Exception, **detail: Any
) -> None:
    """End an order or a disconnect the Customer gave up on (its requests went unanswered after
    every attempt): an ``orderAborted`` error record saying why, then the ``abandoned`` outcome."""
    world.sim.record_local(
        customer,
        Kind.ERROR,
        "orderAborted",
        {"error": type(why).__name__, "reason": str(why)},
        flow=flow,
        step="-",
    )
    world.finish(instance, "abandoned", str(why), **detail)


def await_order_end(
    world: World, customer: Customer, bus: str, order_id: str, flow: Flow
) -> Generator[simpy.Event, Any, tuple[str, str | None]]:
    """The order's end state and, for any end but ``completed``, the seller's reason.

    A notification ends the wait; after a silence the customer reads the order, at most
    ``poll_limit`` times, then gives up (``abandoned``). An order that did not complete is read
    once for the reason of its last state change.
    """
    wait = world.options.notification_wait
    signal, instance = f"order:{order_id}", flow.instance
    finals = [customer.waiting.event(f"{signal}:{s}", instance=instance) for s in sorted(FINAL_ORDER_STATES)]
    polls = 0
    state: str | None = None
    answer: Message | None = None
    while state is None:
        notified = [e for e in finals if e.triggered]
        if not notified:
            result = yield world.sim.env.any_of([*finals, world.sim.env.timeout(wait)])
            notified = [e for e in finals if e in result]
        if notified:
            state = str(notified[0].value)
            answer = None
            break
        if polls >= world.options.poll_limit:
            return "abandoned", f"order {order_id} reached no end state after {polls} reads"
        polls += 1
        answer = yield from customer.call(bus, RETRIEVE_PRODUCT_ORDER, {"id": order_id}, flow=flow, step="14")
        if answer.status == 200 and answer.payload["state"] in FINAL_ORDER_STATES:
            state = str(answer.payload["state"])
    if state in ("completed", "cancelled"):
        return state, None  # success, or the customer's own cancellation: nothing to learn
    if answer is None:
        answer = yield from customer.call(bus, RETRIEVE_PRODUCT_ORDER, {"id": order_id}, flow=flow, step="14")
    if answer.status != 200:  # e.g. a seller that no longer keeps the order (sellers.retention)
        return state, f"order {order_id} ended {state}; its reason could not be read: {refusal(answer)}"
    reason = end_reason(answer.payload)
    return state, str(reason) if reason else f"order {order_id} ended {state}"


__all__ = ["FINAL_ORDER_STATES", "await_order_end"]
