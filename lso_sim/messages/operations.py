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
        errors: error statuses the MEF operation defines (400, 404, 409, 422, 501...); a seller's
            refusal is fitted to one of them (:mod:`lso_sim.sonata.errors`). Empty: not declared.
    """

    name: str
    irps: frozenset[Irp]
    kind: Kind
    api: str | None
    success: int | None
    summary: str
    errors: frozenset[int] = frozenset()


_PRODUCT_IRPS = frozenset({Irp.CANTATA, Irp.SONATA})

CATALOG: dict[tuple[str | None, str], Operation] = {}


def _op(
    name: str,
    irps: frozenset[Irp] | Irp,
    kind: Kind,
    api: str | None,
    success: int | None,
    summary: str,
    errors: str = "",
) -> Operation:
    op = Operation(
        name,
        irps if isinstance(irps, frozenset) else frozenset({irps}),
        kind,
        api,
        success,
        summary,
        frozenset(int(e) for e in errors.split()),
    )
    key = (api, name)
    if key in CATALOG:
        raise ValueError(f"operation {name!r} of api {api!r} declared twice")
    CATALOG[key] = op
    return op


REQ, NOTE = Kind.REQUEST, Kind.NOTIFICATION

# -- SONATA / CANTATA: MEF product APIs (the same definitions serve both IRPs) ---------------------
# ``errors`` lists the error statuses each MEF operation defines (besides 401/403/500).


def _product(name: str, api: str, success: int, summary: str, errors: str) -> Operation:
    return _op(name, _PRODUCT_IRPS, Kind.REQUEST, api, success, summary, errors)


def _event(name: str, api: str, summary: str) -> Operation:
    return _op(name, _PRODUCT_IRPS, Kind.NOTIFICATION, api, None, summary)


_CATALOG_API = "productCatalog"
LIST_CATEGORY = _product("listCategory", _CATALOG_API, 200, "list the seller's product categories", "400")
RETRIEVE_CATEGORY = _product("retrieveCategory", _CATALOG_API, 200, "read one category", "400 404")
LIST_PRODUCT_OFFERING = _product(
    "listProductOffering", _CATALOG_API, 200, "browse the seller's product offerings", "400"
)
RETRIEVE_PRODUCT_OFFERING = _product(
    "retrieveProductOffering", _CATALOG_API, 200, "read one product offering", "400 404"
)
LIST_PRODUCT_SPECIFICATION = _product(
    "listProductSpecification", _CATALOG_API, 200, "list the product specifications", "400"
)
RETRIEVE_PRODUCT_SPECIFICATION = _product(
    "retrieveProductSpecification", _CATALOG_API, 200, "read one product specification", "400 404"
)

_ADDRESS_API = "geographicAddressManagement"
VALIDATE_ADDRESS = _product(
    "createGeographicAddressValidation",
    _ADDRESS_API,
    200,
    "validate a partial address: best matches with their confidence",
    "400 422",
)
RETRIEVE_ADDRESS = _product(
    "retrieveGeographicAddress", _ADDRESS_API, 200, "read one known address", "400 404"
)

_SITE_API = "geographicSiteManagement"
LIST_SITE = _product(
    "listGeographicSite", _SITE_API, 200, "list the seller's sites matching filters", "400 422"
)
RETRIEVE_SITE = _product("retrieveGeographicSite", _SITE_API, 200, "read one site", "400 404")

_POQ_API = "productOfferingQualificationManagement"
_POQ_EVENTS = "productOfferingQualificationNotification"
LIST_POQ = _product("listProductOfferingQualification", _POQ_API, 200, "list qualifications", "400")
CREATE_POQ = _product(
    "createProductOfferingQualification",
    _POQ_API,
    201,
    "ask whether a product can be delivered at given places",
    "400 422",
)
RETRIEVE_POQ = _product(
    "retrieveProductOfferingQualification", _POQ_API, 200, "read one qualification", "400 404"
)
POQ_CREATE_EVENT = _event("poqCreateEvent", _POQ_EVENTS, "a qualification was created")
POQ_STATE_CHANGE = _event("poqStateChangeEvent", _POQ_EVENTS, "a qualification changed state")
POQ_ITEM_STATE_CHANGE = _event(
    "listenToPoqItemStateChangeEvent", _POQ_EVENTS, "a qualification item changed state"
)

_QUOTE_API = "quoteManagement"
_QUOTE_EVENTS = "quoteNotification"
LIST_QUOTE = _product("listQuote", _QUOTE_API, 200, "list quotes", "400")
CREATE_QUOTE = _product("createQuote", _QUOTE_API, 201, "ask the seller for a quote", "400 422")
RETRIEVE_QUOTE = _product("retrieveQuote", _QUOTE_API, 200, "read one quote", "400 404")
CANCEL_QUOTE = _product(
    "cancelQuote", _QUOTE_API, 200, "withdraw a quote request still in progress", "400 422"
)
REJECT_QUOTE = _product("rejectQuote", _QUOTE_API, 200, "decline an approved quote", "400 422")
QUOTE_STATE_CHANGE = _event("listenToQuoteStateChangeEvent", _QUOTE_EVENTS, "a quote changed state")
QUOTE_ITEM_STATE_CHANGE = _event(
    "listenToQuoteItemStateChangeEvent", _QUOTE_EVENTS, "a quote item changed state"
)

_INVENTORY_API = "productInventoryManagement"
LIST_PRODUCT = _product("listProduct", _INVENTORY_API, 200, "list the buyer's product instances", "400 422")
RETRIEVE_PRODUCT = _product("retrieveProduct", _INVENTORY_API, 200, "read one product instance", "400 404")

_ORDER_API = "productOrderManagement"
_ORDER_EVENTS = "productOrderNotification"
LIST_PRODUCT_ORDER = _product("listProductOrder", _ORDER_API, 200, "list product orders", "400")
CREATE_PRODUCT_ORDER = _product("createProductOrder", _ORDER_API, 201, "place a product order", "400 422")
RETRIEVE_PRODUCT_ORDER = _product(
    "retrieveProductOrder", _ORDER_API, 200, "read one product order", "400 404"
)
PATCH_PRODUCT_ORDER = _product(
    "patchProductOrder", _ORDER_API, 200, "update administrative fields of an order", "400 404 409 501"
)
LIST_CANCEL_PRODUCT_ORDER = _product(
    "listCancelProductOrder", _ORDER_API, 200, "list cancellation requests", "400 501"
)
CREATE_CANCEL_PRODUCT_ORDER = _product(
    "createCancelProductOrder", _ORDER_API, 201, "ask to cancel a product order", "400 422 501"
)
RETRIEVE_CANCEL_PRODUCT_ORDER = _product(
    "retrieveCancelProductOrder", _ORDER_API, 200, "read one cancellation request", "400 404 501"
)
LIST_CHARGE = _product("listCharge", _ORDER_API, 200, "list charges the seller raised on orders", "400 501")
RETRIEVE_CHARGE = _product("retrieveCharge", _ORDER_API, 200, "read one charge", "400 404 501")
PATCH_CHARGE = _product(
    "patchCharge", _ORDER_API, 200, "accept or decline the charges of a charge", "400 404 409 501"
)
LIST_MODIFY_DELIVERY_DATE = _product(
    "listModifyProductOrderItemRequestedDeliveryDate",
    _ORDER_API,
    200,
    "list requested-delivery-date changes",
    "400 501",
)
CREATE_MODIFY_DELIVERY_DATE = _product(
    "createModifyProductOrderItemRequestedDeliveryDate",
    _ORDER_API,
    201,
    "ask to move an order item's requested delivery date",
    "400 422 501",
)
RETRIEVE_MODIFY_DELIVERY_DATE = _product(
    "retrieveModifyProductOrderItemRequestedDeliveryDate",
    _ORDER_API,
    200,
    "read one requested-delivery-date change",
    "400 404 501",
)
PRODUCT_ORDER_STATE_CHANGE = _event(
    "productOrderStateChangeEvent", _ORDER_EVENTS, "a product order changed state"
)
PRODUCT_ORDER_ITEM_STATE_CHANGE = _event(
    "productOrderItemStateChangeEvent", _ORDER_EVENTS, "a product order item changed state"
)
PRODUCT_ORDER_ITEM_EXPECTED_DATE_SET = _event(
    "productOrderItemExpectedCompletionDateSet",
    _ORDER_EVENTS,
    "the seller set (or moved) the date it expects to complete an order item",
)
CANCEL_PRODUCT_ORDER_STATE_CHANGE = _event(
    "cancelProductOrderStateChangeEvent", _ORDER_EVENTS, "a cancellation request changed state"
)
CHARGE_CREATE = _event("chargeCreateEvent", _ORDER_EVENTS, "the seller raised a charge on an order")
CHARGE_STATE_CHANGE = _event("chargeStateChangeEvent", _ORDER_EVENTS, "a charge changed state")
MODIFY_DELIVERY_DATE_STATE_CHANGE = _event(
    "modifyProductOrderItemRequestedDeliveryDateStateChangeEvent",
    _ORDER_EVENTS,
    "a requested-delivery-date change changed state",
)


@dataclass(frozen=True, slots=True)
class HubOperations:
    """The notification hub operations of one MEF management API."""

    register: Operation
    unregister: Operation
    retrieve: Operation | None


def _hub(api: str, retrieve: bool) -> HubOperations:
    return HubOperations(
        _product("registerListener", api, 201, f"register a notification hub on {api}", "400 501"),
        _product("unregisterListener", api, 204, f"remove a notification hub of {api}", "400 404 501"),
        _product("retrieveHub", api, 200, f"read a notification hub of {api}", "400 404 501")
        if retrieve
        else None,
    )


HUB_OPERATIONS: dict[str, HubOperations] = {
    _CATALOG_API: _hub(_CATALOG_API, True),
    _POQ_API: _hub(_POQ_API, False),
    _QUOTE_API: _hub(_QUOTE_API, False),
    _ORDER_API: _hub(_ORDER_API, True),
    "troubleTicketManagement": _hub("troubleTicketManagement", True),
    "billingManagement": _hub("billingManagement", True),
}
"""Management API -> its hub operations (MEF's registerListener pattern)."""

NOTIFICATION_HUB: dict[str, str] = {
    "productCatalogNotification": _CATALOG_API,
    _POQ_EVENTS: _POQ_API,
    _QUOTE_EVENTS: _QUOTE_API,
    _ORDER_EVENTS: _ORDER_API,
    "troubleTicketNotification": "troubleTicketManagement",
    "billingNotification": "billingManagement",
}
"""Notification API -> the management API whose hub registrations it is delivered through."""

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
    "interlude/performanceMonitoring",
    201,
    "start proactive performance monitoring of a partner component",
)

