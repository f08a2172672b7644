"""`lso-sim check`: many scenarios with expectations and goldens, a summary, JUnit XML, --jobs."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from lso_sim.cli.main import main
from lso_sim.replay import check_all, discover, golden_path, replay


def _suite(project: Path) -> Path:
    """scenarios/: good (golden identical), drifted (golden differs), late (expectation fails,
    no golden), broken (bad scenario)."""
    folder = project / "scenarios"
    canonical = (folder / "thread-10.2.yaml").read_text(encoding="utf-8")
    (folder / "thread-10.2.yaml").rename(folder / "good.yaml")
    (folder / "drifted.yaml").write_text(canonical, encoding="utf-8")
    for name in ("good", "drifted"):
        replay(golden_path(folder / f"{name}.yaml"), scenario=folder / f"{name}.yaml", update=True)
    (folder / "drifted.yaml").write_text(canonical.replace("bandwidth_mbps: 200", "bandwidth_mbps: 300"))
    (folder / "late.yaml").write_text(canonical + "  end_time: 60\n", encoding="utf-8")
    (folder / "broken.yaml").write_text(canonical.replace("seed: 7", "seed: seven"), encoding="utf-8")
    return folder


def test_check_reports_each_scenario_and_writes_valid_junit(
    scenario_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One row per scenario, the failures in detail, JUnit XML with the right counts; exit 2 (bad input)."""
    folder = _suite(scenario_project)
    junit = scenario_project / "reports" / "junit.xml"
    assert main(["check", str(folder), "--junit", str(junit)]) == 2
    out = capsys.readouterr().out
    assert "Scenario checks" in out and "1 of 4 scenarios passed" in out
    assert "differs at seq" in out and "first divergence: changed" in out
    assert "expect.end_time: the run ended at" in out
    assert "seed: Input should be a valid integer" in out

    root = ET.parse(junit).getroot()
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    suite = suites[0]
    for element in (root, suite):
        assert (element.get("tests"), element.get("failures"), element.get("errors")) == ("4", "2", "1")
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert sorted(cases) == ["broken.yaml", "drifted.yaml", "good.yaml", "late.yaml"]
    assert all(float(case.get("time", "-1")) >= 0 for case in cases.values())
    assert list(cases["good.yaml"]) == []
    drifted = cases["drifted.yaml"].find("failure")
    assert drifted is not None and "golden differs" in (drifted.get("message") or "")
    assert "irValue" in (drifted.text or "")
    late = cases["late.yaml"].find("failure")
    assert late is not None and late.get("message") == "1 expectation failed"
    broken = cases["broken.yaml"].find("error")
    assert broken is not None and "broken.yaml: seed" in (broken.get("message") or "")
    assert len(suite.findall(".//failure")) == 2 and len(suite.findall(".//error")) == 1


def test_jobs_give_the_same_results_in_the_same_order(scenario_project: Path) -> None:
    """--jobs 2 computes in other processes but returns what one process returns, in file order."""
    folder = _suite(scenario_project)

    def facts(jobs: int) -> list[tuple[str, str, str, tuple[str, ...], str | None]]:
        return [
            (r.scenario.name, r.status, r.golden, r.failures, r.error) for r in check_all([folder], jobs=jobs)
        ]

    serial = facts(1)
    assert [name for name, *_ in serial] == ["broken.yaml", "drifted.yaml", "good.yaml", "late.yaml"]
    assert facts(2) == serial


def test_update_goldens_then_check_passes(scenario_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without goldens --require-goldens fails; --update-goldens records them; then all pass."""
    folder = scenario_project / "scenarios"
    assert main(["check", str(folder), "--require-goldens"]) == 1
    assert "no golden trace" in capsys.readouterr().out
    assert main(["check", str(folder), "--update-goldens"]) == 0
    assert "created" in capsys.readouterr().out
    assert golden_path(folder / "thread-10.2.yaml").is_file()
    assert main(["check", str(folder), "--require-goldens", "--jobs", "2"]) == 0
    assert "identical" in capsys.readouterr().out


def test_discover_skips_goldens_and_rejects_missing_paths(scenario_project: Path) -> None:
    """Scenario discovery: YAML files under folders (not goldens/), files as given, clear errors."""
    folder = scenario_project / "scenarios"
    (folder / "goldens").mkdir()
    (folder / "goldens" / "stray.yaml").write_text("name: x\n", encoding="utf-8")
    (folder / "more").mkdir()
    (folder / "more" / "b.yml").write_text("name: y\n", encoding="utf-8")
    assert [p.relative_to(folder).as_posix() for p in discover([folder])] == [
        "more/b.yml",
        "thread-10.2.yaml",
    ]
    assert main(["check", str(folder / "nope")]) == 2


@pytest.mark.parametrize("jobs", ["-1", "many"])
def test_bad_jobs_value_is_a_usage_error(jobs: str) -> None:
    """--jobs takes 0 (one per CPU) or more."""
    with pytest.raises(SystemExit) as info:
        main(["check", "scenarios", "--jobs", jobs])
    assert info.value.code == 2
