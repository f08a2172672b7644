"""The partners BUS-sp has on-boarded (thread 10.1), and what thread 10.2 may buy from each.

On-boarding is optional: a scenario that on-boards no partner lets BUS-sp buy from every partner
its topology reaches (what 10.2 did before 10.1 existed). A scenario with a 10.1 workload makes
it a precondition: from the start of the run, BUS-sp buys a partner's part only from a partner it
has on-boarded, and only an offering that is still orderable and that SOF-sp said realises the
component (10.2 step 3b, "partner options looked up in the catalog"). Kept beside the world
(keyed weakly by its simulation) so that the thread adds no field to the shared world.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

from lso_sim.actors.world import World
from lso_sim.engine.simulation import Simulation

PARTNER_ACCESS = "uni-enni-ovc"
"""Component kind of a partner's part of a 10.2 service: an OVC from a partner UNI to an ENNI."""


@dataclass(slots=True)
class OnboardedPartner:
    """What BUS-sp and SOF-sp know of one on-boarded partner.

    Attributes:
        domain: the partner's domain id.
        bus: the partner BUS actor id.
        since: simulated time on-boarding completed.
        offerings: offering id -> what BUS-sp read of it (``status``, ``specification``,
            ``terms``, ``objectives``; the last two ``None`` when the partner did not share them).
        components: offering id -> the service component kind SOF-sp found it realises.
        policies: the rules BUS-sp codified for buying from the partner.
        hub: the catalog hub BUS-sp registered at the partner (``None``: it must poll).
    """

    domain: str
    bus: str
    since: float
    offerings: dict[str, dict[str, Any]] = field(default_factory=dict)
    components: dict[str, str] = field(default_factory=dict)
    policies: dict[str, Any] = field(default_factory=dict)
    hub: str | None = None

    def offering_for(self, component: str) -> str | None:
        """An orderable offering of this partner that realises ``component`` (first by id)."""
        for ident in sorted(self.offerings):
            if self.offerings[ident].get("status") == "orderable" and self.components.get(ident) == component:
                return ident
        return None


@dataclass(slots=True)
class PartnerBook:
    """BUS-sp's partners.

    Attributes:
        required: True when the scenario on-boards partners: 10.2 then buys only from them.
        partners: domain id -> the partner, once on-boarded.
    """

    required: bool = False
    partners: dict[str, OnboardedPartner] = field(default_factory=dict)

    def offering_for(self, domain: str, component: str = PARTNER_ACCESS) -> tuple[str | None, str | None]:
        """``(offering id, None)`` when BUS-sp may buy ``component`` from partner ``domain``, else
        ``(None, why not)``; ``(None, None)`` when on-boarding is not required."""
        if not self.required:
            return None, None
        partner = self.partners.get(domain)
        if partner is None:
            return None, f"partner {domain} is not on-boarded (thread 10.1): the SP has not read its catalog"
        offering = partner.offering_for(component)
        if offering is None:
            shown = ", ".join(f"{o} ({v.get('status')})" for o, v in sorted(partner.offerings.items()))
            return None, (
                f"partner {domain} has no orderable offering that realises a {component} component"
                f" (on-boarded offerings: {shown or 'none'})"
            )
        return offering, None


_BOOKS: weakref.WeakKeyDictionary[Simulation, PartnerBook] = weakref.WeakKeyDictionary()


def book_of(world: World) -> PartnerBook:
    """The partner book of ``world`` (created empty, not required, on first use)."""
    book = _BOOKS.get(world.sim)
    if book is None:
        book = PartnerBook()
        _BOOKS[world.sim] = book
    return book
