"""Every MEF-API payload of every canonical scenario validates against the MEF definitions.

All ``scenarios/thread-*.yaml`` are globbed, so a thread added later is covered by the same test.
SONATA and CANTATA (product APIs) and LEGATO (service ordering) hops are checked with the real
OpenAPI 3.0 validator of :mod:`lso_sim.conformance`; the module is skipped when the SDK is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lso_sim.conformance import find_sdk, load_index, validate_trace_record
from lso_sim.conformance.sdk import SDK_ENV_VAR
from lso_sim.engine.observers import MemoryTrace
from lso_sim.scenarios import load_scenario, run_scenario
from lso_sim.trace.records import to_record

SDK = find_sdk()
if SDK is None:
    pytest.skip(
        f"MEF LSO SDK not found (set ${SDK_ENV_VAR} or put it at ../shared/mef-lso-sdk)",
        allow_module_level=True,
    )

INDEX = load_index(SDK)
SCENARIOS = sorted((Path(__file__).resolve().parents[1] / "scenarios").glob("thread-*.yaml"))
CHECKED_IRPS = frozenset({"SONATA", "CANTATA", "LEGATO"})


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_canonical_scenario_payloads_conform(path: Path) -> None:
    trace = MemoryTrace()
    run_scenario(load_scenario(path), [trace])
    records = [to_record(m) for m in trace.records if m.irp in CHECKED_IRPS and m.api is not None]
    product = [r for r in records if r["irp"] in ("SONATA", "CANTATA")]
    assert product, "a canonical scenario with no SONATA/CANTATA message checks nothing"
    errors = [e for r in records for e in validate_trace_record(r, index=INDEX)]
    assert errors == []
