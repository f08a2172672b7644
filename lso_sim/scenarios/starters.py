"""How each thread's workload block becomes running thread instances.

The scenario layer owns this translation so that threads never see scenario files: a starter reads
one validated :class:`~lso_sim.scenarios.schema.WorkloadModel` and starts simpy processes of its
thread on the world. Thread 10.2's orders are started by :func:`~lso_sim.scenarios.build.order_requests`
(they are numbered across the whole workload); every other thread registers a starter here.
"""

from __future__ import annotations

from collections.abc import Callable

from lso_sim.actors.world import World
from lso_sim.scenarios import assurance, cloud, onboarding, security, trouble_billing
from lso_sim.scenarios.schema import Scenario, WorkloadModel

Starter = Callable[[Scenario, WorkloadModel, World], None]
"""Starts the work of one workload item (called once per item, before the clock runs)."""

STARTERS: dict[str, Starter] = {
    "10.1": onboarding.start_onboarding,
    "10.3": assurance.start_control,
    "10.4": assurance.start_reports,
    "10.5": trouble_billing.start_trouble,
    "10.6": assurance.start_sls,
    "10.7": trouble_billing.start_billing,
    "10.8": security.start_probes,
    "10.9": cloud.start_cloud,
}
"""Thread id -> its starter (every runnable thread but 10.2)."""
