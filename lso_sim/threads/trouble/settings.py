"""Per-run settings of thread 10.5 that the scenario's ``trouble`` block gives.

Kept beside the world (keyed weakly by its simulation) rather than in :class:`World`, so that the
thread adds no field to the shared world.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

from lso_sim.actors.world import World
from lso_sim.engine.simulation import Simulation


@dataclass(slots=True)
class TroubleSettings:
    """What the thread's instances need to know while they run.

    Attributes:
        proactive: instance id -> (customer, service id), for instances whose fault SOF-sp
            detects itself.
    """

    proactive: dict[str, tuple[str, str]] = field(default_factory=dict)


_SETTINGS: weakref.WeakKeyDictionary[Simulation, TroubleSettings] = weakref.WeakKeyDictionary()


def settings_of(world: World) -> TroubleSettings:
    """The 10.5 settings of ``world`` (created empty on first use)."""
    settings = _SETTINGS.get(world.sim)
    if settings is None:
        settings = TroubleSettings()
        _SETTINGS[world.sim] = settings
    return settings
