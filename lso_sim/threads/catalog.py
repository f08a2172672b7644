"""The operational threads of MEF 55.0.1 section 10, and the steps each message can realise.

Step explanations are lso-sim's own one-line summaries (MEF's sentences are not reproduced); the
step numbers are MEF's, so a trace record's ``step`` can always be looked up here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lso_sim.actors.world import AUDIT_STEP, END_STEP, SETUP_STEP
from lso_sim.engine.faults import FAULT_THREAD
from lso_sim.errors import UnknownThreadError


@dataclass(frozen=True, slots=True)
class ThreadInfo:
    """One operational thread.

    Attributes:
        id: section number, e.g. ``"10.2"``.
        title: the thread's title.
        defined: False for the threads MEF leaves "to be defined".
        steps: step number -> our one-line explanation.
    """

    id: str
    title: str
    defined: bool
    steps: dict[str, str] = field(default_factory=dict)


THREADS: dict[str, ThreadInfo] = {
    t.id: t
    for t in (
        ThreadInfo(
            "10.1",
            "Partners On-Boarding",
            defined=False,
            steps={
                "1": "BUS-sp opens the relationship and registers for the partner's catalog notifications",
                "2": "BUS-sp reads the product offerings the partner shares over SONATA",
                "3": "BUS-sp reads their specifications, billing terms and quality objectives, as shared",
                "4": "BUS-sp codifies the rules of the arrangement with the partner as policies",
                "5": "SOF-sp learns which service components the partner's offerings can realise",
                "6": "A later change of the partner's catalog reaches BUS-sp, which updates SOF-sp",
            },
        ),
        ThreadInfo(
            "10.2",
            "Product Ordering and Service Activation Orchestration",
            defined=True,
            steps={
                "1": "Customer looks at the catalog and at the products it already has",
                "2": "Customer specifies the product and asks for serviceability and a quote",
                "3a": "BUS-sp starts working out serviceability (billing, partner products)",
                "3b": "SOF splits the service into SP and partner components using its topology"
                " information (each ICM's forwarding domain, read over PRESTO when first needed)",
                "3c": "SOF checks whether the SP part can be served",
                "3d": "BUS-sp asks the partner whether it can serve its part, and at what price",
                "3e": "BUS-sp returns serviceability and the quote to the Customer",
                "4": "Customer places the product order",
                "5": "BUS-sp maps the ordered product onto services",
                "6": "BUS-sp orders the partner's part and gets the partner's commitment",
                "7": "BUS-sp asks SOF to fulfil the services in the SP footprint",
                "8": "SOF designs the service components, existing and new",
                "9a": "SOF has each ICM configure and activate its forwarding constructs",
                "9b": "SOF gets the partner components fulfilled (INTERLUDE, or LEGATO then SONATA)",
                "10": "Each ICM configures the network elements involved through their ECMs",
                "11": "SOF runs service activation tests, in the SP and partner domains",
                "12a": "SOF starts proactive performance monitoring of the service",
                "13": "SOF marks the service active and tells BUS-sp",
                "14": "BUS-sp tells the Customer the product is ready",
                "15": "Customer tests and accepts the product",
                "15a": "Billing of the product starts",
            },
        ),
        ThreadInfo(
            "10.3",
            "Controlling a Service",
            defined=True,
            steps={
                "1": "Customer reads which service parameters it may change, and within which bounds",
                "2": "Customer asks SOF-sp for a change (now, scheduled, or reserved for a window)",
                "3": "SOF-sp checks the change against the constraints; outside them it is refused",
                "4": "SOF-sp works out which SP and partner components must be reconfigured",
                "5a": "SOF-sp asks each ICM to reconfigure its forwarding construct",
                "5b": "SOF-sp asks each partner SOF to reconfigure the partner component",
                "6": "Each ICM reconfigures the network elements involved through their ECMs",
                "7": "Each ICM reports the result of the reconfiguration",
                "8": "Each partner reports the result of the reconfiguration",
                "9a": "SOF-sp asks each ICM to test the reconfigured construct",
                "9b": "SOF-sp asks each partner SOF to test the reconfigured component",
                "10": "Each ICM tests the network elements involved through their ECMs",
                "11": "Each ICM reports the test result",
                "12": "Each partner reports the test result",
                "13": "SOF-sp brings its inventory and assurance in line with the change",
                "14": "SOF-sp sends BUS-sp a usage event so the change can be billed",
                "15": "SOF-sp tells the Customer the change is in place and tested",
            },
        ),
        ThreadInfo(
            "10.4",
            "Customer Viewing Service Performance and Fault Reports and Metrics",
            defined=True,
            steps={
                "1": "Customer reads which performance and fault reports the service offers",
                "2": "Customer asks for a report (once, on a schedule, or on a threshold crossing)",
                "3": "SOF-sp works out which figures the report needs",
                "4a": "Unless cached and current, SOF-sp gathers them from the ICMs",
                "4a-ecm": "Each ICM reads the figures of its network elements from their ECMs",
                "4b": "Unless cached and current, SOF-sp gathers them from the partners",
                "5": "SOF-sp assembles the report and tells the Customer it is available",
                "6": "Customer retrieves the report",
            },
        ),
        ThreadInfo(
            "10.5",
            "Placing and Tracking Trouble Reports",
            defined=True,
            steps={
                "1": "Customer opens a trouble ticket about one of its products",
                "2": "BUS-sp finds the services behind the product",
                "3": "BUS-sp reports the problem on those services to SOF",
                "4": "SOF lists the service's components: constructs per forwarding domain, partner parts",
                "5": "SOF matches the problem with alarms it already received (ECM to ICM to SOF)",
                "6a": "SOF reads fault and configuration of its constructs from each ICM",
                "6b": "SOF reads fault and configuration of partner components from partner SOFs",
                "7": "Each ICM reads alarms and configuration of its elements from their ECMs",
                "8": "SOF diagnoses the trouble, running extra tests when the reads explain nothing",
                "9": "SOF fixes it: reconfigures, reroutes around faulty elements or has the partner fix it",
                "10": "SOF sends a technician when nothing automatic helps and tracks the repair",
                "11": "SOF reports the resolution status to BUS-sp",
                "12": "The Customer hears the ticket's (or incident's) status and closes a resolved ticket",
            },
        ),
        ThreadInfo(
            "10.6",
            "Assessing Service Quality Based on SLS",
            defined=True,
            steps={
                "1a": "SOF-sp polls each ICM for performance (ICMs also alert on threshold crossings)",
                "1b": "SOF-sp polls each partner SOF for performance (partners alert likewise)",
                "2": "Each ICM reads the network elements through their ECMs",
                "3": "SOF-sp compares the figures with the SLS and, if degraded, tests to locate it",
                "4": "SOF-sp reconfigures the degraded components to resolve it",
                "5": "SOF-sp records whether manual intervention is needed and tracks resolution",
                "6": "SOF-sp reports the degradation and its resolution to BUS-sp",
                "7": "The Customer hears the status: from BUS-sp over CANTATA, or from SOF-sp over ALLEGRO",
            },
        ),
        ThreadInfo(
            "10.7",
            "Collection and Reporting of Billing and Usage",
            defined=True,
            steps={
                "i": "SOF tells BUS of a usage event on a service (it started being used)",
                "ii": "SOF tells BUS of SLS violations and of use beyond the SLS",
                "1a": "SOF collects traffic and usage of its constructs from each ICM (on schedule)",
                "1b": "SOF collects usage of partner components from partner SOFs",
                "2": "Each ICM reads the traffic counters and gauges of its elements from their ECMs",
                "3": "SOF works out the service's usage and end-to-end figures for the period",
                "4": "SOF reports the usage summary to BUS (a partner SOF to the partner's BUS)",
                "5": "BUS rates the usage and prices the period by its business rules",
                "6": "The bill reaches the buyer (Customer over CANTATA, BUS-sp over SONATA), who reads it",
            },
        ),
        ThreadInfo(
            "10.8",
            "Securing Management and Control Mechanisms",
            defined=False,
            steps={
                "1": "A party sends a request over an IRP, presenting its credential",
                "2": "The receiver authenticates the credential: known, not expired, not revoked (else 401)",
                "3": "The receiver authorises the request against roles and policies (else 403)",
                "4": "The decision goes to the audit log; a refusal is answered with MEF's error body",
            },
        ),
        ThreadInfo(
            "10.9",
            "Providing Connectivity Services for Cloud",
            defined=False,
            steps={
                "1": "The Customer Application Coordinator reads the service's bandwidth and its bounds",
                "2": "It assesses the load of the cloud applications between the two data centres",
                "3": "It decides the bandwidth the applications need, within the contract's bounds",
                "4": "It has SOF-sp change the bandwidth over ALLEGRO, SP and partner segments (10.3)",
                "5": "It confirms the applications have the capacity they need, scaled up or down",
            },
        ),
    )
}
"""All threads of section 10, in section order."""


def thread_info(thread_id: str) -> ThreadInfo:
    """The thread ``thread_id``.

    Raises:
        UnknownThreadError: section 10 has no such thread.
    """
    try:
        return THREADS[thread_id]
    except KeyError:
        known = ", ".join(THREADS)
        raise UnknownThreadError(f"unknown thread {thread_id!r}; section 10 defines {known}") from None


EXTRA_STEPS: dict[str, dict[str, str]] = {
    "10.2": {
        "cancel": "Not a MEF step: a buyer cancels an order; the sellers stop its work and release it",
        "charge": "Not a MEF step: a seller raises a charge (expedite) and the buyer accepts or declines it",
        "api": "Not a MEF step: a scenario's api_script calls a seller API directly",
        "12": "MEF's note at 12: a failed activation test handled by policy (retest, reconfigure, reroute)",
    },
}
"""Step labels a thread's records may carry for work MEF gives no step number (not in ``steps``)."""


COMMON_STEPS: dict[str, str] = {
    END_STEP: "Not a MEF step: the thread instance ended; its outcome gives the end state and the reason",
    AUDIT_STEP: "Not a step of this thread: thread 10.8's audit log (its step 4) records a refused message",
    SETUP_STEP: "Not a MEF step: set-up; a buyer registers a notification hub so later events reach it",
}
"""Step labels any thread's records may carry."""


FAULT_FLOW_STEP = (
    "Not a MEF thread: an injected fault (the scenario's faults: block, docs/faults.md) and what the"
    " network tells the orchestrators of it (alarms, topology changes)"
)
"""What any step of a fault's own flow means (thread ``fault``)."""


def explain_step(thread_id: str, step: str) -> str:
    """Our one-line explanation of ``step`` of ``thread_id`` ('' when none is written)."""
    if thread_id == FAULT_THREAD:
        return FAULT_FLOW_STEP
    info = THREADS.get(thread_id)
    if info is None:
        return ""
    return info.steps.get(step) or EXTRA_STEPS.get(thread_id, {}).get(step) or COMMON_STEPS.get(step, "")
