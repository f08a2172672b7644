"""What an injected network fault does to the world: an element or a link going down, and back up.

The engine schedules the fault (:mod:`lso_sim.engine.faults`); the hooks here give it its effects,
reusing the machinery the assurance threads already read rather than a parallel model:

* the topology marks the NE or link down, and its ECM tells its ICM, which tells SOF: paths SOF
  computes once its view says so avoid it (10.2 designs, 10.5 reroutes; see
  :mod:`lso_sim.threads.topology_info`);
* the telemetry model gets a hard-fault impairment (``down``, alarm ``lossOfSignal`` or
  ``linkDown``, critical, not repairable by a reconfiguration) for the fault's window, so every
  figure an ECM reports drops for the services through it: 10.4 reports and 10.6 SLS assessments
  see the loss and unavailability, and alarms are listed by ``alarm_events``;
* when thread 10.5 runs, the ECM raises (and at the end clears) the alarm over ADAGIO, which its
  ICM passes up to SOF (10.5 step 5).

The telemetry model is per network element: a failed link shows as a fault on its ``a`` end, so
the figures of services through that NE but not over the link drop too; path computation is exact
(only the link is avoided).
"""

from __future__ import annotations

from collections.abc import Callable

from lso_sim.actors.world import World
from lso_sim.engine.faults import FAULT_THREAD, Fault
from lso_sim.messages.envelope import Flow
from lso_sim.messages.operations import RETRIEVE_ELEMENT_FAULTS
from lso_sim.telemetry import Impairment, ImpairmentKind
from lso_sim.threads import topology_info
from lso_sim.threads.trouble import resources

FaultHook = Callable[[Fault], None]


def hooks(
    world: World, *, ne: str | None = None, link: tuple[str, str] | None = None
) -> tuple[FaultHook, FaultHook]:
    """The start and end hooks of an NE (``ne``) or link (``link``) failure."""
    element = ne if ne is not None else link[0] if link is not None else None
    assert element is not None, "an NE or a link"
    alarm = "lossOfSignal" if ne is not None else "linkDown"

    def start(fault: Fault) -> None:
        world.topology.set_failed(ne, link, down=True)
        world.telemetry.inject(
            Impairment(
                element,
                world.sim.now,
                end=fault.window.end,
                kind=ImpairmentKind.FAULT,
                down=True,
                alarm=alarm,
                severity="critical",
                repairable=False,
            )
        )
        _alarm(world, element, "raised", fault)
        topology_info.element_changed(world, ne, link, False, Flow(FAULT_THREAD, fault.id))

    def end(fault: Fault) -> None:
        world.topology.set_failed(ne, link, down=False)
        _alarm(world, element, "cleared", fault)
        topology_info.element_changed(world, ne, link, True, Flow(FAULT_THREAD, fault.id))

    return start, end


def _alarm(world: World, ne: str, state: str, fault: Fault) -> None:
    """The ECM's alarm over ADAGIO, where thread 10.5 gave ECMs their fault behaviour."""
    ecm = world.ecms[world.topology.ecm_of(ne)]
    if ecm.handles(RETRIEVE_ELEMENT_FAULTS.name):
        resources._alarm(world, ecm, ne, state, Flow(FAULT_THREAD, fault.id), "5")