# -- PRESTO (SOF:ICM) --------------------------------------------------------------------------------
# The MEF NRP API (Swagger 2.0, TAPI) names its RPCs by path; the conformance index gives them the
# synthetic operation ids of those paths (create-connectivity-service). It defines no service
# activation test and no monitoring operation: those two stay lso-sim's own.
ACTIVATE_CONNECTIVITY = _op(
    "create-connectivity-service",
    Irp.PRESTO,
    REQ,
    "presto-nrp",
    200,
    "configure and activate a forwarding construct across one forwarding domain",
    "400",
)
TEST_CONNECTIVITY = _op(
    "runServiceActivationTest", Irp.PRESTO, REQ, None, 200, "test a forwarding construct end to end"
)
ACTIVATE_MONITORING = _op(
    "activatePerformanceMonitoring", Irp.PRESTO, REQ, None, 200, "start monitoring a forwarding construct"
)

# Topology information (10.2 3b, 3c; 10.5 9): SOF reads each ICM's forwarding domain with the NRP's
# get-topology-details; the NRP API defines no notification, so the change event is lso-sim's own.
GET_TOPOLOGY_DETAILS = _op(
    "get-topology-details",
    Irp.PRESTO,
    REQ,
    "presto-nrp",
    200,
    "read one forwarding domain's topology: nodes, links, their state and free capacity",
    "400",
)
TOPOLOGY_CHANGE_EVENT = _op(
    "topologyChangeEvent",
    Irp.PRESTO,
    NOTE,
    None,
    None,
    "an ICM tells SOF that an NE or link of its forwarding domain went down or came back",
)

