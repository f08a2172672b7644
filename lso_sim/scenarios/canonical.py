"""Canonical scenarios: the scenario ``lso-sim run --thread ID`` runs for each thread.

They live in the repository's ``scenarios/`` folder as ``thread-<ID>.yaml`` (override the folder
with ``$LSO_SIM_SCENARIOS``), so users read and copy the same files the tests run.
"""

from __future__ import annotations

import os
from pathlib import Path

from lso_sim.errors import UnknownThreadError
from lso_sim.threads.catalog import thread_info
from lso_sim.threads.registry import is_implemented, runnable_threads


def scenarios_dir() -> Path:
    """The folder holding the canonical scenarios."""
    override = os.environ.get("LSO_SIM_SCENARIOS")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "scenarios"


def canonical_scenario(thread_id: str) -> Path:
    """Path of the canonical scenario of ``thread_id``.

    Raises:
        UnknownThreadError: the thread does not exist, is not implemented, or has no file.
    """
    info = thread_info(thread_id)
    if not is_implemented(thread_id):
        runnable = ", ".join(runnable_threads())
        raise UnknownThreadError(
            f"thread {thread_id} ({info.title}) is not implemented yet; runnable: {runnable}"
        )
    path = scenarios_dir() / f"thread-{thread_id}.yaml"
    if not path.is_file():
        raise UnknownThreadError(f"no canonical scenario for thread {thread_id} at {path}")
    return path
