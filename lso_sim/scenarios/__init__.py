"""Scenarios: the file format, loading with clear errors, building worlds and running them."""

from lso_sim.scenarios.canonical import canonical_scenario, scenarios_dir
from lso_sim.scenarios.loader import load_scenario, parse_scenario
from lso_sim.scenarios.runner import RunResult, run_scenario
from lso_sim.scenarios.schema import Scenario

__all__ = [
    "RunResult",
    "Scenario",
    "canonical_scenario",
    "load_scenario",
    "parse_scenario",
    "run_scenario",
    "scenarios_dir",
]
