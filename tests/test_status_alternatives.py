"""MEF's ALTERNATIVE status paths: 10.5 step 12 and 10.6 step 7 go over CANTATA or ALLEGRO, never both.

Each Customer's contract names the IRP (``status_via``); CANTATA, where MEF's text leads, is the
default. Over CANTATA, BUS-sp tells the Customer (ticket and incident events, quality status); over
ALLEGRO, SOF-sp does (``troubleStatusUpdate``, ``serviceQualityStatusUpdate``) and BUS-sp sends the
Customer no status at all.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lso_sim.cli.main import main
from lso_sim.engine.observers import MemoryTrace
from lso_sim.messages.envelope import Kind
from lso_sim.scenarios import load_scenario, run_scenario
from lso_sim.scenarios.overrides import parse_override

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"

STATUS = {
    # thread: (step, the CANTATA operations BUS-sp tells the Customer with, the ALLEGRO one of SOF-sp)
    "10.5": (
        "12",
        {
            "listenToTroubleTicketStatusChangeEvent",
            "listenToTroubleTicketResolvedEvent",
            "listenToIncidentCreateEvent",
            "listenToIncidentStatusChangeEvent",
        },
        "troubleStatusUpdate",
    ),
    "10.6": ("7", {"productQualityStatusEvent"}, "serviceQualityStatusUpdate"),
}


def _status_hops(thread: str, via: str) -> tuple[list[str], list[str]]:
    scenario = load_scenario(
        SCENARIOS / f"thread-{thread}.yaml", [parse_override(f"customers.0.status_via={via}")]
    )
    trace = MemoryTrace()
    result = run_scenario(scenario, [trace])
    assert all(o.ended is not None for o in result.world.outcomes.values())
    to_customer = [
        r for r in trace.records if r.thread == thread and r.dst == "acme" and r.kind is Kind.NOTIFICATION
    ]
    cantata = [r.operation for r in to_customer if r.irp == "CANTATA"]
    allegro = [r.operation for r in to_customer if r.irp == "ALLEGRO"]
    return cantata, allegro


@pytest.mark.parametrize("thread", sorted(STATUS))
@pytest.mark.parametrize("via", ["CANTATA", "ALLEGRO"])
def test_status_reaches_the_customer_over_one_irp_only(thread: str, via: str) -> None:
    """The contract's IRP carries every status update of the step; the other IRP carries none."""
    _step, cantata_ops, allegro_op = STATUS[thread]
    cantata, allegro = _status_hops(thread, via)
    if via == "CANTATA":
        assert cantata and set(cantata) <= cantata_ops
        assert allegro == []
    else:
        assert cantata == []
        assert allegro and set(allegro) == {allegro_op}


def test_canonical_scenarios_keep_mef_s_leading_path() -> None:
    """Without ``status_via`` a customer hears over CANTATA, as MEF's text leads."""
    for thread in STATUS:
        scenario = load_scenario(SCENARIOS / f"thread-{thread}.yaml")
        assert {c.status_via for c in scenario.customers} == {"CANTATA"}


@pytest.mark.parametrize("thread", sorted(STATUS))
def test_the_allegro_scenarios_meet_their_expectations(thread: str) -> None:
    """The worked ALLEGRO variants (scenarios/alternatives/) pass their ``expect:`` blocks."""
    assert main(["run", str(SCENARIOS / "alternatives" / f"thread-{thread}-allegro.yaml"), "--quiet"]) == 0


def test_an_unknown_status_irp_is_a_located_scenario_error(capsys: pytest.CaptureFixture[str]) -> None:
    """``status_via: SMS`` exits 2 naming the file, the field path and the IRPs allowed."""
    code = main(
        ["run", str(SCENARIOS / "thread-10.5.yaml"), "--set", "customers.0.status_via=SMS", "--quiet"]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "customers.0.status_via" in err and "CANTATA" in err and "ALLEGRO" in err


def test_the_old_both_ways_switch_says_what_replaced_it(capsys: pytest.CaptureFixture[str]) -> None:
    """``trouble.allegro_updates`` (both IRPs at once) is refused, pointing at ``status_via``."""
    code = main(
        ["run", str(SCENARIOS / "thread-10.5.yaml"), "--set", "workload.0.trouble.allegro_updates=true"]
    )
    err = capsys.readouterr().err
    assert code == 2 and "workload.0.trouble" in err and "status_via: ALLEGRO" in err
