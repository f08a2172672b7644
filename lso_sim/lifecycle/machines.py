"""The state machines of the entities the threads move, with MEF's state names.

State names come from the MEF API definitions (product order, quote, product offering
qualification, product inventory for SONATA/CANTATA; service order and service state for LEGATO).
The transition tables follow the state diagrams of the corresponding MEF developer guides.
"""

from __future__ import annotations

from lso_sim.lifecycle.state_machine import StateMachine, machine

PRODUCT_ORDER: StateMachine = machine(
    "productOrder",
    "acknowledged",
    {
        "acknowledged": "inProgress rejected held.assessingCharge assessingCancellation",
        "held.assessingCharge": "inProgress assessingCancellation cancelled",
        "inProgress": "completed failed partial held.assessingCharge pending.assessingModification "
        "assessingCancellation",
        "pending.assessingModification": "inProgress assessingCancellation",
        "assessingCancellation": "pendingCancellation inProgress held.assessingCharge",
        "pendingCancellation": "cancelled",
    },
)

PRODUCT_ORDER_ITEM: StateMachine = machine(
    "productOrderItem",
    "acknowledged",
    {
        "acknowledged": "inProgress rejected rejected.validated rejected.unassessed held cancelled",
        "held": "inProgress cancelled",
        "inProgress": "completed failed pending held cancelled",
        "pending": "inProgress cancelled",
    },
)

QUOTE: StateMachine = machine(
    "quote",
    "acknowledged",
    {
        "acknowledged": "inProgress approved.orderable approved.orderableAlternate rejected unableToProvide "
        "cancelled",
        "inProgress.draft": "inProgress cancelled",
        "inProgress": "approved.orderable approved.orderableAlternate answered unableToProvide cancelled",
        "approved.orderable": "accepted declined expired",
        "approved.orderableAlternate": "accepted declined expired",
        "answered": "expired",
    },
)

PRODUCT_OFFERING_QUALIFICATION: StateMachine = machine(
    "productOfferingQualification",
    "acknowledged",
    {
        "acknowledged": "inProgress done.ready done.unableToProvide terminatedWithError",
        "inProgress": "done.ready done.unableToProvide terminatedWithError",
    },
)

QUOTE_ITEM: StateMachine = machine(
    "quoteItem",
    "acknowledged",
    {
        "acknowledged": "inProgress approved.orderable approved.orderableAlternate rejected unableToProvide "
        "abandoned",
        "inProgress.draft": "inProgress abandoned",
        "inProgress": "approved.orderable approved.orderableAlternate answered unableToProvide abandoned",
        "approved.orderable": "expired",
        "approved.orderableAlternate": "expired",
        "answered": "expired",
    },
)
"""Quote items follow their quote; an accepted or declined quote's items stay ``approved.orderable``
and a cancelled quote's items are ``abandoned`` (MEF's item states have no accepted, declined or
cancelled)."""

PRODUCT_OFFERING_QUALIFICATION_ITEM: StateMachine = machine(
    "productOfferingQualificationItem",
    "acknowledged",
    {
        "acknowledged": "inProgress done.ready done.unableToProvide terminatedWithError",
        "inProgress": "done.ready done.unableToProvide terminatedWithError",
    },
)

CANCEL_PRODUCT_ORDER: StateMachine = machine(
    "cancelProductOrder",
    "acknowledged",
    {
        "acknowledged": "inProgress.assessingCharge done done.declined rejected",
        "inProgress.assessingCharge": "done done.declined",
    },
)

PRODUCT: StateMachine = machine(
    "product",
    "pendingActive",
    {
        "pendingActive": "active cancelled",
        "active": "active.pendingChange suspended pendingTerminate",
        "active.pendingChange": "active",
        "suspended": "active suspendedPendingTerminate",
        "suspendedPendingTerminate": "terminated suspended",
        "pendingTerminate": "terminated active",
    },
)

SERVICE_ORDER: StateMachine = machine(
    "serviceOrder",
    "acknowledged",
    {
        "acknowledged": "inProgress rejected pending held",
        "pending": "inProgress failed",
        "held": "inProgress failed",
        "inProgress": "completed failed partial held pending",
    },
)

SERVICE: StateMachine = machine(
    "service",
    "feasibilityChecked",
    {
        "feasibilityChecked": "designed terminated",
        "designed": "reserved terminated",
        "reserved": "inactive terminated",
        "inactive": "active terminated",
        "active": "inactive terminated",
    },
)

ALL_MACHINES: tuple[StateMachine, ...] = (
    PRODUCT_ORDER,
    PRODUCT_ORDER_ITEM,
    QUOTE,
    QUOTE_ITEM,
    PRODUCT_OFFERING_QUALIFICATION,
    PRODUCT_OFFERING_QUALIFICATION_ITEM,
    CANCEL_PRODUCT_ORDER,
    PRODUCT,
    SERVICE_ORDER,
    SERVICE,
)
