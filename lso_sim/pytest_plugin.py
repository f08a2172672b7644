"""pytest plugin: ``pytest scenarios/`` checks each scenario file like ``lso-sim check`` does.

Registered through the ``pytest11`` entry point, so installing lso-sim is enough. Collection is
opt-in, so a project's own ``pytest`` run never runs scenarios by surprise: a YAML scenario file
becomes a test item only when it lies under a path given explicitly on the command line
(``pytest scenarios/``) or when ``--lso-scenarios`` is given. Each item runs the scenario,
evaluates its ``expect:`` block and replays its golden; a failure is reported as the readable
report of ``lso-sim check`` (failed expectations, first divergence side by side, counts).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

if TYPE_CHECKING:
    from lso_sim.replay.check import CheckResult

# The simulator is imported only when a scenario item runs, so a pytest session that collects no
# scenario (a project's own test suite) does not pay for loading it.
_GOLDENS_DIR = "goldens"

_SCENARIO_KEYS = frozenset({"workload", "topology", "customers"})
"""Top-level keys that mark a YAML file as an lso-sim scenario (other YAML files are left alone)."""


def pytest_addoption(parser: pytest.Parser) -> None:
    """The plugin's options, in their own group of ``pytest --help``."""
    group = parser.getgroup("lso-sim", "lso-sim scenario checks")
    group.addoption(
        "--lso-scenarios",
        action="store_true",
        help="collect lso-sim scenario files (*.yaml) wherever pytest looks, not only under explicit paths",
    )
    group.addoption(
        "--lso-update-goldens", action="store_true", help="rewrite each scenario's golden from its run"
    )
    group.addoption("--lso-require-goldens", action="store_true", help="fail scenarios that have no golden")
    group.addoption(
        "--lso-ignore",
        action="append",
        default=[],
        metavar="FIELD",
        help="leave a field out of golden comparisons (e.g. time, payload.**.eventTime); repeatable",
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> ScenarioFile | None:
    """A :class:`ScenarioFile` for a scenario YAML file the user asked for."""
    if file_path.suffix not in (".yaml", ".yml") or _GOLDENS_DIR in file_path.parts:
        return None
    config = parent.config
    if not (config.getoption("lso_scenarios") or _given_explicitly(config, file_path)):
        return None
    if not _looks_like_scenario(file_path):
        return None
    node: ScenarioFile = ScenarioFile.from_parent(parent, path=file_path)
    return node


def _given_explicitly(config: pytest.Config, file_path: Path) -> bool:
    """True when ``file_path`` is, or lies under, a path named on the command line."""
    base = config.invocation_params.dir
    target = file_path.resolve()
    for arg in config.invocation_params.args:
        text = str(arg).split("::")[0]
        if not text or text.startswith("-"):
            continue
        given = (base / text).resolve()
        if given.exists() and (target == given or given in target.parents):
            return True
    return False


def _looks_like_scenario(path: Path) -> bool:
    """True for a YAML mapping with scenario keys, and for unparsable YAML (reported as a failure)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return True
    return isinstance(data, dict) and bool(_SCENARIO_KEYS & set(data))


class ScenarioCheckFailed(Exception):
    """Raised by a scenario item whose check did not pass; carries the check's result."""

    def __init__(self, result: CheckResult) -> None:
        super().__init__(result.scenario)
        self.result = result


class ScenarioFile(pytest.File):
    """A scenario YAML file: one test item checking it."""

    def collect(self) -> Iterator[ScenarioItem]:
        yield ScenarioItem.from_parent(self, name=self.path.stem)


class ScenarioItem(pytest.Item):
    """Runs one scenario, evaluates its expectations and replays its golden."""

    def runtest(self) -> None:
        from lso_sim.replay.check import check_scenario

        config = self.config
        result = check_scenario(
            self.path,
            ignore=tuple(config.getoption("lso_ignore")),
            update_goldens=bool(config.getoption("lso_update_goldens")),
            require_golden=bool(config.getoption("lso_require_goldens")),
        )
        self.user_properties.append(("golden", result.golden))
        self.user_properties.append(("records", result.records))
        if result.status != "passed":
            raise ScenarioCheckFailed(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str | Any:
        """The readable check report instead of a traceback into lso-sim."""
        if isinstance(excinfo.value, ScenarioCheckFailed):
            from lso_sim.replay.render import as_text, check_report

            result = excinfo.value.result
            return f"{result.scenario}: {result.status}\n" + as_text(check_report(result))
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"lso-sim scenario {self.name}"
