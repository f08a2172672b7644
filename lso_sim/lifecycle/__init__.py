"""Lifecycles: explicit state machines and the entities that move through them."""

from lso_sim.lifecycle.machines import (
    ALL_MACHINES,
    PRODUCT,
    PRODUCT_OFFERING_QUALIFICATION,
    PRODUCT_ORDER,
    PRODUCT_ORDER_ITEM,
    QUOTE,
    SERVICE,
    SERVICE_ORDER,
)
from lso_sim.lifecycle.state_machine import Stateful, StateMachine, machine

__all__ = [
    "ALL_MACHINES",
    "PRODUCT",
    "PRODUCT_OFFERING_QUALIFICATION",
    "PRODUCT_ORDER",
    "PRODUCT_ORDER_ITEM",
    "QUOTE",
    "SERVICE",
    "SERVICE_ORDER",
    "StateMachine",
    "Stateful",
    "machine",
]
