"""Regression replay for CI: golden traces, comparing runs with them, checking scenarios.

- :mod:`~lso_sim.replay.paths`: where goldens live, how a header names its scenario;
- :mod:`~lso_sim.replay.golden`: record a run, read and write goldens, format versions;
- :mod:`~lso_sim.replay.compare`: align two traces, find the first divergence, count changes;
- :mod:`~lso_sim.replay.check`: replay a golden, check a scenario (expectations + golden), many at once;
- :mod:`~lso_sim.replay.render` and :mod:`~lso_sim.replay.junit`: reports for people and CI systems.
"""

from lso_sim.replay.check import CheckResult, ReplayResult, check_all, check_scenario, discover, replay
from lso_sim.replay.compare import Comparison, Divergence, FieldDiff, compare
from lso_sim.replay.golden import read_golden, record_run, write_golden
from lso_sim.replay.paths import golden_path

__all__ = [
    "CheckResult",
    "Comparison",
    "Divergence",
    "FieldDiff",
    "ReplayResult",
    "check_all",
    "check_scenario",
    "compare",
    "discover",
    "golden_path",
    "read_golden",
    "record_run",
    "replay",
    "write_golden",
]
