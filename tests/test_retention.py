"""Sellers forget resources whose lifecycle ended, ``sellers.retention`` seconds later.

A purged resource is answered as MEF answers an unknown id (404 with its error body, the reason
naming the retention); until then nothing changes, so a retention longer than any look-back of a
run leaves its trace byte for byte as without one. Memory is freed lazily, answers are exact.
"""

from __future__ import annotations

import gc
import json
import weakref
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lso_sim.cli.main import main
from lso_sim.engine.observers import MemoryTrace
from lso_sim.lifecycle.machines import PRODUCT, PRODUCT_ORDER
from lso_sim.lifecycle.state_machine import Stateful
from lso_sim.scenarios.loader import load_scenario
from lso_sim.scenarios.runner import run_scenario
from lso_sim.scenarios.schema import Scenario
from lso_sim.sonata.api import state_of
from lso_sim.sonata.store import BuyerResources, Resource
from lso_sim.trace.jsonl import JsonlTraceWriter

ROOT = Path(__file__).resolve().parents[1]
THREAD_10_2 = ROOT / "scenarios" / "thread-10.2.yaml"


class Clock:
    """A hand-moved simulated clock."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _order(ident: str, now: float) -> Resource:
    body = {"id": ident, "state": "acknowledged"}
    return Resource("productOrder", ident, body, Stateful(ident, PRODUCT_ORDER, now))


def _end(resource: Resource, now: float) -> None:
    resource.move("inProgress", now)
    resource.move("completed", now)


@pytest.mark.parametrize(("later", "kept"), [(0.0, True), (99.9, True), (100.0, False), (5000.0, False)])
def test_an_ended_resource_is_kept_exactly_retention_seconds(later: float, kept: bool) -> None:
    """Ended at 10 s with a retention of 100 s: found until 110 s, then gone from look-ups and lists."""
    clock = Clock()
    store = BuyerResources(100.0, clock)
    order = store.add(_order("o-1", 0.0))
    clock.now = 10.0
    _end(order, 10.0)
    clock.now = 10.0 + later
    assert (store.get("productOrder", "o-1") is order) is kept
    assert store.all("productOrder") == ([order] if kept else [])
    assert store.purged == (0 if kept else 1)


def test_a_resource_that_has_not_ended_is_kept_however_old() -> None:
    """An active product (not a final state) stays; a terminated one goes with its tags."""
    clock = Clock()
    store = BuyerResources(10.0, clock)
    product = store.add(Resource("product", "p-1", {"id": "p-1"}, Stateful("p-1", PRODUCT, 0.0)))
    store.tag(product, "o-1")
    product.move("active", 0.0)
    clock.now = 1e9
    assert store.get("product", "p-1") is product
    assert store.tagged("product", "o-1") == [product]
    product.move("pendingTerminate", clock.now)
    product.move("terminated", clock.now)
    clock.now += 10.0
    assert store.tagged("product", "o-1") == []
    assert store.get("product", "p-1") is None
    assert store._tags == {}


def test_without_a_retention_nothing_is_forgotten() -> None:
    """The default: every resource stays for the whole run."""
    store = BuyerResources()
    order = store.add(_order("o-1", 0.0))
    _end(order, 1.0)
    assert store.get("productOrder", "o-1") is order
    assert store.expired(order) is False


def test_memory_is_freed_as_new_resources_come() -> None:
    """Ended resources past their retention leave the store without being looked up."""
    clock = Clock()
    store = BuyerResources(5.0, clock)
    for n in range(1000):
        clock.now = float(n)
        _end(store.add(_order(f"o-{n}", clock.now)), clock.now)
    kept = len(store._by_kind["productOrder"])
    assert kept < 50, f"{kept} orders still kept with a retention of 5 s and one order a second"
    assert store.purged == 1000 - kept


@settings(max_examples=60, deadline=None)
@given(
    retention=st.floats(min_value=0.5, max_value=50.0),
    script=st.lists(
        st.tuples(st.sampled_from(["add", "end", "tick", "get"]), st.integers(0, 20), st.floats(0.0, 20.0)),
        max_size=80,
    ),
)
def test_answers_are_those_of_a_store_that_purges_at_the_exact_moment(
    retention: float, script: list[tuple[str, int, float]]
) -> None:
    """Lazy purging answers every look-up and list as an exact model of the policy would."""
    clock = Clock()
    store = BuyerResources(retention, clock)
    ended: dict[str, float | None] = {}  # the model: id -> when it ended
    made: dict[str, Resource] = {}
    for action, n, dt in script:
        ident = f"o-{n}"
        alive = ident in ended and (ended[ident] is None or clock.now - ended[ident] < retention)  # type: ignore[operator]
        if action == "add" and ident not in made:
            made[ident] = store.add(_order(ident, clock.now))
            ended[ident] = None
        elif action == "end" and alive and ended[ident] is None:
            _end(made[ident], clock.now)
            ended[ident] = clock.now
        elif action == "tick":
            clock.now += dt
        elif action == "get":
            assert (store.get("productOrder", ident) is not None) is alive
        expected = [
            i for i, at in ended.items() if at is None or clock.now - at < retention
        ]
        assert [r.id for r in store.each("productOrder")] == expected
        # Walked by state (what a list filtered on its status does), the same live ones, oldest first.
        for state in ("acknowledged", "completed"):
            shown = [i for i in expected if (ended[i] is None) is (state == "acknowledged")]
            assert [r.id for r in store.each("productOrder", state)] == shown


def _with(path: Path, **changes: Any) -> Scenario:
    data = load_scenario(path).model_dump(mode="json")
    data.update(changes)
    return Scenario.model_validate(data)


def _trace_bytes(scenario: Scenario, tmp_path: Path) -> bytes:
    out = tmp_path / "t.jsonl"
    with out.open("w", encoding="utf-8") as sink:
        run_scenario(scenario, [JsonlTraceWriter(sink)])
    return out.read_bytes()


@pytest.mark.parametrize("name", ["thread-10.2.yaml", "sonata-api-tour.yaml"])
def test_a_retention_longer_than_any_look_back_changes_nothing_but_404_reasons(
    name: str, tmp_path: Path
) -> None:
    """Same scenario, same seed, a retention of a year: the same trace, but that a 404's reason
    names the retention (the tour's Globex reading Acme's order)."""
    path = ROOT / "scenarios" / name
    without = _trace_bytes(_with(path), tmp_path).splitlines()
    year = _trace_bytes(_with(path, sellers={"retention": 365 * 86400.0}), tmp_path).splitlines()
    assert len(year) == len(without)
    for kept, plain in zip(year, without, strict=True):
        if kept != plain:
            a, b = json.loads(kept), json.loads(plain)
            assert a["status"] == b["status"] == 404
            assert a["payload"]["reason"] == b["payload"]["reason"] + (
                f" (this seller forgets a productOrder {365 * 86400} s after its lifecycle ended)"
            )


def test_a_purged_order_is_answered_404_and_the_run_still_ends(tmp_path: Path) -> None:
    """A buyer reads its completed order back before and after the retention: 200, then MEF's 404.

    The instances all end with an outcome, the invariants hold, and the qualification's signal
    (it carries the design) went with the qualification.
    """
    first_trace = MemoryTrace()
    first = run_scenario(_with(THREAD_10_2), [first_trace])  # the same run, the order kept
    order = next(
        m.payload["id"]
        for m in first_trace.records
        if m.operation == "createProductOrder" and m.kind.value == "response" and m.dst == "acme"
    )
    kept = state_of(first.world.bus_sp).buyer("acme").get("productOrder", order)
    done = kept.ended_at() if kept is not None else None  # completed long before the instance ends
    assert done is not None
    data = load_scenario(THREAD_10_2).model_dump(mode="json")
    data["sellers"] = {"retention": 3600.0}
    data["expect"] = None
    data["workload"].append(
        {
            "thread": "10.2",
            "api_script": [
                {"buyer": "acme", "call": "retrieveProductOrder", "with": {"id": order}, "at": done + 600},
                {"call": "retrieveProductOrder", "with": {"id": order}, "at": done + 7200},
            ],
        }
    )
    trace = MemoryTrace()
    result = run_scenario(Scenario.model_validate(data), [trace])
    answers = [
        m for m in trace.records if m.operation == "retrieveProductOrder" and m.kind.value == "response"
    ]
    assert [m.status for m in answers] == [200, 404]
    assert answers[0].payload["state"] == "completed"
    assert answers[1].payload["code"] == "notFound"
    assert "3600 s after its lifecycle ended" in answers[1].payload["reason"]
    assert all(o.ended is not None for o in result.world.outcomes.values())
    assert result.invariants is not None and result.invariants.ok
    bus = result.world.bus_sp
    assert not [k for k in bus.waiting._events if k.startswith("poq:")]
    assert sum(store.purged for store in state_of(bus).buyers.values()) >= 3


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    code = main(["run", *argv])
    lines = capsys.readouterr().out.splitlines()
    return code, [line for line in lines if not line.startswith("trace: ")]


def test_the_three_modes_agree_when_a_short_retention_refuses_requests(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A retention of one second: the customer's acceptance finds nothing (404, an expectation
    missed: exit 1) yet the order ends; memory, streamed and summary-only runs print the same."""
    short = ("--set", "sellers.retention=1")
    memory = _cli(capsys, str(THREAD_10_2), *short, "--quiet", "--trace-mode", "memory")
    streamed = _cli(capsys, str(THREAD_10_2), *short, "--quiet", "--trace-out", str(tmp_path / "t.jsonl"))
    summary = _cli(capsys, str(THREAD_10_2), *short, "--quiet")
    assert memory[0] == 1
    assert any("404" in line for line in memory[1])
    assert memory == streamed == summary
    lines = (tmp_path / "t.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    outcomes = [r for r in records if r.get("kind") == "outcome"]
    assert [o["payload"]["state"] for o in outcomes] == ["completed"]


@pytest.mark.parametrize("value", ["0", "-5", "soon", ".inf"])
def test_a_bad_retention_is_a_located_scenario_error(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Exit 2, naming the field; never a traceback."""
    code = main(["run", str(THREAD_10_2), "--quiet", "--set", f"sellers.retention={value}"])
    err = capsys.readouterr().err
    assert code == 2
    assert "sellers.retention" in err


def test_a_dropped_run_frees_its_world() -> None:
    """Nothing global keeps a run alive (a sweep runs hundreds in one process): the seller
    routers and states, and the security of a guarded run, live on the objects they serve."""
    result = run_scenario(_with(THREAD_10_2))
    bus, sim = weakref.ref(result.world.bus_sp), weakref.ref(result.world.sim)
    del result
    gc.collect()
    assert bus() is None and sim() is None


def test_a_failed_order_forgotten_before_its_reason_is_read_says_so() -> None:
    """The customer learns its order failed but the seller forgot it before the customer read why:
    the outcome names the end state and the seller's 404, not a bare "ended failed"."""
    path = ROOT / "scenarios" / "faults" / "order-rejection.yaml"
    data = load_scenario(path).model_dump(mode="json")
    data["sellers"] = {"retention": 0.01}  # shorter than the notification's way to the customer
    data["expect"] = None
    result = run_scenario(Scenario.model_validate(data), [])
    outcome = result.world.outcomes["acme/order-1"]
    assert outcome.state == "failed"
    assert outcome.reason is not None
    assert "its reason could not be read: retrieveProductOrder answered 404" in outcome.reason
    assert "0.01 s after its lifecycle ended" in outcome.reason


# An operation on a store: add order n, tag order n under key k, end order n, or let time pass.
store_ops = st.lists(
    st.tuples(
        st.sampled_from(["add", "tag", "end", "wait"]), st.integers(0, 7), st.sampled_from(["k1", "k2"])
    ),
    max_size=40,
)


@settings(max_examples=80, deadline=None)
@given(ops=store_ops)
def test_tagged_lists_the_live_resources_filed_under_a_key_in_creation_order(
    ops: list[tuple[str, int, str]],
) -> None:
    """Ranks and tags kept on the resources answer as a scan would: every resource still kept,
    filed under the key (whenever it was tagged), oldest first; purged ones leave no tag behind."""
    clock = Clock()
    store = BuyerResources(100.0, clock)
    made: list[Resource] = []  # creation order
    filed: dict[str, set[str]] = {"k1": set(), "k2": set()}
    for op, n, key in ops:
        ident = f"o-{n}"
        known = store.get("productOrder", ident)
        if op == "add" and known is None:
            made.append(store.add(_order(ident, clock.now)))
            for idents in filed.values():
                idents.discard(ident)  # a new resource with a purged one's id starts untagged
        elif op == "tag" and known is not None:
            store.tag(known, key)
            filed[key].add(ident)
        elif op == "end" and known is not None and known.state == "acknowledged":
            _end(known, clock.now)
        elif op == "wait":
            clock.now += 60.0
        for tag in ("k1", "k2"):
            expected = [r for r in made if r.id in filed[tag] and store.get("productOrder", r.id) is r]
            assert store.tagged("productOrder", tag) == expected
    kept = {r.id for r in store.all("productOrder")}
    assert all(set(filed_under) <= kept for filed_under in store._tags.values())
