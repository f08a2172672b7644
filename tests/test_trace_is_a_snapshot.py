"""A record says what was sent when it was sent: actors keep changing their resources afterwards
(an order's state, its items), and a trace kept in memory must not follow them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from lso_sim.engine.observers import MemoryTrace
from lso_sim.scenarios.loader import load_scenario
from lso_sim.scenarios.runner import run_scenario
from lso_sim.trace.jsonl import JsonlTraceWriter
from lso_sim.trace.records import dumps

SCENARIOS = sorted((Path(__file__).resolve().parents[1] / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_records_kept_in_memory_equal_the_lines_streamed_at_send_time(path: Path) -> None:
    memory, stream = MemoryTrace(), io.StringIO()
    run_scenario(load_scenario(path), [memory, JsonlTraceWriter(stream)])
    streamed = stream.getvalue().splitlines()
    assert len(streamed) == len(memory.records) > 0
    changed = [line[:160] for line, msg in zip(streamed, memory.records, strict=True) if line != dumps(msg)]
    assert changed == []
