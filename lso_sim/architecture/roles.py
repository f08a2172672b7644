"""Functional roles and Interface Reference Points of the LSO reference architecture (MEF 55.0.1).

The role pairs of each IRP are data, so the architecture model, the scenario validator and the
documentation all read the same table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """The seven functional roles; values are exactly the names used in traces."""

    CUSTOMER = "Customer"
    BUS_SP = "BUS-sp"
    BUS_PARTNER = "BUS-partner"
    SOF_SP = "SOF-sp"
    SOF_PARTNER = "SOF-partner"
    ICM = "ICM"
    ECM = "ECM"


class Irp(StrEnum):
    """The seven Interface Reference Points."""

    CANTATA = "CANTATA"
    SONATA = "SONATA"
    LEGATO = "LEGATO"
    ALLEGRO = "ALLEGRO"
    INTERLUDE = "INTERLUDE"
    PRESTO = "PRESTO"
    ADAGIO = "ADAGIO"


class DomainKind(StrEnum):
    """Who operates a management domain."""

    CUSTOMER = "customer"
    PROVIDER = "provider"
    PARTNER = "partner"


@dataclass(frozen=True, slots=True)
class IrpRule:
    """One way an IRP may join two roles.

    Attributes:
        irp: the reference point.
        a: role on one side.
        b: role on the other side.
        same_domain: both actors must belong to one management domain (LEGATO, PRESTO, ADAGIO).
        managed_only: the link exists only where ``a`` manages ``b`` (an ICM and the ECMs of its
            forwarding domain), not between every pair of the two roles.
    """

    irp: Irp
    a: Role
    b: Role
    same_domain: bool = False
    managed_only: bool = False


IRP_RULES: tuple[IrpRule, ...] = (
    IrpRule(Irp.CANTATA, Role.CUSTOMER, Role.BUS_SP),
    IrpRule(Irp.SONATA, Role.BUS_SP, Role.BUS_PARTNER),
    IrpRule(Irp.LEGATO, Role.BUS_SP, Role.SOF_SP, same_domain=True),
    IrpRule(Irp.LEGATO, Role.BUS_PARTNER, Role.SOF_PARTNER, same_domain=True),
    IrpRule(Irp.ALLEGRO, Role.CUSTOMER, Role.SOF_SP),
    IrpRule(Irp.INTERLUDE, Role.SOF_SP, Role.SOF_PARTNER),
    IrpRule(Irp.PRESTO, Role.SOF_SP, Role.ICM, same_domain=True),
    IrpRule(Irp.PRESTO, Role.SOF_PARTNER, Role.ICM, same_domain=True),
    IrpRule(Irp.ADAGIO, Role.ICM, Role.ECM, same_domain=True, managed_only=True),
)
"""Role pairs per IRP as MEF 55.0.1 section 4 names them (CUS:BUS, BUS:BUS, BUS:SOF, ...)."""

ROLES_OF_DOMAIN: dict[DomainKind, frozenset[Role]] = {
    DomainKind.CUSTOMER: frozenset({Role.CUSTOMER}),
    DomainKind.PROVIDER: frozenset({Role.BUS_SP, Role.SOF_SP, Role.ICM, Role.ECM}),
    DomainKind.PARTNER: frozenset({Role.BUS_PARTNER, Role.SOF_PARTNER, Role.ICM, Role.ECM}),
}
"""Which roles may live in which kind of domain."""
