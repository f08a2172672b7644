"""Running a scenario: build the world, start the workload, run to the end."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lso_sim.actors.world import World
from lso_sim.engine.observers import TraceObserver
from lso_sim.engine.simulation import ChannelFactory
from lso_sim.invariants import InvariantReport, MessageLedger, check_run
from lso_sim.scenarios import api_script
from lso_sim.scenarios.build import build_world, order_requests
from lso_sim.scenarios.schema import Scenario
from lso_sim.scenarios.starters import STARTERS
from lso_sim.threads import ordering


@dataclass(slots=True)
class RunResult:
    """What a run leaves: the world (actors, outcomes, channels) and the scenario it ran."""

    scenario: Scenario
    world: World
    invariants: InvariantReport | None = None
    """The invariants checked after the run (docs/faults.md, "Invariants")."""

    @property
    def end_time(self) -> float:
        """Simulated time when the last event happened."""
        return self.world.sim.now


def run_scenario(
    scenario: Scenario,
    observers: Iterable[TraceObserver] = (),
    *,
    until: float | None = None,
    channel_factory: ChannelFactory | None = None,
    pace: float | None = None,
) -> RunResult:
    """Run ``scenario`` to completion (or to simulated time ``until``)."""
    ledger = MessageLedger()
    world = build_world(scenario, [ledger, *observers], channel_factory=channel_factory, pace=pace)
    for request in order_requests(scenario, world):
        world.sim.env.process(ordering.run(world, request))
    for work in scenario.workload:
        if work.thread != ordering.THREAD:
            STARTERS[work.thread](scenario, work, world)
        elif work.api_script is not None:
            api_script.start(scenario, work, world)
    world.sim.run(until=until)
    return RunResult(scenario, world, check_run(world, ledger))
