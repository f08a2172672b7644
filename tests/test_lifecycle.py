"""State machines: every legal move is accepted, every illegal one refused, history is kept."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lso_sim.errors import ProtocolError
from lso_sim.lifecycle import ALL_MACHINES, Stateful, StateMachine
from lso_sim.lifecycle.machines import SERVICE_ORDER


@pytest.mark.parametrize("machine", ALL_MACHINES, ids=lambda m: m.name)
@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_random_walks_accept_exactly_the_legal_moves(machine: StateMachine, data: st.DataObject) -> None:
    """Random target states: legal ones move the entity; illegal ones raise and change nothing."""
    entity = Stateful("x", machine, 0.0)
    states = sorted(machine.states)
    for step in range(1, 15):
        target = data.draw(st.sampled_from(states))
        before = entity.state
        if machine.can(before, target):
            entity.move(target, float(step))
            assert entity.state == target
            assert entity.history[-1] == (float(step), target)
        else:
            with pytest.raises(ProtocolError, match=repr(target)):
                entity.move(target, float(step))
            assert entity.state == before
    assert entity.history[0] == (0.0, machine.initial)
    assert all(machine.can(a, b) for (_, a), (_, b) in zip(entity.history, entity.history[1:], strict=False))


@pytest.mark.parametrize("machine", ALL_MACHINES, ids=lambda m: m.name)
def test_every_state_is_reachable_from_the_initial_one(machine: StateMachine) -> None:
    """No state of a machine is dead code."""
    seen, todo = {machine.initial}, [machine.initial]
    while todo:
        for target in machine.allowed(todo.pop()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    # A draft quote is created as such (another entry state), every other state is reachable.
    assert machine.states - seen <= {"inProgress.draft"}


def test_final_states_have_no_way_out() -> None:
    """Completed orders cannot move again (for example, cannot be cancelled)."""
    from lso_sim.lifecycle import PRODUCT_ORDER

    order = Stateful("o", PRODUCT_ORDER, 0.0)
    order.path(1.0, "inProgress", "completed")
    assert order.final
    with pytest.raises(ProtocolError, match="cannot go from 'completed' to 'assessingCancellation'"):
        order.move("assessingCancellation", 2.0)


def test_the_history_is_read_back_from_the_flat_trail_as_moved() -> None:
    """Kept flat (no tuple per move), read as pairs: the very times given, an int staying an int."""
    entity = Stateful("so-1", SERVICE_ORDER, 0)
    entity.path(2.5, "inProgress", "completed")
    assert entity.history == [(0, "acknowledged"), (2.5, "inProgress"), (2.5, "completed")]
    assert type(entity.history[0][0]) is int
    assert entity.moved_at == 2.5 and entity.trail == [0, "acknowledged", 2.5, "inProgress", 2.5, "completed"]
