"""Random 10.2 order mixes never break the invariants: bookings and inventories stay in step.

Acme adds products, modifies and deletes them (some beyond the narrowed link's capacity) and
cancels orders at random moments (before and after SOF's point of no return), under both
partner-fulfilment options. After every operation, run to idle, every invariant holds.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_sonata_modify_delete import MODES, Lab, delete, modify

from lso_sim.invariants import MessageLedger, Status, check_run
from lso_sim.messages import bodies
from lso_sim.messages.envelope import Flow
from lso_sim.messages.operations import CREATE_CANCEL_PRODUCT_ORDER
from lso_sim.threads import ordering
from lso_sim.threads.ordering import OrderRequest

OPS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.sampled_from([100.0, 250.0, 400.0])),
        st.tuples(st.just("modify"), st.integers(0, 5), st.sampled_from([50.0, 300.0, 900.0])),
        st.tuples(st.just("delete"), st.integers(0, 5)),
        st.tuples(st.just("cancel"), st.sampled_from([900.0, 5000.0, 20000.0, 80000.0])),
    ),
    min_size=1,
    max_size=5,
)


def add_then_cancel(lab: Lab, after: float) -> None:
    """Acme orders one more product and asks to cancel that order ``after`` seconds later."""
    world = lab.world
    customer = world.customer("acme")
    before = set(customer.orders)
    lab.orders += 1
    request = OrderRequest(
        lab.template.customer, lab.template.sites, 100.0, lab.template.offering, world.sim.now,
        f"acme/cancelled-{lab.orders}",
    )  # fmt: skip
    world.sim.env.process(ordering.run(world, request))

    def cancel() -> Any:
        yield world.sim.env.timeout(after)
        placed = [order for order in customer.orders if order not in before]
        if placed:
            body = bodies.cancel_order_create("acme", placed[0], "plans changed")
            flow = Flow("10.2", request.instance)
            yield from customer.call(
                world.bus_sp.id, CREATE_CANCEL_PRODUCT_ORDER, body, flow=flow, step="cancel"
            )

    world.sim.env.process(cancel())
    world.sim.run()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=OPS, mode=st.sampled_from(MODES))
def test_random_order_mixes_keep_bookings_and_inventories_in_step(
    ops: list[tuple[Any, ...]], mode: str
) -> None:
    lab = Lab.open(mode, **{"pe-metro-1__agg-metro-1": 1000.0})
    ledger = MessageLedger()
    lab.world.sim.add_observer(ledger)
    products: list[str] = []
    for op in ops:
        live = [p for p in products if lab.seller("bus-sp", "product", p)["status"] == "active"]
        if op[0] == "cancel":
            add_then_cancel(lab, op[1])
        elif op[0] == "add" or not live:
            added = lab.add(op[-1] if op[0] == "add" else 100.0)
            if added is not None:
                products.append(added)
        elif op[0] == "modify":
            lab.order(modify(live[op[1] % len(live)], op[2]))
        else:
            lab.order(delete(live[op[1] % len(live)]))
        report = check_run(lab.world, ledger)
        assert [str(r) for r in report.results if r.status is not Status.HELD] == [], ops
