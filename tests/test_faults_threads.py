"""Threads 10.3 to 10.7 end every instance, with a MEF end state and a reason, whatever is lost.

Runs lose chosen messages (the Nth of an operation, or a share of everything the thread under
test sends; the 10.2 order establishing the service is spared so the thread itself runs) and
check: the run ends before its horizon, every instance that began has exactly one outcome, a
non-success names its cause, no handler crashed, and no capacity stays booked that no service holds.
"""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lossy import Dropper, check_every_instance_ended, run_lossy

from lso_sim.architecture.roles import Irp
from lso_sim.engine.observers import MemoryTrace
from lso_sim.messages.envelope import Kind
from lso_sim.scenarios import load_scenario
from lso_sim.scenarios.runner import RunResult

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
HORIZON = 90 * 86400.0
SUCCESS = {"completed", "closed", "incidentClosed", "billed"}


def _run(thread: str, dropper: Dropper) -> tuple[RunResult, MemoryTrace]:
    return run_lossy(load_scenario(SCENARIOS / f"thread-{thread}.yaml"), dropper, HORIZON)


def _check_ended(result: RunResult, trace: MemoryTrace) -> None:
    """Every instance ended once, before the horizon, and says why when it did not succeed."""
    check_every_instance_ended(
        result,
        trace,
        lambda o: o.thread != "10.2" and o.state not in SUCCESS | {"noService"},
    )


def _check_bookings(result: RunResult) -> None:
    """Each link's booked bandwidth is what the active services on it hold (nothing leaked)."""
    graph = result.world.topology.graph
    booked = {(a, b): float(data["used"]) for a, b, data in graph.edges(data=True)}
    assert all(used >= -1e-9 for used in booked.values())
    held: Counter[tuple[str, str]] = Counter()
    for sof in result.world.sof.values():
        for record in sof.services.values():
            if record.service.state != "active":
                continue
            path = record.reserved or (record.decomposition.path if record.decomposition else [])
            for a, b in itertools.pairwise(path):
                key = (a, b) if (a, b) in booked else (b, a)
                held[key] += record.bandwidth_mbps
    for key, used in booked.items():
        assert used <= held[key] + 1e-6, f"{key}: {used} booked, {held[key]} held by active services"


@pytest.mark.parametrize(
    ("thread", "operation", "kind", "state", "cause"),
    [
        # The Customer's change notification lost: it polls retrieveServiceChange and learns the end.
        ("10.3", "serviceChangeStateChangeEvent", Kind.NOTIFICATION, "completed", None),
        # Every attempt of the PRESTO update lost: SOF-sp gives up, releases, tells the Customer why.
        ("10.3", "update-connectivity-service", Kind.REQUEST, "failed", "update-connectivity|modifyService"),
        # A report alert lost: the Customer polls retrieveServiceReportRequest.
        ("10.4", "serviceReportReadyEvent", Kind.NOTIFICATION, "completed", None),
        # Every attempt of a PRESTO metrics read lost: the report is failed, naming the read.
        ("10.4", "retrieveForwardingConstructMetrics", Kind.REQUEST, "failed", "ConstructMetrics"),
        # The ticket's resolved event lost: the Customer polls its ticket and closes it.
        ("10.5", "listenToTroubleTicketResolvedEvent", Kind.NOTIFICATION, "closed", None),
    ],
)
def test_a_lost_message_ends_the_instance_with_its_cause(
    thread: str, operation: str, kind: Kind, state: str, cause: str | None
) -> None:
    # Drop the first dozen, or for a failure path every one (each retried read is lost too).
    dropper = Dropper(nth={(operation, kind): set(range(1, 13 if cause is None else 500))})
    result, trace = _run(thread, dropper)
    _check_ended(result, trace)
    _check_bookings(result)
    assert dropper.dropped, "the rule matched no message"
    hit = next(o for o in result.world.outcomes.values() if o.thread == thread and o.state == state)
    if cause is not None:
        assert hit.reason is not None and any(c in hit.reason for c in cause.split("|"))


def test_a_lost_change_notification_is_polled_for() -> None:
    dropper = Dropper(nth={("serviceChangeStateChangeEvent", Kind.NOTIFICATION): {1}})
    _result, trace = _run("10.3", dropper)
    polls = [r for r in trace.records if r.operation == "retrieveServiceChange" and r.kind is Kind.REQUEST]
    assert len(polls) == 1


def test_a_failed_change_gives_its_capacity_back() -> None:
    dropper = Dropper(nth={("update-connectivity-service", Kind.REQUEST): set(range(1, 40))})
    result, _trace = _run("10.3", dropper)
    _check_bookings(result)
    changes = [o for o in result.world.outcomes.values() if o.thread == "10.3"]
    assert any(o.state == "failed" for o in changes)


@settings(max_examples=6)
@given(
    thread=st.sampled_from(["10.3", "10.4", "10.5", "10.6", "10.7"]),
    loss=st.floats(0.0, 0.3),
    irps=st.sets(st.sampled_from(list(Irp)), min_size=1),
    seed=st.integers(0, 2**16),
)
def test_random_loss_never_leaves_an_instance_open(
    thread: str, loss: float, irps: set[Irp], seed: int
) -> None:
    result, trace = _run(thread, Dropper(loss=loss, irps=frozenset(irps), seed=seed))
    _check_ended(result, trace)
    assert all(o.ended is not None and o.ended < HORIZON for o in result.world.outcomes.values())
