"""Every MEF-API payload of every canonical scenario validates against the MEF definitions.

All ``scenarios/*.yaml`` are globbed (the canonical ``thread-*.yaml`` and the API tours), so a
scenario added later is covered by the same test. SONATA and CANTATA (product APIs), LEGATO (service
ordering), INTERLUDE (performance jobs) and PRESTO (NRP connectivity services) hops that realise a
MEF operation are checked with the real validator of :mod:`lso_sim.conformance` (OpenAPI 3.0; Draft 4
for Presto's Swagger 2.0); the module is skipped when the SDK is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lso_sim.conformance import find_sdk, load_index, validate_trace_record
from lso_sim.conformance.sdk import SDK_ENV_VAR
from lso_sim.engine.observers import MemoryTrace
from lso_sim.messages.envelope import MESSAGE_KINDS
from lso_sim.scenarios import load_scenario, run_scenario
from lso_sim.trace.records import to_record

SDK = find_sdk()
if SDK is None:
    pytest.skip(
        f"MEF LSO SDK not found (set ${SDK_ENV_VAR} or put it at ../shared/mef-lso-sdk)",
        allow_module_level=True,
    )

INDEX = load_index(SDK)
SCENARIOS = sorted((Path(__file__).resolve().parents[1] / "scenarios").glob("*.yaml"))
CHECKED_IRPS = frozenset({"SONATA", "CANTATA", "LEGATO", "INTERLUDE", "PRESTO"})


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_canonical_scenario_payloads_conform(path: Path) -> None:
    trace = MemoryTrace()
    run_scenario(load_scenario(path), [trace])
    records = [
        to_record(m)
        for m in trace.records
        if m.irp in CHECKED_IRPS and m.api is not None and m.kind in MESSAGE_KINDS  # not timeout records
    ]
    product = [r for r in records if r["irp"] in ("SONATA", "CANTATA")]
    assert product, "a canonical scenario with no SONATA/CANTATA message checks nothing"
    errors = [e for r in records for e in validate_trace_record(r, index=INDEX)]
    assert errors == []


def test_interlude_and_presto_hops_of_10_2_realise_mef_operations() -> None:
    """10.2 monitors the partner part with an INTERLUDE performance job and activates over PRESTO NRP."""
    trace = MemoryTrace()
    run_scenario(load_scenario(SCENARIOS[0].parent / "thread-10.2.yaml"), [trace])
    shaped = {(m.irp, m.operation) for m in trace.records if m.api is not None}
    assert {("INTERLUDE", "createPerformanceJob"), ("PRESTO", "create-connectivity-service")} <= shaped
    records = [to_record(m) for m in trace.records if m.irp in ("INTERLUDE", "PRESTO") and m.api is not None]
    assert [e for r in records for e in validate_trace_record(r, index=INDEX)] == []