# -- ADAGIO (ICM:ECM) --------------------------------------------------------------------------------
CONFIGURE_ELEMENT = _op(
    "configureNetworkElement", Irp.ADAGIO, REQ, None, 200, "apply a configuration to one network element"
)
TEST_ELEMENT = _op("testNetworkElement", Irp.ADAGIO, REQ, None, 200, "run a test on one network element")
MONITOR_ELEMENT = _op(
    "enableElementMonitoring", Irp.ADAGIO, REQ, None, 200, "start measurement on one network element"
)
RETRIEVE_ELEMENT_INVENTORY = _op(
    "retrieveElementInventory",
    Irp.ADAGIO,
    REQ,
    None,
    200,
    "an ECM describes its network elements of one forwarding domain: state, links, capacity",
)
ELEMENT_STATE_CHANGE_EVENT = _op(
    "elementStateChangeEvent",
    Irp.ADAGIO,
    NOTE,
    None,
    None,
    "an ECM tells its ICM that a network element or link went down or came back",
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


# --- issue-assurance ---
# Threads 10.3 (control), 10.4 (reports), 10.6 (SLS) and the metric collection they share.

# ALLEGRO (Customer:SOF-sp): MEF publishes no API for it.
RETRIEVE_CONTROL_POLICY = _op(
    "retrieveServiceControlPolicy",
    Irp.ALLEGRO,
    REQ,
    None,
    200,
    "read the constraints and policies bounding what the Customer may change on a service",
)
REQUEST_SERVICE_CHANGE = _op(
    "requestServiceChange",
    Irp.ALLEGRO,
    REQ,
    None,
    202,
    "ask for a change of a service parameter (now, at a scheduled time, or reserved for a window)",
)
RETRIEVE_SERVICE_CHANGE = _op(
    "retrieveServiceChange",
    Irp.ALLEGRO,
    REQ,
    None,
    200,
    "read a requested service change and its state (polled when its notification is overdue)",
)
SERVICE_CHANGE_EVENT = _op(
    "serviceChangeStateChangeEvent",
    Irp.ALLEGRO,
    NOTE,
    None,
    None,
    "a requested service change was applied, tested and is ready (or failed)",
)
LIST_REPORT_TYPES = _op(
    "listServiceReportTypes", Irp.ALLEGRO, REQ, None, 200, "reports a service offers"
)
REQUEST_SERVICE_REPORT = _op(
    "requestServiceReport",
    Irp.ALLEGRO,
    REQ,
    None,
    202,
    "ask for a performance or fault report, once, on a schedule or on a threshold crossing",
)
SERVICE_REPORT_READY = _op(
    "serviceReportReadyEvent", Irp.ALLEGRO, NOTE, None, None, "a requested report is available"
)
RETRIEVE_SERVICE_REPORT = _op(
    "retrieveServiceReport", Irp.ALLEGRO, REQ, None, 200, "read an assembled report"
)
RETRIEVE_REPORT_REQUEST = _op(
    "retrieveServiceReportRequest",
    Irp.ALLEGRO,
    REQ,
    None,
    200,
    "read a report request: which of its reports are ready or failed (polled when an alert is overdue)",
)

# PRESTO (SOF:ICM)
UPDATE_CONNECTIVITY_SERVICE = _op(
    "update-connectivity-service",
    Irp.PRESTO,
    REQ,
    "presto-nrp",
    201,
    "reconfigure a forwarding construct (capacity, or a corrective reconfiguration); result notified",
)
MODIFY_CONSTRUCT_MONITORING = _op(
    "modifyConstructMonitoring",
    Irp.PRESTO,
    REQ,
    None,
    200,
    "re-arm a forwarding construct's monitoring job and thresholds for its new bandwidth",
    "404",
)
TEST_FORWARDING_CONSTRUCT = _op(
    "testForwardingConstruct",
    Irp.PRESTO,
    REQ,
    None,
    202,
    "test a reconfigured forwarding construct; result notified",
)
FORWARDING_CONSTRUCT_RESULT = _op(
    "forwardingConstructTaskResult",
    Irp.PRESTO,
    NOTE,
    None,
    None,
    "an ICM reports the result of a reconfiguration or test of a forwarding construct",
)
RETRIEVE_CONSTRUCT_METRICS = _op(
    "retrieveForwardingConstructMetrics",
    Irp.PRESTO,
    REQ,
    None,
    200,
    "performance counters, gauges and alarms of a forwarding construct (optionally arming a TCA)",
)
THRESHOLD_CROSSING_ALERT = _op(
    "thresholdCrossingAlert",
    frozenset({Irp.PRESTO, Irp.INTERLUDE, Irp.ADAGIO}),  # ECMs raise it to their ICM too
    NOTE,
    None,
    None,
    "a monitored gauge crossed its threshold at the end of a measurement interval",
)

# ADAGIO (ICM:ECM)
MODIFY_ELEMENT_MONITORING = _op(
    "modifyElementMonitoring",
    Irp.ADAGIO,
    REQ,
    None,
    200,
    "re-arm an element's monitoring of a construct (measurement interval and thresholds)",
)
RETRIEVE_ELEMENT_METRICS = _op(
    "retrieveElementMetrics",
    Irp.ADAGIO,
    REQ,
    None,
    200,
    "counters, gauges and alarms of one network element for one construct",
)

# INTERLUDE (SOF-sp:SOF-partner)
MODIFY_PARTNER_COMPONENT = _op(
    "modifyServiceComponent",
    Irp.INTERLUDE,
    REQ,
    None,
    202,
    "ask a partner SOF to reconfigure a partner component; result notified",
)
VERIFY_PARTNER_COMPONENT = _op(
    "verifyServiceComponent",
    Irp.INTERLUDE,
    REQ,
    None,
    202,
    "ask a partner SOF to test a reconfigured partner component; result notified",
)
PARTNER_COMPONENT_RESULT = _op(
    "serviceComponentTaskResult",
    Irp.INTERLUDE,
    NOTE,
    None,
    None,
    "a partner SOF reports the result of a reconfiguration or test of a partner component",
)
CREATE_PARTNER_PERFORMANCE_REPORT = _op(
    "createPerformanceReport",
    Irp.INTERLUDE,
    REQ,
    "interlude/performanceMonitoring",
    201,
    "an ad-hoc performance report of a partner component",
)

# LEGATO (BUS:SOF) and CANTATA (Customer:BUS)
SERVICE_USAGE_EVENT = _op(
    "serviceUsageEvent",
    Irp.LEGATO,
    NOTE,
    None,
    None,
    "SOF tells BUS of a usage-relevant event of a service (a change, a usage summary) for billing",
)
SERVICE_QUALITY_STATUS = _op(
    "serviceQualityStatusEvent",
    Irp.LEGATO,
    NOTE,
    None,
    None,
    "SOF reports the status of an SLS degradation of a service and of its resolution",
)
PRODUCT_QUALITY_STATUS = _op(
    "productQualityStatusEvent",
    Irp.CANTATA,
    NOTE,
    None,
    None,
    "BUS tells the Customer the status of an SLS degradation of its product and of its resolution",
)


# --- issue-trouble ---
# Thread 10.5 (trouble reports) and 10.7 (billing and usage). The trouble ticket and billing APIs
# are MEF's (troubleTicketManagement, billingManagement and their notifications, over SONATA and
# CANTATA); the LEGATO, INTERLUDE, PRESTO, ADAGIO and ALLEGRO hops of these threads have no MEF API
# and carry lso-sim names.
_TT, _TTN = "troubleTicketManagement", "troubleTicketNotification"
CREATE_TROUBLE_TICKET = _op(
    "createTroubleTicket", _PRODUCT_IRPS, REQ, _TT, 201, "report an issue with a product", errors="400 422"
)
LIST_TROUBLE_TICKET = _op(
    "listTroubleTicket", _PRODUCT_IRPS, REQ, _TT, 200, "list the buyer's trouble tickets", errors="400"
)
RETRIEVE_TROUBLE_TICKET = _op(
    "retrieveTroubleTicket", _PRODUCT_IRPS, REQ, _TT, 200, "read one trouble ticket", errors="400 404"
)
PATCH_TROUBLE_TICKET = _op(
    "patchTroubleTicket",
    _PRODUCT_IRPS,
    REQ,
    _TT,
    200,
    "add notes or change a ticket",
    errors="400 404 409 422",
)
CANCEL_TROUBLE_TICKET = _op(
    "cancelTroubleTicket", _PRODUCT_IRPS, REQ, _TT, 204, "withdraw a trouble ticket", errors="400 404 422"
)
CLOSE_TROUBLE_TICKET = _op(
    "closeTroubleTicket", _PRODUCT_IRPS, REQ, _TT, 204, "confirm a resolved ticket", errors="400 404 422"
)
REOPEN_TROUBLE_TICKET = _op(
    "reopenTroubleTicket", _PRODUCT_IRPS, REQ, _TT, 204, "reject a ticket's resolution", errors="400 404 422"
)
LIST_INCIDENT = _op(
    "listIncident", _PRODUCT_IRPS, REQ, _TT, 200, "list incidents the seller raised", errors="400"
)
RETRIEVE_INCIDENT = _op(
    "retrieveIncident", _PRODUCT_IRPS, REQ, _TT, 200, "read one incident", errors="400 404"
)
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
LIST_CUSTOMER_BILL = _op(
    "listCustomerBill", _PRODUCT_IRPS, REQ, _BM, 200, "list the buyer's bills", errors="400"
)
RETRIEVE_CUSTOMER_BILL = _op(
    "retrieveCustomerBill", _PRODUCT_IRPS, REQ, _BM, 200, "read one bill", errors="400 404"
)
RETRIEVE_CUSTOMER_BILL_ITEM = _op(
    "retrieveCustomerBillItem", _PRODUCT_IRPS, REQ, _BM, 200, "read one bill item", errors="400 404"
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
MODIFY_COMPONENT_MONITORING = _op(
    "modifyComponentMonitoring",
    Irp.INTERLUDE,
    REQ,
    None,
    200,
    "re-arm a partner component's monitoring job and thresholds for its new bandwidth",
    "404",
)
ALERT_PARTNER_ASSESSMENT = _op(
    "alertServiceAssessment",
    Irp.INTERLUDE,
    REQ,
    None,
    202,
    "SOF-sp alerts a partner that its component is assessed against SLS objectives until a time",
    "404",
)
SLS_STATUS_ALLEGRO = _op(
    "serviceQualityStatusUpdate",
    Irp.ALLEGRO,
    NOTE,
    None,
    None,
    "SOF-sp reports the status of an SLS degradation and its resolution to the Customer",
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
COMPONENT_FAULT_EVENT = _op(
    "serviceComponentFaultEvent",
    Irp.INTERLUDE,
    NOTE,
    None,
    None,
    "a partner SOF tells SOF-sp of a fault raised or cleared in its domain on a component it delivers",
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

# --- issue-sonata3 ---
RETRIEVE_SERVICE_ORDER = _op(
    "retrieveServiceOrder",
    Irp.LEGATO,
    REQ,
    "serviceOrderingManagement",
    200,
    "BUS reads a service order it placed (after a silence, or to learn why it failed)",
    "400 404",
)
CANCEL_SERVICE_ORDER = _op(
    "cancelServiceOrder",
    Irp.LEGATO,
    REQ,
    None,
    200,
    "BUS asks SOF to stop a service order before activation and release what it reserved",
)

# --- issue-modify ---
# Product order items that modify or delete a delivered product (10.2 back office).
DELETE_CONNECTIVITY = _op(
    "delete-connectivity-service",
    Irp.PRESTO,
    REQ,
    "presto-nrp",
    200,
    "remove a forwarding construct from one forwarding domain (its configuration leaves every NE)",
    "400",
)
DEACTIVATE_PARTNER_COMPONENT = _op(
    "deactivateServiceComponent",
    Irp.INTERLUDE,
    REQ,
    None,
    200,
    "SOF-sp asks a partner SOF to remove a partner component and release what it holds",
)

# --- issue-sync ---
# A service changed below BUS outside a service order BUS placed (10.3, INTERLUDE changes of a
# partner component): SOF tells its BUS, which reads the service back and updates the product.
SERVICE_ATTRIBUTE_CHANGE = _op(
    "serviceAttributeValueChangeEvent",
    Irp.LEGATO,
    NOTE,
    "serviceInventoryNotification",
    None,
    "an attribute (the bandwidth) of a service in SOF's inventory changed",
)
SERVICE_DELETE = _op(
    "serviceDeleteEvent",
    Irp.LEGATO,
    NOTE,
    "serviceInventoryNotification",
    None,
    "a service in SOF's inventory was removed (terminated) without BUS ordering it",
)
RETRIEVE_SERVICE = _op(
    "serviceGet",
    Irp.LEGATO,
    REQ,
    "serviceInventoryManagement",
    200,
    "BUS reads one service of SOF's inventory (MEF's retrieve service)",
    "400 404",
)

# --- issue14: partner on-boarding (10.1) ---
# The partner's later catalog changes reach BUS-sp through its productCatalog hub (MEF's
# productCatalogNotification API, operationIds of the listener); SOF-sp learns over LEGATO which
# service components a partner's offerings realise (MEF publishes no API for that hop).
_CATALOG_EVENTS = "productCatalogNotification"
PRODUCT_OFFERING_CREATE = _event(
    "listenToProductOfferingCreateEvent", _CATALOG_EVENTS, "a seller published a new product offering"
)
PRODUCT_OFFERING_CHANGE = _event(
    "listenToProductOfferingAttributeValueChangeEvent",
    _CATALOG_EVENTS,
    "a seller changed the attributes (terms, objectives) of a product offering",
)
PRODUCT_OFFERING_STATUS_CHANGE = _event(
    "listenToProductOfferingStatusChangeEvent",
    _CATALOG_EVENTS,
    "a seller changed the lifecycle status of a product offering",
)
REGISTER_PARTNER_CAPABILITIES = _op(
    "registerPartnerCapabilities",
    Irp.LEGATO,
    REQ,
    None,
    200,
    "BUS-sp gives SOF-sp a partner's offerings and policies; SOF-sp maps them onto service components",
)

# --- issue14: 10.2 9 b) option b, the partner builds when released ---
RELEASE_SERVICE_ORDER = _op(
    "releaseServiceOrder",
    Irp.LEGATO,
    REQ,
    None,
    200,
    "BUS tells SOF to build a service order it holds reserved: the buyer has released it",
)
