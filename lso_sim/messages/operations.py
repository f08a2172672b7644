"""Every operation a simulated actor can send: its name, IRP, MEF API and success status.

This catalogue is where a newcomer finds a message. ``api`` is set exactly where the hop realises
an operation of a MEF API definition (MEF LSO SDK file stem; ``operation`` is then MEF's
operationId); the other operations are lso-sim's own, for IRPs or hops MEF has not published an API
for (ADAGIO, parts of PRESTO, INTERLUDE and ALLEGRO). Which thread sends an operation, and for
which MEF step, is written where it is sent (``lso_sim/threads``).
"""

from __future__ import annotations

from dataclasses import dataclass

from lso_sim.architecture.roles import Irp
from lso_sim.messages.envelope import Kind


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of the catalogue.

    Attributes:
        name: operation name (MEF operationId where ``api`` is set).
        irps: IRPs it may travel over.
        kind: ``request`` (answered by a response) or ``notification`` (one-way).
        api: MEF API definition file stem, or ``None`` for lso-sim's own operations.
        success: status of a successful response (requests only).
        summary: what it does, in one line.
    """

    name: str
    irps: frozenset[Irp]
    kind: Kind
    api: str | None
    success: int | None
    summary: str


_PRODUCT_IRPS = frozenset({Irp.CANTATA, Irp.SONATA})

CATALOG: dict[tuple[str | None, str], Operation] = {}


def _op(
    name: str, irps: frozenset[Irp] | Irp, kind: Kind, api: str | None, success: int | None, summary: str
) -> Operation:
    op = Operation(
        name, irps if isinstance(irps, frozenset) else frozenset({irps}), kind, api, success, summary
    )
    key = (api, name)
    if key in CATALOG:
        raise ValueError(f"operation {name!r} of api {api!r} declared twice")
    CATALOG[key] = op
    return op


REQ, NOTE = Kind.REQUEST, Kind.NOTIFICATION

# -- SONATA / CANTATA: MEF product APIs (the same definitions serve both IRPs) ---------------------
LIST_PRODUCT_OFFERING = _op(
    "listProductOffering", _PRODUCT_IRPS, REQ, "productCatalog", 200, "browse the seller's product offerings"
)
LIST_PRODUCT = _op(
    "listProduct", _PRODUCT_IRPS, REQ, "productInventoryManagement", 200, "list the buyer's product instances"
)
CREATE_POQ = _op(
    "createProductOfferingQualification",
    _PRODUCT_IRPS,
    REQ,
    "productOfferingQualificationManagement",
    201,
    "ask whether a product can be delivered at given places",
)
POQ_STATE_CHANGE = _op(
    "poqStateChangeEvent",
    _PRODUCT_IRPS,
    NOTE,
    "productOfferingQualificationNotification",
    None,
    "a qualification changed state",
)
CREATE_QUOTE = _op("createQuote", _PRODUCT_IRPS, REQ, "quoteManagement", 201, "ask the seller for a quote")
RETRIEVE_QUOTE = _op("retrieveQuote", _PRODUCT_IRPS, REQ, "quoteManagement", 200, "read one quote")
QUOTE_STATE_CHANGE = _op(
    "listenToQuoteStateChangeEvent", _PRODUCT_IRPS, NOTE, "quoteNotification", None, "a quote changed state"
)
CREATE_PRODUCT_ORDER = _op(
    "createProductOrder", _PRODUCT_IRPS, REQ, "productOrderManagement", 201, "place a product order"
)
RETRIEVE_PRODUCT_ORDER = _op(
    "retrieveProductOrder", _PRODUCT_IRPS, REQ, "productOrderManagement", 200, "read one product order"
)
PRODUCT_ORDER_STATE_CHANGE = _op(
    "productOrderStateChangeEvent",
    _PRODUCT_IRPS,
    NOTE,
    "productOrderNotification",
    None,
    "a product order changed state",
)
ACCEPT_PRODUCT = _op(
    "acceptProductInstance",
    Irp.CANTATA,
    REQ,
    None,
    200,
    "the Customer reports its acceptance test of a delivered product instance",
)

# -- LEGATO: MEF service APIs and lso-sim's own design-time queries -------------------------------
DETERMINE_SERVICE_COMPONENTS = _op(
    "determineServiceComponents",
    Irp.LEGATO,
    REQ,
    None,
    200,
    "SOF decomposes a service into components over its topology",
)
CHECK_SERVICEABILITY = _op(
    "checkServiceability", Irp.LEGATO, REQ, None, 200, "SOF checks resources for service components"
)
CREATE_SERVICE_ORDER = _op(
    "createServiceOrder",
    Irp.LEGATO,
    REQ,
    "serviceOrderingManagement",
    201,
    "order service fulfilment from SOF",
)
SERVICE_ORDER_STATE_CHANGE = _op(
    "serviceOrderStateChangeEvent",
    Irp.LEGATO,
    NOTE,
    "serviceOrderingNotification",
    None,
    "a service order changed state",
)
SERVICE_STATE_CHANGE = _op(
    "serviceStateChangeEvent",
    Irp.LEGATO,
    NOTE,
    "serviceInventoryNotification",
    None,
    "a service in SOF's inventory changed state",
)
REQUEST_PARTNER_FULFILMENT = _op(
    "requestPartnerFulfilment",
    Irp.LEGATO,
    REQ,
    None,
    200,
    "SOF asks BUS to obtain a partner component through the partner's product order",
)

# -- INTERLUDE ---------------------------------------------------------------------------------------
ACTIVATE_PARTNER_COMPONENT = _op(
    "activateServiceComponent",
    Irp.INTERLUDE,
    REQ,
    None,
    200,
    "SOF-sp asks a partner SOF to configure and activate a partner component",
)
TEST_PARTNER_COMPONENT = _op(
    "testServiceComponent", Irp.INTERLUDE, REQ, None, 200, "SOF-sp asks a partner SOF to test a component"
)
CREATE_PERFORMANCE_JOB = _op(
    "createPerformanceJob",
    Irp.INTERLUDE,
    REQ,
    "performanceMonitoring",
    201,
    "start proactive performance monitoring of a partner component",
)

# -- PRESTO (SOF:ICM) --------------------------------------------------------------------------------
ACTIVATE_CONNECTIVITY = _op(
    "activateForwardingConstruct",
    Irp.PRESTO,
    REQ,
    None,
    200,
    "configure and activate a forwarding construct across one forwarding domain",
)
TEST_CONNECTIVITY = _op(
    "runServiceActivationTest", Irp.PRESTO, REQ, None, 200, "test a forwarding construct end to end"
)
ACTIVATE_MONITORING = _op(
    "activatePerformanceMonitoring", Irp.PRESTO, REQ, None, 200, "start monitoring a forwarding construct"
)

# -- ADAGIO (ICM:ECM) --------------------------------------------------------------------------------
CONFIGURE_ELEMENT = _op(
    "configureNetworkElement", Irp.ADAGIO, REQ, None, 200, "apply a configuration to one network element"
)
TEST_ELEMENT = _op("testNetworkElement", Irp.ADAGIO, REQ, None, 200, "run a test on one network element")
MONITOR_ELEMENT = _op(
    "enableElementMonitoring", Irp.ADAGIO, REQ, None, 200, "start measurement on one network element"
)


def operation(api: str | None, name: str) -> Operation:
    """Look an operation up by ``(api, name)``.

    Raises:
        KeyError: unknown operation (the message lists the known names of that api).
    """
    try:
        return CATALOG[(api, name)]
    except KeyError:
        known = sorted(n for a, n in CATALOG if a == api)
        raise KeyError(f"unknown operation {name!r} of api {api!r}; known: {', '.join(known)}") from None


# --- issue-trouble ---
# Thread 10.5 (trouble reports) and 10.7 (billing and usage). The trouble ticket and billing APIs
# are MEF's (troubleTicketManagement, billingManagement and their notifications, over SONATA and
# CANTATA); the LEGATO, INTERLUDE, PRESTO, ADAGIO and ALLEGRO hops of these threads have no MEF API
# and carry lso-sim names.
_TT, _TTN = "troubleTicketManagement", "troubleTicketNotification"
CREATE_TROUBLE_TICKET = _op(
    "createTroubleTicket", _PRODUCT_IRPS, REQ, _TT, 201, "report an issue with a product"
)
LIST_TROUBLE_TICKET = _op(
    "listTroubleTicket", _PRODUCT_IRPS, REQ, _TT, 200, "list the buyer's trouble tickets"
)
RETRIEVE_TROUBLE_TICKET = _op(
    "retrieveTroubleTicket", _PRODUCT_IRPS, REQ, _TT, 200, "read one trouble ticket"
)
PATCH_TROUBLE_TICKET = _op("patchTroubleTicket", _PRODUCT_IRPS, REQ, _TT, 200, "add notes or change a ticket")
CANCEL_TROUBLE_TICKET = _op("cancelTroubleTicket", _PRODUCT_IRPS, REQ, _TT, 204, "withdraw a trouble ticket")
CLOSE_TROUBLE_TICKET = _op("closeTroubleTicket", _PRODUCT_IRPS, REQ, _TT, 204, "confirm a resolved ticket")
REOPEN_TROUBLE_TICKET = _op(
    "reopenTroubleTicket", _PRODUCT_IRPS, REQ, _TT, 204, "reject a ticket's resolution"
)
LIST_INCIDENT = _op("listIncident", _PRODUCT_IRPS, REQ, _TT, 200, "list incidents the seller raised")
RETRIEVE_INCIDENT = _op("retrieveIncident", _PRODUCT_IRPS, REQ, _TT, 200, "read one incident")
TICKET_STATUS_CHANGE = _op(
    "listenToTroubleTicketStatusChangeEvent", _PRODUCT_IRPS, NOTE, _TTN, None, "a ticket changed status"
)
TICKET_RESOLVED = _op(
    "listenToTroubleTicketResolvedEvent", _PRODUCT_IRPS, NOTE, _TTN, None, "the seller resolved a ticket"
)
TICKET_ATTRIBUTE_CHANGE = _op(
    "listenToTroubleTicketAttributeValueChangeEvent",
    _PRODUCT_IRPS,
    NOTE,
    _TTN,
    None,
    "the seller changed a ticket's attributes (a note)",
)
INCIDENT_CREATE = _op(
    "listenToIncidentCreateEvent", _PRODUCT_IRPS, NOTE, _TTN, None, "the seller raised an incident"
)
INCIDENT_STATUS_CHANGE = _op(
    "listenToIncidentStatusChangeEvent", _PRODUCT_IRPS, NOTE, _TTN, None, "an incident changed status"
)

_BM, _BN = "billingManagement", "billingNotification"
LIST_CUSTOMER_BILL = _op("listCustomerBill", _PRODUCT_IRPS, REQ, _BM, 200, "list the buyer's bills")
RETRIEVE_CUSTOMER_BILL = _op("retrieveCustomerBill", _PRODUCT_IRPS, REQ, _BM, 200, "read one bill")
RETRIEVE_CUSTOMER_BILL_ITEM = _op(
    "retrieveCustomerBillItem", _PRODUCT_IRPS, REQ, _BM, 200, "read one bill item"
)
BILL_CREATE = _op("listen to Customer Bill Create Event", _PRODUCT_IRPS, NOTE, _BN, None, "a bill was issued")
BILL_STATE_CHANGE = _op(
    "listen to customer Bill State Change Event", _PRODUCT_IRPS, NOTE, _BN, None, "a bill changed state"
)

# 10.5 inside the SP and partner domains
REPORT_SERVICE_PROBLEM = _op(
    "reportServiceProblem", Irp.LEGATO, REQ, None, 200, "BUS tells SOF of a reported problem on services"
)
SERVICE_PROBLEM_STATUS = _op(
    "serviceProblemStatusEvent",
    Irp.LEGATO,
    NOTE,
    None,
    None,
    "SOF reports a problem's resolution status to BUS",
)
REQUEST_PARTNER_TICKET = _op(
    "requestPartnerTroubleTicket",
    Irp.LEGATO,
    REQ,
    None,
    200,
    "SOF asks BUS to raise and follow a trouble ticket with the partner of a faulty component",
)
TROUBLE_STATUS_ALLEGRO = _op(
    "troubleStatusUpdate",
    Irp.ALLEGRO,
    NOTE,
    None,
    None,
    "SOF-sp reports trouble resolution status to the Customer",
)
RETRIEVE_COMPONENT_FAULTS = _op(
    "retrieveComponentFaultAndConfiguration",
    Irp.INTERLUDE,
    REQ,
    None,
    200,
    "SOF-sp asks a partner SOF for fault and configuration of a partner component",
)
TEST_COMPONENT_DIAGNOSTIC = _op(
    "runComponentDiagnosticTest",
    Irp.INTERLUDE,
    REQ,
    None,
    200,
    "SOF-sp asks a partner SOF to test a component",
)
RETRIEVE_CONSTRUCT_FAULTS = _op(
    "retrieveConstructFaultAndConfiguration",
    Irp.PRESTO,
    REQ,
    None,
    200,
    "fault and configuration of a forwarding construct across one forwarding domain",
)
TEST_CONSTRUCT_DIAGNOSTIC = _op(
    "runConstructDiagnosticTest", Irp.PRESTO, REQ, None, 200, "diagnostic test of a forwarding construct"
)
DEACTIVATE_CONNECTIVITY = _op(
    "deactivateForwardingConstruct",
    Irp.PRESTO,
    REQ,
    None,
    200,
    "remove a forwarding construct (after rerouting)",
)
CONSTRUCT_FAULT_EVENT = _op(
    "forwardingConstructFaultEvent",
    Irp.PRESTO,
    NOTE,
    None,
    None,
    "an ICM reports a fault in its domain to SOF",
)
RETRIEVE_ELEMENT_FAULTS = _op(
    "retrieveElementFaultAndConfiguration",
    Irp.ADAGIO,
    REQ,
    None,
    200,
    "alarms, counters and configuration of one network element",
)
TEST_ELEMENT_DIAGNOSTIC = _op(
    "runElementDiagnosticTest", Irp.ADAGIO, REQ, None, 200, "loopback/loss test on one network element"
)
REMOVE_ELEMENT_CONFIGURATION = _op(
    "removeNetworkElementConfiguration",
    Irp.ADAGIO,
    REQ,
    None,
    200,
    "remove a construct from one network element",
)
ELEMENT_FAULT_EVENT = _op(
    "networkElementAlarmEvent",
    Irp.ADAGIO,
    NOTE,
    None,
    None,
    "an ECM raises or clears an alarm of a network element",
)

# 10.7
SERVICE_USAGE_EVENT = _op(
    "serviceUsageEvent",
    Irp.LEGATO,
    NOTE,
    None,
    None,
    "SOF reports a service usage event (e.g. a bandwidth change)",
)
SLS_EXCEPTION_EVENT = _op(
    "slsExceptionEvent", Irp.LEGATO, NOTE, None, None, "SOF reports an SLS violation or beyond-SLS usage"
)
USAGE_SUMMARY = _op(
    "reportUsageSummary",
    Irp.LEGATO,
    REQ,
    None,
    200,
    "SOF reports a service's traffic and usage summary to BUS",
)
RETRIEVE_COMPONENT_USAGE = _op(
    "retrieveComponentUsage", Irp.INTERLUDE, REQ, None, 200, "SOF-sp collects a partner component's usage"
)
RETRIEVE_CONSTRUCT_USAGE = _op(
    "retrieveConstructUsage", Irp.PRESTO, REQ, None, 200, "traffic and usage of a forwarding construct"
)
RETRIEVE_ELEMENT_USAGE = _op(
    "retrieveElementUsage",
    Irp.ADAGIO,
    REQ,
    None,
    200,
    "traffic counters of one network element for a construct",
)
