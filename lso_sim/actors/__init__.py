"""Role actors and the world they live in."""

from lso_sim.actors.outcomes import Outcome, Outcomes
from lso_sim.actors.roles import (
    BusinessApplications,
    Customer,
    ElementManager,
    InfrastructureManager,
    RoleActor,
    ServiceOrchestrator,
    ServiceRecord,
    Waiting,
)
from lso_sim.actors.world import Options, PartnerFulfilment, World

__all__ = [
    "BusinessApplications",
    "Customer",
    "ElementManager",
    "InfrastructureManager",
    "Options",
    "Outcome",
    "Outcomes",
    "PartnerFulfilment",
    "RoleActor",
    "ServiceOrchestrator",
    "ServiceRecord",
    "Waiting",
    "World",
]
