"""A SOF's service orders: found by the buyer's own id as a scan would, finished ones kept compactly.

The book replaces a dict scanned for ``externalId`` on every LEGATO read: it must answer what the
scan answered (the first ``add`` order of that buyer with an equal ``externalId``), and freezing the
requests of finished orders must change no answer and no byte of any trace.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import run_to_file
from hypothesis import given, settings
from hypothesis import strategies as st

from lso_sim.actors import service_orders as book_module
from lso_sim.actors.roles import ServiceOrchestrator
from lso_sim.actors.service_orders import ServiceOrderBook
from lso_sim.lifecycle.machines import SERVICE_ORDER
from lso_sim.lifecycle.state_machine import Stateful

ROOT = Path(__file__).resolve().parents[1]


def _order(n: int, done: bool = False) -> Stateful:
    order = Stateful(f"so-{n}", SERVICE_ORDER, 0.0)
    if done:
        order.path(1.0, "inProgress", "completed")
    return order


def test_an_order_is_found_by_its_buyer_and_external_id_after_many_orders() -> None:
    """Thousands of finished orders later, the first order of that buyer with that id is found,
    and its request reads back equal, keys in the same order, though it is held frozen."""
    book = ServiceOrderBook()
    for n in range(3000):
        request = {"externalId": f"po-{n}", "serviceOrderItem": [{"id": "1", "action": "add"}], "n": n / 3}
        book.add(_order(n, done=True), request, buyer="bus-sp" if n % 2 else "bus-partner")
    book.add(_order(3000), {"externalId": "po-7"}, buyer="bus-sp")  # a later one with the same id
    assert book.find("bus-sp", "po-7") == "so-7"
    assert book.find("bus-partner", "po-7") is None
    assert book.find("bus-sp", "po-3001") is None
    assert book.froze > 2900
    entry = book.get("so-1234")
    assert entry is not None
    assert list(entry[1]) == ["externalId", "serviceOrderItem", "n"]
    assert entry[1] == {
        "externalId": "po-1234",
        "serviceOrderItem": [{"id": "1", "action": "add"}],
        "n": 1234 / 3,
    }


def test_an_open_order_keeps_its_live_request_and_a_change_order_is_not_found_by_external_id() -> None:
    book = ServiceOrderBook()
    request = {"externalId": "po-1"}
    book.add(_order(1), request, buyer="bus-sp")
    book.add(_order(2, done=True), {"externalId": "po-2"})  # a change: no buyer given
    for n in range(3, 10):
        book.add(_order(n, done=True), {"externalId": f"po-{n}"}, buyer="bus-sp")
    entry = book.get("so-1")
    assert entry is not None and entry[1] is request
    assert book.find("bus-sp", "po-2") is None
    assert "so-2" in book and len(book) == 9


externals = st.one_of(
    st.none(), st.sampled_from(["a", "b"]), st.integers(0, 2), st.lists(st.integers(0, 1), max_size=2)
)


@settings(max_examples=150, deadline=None)
@given(
    orders=st.lists(
        st.tuples(st.sampled_from(["x", "y", None]), externals, st.booleans()), min_size=1, max_size=30
    ),
    buyer=st.sampled_from(["x", "y"]),
    wanted=externals.filter(lambda e: e is not None),
)
def test_find_answers_what_a_scan_of_every_request_answered(
    orders: list[tuple[str | None, Any, bool]], buyer: str, wanted: Any
) -> None:
    """The index against the scan it replaced (first in order, equal ``externalId``, same buyer;
    a change order, with no buyer, never matches), whether requests were frozen or not."""
    book = ServiceOrderBook()
    for n, (who, external, done) in enumerate(orders):
        book.add(_order(n, done), {"externalId": external} if external is not None else {}, buyer=who)
    scan = next(
        (f"so-{n}" for n, (who, external, _) in enumerate(orders) if who == buyer and external == wanted),
        None,
    )
    assert book.find(buyer, wanted) == scan


def _trace(path: Path, tmp_path: Path, name: str) -> bytes:
    result, written = run_to_file(path, tmp_path / name)
    if name == "eager.jsonl":
        sofs = [a for a in result.world.sim.actors.values() if isinstance(a, ServiceOrchestrator)]
        assert sum(sof.service_orders.froze for sof in sofs) > 0, (
            "nothing frozen: the comparison proves nothing"
        )
    return written


@pytest.mark.parametrize(
    "name", ["sonata-api-tour.yaml", "thread-10.5.yaml", "faults/soak-legato-sonata.yaml"], ids=lambda n: n
)
def test_freezing_finished_requests_at_once_or_never_gives_the_same_trace(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every open order examined at every new one (frozen as soon as it can be) or none: same bytes."""
    path = ROOT / "scenarios" / name
    monkeypatch.setattr(book_module, "EXAMINED_PER_ORDER", 0)
    never = _trace(path, tmp_path, "never.jsonl")
    monkeypatch.setattr(book_module, "EXAMINED_PER_ORDER", 10**9)
    eager = _trace(path, tmp_path, "eager.jsonl")
    assert eager == never
