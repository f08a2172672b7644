"""What the probe judges: MEF state transitions over time, the hub, ids, and the findings' record.

Schema-and-status kits look at one call at a time. A seller's behaviour lives between calls: a
resource's states as a buyer sees them over its life (by polling and through its hub) must each
be reachable from the one before in MEF's state machine (a poll may miss intermediate states, so
reachability, not one step, is the rule); the hub must tell each change once; ids must not
change. :class:`Findings` collects every check made, passed or not, for the table and reports.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from lso_sim.lifecycle.machines import PRODUCT_OFFERING_QUALIFICATION, PRODUCT_ORDER, QUOTE
from lso_sim.lifecycle.state_machine import StateMachine
from lso_sim.sonata.trouble_ticket import TROUBLE_TICKET

MACHINES: Mapping[str, StateMachine] = {
    "productOfferingQualification": PRODUCT_OFFERING_QUALIFICATION,
    "quote": QUOTE,
    "productOrder": PRODUCT_ORDER,
    "troubleTicket": TROUBLE_TICKET,
}
"""MEF's machine of each resource the probe follows."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One check: ``ok`` or a violation, with what was seen."""

    check: str
    ok: bool
    detail: str

    def as_json(self) -> dict[str, Any]:
        return {"check": self.check, "ok": self.ok, "detail": self.detail}


@dataclass(slots=True)
class Findings:
    """Every check the probe made, in order."""

    items: list[Finding] = field(default_factory=list)

    def add(self, check: str, ok: bool, detail: str) -> bool:
        self.items.append(Finding(check, ok, detail))
        return ok

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.items if not f.ok]


def reachable(machine: StateMachine, start: str, target: str) -> bool:
    """True when ``target`` can follow ``start`` in ``machine`` (itself included: no change)."""
    if start == target:
        return True
    seen = {start}
    queue = deque([start])
    while queue:
        for following in machine.allowed(queue.popleft()):
            if following == target:
                return True
            if following not in seen:
                seen.add(following)
                queue.append(following)
    return False


def illegal_steps(kind: str, states: Iterable[str]) -> list[str]:
    """The observed changes of a ``kind`` resource that MEF's machine does not allow."""
    machine = MACHINES[kind]
    found: list[str] = []
    previous: str | None = None
    for state in states:
        if state not in machine.states:
            found.append(f"{state!r} is not a {kind} state")
        elif previous is not None and previous in machine.states and not reachable(machine, previous, state):
            found.append(f"{previous} -> {state}")
        previous = state
    return found


def contradicted(kind: str, timeline: Sequence[tuple[str, str]]) -> list[str]:
    """Polled states that contradict what the buyer learnt before (``(source, state)`` in the order
    observed; source ``poll`` or ``hub``). A polled state must be reachable from every state seen
    before the poll was sent, by poll or through the hub: the seller had been there already.
    (An event heard after a poll may be late, so events are never judged against earlier polls.)"""
    machine = MACHINES[kind]
    found: list[str] = []
    for index, (source, state) in enumerate(timeline):
        if source != "poll" or state not in machine.states:
            continue
        for earlier_source, earlier in timeline[:index]:
            if earlier in machine.states and not reachable(machine, earlier, state):
                text = f"{earlier} ({earlier_source}) -> {state} (poll)"
                if text not in found:
                    found.append(text)
    return found


def hub_problems(final: str, events: Sequence[Mapping[str, Any]]) -> list[str]:
    """What is wrong with the state events a hub heard about one resource whose last state is
    ``final`` (in the order the seller sent them): an event heard twice (same ``eventId``, or the
    same state twice in a row), the final state never heard."""
    problems: list[str] = []
    ids = [str(e.get("eventId")) for e in events]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        problems.append(f"event(s) {', '.join(twice)} heard more than once")
    states = [str((e.get("event") or {}).get("state")) for e in events]
    # A state may come back (inProgress, held, inProgress); told twice in a row it is a duplicate.
    repeated = sorted({b for a, b in pairwise(states) if a == b})
    if repeated and not twice:
        problems.append(f"state(s) {', '.join(repeated)} announced twice in a row")
    if final not in states:
        problems.append(f"the final state {final} was never announced")
    return problems


__all__ = ["MACHINES", "Finding", "Findings", "contradicted", "hub_problems", "illegal_steps", "reachable"]
