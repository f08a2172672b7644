"""The LSO architecture model: roles, IRP role pairs, and refusing sends no IRP allows."""

from __future__ import annotations

import pytest

from lso_sim.architecture import IRP_RULES, Architecture, DomainKind, Irp, Role
from lso_sim.architecture.export import to_dot, to_mermaid
from lso_sim.errors import IrpViolation, LsoSimError
from lso_sim.scenarios.build import build_architecture
from lso_sim.scenarios.schema import Scenario


def _small() -> Architecture:
    arch = Architecture()
    arch.add_domain("cus", DomainKind.CUSTOMER)
    arch.add_domain("sp", DomainKind.PROVIDER)
    arch.add_domain("p1", DomainKind.PARTNER)
    arch.add_actor("cus", Role.CUSTOMER, "cus")
    arch.add_actor("bus-sp", Role.BUS_SP, "sp")
    arch.add_actor("sof-sp", Role.SOF_SP, "sp")
    arch.add_actor("icm-a", Role.ICM, "sp")
    arch.add_actor("ecm-1", Role.ECM, "sp", manager="icm-a")
    arch.add_actor("bus-p1", Role.BUS_PARTNER, "p1")
    arch.add_actor("sof-p1", Role.SOF_PARTNER, "p1")
    arch.add_actor("icm-p1", Role.ICM, "p1")
    arch.add_actor("ecm-p1", Role.ECM, "p1", manager="icm-p1")
    return arch


@pytest.mark.parametrize(
    ("a", "b", "irp"),
    [
        ("cus", "bus-sp", Irp.CANTATA),
        ("bus-sp", "bus-p1", Irp.SONATA),
        ("bus-sp", "sof-sp", Irp.LEGATO),
        ("bus-p1", "sof-p1", Irp.LEGATO),
        ("cus", "sof-sp", Irp.ALLEGRO),
        ("sof-sp", "sof-p1", Irp.INTERLUDE),
        ("sof-sp", "icm-a", Irp.PRESTO),
        ("sof-p1", "icm-p1", Irp.PRESTO),
        ("icm-a", "ecm-1", Irp.ADAGIO),
        ("icm-p1", "ecm-p1", Irp.ADAGIO),
    ],
)
def test_each_irp_joins_the_role_pair_mef_gives_it(a: str, b: str, irp: Irp) -> None:
    """Every IRP links exactly the roles of MEF 55.0.1, in both directions."""
    arch = _small()
    assert arch.irp_between(a, b) is irp
    assert arch.irp_between(b, a) is irp


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("cus", "bus-p1"),  # a customer never talks to a partner
        ("cus", "icm-a"),
        ("bus-sp", "sof-p1"),  # LEGATO stays inside one domain
        ("sof-sp", "icm-p1"),  # PRESTO stays inside one domain
        ("bus-sp", "icm-a"),
        ("icm-a", "ecm-p1"),  # ADAGIO only to the ECMs an ICM manages
        ("ecm-1", "ecm-p1"),
    ],
)
def test_no_irp_means_an_error_naming_both_actors_and_their_irps(a: str, b: str) -> None:
    """A send between unconnected actors fails, naming both actors and the IRPs each does have."""
    arch = _small()
    with pytest.raises(IrpViolation) as info:
        arch.irp_between(a, b)
    text = str(info.value)
    assert repr(a) in text and repr(b) in text
    for irp in arch.irps_of(a):
        assert irp in text


def test_seven_irps_are_all_covered_by_rules() -> None:
    """The rule table names all seven IRPs."""
    assert {rule.irp for rule in IRP_RULES} == set(Irp)


def test_roles_are_checked_against_domain_kind() -> None:
    """A partner role in the provider's domain (and similar mistakes) is refused."""
    arch = Architecture()
    arch.add_domain("sp", DomainKind.PROVIDER)
    with pytest.raises(LsoSimError, match="BUS-partner"):
        arch.add_actor("x", Role.BUS_PARTNER, "sp")
    with pytest.raises(LsoSimError, match="manag"):
        arch.add_actor("e", Role.ECM, "sp")


def test_canonical_architecture_and_exports(scenario_10_2: Scenario) -> None:
    """The 10.2 scenario has every role, and both exports show every actor and IRP link."""
    arch = build_architecture(scenario_10_2)
    assert {spec.role for spec in arch.actors()} == set(Role)
    mermaid, dot = to_mermaid(arch), to_dot(arch)
    links = list(arch.links())
    assert mermaid.count("---|") == len(links)
    assert dot.count(" -- ") == len(links)
    for spec in arch.actors():
        assert spec.id in mermaid and spec.id in dot
    assert {irp for _, _, irp in links} == set(Irp)
