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

# PRESTO (SOF:ICM)
UPDATE_CONNECTIVITY_SERVICE = _op(
    "update-connectivity-service",
    Irp.PRESTO,
    REQ,
    "presto-nrp",
    201,
    "reconfigure a forwarding construct (capacity, or a corrective reconfiguration); result notified",
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
    frozenset({Irp.PRESTO, Irp.INTERLUDE}),
    NOTE,
    None,
    None,
    "a monitored gauge crossed its threshold at the end of a measurement interval",
)

# ADAGIO (ICM:ECM)
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
