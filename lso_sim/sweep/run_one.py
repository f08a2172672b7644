"""One run of a sweep, in whichever process or Dask worker gets it; it never raises.

A failure inside a run (a bug: inputs were checked before the sweep started) becomes the run's
``error`` with its traceback, so one bad run neither stops the sweep nor loses the others, and
the sweep reports it instead of a number (desmod's ``simulate()`` does the same).
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field

from lso_sim.report.summary import SummaryObserver, flat_metrics, run_summary
from lso_sim.scenarios.loader import load_scenario_text
from lso_sim.scenarios.overrides import parse_overrides
from lso_sim.scenarios.runner import run_scenario
from lso_sim.sweep.plan import RunSpec


@dataclass(frozen=True, slots=True)
class RunRow:
    """What a run leaves in a sweep: its spec, its metrics (see
    :func:`lso_sim.report.summary.flat_metrics`) or the error that stopped it."""

    spec: RunSpec
    metrics: dict[str, float] = field(default_factory=dict)
    error: str | None = None


def run_one(spec: RunSpec) -> RunRow:
    """Run ``spec`` keeping only its summary (no trace)."""
    try:
        scenario = load_scenario_text(spec.text, spec.scenario, parse_overrides(spec.overrides))
        update: dict[str, object] = {"seed": spec.seed}
        if spec.until is not None:
            update["horizon"] = spec.until
        scenario = scenario.model_copy(update=update)
        observer = SummaryObserver()
        result = run_scenario(scenario, [observer])
        broken = [] if result.invariants is None else result.invariants.failures()
        summary = run_summary(
            observer,
            result.world.outcomes.values(),
            scenario=scenario.name,
            seed=spec.seed,
            end_time=result.end_time,
            cut=result.cut,
            invariants=broken,
        )
        metrics = flat_metrics(summary)
        metrics["invariants_broken"] = len(broken)
        return RunRow(spec, metrics)
    except Exception as exc:  # a sweep reports a failed run, it does not stop
        return RunRow(spec, error="".join(traceback.format_exception(exc)))
