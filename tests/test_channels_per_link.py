"""Channels per link: ``towards`` a domain and ``between`` two actors, the most specific winning.

A scenario without such entries must build exactly the channels it always did (the goldens depend
on it); with them, each link's effective setting is the one the architecture command shows and the
one the run uses.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Runner

from lso_sim.cli.main import main
from lso_sim.errors import ScenarioError
from lso_sim.messages.envelope import Kind
from lso_sim.scenarios import parse_scenario
from lso_sim.scenarios.build import build_architecture
from lso_sim.scenarios.channels import link_settings, link_specs
from lso_sim.scenarios.schema import Scenario

SONATA_LINK = ("bus-partner-1", "bus-sp")


def _with_channels(scenario: Scenario, sonata: dict[str, Any]) -> Scenario:
    data = scenario.model_dump(mode="json", by_alias=True, exclude={"expect"})
    data["channels"]["SONATA"] = sonata
    return parse_scenario(data, "<test>")


def _setting(scenario: Scenario, irp: str, ends: tuple[str, str]) -> Any:
    (found,) = [
        s for s in link_settings(scenario, build_architecture(scenario)) if s.irp == irp and s.ends == ends
    ]
    return found


def test_a_scenario_without_link_entries_keeps_its_irp_channels(scenario_10_2: Scenario) -> None:
    """No towards/between: no per-link spec, so every channel (and every golden) is unchanged."""
    assert link_specs(scenario_10_2, build_architecture(scenario_10_2)) == {}


@pytest.mark.parametrize(
    ("sonata", "latency", "loss", "capacity", "source"),
    [
        ({"latency": 1.0}, 1.0, 0.0, None, ("SONATA",)),
        (
            {"latency": 1.0, "loss": 0.1, "towards": {"partner-1": {"latency": 2.0}}},
            2.0,
            0.1,  # towards writes only latency: loss stays the IRP's
            None,
            ("SONATA", "SONATA towards partner-1"),
        ),
        (
            {
                "latency": 1.0,
                "towards": {"partner-1": {"latency": 2.0, "capacity": 5}},
                "between": [{"actors": ["bus-sp", "bus-partner-1"], "latency": 3.0}],
            },
            3.0,
            0.0,
            5,
            ("SONATA", "SONATA towards partner-1", "SONATA between bus-sp and bus-partner-1"),
        ),
        (
            {"latency": 1.0, "capacity": 4, "towards": {"partner-1": {"capacity": None}}},
            1.0,
            0.0,
            None,  # a written null lifts the IRP's capacity limit on these links
            ("SONATA", "SONATA towards partner-1"),
        ),
    ],
    ids=["irp", "towards-over-irp", "between-over-towards", "null-capacity"],
)
def test_the_most_specific_setting_wins_field_by_field(
    scenario_10_2: Scenario,
    sonata: dict[str, Any],
    latency: float,
    loss: float,
    capacity: int | None,
    source: tuple[str, ...],
) -> None:
    setting = _setting(_with_channels(scenario_10_2, sonata), "SONATA", SONATA_LINK)
    assert setting.latency.kind == "constant"
    assert (setting.latency.value, setting.loss, setting.capacity, setting.source) == (
        latency,
        loss,
        capacity,
        source,
    )


def test_a_towards_entry_leaves_the_other_links_of_its_irp_alone(scenario_10_2: Scenario) -> None:
    data = scenario_10_2.model_dump(mode="json", by_alias=True, exclude={"expect"})
    data["channels"]["LEGATO"] = {"latency": 0.5, "towards": {"partner-1": {"latency": 4.0}}}
    scenario = parse_scenario(data, "<test>")
    partner = _setting(scenario, "LEGATO", ("bus-partner-1", "sof-partner-1"))
    own = _setting(scenario, "LEGATO", ("bus-sp", "sof-sp"))
    assert (partner.latency.value, own.latency.value) == (4.0, 0.5)


def test_the_run_uses_the_most_specific_setting(scenario_10_2: Scenario, run: Runner) -> None:
    """Every SONATA message takes the ``between`` latency exactly; other IRPs are untouched."""
    scenario = _with_channels(
        scenario_10_2,
        {
            "latency": 1.0,
            "towards": {"partner-1": {"latency": 2.0}},
            "between": [{"actors": ["bus-partner-1", "bus-sp"], "latency": 3.0}],
        },
    )
    _, trace = run(scenario)
    sonata = [r for r in trace.records if r.irp == "SONATA" and r.kind in (Kind.REQUEST, Kind.RESPONSE)]
    assert sonata
    assert {round(r.delivered - r.time, 9) for r in sonata if r.delivered is not None} == {3.0}


def test_a_dumped_scenario_reads_back_with_the_same_link_settings(scenario_10_2: Scenario) -> None:
    """Defaults of a towards entry are not written out (else they would start to win on reading)."""
    scenario = _with_channels(
        scenario_10_2, {"latency": 1.0, "loss": 0.2, "towards": {"partner-1": {"latency": 2.0}}}
    )
    again = parse_scenario(scenario.model_dump(mode="json", by_alias=True), "<again>")
    assert _setting(again, "SONATA", SONATA_LINK) == _setting(scenario, "SONATA", SONATA_LINK)


@pytest.mark.parametrize(
    ("channels", "field", "expected"),
    [
        (
            {"SONATA": {"towards": {"partner-9": {"loss": 0.1}}}},
            "channels.SONATA.towards.partner-9",
            "domain id",
        ),
        ({"SONATA": {"towards": {"acme": {"loss": 0.1}}}}, "channels.SONATA.towards.acme", "SONATA link"),
        (
            {"SONATA": {"between": [{"actors": ["bus-sp", "nobody"], "loss": 0.1}]}},
            "channels.SONATA.between.0.actors.1",
            "actor id",
        ),
        (
            {"SONATA": {"between": [{"actors": ["bus-sp", "sof-sp"], "loss": 0.1}]}},
            "channels.SONATA.between.0.actors",
            "joined by SONATA",
        ),
        (
            {"SONATA": {"between": [{"actors": ["bus-sp", "bus-sp"]}]}},
            "channels.SONATA.between.0",
            "two different actors",
        ),
        ({"default": {"towards": {"partner-1": {"loss": 0.1}}}}, "channels.default.towards", "IRP's entry"),
        (
            {"SONATA": {"towards": {"partner-1": {"los": 0.1}}}},
            "channels.SONATA.towards.partner-1.los",
            "unknown",
        ),
    ],
)
def test_a_bad_link_entry_is_a_located_error(
    scenario_10_2: Scenario, channels: dict[str, Any], field: str, expected: str
) -> None:
    data = scenario_10_2.model_dump(mode="json", by_alias=True, exclude={"expect"})
    data["channels"] = channels
    with pytest.raises(ScenarioError, match=expected) as caught:
        parse_scenario(data, "bad.yaml")
    assert caught.value.field == field


def test_architecture_shows_the_effective_setting_of_each_link(
    tmp_path: Any, scenario_10_2: Scenario, capsys: pytest.CaptureFixture[str]
) -> None:
    import yaml

    data = scenario_10_2.model_dump(mode="json", by_alias=True, exclude={"expect"})
    data["channels"]["SONATA"] = {"latency": 1.0, "towards": {"partner-1": {"loss": 0.25}}}
    path = tmp_path / "links.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["architecture", str(path)]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if "bus-partner-1 - bus-sp" in line)
    assert "0.25" in line
    assert "SONATA > SONATA towards partner-1" in line
