"""What every delivered service leaves below SOF, kept compact: ECM configurations, activated parts.

Every delivered service leaves a configuration on each NE it crosses for as long as it lives;
nearly all are a bandwidth alone, so :meth:`ElementManager.configure` shares one read-only
mapping per bandwidth. These tests drive it and a plain dict of dicts (the former layout) with
the same random changes, the ones the threads make (configure, a 10.3 filter, a monitoring job,
a drift, a removal), and compare what every NE holds, types included.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lso_sim.actors.roles import ElementManager, ServiceRecord
from lso_sim.lifecycle.machines import SERVICE, SERVICE_ORDER
from lso_sim.lifecycle.state_machine import Stateful
from lso_sim.scenarios.build import build_world
from lso_sim.scenarios.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def ecm() -> ElementManager:
    world = build_world(load_scenario(ROOT / "scenarios" / "thread-10.2.yaml"), [])
    return next(iter(world.ecms.values()))


# 100 and 100.0 are equal but print differently in an answer: they must not share.
bandwidths = st.sampled_from([100, 100.0, 250.5, "40", 10])
operation = st.tuples(
    st.sampled_from(["configure", "filter", "monitor", "drift", "remove"]),
    st.sampled_from(["ne-1", "ne-2"]),
    st.sampled_from(["c-1", "c-2", "c-3"]),
    bandwidths,
)


def plain_apply(plain: dict[str, dict[str, dict[str, Any]]], op: tuple[str, str, str, Any]) -> None:
    kind, ne, construct, value = op
    if kind == "configure":
        plain.setdefault(ne, {})[construct] = {"bandwidthMbps": value}
    elif kind == "filter":
        plain.setdefault(ne, {})[construct] = {"bandwidthMbps": value, "trafficFilter": [{"vlan": 7}]}
    elif kind == "monitor":
        plain.setdefault(ne, {}).setdefault(construct, {})["monitoring"] = {"intervalSeconds": 900}
    elif kind == "drift":
        for config in plain.get(ne, {}).values():
            config["bandwidthMbps"] = 1.5
    else:
        plain.get(ne, {}).pop(construct, None)


def lean_apply(ecm: ElementManager, op: tuple[str, str, str, Any]) -> None:
    kind, ne, construct, value = op
    if kind == "configure":
        ecm.configure(ne, construct, {"bandwidthMbps": value})
    elif kind == "filter":
        ecm.configure(ne, construct, {"bandwidthMbps": value, "trafficFilter": [{"vlan": 7}]})
    elif kind == "monitor":
        current = ecm.configuration.get(ne, {}).get(construct, {})
        ecm.configure(ne, construct, {**current, "monitoring": {"intervalSeconds": 900}})
    elif kind == "drift":
        for name, config in list(ecm.configuration.get(ne, {}).items()):
            ecm.configure(ne, name, {**config, "bandwidthMbps": 1.5})
    else:
        ecm.configuration.get(ne, {}).pop(construct, None)


def typed(value: Any) -> Any:
    """A value with the type of every leaf beside it (``==`` alone takes 100 for 100.0)."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    return (type(value).__name__, value)


@settings(max_examples=80, deadline=None)
@given(ops=st.lists(operation, max_size=25))
def test_configurations_read_as_a_plain_dict_of_dicts(ecm: ElementManager, ops: list[Any]) -> None:
    """Same NEs, constructs (in the same order), keys, values and types after any changes."""
    ecm.configuration.clear()
    plain: dict[str, dict[str, dict[str, Any]]] = {}
    for op in ops:
        plain_apply(plain, op)
        lean_apply(ecm, op)
    lean = {ne: {c: dict(config) for c, config in held.items()} for ne, held in ecm.configuration.items()}
    assert typed(lean) == typed(plain)
    assert [list(held) for held in ecm.configuration.values()] == [list(held) for held in plain.values()]


def test_alike_configurations_are_one_read_only_mapping(ecm: ElementManager) -> None:
    """Two constructs at 100 Mbit/s share; 100.0 and a filtered one do not; none can be changed."""
    ecm.configuration.clear()
    ecm.configure("ne-1", "c-1", {"bandwidthMbps": 100})
    ecm.configure("ne-2", "c-2", {"bandwidthMbps": 100})
    ecm.configure("ne-1", "c-3", {"bandwidthMbps": 100.0})
    ecm.configure("ne-1", "c-4", {"bandwidthMbps": 100, "trafficFilter": []})
    one, two = ecm.configuration["ne-1"]["c-1"], ecm.configuration["ne-2"]["c-2"]
    assert one is two
    assert ecm.configuration["ne-1"]["c-3"] is not one
    assert ecm.configuration["ne-1"]["c-4"] is not one
    with pytest.raises(TypeError):
        one["bandwidthMbps"] = 5  # type: ignore[index]


@settings(max_examples=60, deadline=None)
@given(ops=st.lists(st.tuples(st.booleans(), st.sampled_from(["c1", "c2", "p1", "p2"])), max_size=20))
def test_a_services_activated_components_read_as_a_set(ops: list[tuple[bool, str]]) -> None:
    """``activate``/``deactivate`` on the tuple answer membership and emptiness as a set would."""
    record = ServiceRecord(Stateful("s", SERVICE, 0.0), Stateful("o", SERVICE_ORDER, 0.0), 10.0, ("a", "b"))
    plain: set[str] = set()
    for add, component in ops:
        if add:
            record.activate(component)
            plain.add(component)
        else:
            record.deactivate(component)
            plain.discard(component)
        assert set(record.activated) == plain and len(record.activated) == len(plain)
        assert bool(record.activated) == bool(plain)
