"""Paths of the repository's canonical scenarios, for tests that build worlds themselves."""

from pathlib import Path

SCENARIO_10_2 = Path(__file__).resolve().parents[1] / "scenarios" / "thread-10.2.yaml"
