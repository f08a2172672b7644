"""The LSO reference architecture: roles, IRPs and the actor graph of a simulation."""

from lso_sim.architecture.model import ActorSpec, Architecture, Domain
from lso_sim.architecture.roles import IRP_RULES, DomainKind, Irp, IrpRule, Role

__all__ = ["IRP_RULES", "ActorSpec", "Architecture", "Domain", "DomainKind", "Irp", "IrpRule", "Role"]
