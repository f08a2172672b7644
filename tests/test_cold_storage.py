"""Cold storage: a seller resource at rest is held as JSON bytes and read back unchanged.

Freezing is invisible: the body read back equals the live one (same keys in the same order, same
types, floats exact), so every answer and every record of a run is the same whether resources
were frozen as soon as possible or never.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any

import orjson
import pytest
from conftest import run_to_file
from hypothesis import given, settings
from hypothesis import strategies as st

from lso_sim.lifecycle.machines import PRODUCT
from lso_sim.lifecycle.state_machine import Stateful
from lso_sim.sonata import store as store_module
from lso_sim.sonata.api import state_of
from lso_sim.sonata.cold import freeze, thaw
from lso_sim.sonata.store import BuyerResources, Resource

ROOT = Path(__file__).resolve().parents[1]


class _Name(enum.StrEnum):
    EPL = "epl"


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=80, deadline=None)
@given(body=st.dictionaries(st.text(max_size=6), json_values, max_size=6))
def test_a_frozen_body_thaws_to_the_same_bytes(body: dict[str, Any]) -> None:
    """Round trip: the thawed body encodes to exactly the live body's JSON, keys in order."""
    frozen = freeze(body)
    assert frozen is not None
    assert orjson.dumps(thaw(frozen)) == orjson.dumps(body)
    assert list(thaw(frozen)) == list(body)


@pytest.mark.parametrize(
    "body",
    [
        {"a": (1, 2)},
        {"a": 2**70},
        {1: "x"},
        {"a": {"b": (1,)}},
        {"a": float("nan")},
        {"a": [float("inf")]},
        {"a": _Name.EPL},
        {"a": "\ud800"},
    ],
    ids=["tuple", "huge-int", "int-key", "nested-tuple", "nan", "infinity", "str-enum", "lone-surrogate"],
)
def test_a_body_that_would_not_come_back_the_same_is_not_frozen(body: dict[Any, Any]) -> None:
    """A tuple would come back a list, NaN ``null``, an enum a plain string; orjson refuses the
    others: such a body stays live."""
    assert freeze(body) is None
    resource = Resource("product", "p-1", body)
    assert resource.freeze() is False
    assert resource.body is body


def test_reading_a_frozen_body_thaws_it_and_changes_stick() -> None:
    """``body`` is live again after a read; ``peek`` reads without thawing."""
    resource = Resource("product", "p-1", {"id": "p-1", "status": "active", "n": 0.1})
    assert resource.freeze() and resource.frozen
    assert resource.peek() == {"id": "p-1", "status": "active", "n": 0.1}
    assert resource.frozen
    resource.body["status"] = "suspended"
    assert not resource.frozen
    assert resource.body["status"] == "suspended"


def test_the_store_freezes_what_has_rested_and_nothing_else() -> None:
    """An active product unchanged for REST_AFTER seconds is frozen as new resources come;
    a pending one is not."""
    now = [0.0]
    store = BuyerResources(None, lambda: now[0])
    resting = store.add(Resource("product", "p-0", {"id": "p-0"}, Stateful("p-0", PRODUCT, 0.0)))
    resting.move("active", 0.0, field_name="status")
    pending = store.add(Resource("product", "p-1", {"id": "p-1"}, Stateful("p-1", PRODUCT, 0.0)))
    now[0] = store_module.REST_AFTER
    for n in range(2, 6):
        store.add(Resource("product", f"p-{n}", {"id": f"p-{n}"}, Stateful(f"p-{n}", PRODUCT, now[0])))
    assert resting.frozen
    assert not pending.frozen
    assert store.get("product", "p-0") is resting and resting.body == {"id": "p-0", "status": "active"}


def _trace(path: Path, tmp_path: Path, name: str) -> bytes:
    result, written = run_to_file(path, tmp_path / name)
    if name == "eager.jsonl":
        froze = sum(s.froze for bus in result.world.bus.values() for s in state_of(bus).buyers.values())
        assert froze > 0, "nothing was frozen: the comparison would prove nothing"
    return written


@pytest.mark.parametrize(
    "name", ["sonata-api-tour.yaml", "faults/soak-legato-sonata.yaml"], ids=lambda n: n
)
def test_freezing_at_once_or_never_gives_the_same_trace(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Resources frozen as soon as they rest (and thawed on every read) change no byte."""
    path = ROOT / "scenarios" / name
    monkeypatch.setattr(store_module, "REST_AFTER", 1e18)
    never = _trace(path, tmp_path, "never.jsonl")
    monkeypatch.setattr(store_module, "REST_AFTER", 0.0)
    eager = _trace(path, tmp_path, "eager.jsonl")
    assert eager == never


def test_a_frozen_body_is_deflated_below_its_json() -> None:
    """Cold bytes are deflated: a body of repetitive MEF-like JSON keeps well under half its text."""
    body = {
        "id": "p-1",
        "status": "active",
        "productRelationship": [
            {"id": f"p-{i}", "relationshipType": "reliesOn", "href": f"/p/p-{i}"} for i in range(6)
        ],
        "productCharacteristic": [
            {"name": f"c{i}", "value": i * 0.5, "valueType": "number"} for i in range(6)
        ],
    }
    frozen = freeze(body)
    assert frozen is not None
    assert len(frozen) < len(orjson.dumps(body)) / 2
    assert thaw(frozen) == body


def _same(copy: Any, live: Any) -> bool:
    """Equal and of the same types all the way down: what a frozen body must read back as."""
    if type(copy) is not type(live):
        return False
    if isinstance(live, dict):
        return list(copy) == list(live) and all(_same(copy[k], v) for k, v in live.items())
    if isinstance(live, list):
        return len(copy) == len(live) and all(_same(c, v) for c, v in zip(copy, live, strict=True))
    return bool(copy == live)


def _round_trips(body: dict[Any, Any]) -> bool:
    """The former rule, as the oracle: encode, decode, compare types and values."""
    try:
        return _same(orjson.loads(orjson.dumps(body)), body)
    except (TypeError, orjson.JSONEncodeError):
        return False


any_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.text(max_size=4)
    | st.sampled_from([_Name.EPL]),
    lambda inner: st.lists(inner, max_size=3)
    | st.tuples(inner)
    | st.dictionaries(st.text(max_size=3) | st.integers(0, 3), inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=4), any_values, max_size=4))
def test_a_body_is_frozen_exactly_when_it_reads_back_as_itself(body: dict[str, Any]) -> None:
    """Freezing decides from the types alone; a round trip through JSON is the judge."""
    frozen = freeze(body)
    assert (frozen is not None) == _round_trips(body)
    if frozen is not None:
        assert _same(thaw(frozen), body)
