"""Channels that lose chosen messages, to drive the failure paths of the threads in tests.

A :class:`~lso_sim.engine.channel.Channel` decides a message's fate before the message exists, so
:class:`Dropper` wraps ``Simulation.send`` to tell the channel which message it is about to carry;
rules then pick the messages to lose: the Nth of an operation, or each with a probability drawn
from the test's own seeded stream (never the simulation's, so the run's other draws stay as they
are).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from lso_sim.actors.outcomes import Outcome
from lso_sim.architecture.roles import Irp
from lso_sim.engine.channel import Channel, ChannelSpec
from lso_sim.engine.observers import MemoryTrace
from lso_sim.engine.simulation import Simulation
from lso_sim.messages.envelope import Kind
from lso_sim.scenarios import run_scenario
from lso_sim.scenarios.runner import RunResult
from lso_sim.scenarios.schema import Scenario


@dataclass(frozen=True, slots=True)
class Outgoing:
    """What a channel knows about the message it is about to carry."""

    kind: Kind
    operation: str
    thread: str
    src: str
    dst: str
    instance: str = ""


@dataclass(slots=True)
class Dropper:
    """Loses messages that match its rules.

    Attributes:
        nth: ``(operation, kind) -> the occurrences (1-based) to lose``.
        loss: probability of losing any message of a thread other than ``spare`` on ``irps``.
        irps: the IRPs ``loss`` applies to (all when empty).
        spare: threads whose messages are never lost by ``loss`` (the 10.2 prerequisite orders).
        seed: seed of the stream ``loss`` draws from.
        match: loses every message it is true of (whatever its thread).
    """

    nth: dict[tuple[str, Kind], set[int]] = field(default_factory=dict)
    loss: float = 0.0
    irps: frozenset[Irp] = frozenset()
    spare: frozenset[str] = frozenset({"10.2"})
    seed: int = 0
    match: Callable[[Outgoing], bool] | None = None
    seen: Counter[tuple[str, Kind]] = field(default_factory=Counter)
    dropped: list[Outgoing] = field(default_factory=list)
    current: Outgoing | None = None
    _rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def decide(self, irp: Irp) -> bool:
        """True when the message about to cross a channel of ``irp`` is to be lost."""
        out = self.current
        if out is None:
            return False
        key = (out.operation, out.kind)
        self.seen[key] += 1
        lose = self.seen[key] in self.nth.get(key, ()) or (self.match is not None and self.match(out))
        if not lose and self.loss and out.thread not in self.spare and (not self.irps or irp in self.irps):
            lose = self._rng.random() < self.loss
        if lose:
            self.dropped.append(out)
        return lose

    def factory(self, irp: Irp, ends: tuple[str, str], spec: ChannelSpec, rng: random.Random) -> Channel:
        """A ``channel_factory`` for :func:`~lso_sim.scenarios.run_scenario`."""
        return _DroppingChannel(self, irp, ends, spec, rng)

    @contextmanager
    def watching(self) -> Iterator[Dropper]:
        """Tell the channels which message each send carries, for the duration of the block."""
        original: Callable[..., Any] = Simulation.send
        dropper = self

        def send(
            sim: Simulation, src: str, dst: str, kind: Kind, operation: str, payload: Any, **kw: Any
        ) -> Any:
            flow = kw["flow"]
            dropper.current = Outgoing(kind, operation, flow.thread, src, dst, flow.instance)
            try:
                return original(sim, src, dst, kind, operation, payload, **kw)
            finally:
                dropper.current = None

        Simulation.send = send  # type: ignore[method-assign]
        try:
            yield self
        finally:
            Simulation.send = original  # type: ignore[method-assign]


class _DroppingChannel(Channel):
    __slots__ = ("_dropper",)

    def __init__(
        self, dropper: Dropper, irp: Irp, ends: tuple[str, str], spec: ChannelSpec, rng: random.Random
    ) -> None:
        super().__init__(irp, ends, spec, rng)
        self._dropper = dropper

    def transit(self, now: float) -> float | None:
        if self._dropper.decide(self.irp):
            self.sent += 1
            self.lost += 1
            return None
        return super().transit(now)


def run_lossy(scenario: Scenario, dropper: Dropper, horizon: float) -> tuple[RunResult, MemoryTrace]:
    """Run ``scenario`` up to ``horizon`` with ``dropper`` losing messages; its trace kept."""
    trace = MemoryTrace()
    with dropper.watching():
        result = run_scenario(
            scenario.model_copy(update={"horizon": horizon}), [trace], channel_factory=dropper.factory
        )
    return result, trace


def check_every_instance_ended(
    result: RunResult, trace: MemoryTrace, must_explain: Callable[[Outcome], bool] = lambda _o: False
) -> None:
    """Every instance ended exactly once, none left ``open`` at the horizon, no background work
    crashed, and each outcome ``must_explain`` picks says why."""
    outcomes = Counter(r.instance for r in trace.records if r.kind is Kind.OUTCOME)
    assert set(outcomes) == set(result.world.outcomes)
    assert all(n == 1 for n in outcomes.values()), outcomes
    for outcome in result.world.outcomes.values():
        assert outcome.state != "open", f"{outcome.instance}: {outcome.reason}"
        if must_explain(outcome):
            assert outcome.reason, f"{outcome.instance} ended {outcome.state} without a reason"
    crashes = [r for r in trace.records if r.kind is Kind.ERROR and r.operation == "backgroundFailed"]
    assert not crashes
