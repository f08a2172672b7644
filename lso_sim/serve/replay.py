"""Replaying a sandbox session: its recorded calls re-run against a fresh sandbox, traces compared.

Everything ``lso-sim serve`` serves goes to the usual trace: each buyer's call is a ``request``
record from the buyer actor to the seller in instance ``<buyer>/http`` (step ``api``), at the
simulated time it was served, with the body the seller received. The header says what else the
session ran with (role, speed, chaos, seed; :func:`lso_sim.serve.build.sandbox_header`). A replay
builds the same world with time frozen, moves simulated time to each recorded call's time and
makes the call again, runs to the time of the last record, closes the session as the server
does, and compares the two traces record by record (:func:`lso_sim.replay.compare.compare`).

What does not reach the simulation is not replayed and need not be: requests refused before the
seller (401, 403, 400, an ``Idempotency-Key`` answered again) leave no record; wall time only
decided *when* in simulated time each call came, which the trace says. Chaos that acts per HTTP
request or per notification batch (``409``, ``503``, ``late``, ``duplicate``,
``lost-notification``) draws from the seeded stream at moments the trace does not keep, so such
a session is refused; ``held`` and ``pending`` draw inside the simulation and replay exactly.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from lso_sim.engine.observers import MemoryTrace
from lso_sim.errors import BadInput, echo
from lso_sim.messages.operations import Operation
from lso_sim.replay.check import ReplayResult
from lso_sim.replay.compare import compare
from lso_sim.replay.golden import read_golden
from lso_sim.replay.paths import resolve_scenario
from lso_sim.scenarios import load_scenario
from lso_sim.serve.build import new_session
from lso_sim.serve.chaos import DETOURS, KINDS
from lso_sim.serve.session import STEP, Session
from lso_sim.sonata.api import router_of
from lso_sim.trace.records import dumps

REPLAYABLE_CHAOS = frozenset(DETOURS)
"""Chaos kinds whose draws happen inside the simulation, so a replay draws them again alike."""
DEMO_WORLD = Path("(the demo world)")
"""What a replay result names as its scenario when the session served the demo world."""


def is_sandbox_trace(path: Path) -> bool:
    """Whether the trace at ``path`` was written by ``lso-sim serve`` (its header says so)."""
    try:
        with path.open(encoding="utf-8") as stream:
            first = json.loads(stream.readline() or "null")
    except (OSError, ValueError, UnicodeDecodeError):
        return False
    return isinstance(first, dict) and first.get("record") == "header" and "sandbox" in first


def replay_session(trace: Path, *, scenario: Path | None = None, ignore: Iterable[str] = ()) -> ReplayResult:
    """Re-run the calls of the sandbox session recorded in ``trace`` and compare the traces.

    Args:
        trace: the session's trace (``lso-sim serve --trace-out``).
        scenario: the scenario file; by default the one the header names (none: the demo world).
        ignore: field patterns left out of the comparison.

    Raises:
        BadInput: not a sandbox trace, chaos that cannot be replayed, a scenario that cannot be
            read, or a recorded call this sandbox cannot make (each names the file and what).
    """
    recorded = read_golden(trace)
    header = recorded.header
    if header is None or header.sandbox is None:
        raise BadInput(f"{trace}: not a trace of lso-sim serve (its header has no 'sandbox')")
    if recorded.end is None or not recorded.end.complete:
        raise BadInput(
            f"{trace}: the session's trace has no complete end record (the server was killed, or the "
            "file cut): stop lso-sim serve with Ctrl-C or SIGTERM, which ends the trace"
        )
    info = header.sandbox
    chaos = frozenset(info["chaos"])
    unknown = sorted(chaos - set(KINDS))
    if unknown:
        raise BadInput(f"{trace}: header 'sandbox.chaos' names unknown kinds {echo(unknown)}")
    unreplayable = sorted(chaos - REPLAYABLE_CHAOS)
    if unreplayable:
        raise BadInput(
            f"{trace}: the session ran with chaos {', '.join(unreplayable)}, drawn per HTTP request or "
            f"per notification batch at moments the trace does not keep: only sessions whose chaos is "
            f"{' or '.join(sorted(REPLAYABLE_CHAOS))} (or none) can be replayed"
        )
    if scenario is None and header.scenario is not None:
        scenario = resolve_scenario(header.scenario, trace)
    world = None
    if scenario is not None:
        world = load_scenario(scenario)
        if world.seed != header.seed:
            world = world.model_copy(update={"seed": header.seed})
    memory = MemoryTrace()
    session = new_session(
        world, info["role"], [memory], speed=0.0, chaos=chaos, chaos_rate=float(info["chaos_rate"])
    )
    _run_calls(session, recorded.records, trace)
    records = [json.loads(dumps(message)) for message in memory.records]
    comparison = compare(recorded.records, records, ignore)
    return ReplayResult(trace, scenario or DEMO_WORLD, header.seed, comparison)


def _run_calls(session: Session, records: list[dict[str, Any]], trace: Path) -> None:
    """Make each recorded call at its simulated time, run to the last record's time, close."""
    sandbox = session.sandbox
    seller = sandbox.seller.id
    buyers = {actor.id: actor for actor in sandbox.buyers.values()}
    operations: Mapping[tuple[str, str], Operation] = {
        (str(op.api), op.name): op for op, _handler in router_of(sandbox.seller).routes.values()
    }
    for record in records:
        src = record.get("src")
        if not (
            record.get("kind") == "request"
            and record.get("step") == STEP
            and record.get("dst") == seller
            and record.get("instance") == f"{src}/http"
        ):
            continue
        where = f"{trace}: record seq {record.get('seq')}"
        buyer = buyers.get(str(src))
        if buyer is None:
            raise BadInput(f"{where}: {echo(src)} is not a buyer of this sandbox ({', '.join(buyers)})")
        op = operations.get((str(record.get("api")), str(record.get("operation"))))
        if op is None:
            called = f"{record.get('api')}:{record.get('operation')}"
            raise BadInput(f"{where}: {echo(called)} is not an operation {seller} serves")
        session.advance(max(0.0, float(record.get("time", 0.0)) - session.target()))
        session.call(buyer, op, record.get("payload"))
    end = max((float(r.get("time", 0.0)) for r in records), default=0.0)
    session.advance(max(0.0, end - session.target()))
    with session.lock:
        sandbox.world.close_open(at_horizon=True)


__all__ = ["DEMO_WORLD", "REPLAYABLE_CHAOS", "is_sandbox_trace", "replay_session"]
