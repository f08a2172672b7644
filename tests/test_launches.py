"""Processes made when due run in exactly the order of processes started at once that wait.

:class:`~lso_sim.engine.launches.Launches` saves a generator, a process and two events per
future order from time 0 on; it must not move a single event: compared here on random schedules
full of ties (hypothesis) and on whole scenarios, trace byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from lso_sim.engine.launches import Body, Launches
from lso_sim.scenarios import runner
from lso_sim.scenarios.loader import load_scenario
from lso_sim.scenarios.overrides import parse_overrides
from lso_sim.scenarios.runner import run_scenario
from lso_sim.trace.jsonl import JsonlTraceWriter

ROOT = Path(__file__).resolve().parents[1]

times = st.sampled_from([0.0, 1.0, 2.0, 2.5, 3.0])


class AtOnce:
    """The old way: every process made at once, each waiting for its start."""

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env

    def start_all(self, starts: Any) -> None:
        for _start, body in starts:
            self.env.process(body())


def _schedule(
    launcher: Callable[[simpy.Environment], Any],
    arrivals: list[float],
    others: list[tuple[float, float]],
    given_as: str = "iterator",
) -> list[tuple[float, str]]:
    env = simpy.Environment()
    log: list[tuple[float, str]] = []

    def other(n: int, first: float, then: float) -> Generator[simpy.Event, Any, None]:
        yield env.timeout(first)
        log.append((env.now, f"other {n}"))
        yield env.timeout(then)
        log.append((env.now, f"other {n} again"))

    def arrival(n: int, start: float) -> Body:
        def body() -> Generator[simpy.Event, Any, None]:
            if start > env.now:  # what an order's life line does first
                yield env.timeout(start - env.now)
            log.append((env.now, f"arrival {n}"))
            yield env.timeout(1.0)
            log.append((env.now, f"arrival {n} step"))
            env.event().succeed()

        return body

    for n, (first, then) in enumerate(others[: len(others) // 2]):
        env.process(other(n, first, then))
    starts = ((start, arrival(n, start)) for n, start in enumerate(arrivals))
    # A one-shot iterator is kept whole; a collection is walked again when its runs are due.
    launcher(env).start_all(starts if given_as == "iterator" else list(starts))
    for n, (first, then) in enumerate(others[len(others) // 2 :], start=100):
        env.process(other(n, first, then))
    env.run()
    return log


@settings(max_examples=150, deadline=None)
@given(
    arrivals=st.lists(times, max_size=12),
    others=st.lists(st.tuples(times, times), max_size=8),
    given_as=st.sampled_from(["iterator", "collection"]),
    in_order=st.booleans(),
)
def test_launches_keep_the_event_order_of_processes_started_at_once(
    arrivals: list[float], others: list[tuple[float, float]], given_as: str, in_order: bool
) -> None:
    """Same log, tie for tie, whatever the starts (some due at once, in time order or not), how
    they are given (kept whole, or walked again one arrival at a time), and whatever else runs."""
    arrivals = sorted(arrivals) if in_order else arrivals
    expected = _schedule(AtOnce, arrivals, others)
    assert _schedule(Launches, arrivals, others, given_as) == expected


class Walked:
    """A collection of starts that counts its walks and the arrivals it gave."""

    def __init__(self, starts: list[float], body: Body) -> None:
        self.starts, self.body = starts, body
        self.walks = self.given = 0

    def __iter__(self) -> Any:
        self.walks += 1
        for start in self.starts:
            self.given += 1
            yield start, self.body


def _recording() -> tuple[simpy.Environment, Launches, list[float], Body]:
    """A launcher, and a body that notes when each of its processes starts."""
    env = simpy.Environment()
    made: list[float] = []

    def body() -> Generator[simpy.Event, Any, None]:
        made.append(env.now)
        yield env.timeout(0)

    return env, Launches(env), made, body


def test_a_walked_run_holds_one_arrival_at_a_time() -> None:
    """A hundred thousand future starts in time order: one queued at a time, each made when due."""
    env, launches, made, body = _recording()
    walked = Walked([float(n) for n in range(100_000)], body)
    launches.start_all(walked)
    assert launches.started == 1 and len(launches) == 99_999 and launches._due == []
    env.run(until=10.5)
    assert made == [float(n) for n in range(11)]
    assert len(launches._due) == 1 and len(launches) == 99_989
    assert walked.walks == 2 and walked.given < 100_000 + 20  # a first walk, then a lazy one
    env.run()
    assert launches.started == 100_000 and made[-1] == 99_999.0


def test_nothing_is_made_before_it_is_due() -> None:
    """Until an arrival is due it is a queue entry, not a process."""
    env, launches, made, body = _recording()
    launches.start_all([(0.0, body), (5.0, body), (9.0, body)])
    env.run(until=1)
    assert made == [0.0] and len(launches) == 2
    env.run()
    assert made == [0.0, 5.0, 9.0] and launches.started == 3


def _trace(path: Path, out: Path) -> bytes:
    fewer = parse_overrides(["workload.0.generate.count=40"] if "soak" in path.name else [])
    scenario = load_scenario(path, overrides=fewer)
    with out.open("w", encoding="utf-8") as sink:
        run_scenario(scenario, [JsonlTraceWriter(sink)])
    return out.read_bytes()


@pytest.mark.parametrize(
    "name", ["faults/soak-interlude.yaml", "whatif/mixed-load.yaml", "thread-10.2.yaml"], ids=str
)
def test_a_run_is_byte_identical_to_one_starting_every_order_at_once(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Generated arrivals (40 of a soak's lossy orders, a what-if's mixed load) and orders at
    time 0: the same trace either way."""
    path = ROOT / "scenarios" / name
    if not path.is_file():
        pytest.skip(f"{name} is not in this checkout")
    lazy = _trace(path, tmp_path / "lazy.jsonl")
    monkeypatch.setattr(runner, "Launches", AtOnce)
    eager = _trace(path, tmp_path / "eager.jsonl")
    assert lazy == eager
