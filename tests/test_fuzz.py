"""Property tests: mutated scenarios and corrupted traces never give a traceback.

Whatever the mutation, ``lso-sim`` exits 0 or 1 (the scenario stayed valid and ran) or 2 with one
located line on stderr; never 3 (a crash). ``make test`` runs a small, derandomised campaign;
``make fuzz`` sets ``LSO_FUZZ_EXAMPLES`` for a long, random one.

Every mutated scenario runs with ``--until`` a simulated month (:data:`FUZZ_HORIZON`): a mutation
may legitimately make a run long (a loss of 1 on a channel, a day-long latency), and a campaign
is about crashes, not about how long a valid scenario takes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import SCENARIOS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lso_sim.cli.main import main

LONG = "LSO_FUZZ_EXAMPLES" in os.environ
CAMPAIGN = settings(
    max_examples=int(os.environ.get("LSO_FUZZ_EXAMPLES", "15")),
    derandomize=not LONG,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
FUZZ_HORIZON = str(30 * 86400)
"""Simulated seconds a mutated scenario may run (``run --until``)."""
BASE: Any = yaml.safe_load((SCENARIOS / "thread-10.2.yaml").read_text(encoding="utf-8"))

VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 1, 2**31, 10**7, 10**12]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["[/]", "[bold]x", "\x00", "é" * 5, "x" * 20_000]),
    st.lists(st.integers(), max_size=3),
    st.recursive(st.integers(), lambda inner: st.lists(inner, max_size=2), max_leaves=200),
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


PATHS = _paths(BASE)


def _mutate(path: tuple[Any, ...], value: Any, delete: bool) -> Any:
    data = yaml.safe_load(yaml.safe_dump(BASE))
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return data


def _check(args: list[str], capsys: pytest.CaptureFixture[str], name: str) -> None:
    code = main(args)
    err = capsys.readouterr().err
    assert code in (0, 1, 2), err
    if code == 2:
        assert err.startswith("lso-sim: error: ") and name in err and err.count("\n") == 1, err


@CAMPAIGN
@given(path=st.sampled_from(PATHS), value=VALUES, delete=st.booleans())
def test_mutated_scenarios_never_crash(
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    path: Any,
    value: Any,
    delete: bool,
) -> None:
    target = tmp_path_factory.mktemp("fuzz") / "s.yaml"
    target.write_text(yaml.safe_dump(_mutate(path, value, delete), allow_unicode=True), encoding="utf-8")
    _check(["run", str(target), "--quiet", "--until", FUZZ_HORIZON], capsys, str(target))


@CAMPAIGN
@given(data=st.binary(max_size=200), keep=st.integers(min_value=0, max_value=400))
def test_binary_scenarios_never_crash(
    tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str], data: bytes, keep: int
) -> None:
    target = tmp_path_factory.mktemp("fuzz") / "s.yaml"
    target.write_bytes((SCENARIOS / "thread-10.2.yaml").read_bytes()[:keep] + data)
    _check(["run", str(target), "--quiet"], capsys, str(target))


@pytest.fixture(scope="module")
def trace_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("trace") / "t.jsonl"
    assert main(["run", "--thread", "10.2", "--quiet", "--trace-out", str(path)]) == 0
    return path.read_bytes()


@CAMPAIGN
@given(
    cut=st.integers(min_value=0, max_value=10**6),
    flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=4),
    command=st.sampled_from(["trace", "report", "step", "replay"]),
)
def test_corrupted_traces_never_crash(
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    trace_bytes: bytes,
    cut: int,
    flips: list[tuple[int, int]],
    command: str,
) -> None:
    data = bytearray(trace_bytes[: cut % (len(trace_bytes) + 1)])
    for where, byte in flips:
        if data:
            data[where % len(data)] = byte
    target = tmp_path_factory.mktemp("fuzz") / "t.jsonl"
    target.write_bytes(bytes(data))
    extra = {"step": ["--steps", "1"], "replay": ["--scenario", str(SCENARIOS / "thread-10.2.yaml")]}
    _check([command, str(target), *extra.get(command, [])], capsys, str(Path(target)))
