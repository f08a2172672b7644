"""Running a scenario: build the world, start the workload, run to the end."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from lso_sim.actors.outcomes import Outcome
from lso_sim.actors.world import World
from lso_sim.engine.launches import Body, Launches
from lso_sim.engine.observers import TraceObserver
from lso_sim.engine.simulation import ChannelFactory
from lso_sim.invariants import InvariantReport, MessageLedger, check_run
from lso_sim.scenarios import api_script
from lso_sim.scenarios.assurance import prerequisite_orders
from lso_sim.scenarios.build import OrderRequests, build_world
from lso_sim.scenarios.schema import HORIZON_AFTER_LAST_ARRIVAL, Scenario
from lso_sim.scenarios.starters import STARTERS
from lso_sim.threads import ordering


@dataclass(slots=True)
class RunResult:
    """What a run leaves: the world (actors, outcomes, channels) and the scenario it ran.

    Attributes:
        horizon: the simulated time the run was allowed to reach.
        cut: True when the horizon stopped the run with work still scheduled.
        open: instances that were still running when it stopped (each ended ``open``).
    """

    scenario: Scenario
    world: World
    horizon: float = 0.0
    cut: bool = False
    open: list[Outcome] = field(default_factory=list)
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
    """Run ``scenario`` until nothing is left to happen or its horizon (``until`` overrides it).

    Every thread instance that began ends with an outcome: those still running at the horizon (or
    stuck with nothing left to happen) end ``open``, saying what they were waiting for. The
    invariants are checked after the run.
    """
    ledger = MessageLedger()
    world = build_world(scenario, [ledger, *observers], channel_factory=channel_factory, pace=pace)
    requests = OrderRequests(scenario, world)
    horizon = until if until is not None else scenario.horizon or default_horizon(scenario, requests)
    # Each order is made, and its process, when it arrives (engine/launches.py), not all at time 0.
    Launches(world.sim.env).start_all(_Arrivals(world, requests))
    for work in scenario.workload:
        if work.thread != ordering.THREAD:
            STARTERS[work.thread](scenario, work, world)
        elif work.api_script is not None:
            api_script.start(scenario, work, world)
    cut = world.sim.run(until=horizon)
    still = world.close_open(at_horizon=cut)
    return RunResult(scenario, world, horizon, cut, still, check_run(world, ledger, cut=cut))


def _order_body(world: World, request: ordering.OrderRequest) -> Body:
    return lambda: world.guarded(ordering.run(world, request), request.instance)


@dataclass(frozen=True, slots=True)
class _Arrivals:
    """Each order's start and the body of its process, walked anew each time (as its orders are)."""

    world: World
    requests: Iterable[ordering.OrderRequest]

    def __iter__(self) -> Iterator[tuple[float, Body]]:
        return ((request.start, _order_body(self.world, request)) for request in self.requests)


def default_horizon(scenario: Scenario, requests: Iterable[ordering.OrderRequest]) -> float:
    """A year (:data:`HORIZON_AFTER_LAST_ARRIVAL`) after the last arrival the workload schedules."""
    last = max((r.start for r in requests), default=0.0)
    for work in scenario.workload:
        starts = [step.at for step in work.api_script or [] if step.at is not None]
        if work.thread != ordering.THREAD:
            starts += [r.start for r in prerequisite_orders(scenario, work)]
        last = max([last, *starts])
    return last + HORIZON_AFTER_LAST_ARRIVAL
