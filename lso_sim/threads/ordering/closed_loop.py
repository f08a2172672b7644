"""Thread 10.2, MEF's note at step 12: a failed activation test handled by policy-driven closed loop
control before the order fails.

MEF 55.0.1 notes under step 12 that "it is possible to address testing failures with policy driven
closed loop control", and under step 8 that SOF designs (and may redesign) the components. The
scenario's policy, ``options.on_test_failure``, lists the actions SOF-sp tries, in order, each up
to its number of attempts, after the step-11 tests of a service fail:

- ``retest``: run the failed tests again (PRESTO ``runServiceActivationTest``, INTERLUDE
  ``testServiceComponent``): a transient failure passes the second time;
- ``reconfigure``: re-apply the configuration of each failed component (PRESTO
  ``update-connectivity-service`` with ``remedy``, ADAGIO below it; INTERLUDE
  ``modifyServiceComponent`` for a partner component), then test it again;
- ``reroute``: design another SP path avoiding the network elements whose tests failed, keeping
  the partner parts (the partner's network is the partner's), activate the new constructs,
  delete the old ones, move the reservation, then test again.

Every hop the loop causes carries step ``12``, and each attempt starts with a ``closedLoopControl``
activity naming the action and the attempt (``retest 2/3``), so the trace shows the loop. When the
policy is exhausted the order fails with a reason that names every attempt; the caller then takes
down what was built, as for any failure after step 9.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import simpy

from lso_sim.actors.roles import ServiceRecord
from lso_sim.messages import assurance
from lso_sim.messages.envelope import Flow
from lso_sim.messages.operations import (
    ACTIVATE_CONNECTIVITY,
    MODIFY_PARTNER_COMPONENT,
    TEST_CONNECTIVITY,
    TEST_PARTNER_COMPONENT,
    UPDATE_CONNECTIVITY_SERVICE,
)
from lso_sim.threads import topology_info
from lso_sim.threads.resource_tasks import run_task
from lso_sim.topology.network import Decomposition, ServiceComponent

if TYPE_CHECKING:
    from lso_sim.threads.ordering.orchestration import Orchestrator

STEP = "12"
"""The step label of the loop's hops: MEF's note on testing failures sits under step 12."""

Construct = tuple[str, str, list[str]]
"""An SP forwarding construct: ``(ICM id, construct id, NEs)``."""


@dataclass(slots=True)
class Failing:
    """What still fails: SP constructs (with the NEs whose tests failed) and partner components."""

    constructs: list[Construct] = field(default_factory=list)
    elements: set[str] = field(default_factory=set)
    partners: list[ServiceComponent] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.constructs or self.partners)


class ClosedLoop:
    """SOF-sp's closed loop over one service's failed activation tests."""

    def __init__(self, orchestrator: Orchestrator) -> None:
        self.orchestrator = orchestrator
        self.sof = orchestrator.sof
        self.world = orchestrator.world

    def handle(
        self, record: ServiceRecord, failing: Failing, flow: Flow
    ) -> Generator[simpy.Event, Any, str | None]:
        """Try the policy until every test passes: ``None`` then, else why the loop gave up."""
        tried: list[str] = []
        for action, limit in self.world.options.on_test_failure:
            for attempt in range(1, limit + 1):
                label = f"{action} {attempt}/{limit}"
                yield from self.sof.activity(
                    "closedLoopControl",
                    flow=flow,
                    step=STEP,
                    payload={
                        "service": record.service.id,
                        "action": action,
                        "attempt": attempt,
                        "attempts": limit,
                        "failing": [c[1] for c in failing.constructs] + [p.id for p in failing.partners],
                    },
                )
                acted = yield from self._act(action, record, failing, flow, attempt)
                if acted is not None:  # the action cannot be applied: the next action is tried
                    tried.append(f"{label} not possible: {acted}")
                    break
                failing = yield from self._retest(record, failing, flow)
                if not failing:
                    return None
                tried.append(f"{label} failed")
        if not tried:
            return "no closed-loop policy (options.on_test_failure) to handle it"
        return f"closed loop exhausted after {len(tried)} attempts ({'; '.join(tried)})"

    # -- the actions ------------------------------------------------------------------------------

    def _act(
        self, action: str, record: ServiceRecord, failing: Failing, flow: Flow, attempt: int
    ) -> Generator[simpy.Event, Any, str | None]:
        """Carry out ``action``; ``None`` when done, else why it does not apply."""
        if action == "reconfigure":
            yield from self._reconfigure(record, failing, flow)
        elif action == "reroute":
            return (yield from self._reroute(record, failing, flow, attempt))
        return None  # retest: the test itself is the action

    def _reconfigure(
        self, record: ServiceRecord, failing: Failing, flow: Flow
    ) -> Generator[simpy.Event, Any, None]:
        sof, wait = self.sof, self.world.options.notification_wait
        calls = [
            run_task(
                sof,
                icm,
                UPDATE_CONNECTIVITY_SERVICE,
                assurance.update_connectivity(cid, record.bandwidth_mbps, remedy=True),
                flow=flow,
                step=STEP,
                wait=wait,
            )
            for icm, cid, _nes in failing.constructs
        ]
        calls += [
            run_task(
                sof,
                self.world.sof[part.domain].id,
                MODIFY_PARTNER_COMPONENT,
                {
                    "componentId": part.id,
                    "partnerOrder": record.partner_orders.get(part.domain),
                    "bandwidthMbps": record.bandwidth_mbps,
                    "remedy": True,
                },
                flow=flow,
                step=STEP,
                wait=wait,
            )
            for part in failing.partners
        ]
        yield from sof.gather(calls)  # each result is judged by the test that follows

    def _reroute(
        self, record: ServiceRecord, failing: Failing, flow: Flow, attempt: int
    ) -> Generator[simpy.Event, Any, str | None]:
        """Move the SP part onto a path avoiding the failing NEs; the partner parts stay as they are."""
        world, sof, orchestrator = self.world, self.sof, self.orchestrator
        topology = world.topology
        old = record.decomposition
        if not failing.constructs or old is None:
            return "only a partner component fails, and its path is the partner's"
        avoid = frozenset(failing.elements or {ne for c in failing.constructs for ne in c[2]})
        # The new path comes from SOF-sp's own topology information (10.2 3 b), read over PRESTO),
        # like every path SOF computes, not from the network itself.
        yield from topology_info.ensure(world, sof, flow, STEP)
        topology.release(record.reserved, record.bandwidth_mbps, sof.domain)
        a, b = record.endpoints
        view = topology_info.view_of(sof)
        path = view.find_path(a, b, record.bandwidth_mbps, avoid=avoid, booked_by=sof.domain)
        new = topology.decompose(f"{record.service.id}-r{attempt}", path) if path is not None else None
        if path is None or new is None or _partner_ends(new) != _partner_ends(old):
            topology.reserve(record.reserved, record.bandwidth_mbps, sof.domain)
            return f"no other path avoids {', '.join(sorted(avoid))} and keeps the partner parts"
        # What does not move keeps its identity: the partner components 9b obtained, and the SP
        # constructs on the same network elements.
        for index, component in enumerate(new.components):
            same = next((c for c in old.components if _same_place(c, component)), None)
            if same is not None:
                new.components[index] = same
        added = [c for c in new.sp_components() if c not in old.sp_components()]
        gone = [c for c in old.sp_components() if c not in new.sp_components()]
        yield from sof.activity(
            "computeReroute", flow=flow, step=STEP, payload={"avoid": sorted(avoid), "path": path}
        )
        topology.reserve(path, record.bandwidth_mbps, sof.domain)
        record.reserved = tuple(path)
        record.decomposition = new
        new_constructs = [_construct(self, c) for c in added]
        yield from sof.gather(
            [
                orchestrator._presto(ACTIVATE_CONNECTIVITY, cid, icm, nes, record, flow, STEP)
                for icm, cid, nes in new_constructs
            ]
        )
        old_constructs = [_construct(self, c) for c in gone if c.id in record.activated]
        yield from sof.gather(
            [
                orchestrator.changes._delete_construct(icm, cid, flow, STEP)
                for icm, cid, _nes in old_constructs
            ]
        )
        for component in gone:
            record.deactivate(component.id)
        failing.constructs = new_constructs
        failing.elements = set()
        return None

    # -- the test ---------------------------------------------------------------------------------

    def _retest(
        self, record: ServiceRecord, failing: Failing, flow: Flow
    ) -> Generator[simpy.Event, Any, Failing]:
        """Test the failing components again (step 12); what still fails."""
        sof = self.sof
        sp_calls = [
            sof.call(
                icm,
                TEST_CONNECTIVITY,
                {
                    "constructId": cid,
                    "service": record.service.id,
                    "networkElements": nes,
                    "bandwidthMbps": record.bandwidth_mbps,
                },
                flow=flow,
                step=STEP,
            )
            for icm, cid, nes in failing.constructs
        ]
        partner_calls = [
            sof.call(
                self.world.sof[part.domain].id,
                TEST_PARTNER_COMPONENT,
                {"componentId": part.id, "partnerOrder": record.partner_orders.get(part.domain)},
                flow=flow,
                step=STEP,
            )
            for part in failing.partners
        ]
        answers = yield from sof.gather(sp_calls + partner_calls)
        still = Failing()
        for construct, answer in zip(failing.constructs, answers[: len(sp_calls)], strict=True):
            if answer.status != 200 or answer.payload.get("result") != "pass":
                still.constructs.append(construct)
                still.elements.update(
                    answer.payload.get("failedElements") or [] if answer.status == 200 else []
                )
        for part, answer in zip(failing.partners, answers[len(sp_calls) :], strict=True):
            if answer.status not in (200, 201) or answer.payload.get("result") != "pass":
                still.partners.append(part)
        return still


def _construct(loop: ClosedLoop, component: ServiceComponent) -> Construct:
    icm = loop.world.icm_of_fd(component.forwarding_domains[0]).id
    return (icm, component.id, list(component.network_elements))


def _partner_ends(decomposition: Decomposition) -> list[tuple[str, tuple[str, ...]]]:
    return [(c.domain, tuple(c.endpoints)) for c in decomposition.partner_components()]


def _same_place(old: ServiceComponent, new: ServiceComponent) -> bool:
    """True when ``new`` is ``old`` again: the same partner part, or an SP part on the same NEs."""
    if old.partner or new.partner:
        return (
            old.partner
            and new.partner
            and (old.domain, tuple(old.endpoints)) == (new.domain, tuple(new.endpoints))
        )
    return tuple(old.network_elements) == tuple(new.network_elements)


__all__ = ["STEP", "ClosedLoop", "Failing"]
