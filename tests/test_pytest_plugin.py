"""The pytest plugin: `pytest scenarios/` collects scenario files as tests, opt-in only, and
reports a failure as the readable check report."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SCENARIOS

from lso_sim.replay import golden_path, replay

pytest_plugins = ["pytester"]


@pytest.fixture
def project(pytester: pytest.Pytester) -> Path:
    """A pytester folder with scenarios/thread-10.2.yaml, its golden, and a YAML file that is no scenario."""
    root = pytester.path
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    folder = root / "scenarios"
    folder.mkdir()
    scenario = folder / "thread-10.2.yaml"
    scenario.write_bytes((SCENARIOS / "thread-10.2.yaml").read_bytes())
    replay(golden_path(scenario), scenario=scenario, update=True)
    (folder / "settings.yaml").write_text("colour: blue\n", encoding="utf-8")
    return folder


def test_explicit_path_collects_and_passes(pytester: pytest.Pytester, project: Path) -> None:
    """Each scenario file under an explicit path is one test item; other YAML files are ignored."""
    result = pytester.runpytest("scenarios", "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*scenarios/thread-10.2.yaml::thread-10.2 PASSED*"])


def test_nothing_is_collected_without_opt_in(pytester: pytest.Pytester, project: Path) -> None:
    """A plain `pytest` run does not pick scenario files up; --lso-scenarios does."""
    assert pytester.runpytest().ret == pytest.ExitCode.NO_TESTS_COLLECTED
    pytester.runpytest("--lso-scenarios").assert_outcomes(passed=1)


def test_changed_scenario_fails_with_the_readable_diff(pytester: pytest.Pytester, project: Path) -> None:
    """A drifted scenario fails with the first divergence side by side, not a traceback."""
    scenario = project / "thread-10.2.yaml"
    scenario.write_text(scenario.read_text().replace("bandwidth_mbps: 200", "bandwidth_mbps: 300"))
    result = pytester.runpytest("scenarios", "--lso-ignore", "time", "--lso-ignore", "delivered")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*thread-10.2.yaml: failed*",
            "*first divergence: changed*",
            "*irValue*200.0*300.0*",
            "*changed, * added, * removed, * unchanged*",
        ]
    )
    assert "Traceback" not in result.stdout.str()
    pytester.runpytest("scenarios", "--lso-update-goldens").assert_outcomes(passed=1)
    pytester.runpytest("scenarios").assert_outcomes(passed=1)


def test_failed_expectation_is_listed(pytester: pytest.Pytester, project: Path) -> None:
    """A missed expectation fails the item and is named by its field path."""
    scenario = project / "thread-10.2.yaml"
    scenario.write_text(scenario.read_text() + "  end_time: 60\n")
    result = pytester.runpytest("scenarios/thread-10.2.yaml")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*1 expectation failed*", "*expect.end_time: the run ended at*"])
