"""The activities (MEF steps done without a hop) each role records, by name.

A scenario's ``timings:`` block gives the duration of these, per role; a name not listed here would
never be drawn, so the loader refuses it and lists these. This is the one declared list: every
``activity("<name>", ...)`` call in :mod:`lso_sim.threads` and :mod:`lso_sim.sonata` must use a
name of its role here (``tests/test_input_hardening.py`` checks the sources against it).
"""

from __future__ import annotations

from lso_sim.architecture.roles import Role

_BUS = frozenset(
    {
        "assessServiceability",
        "codifyPartnerPolicies",
        "flagUpsellOpportunity",
        "matchAddress",
        "openPartnerRelationship",
        "priceQuote",
        "productToServiceMapping",
        "rateAndBill",
        "recordPartnerTerms",
        "startBilling",
    }
)
_SOF = frozenset(
    {
        "activateService",
        "analyseUsage",
        "assembleReport",
        "assessServiceQuality",
        "checkServiceConstraints",
        "closedLoopControl",
        "computeReroute",
        "correlateFaults",
        "deactivateService",
        "designServiceComponents",
        "determineReportInformation",
        "diagnoseTrouble",
        "dispatchFieldRepair",
        "fieldRepair",
        "identifyServiceComponents",
        "installCpe",
        "mapPartnerCapabilities",
        "scheduleCpeInstallation",
        "synchroniseInventoryAndAssurance",
        "trackDegradationResolution",
        "updateTopologyView",
    }
)

_GUARD = frozenset({"authenticateRequest", "authoriseRequest", "auditAccessDecision"})
"""Recorded by any receiver's access guard, for thread 10.8's own messages."""

ACTIVITIES: dict[Role, frozenset[str]] = {
    Role.CUSTOMER: _GUARD
    | frozenset(
        {
            "acceptanceTesting",
            "assessApplicationLoad",
            "changeConnectivityBandwidth",
            "confirmApplicationCapacity",
            "planConnectivityCapacity",
            "verifyResolution",
        }
    ),
    Role.BUS_SP: _BUS | _GUARD,
    Role.BUS_PARTNER: _BUS | _GUARD,
    Role.SOF_SP: _SOF | _GUARD,
    Role.SOF_PARTNER: _SOF | _GUARD,
    Role.ICM: _GUARD,
    Role.ECM: _GUARD,
}
"""Role -> the activity names its actors record. BUS-sp and BUS-partner run the same seller code,
as SOF-sp and SOF-partner run the same orchestration code, so each pair shares one list."""

SUMMARIES: dict[str, str] = {
    "assessApplicationLoad": "the Customer's application coordinator reads the cloud applications' load",
    "planConnectivityCapacity": "the coordinator works out the bandwidth the load needs, within the contract",
    "changeConnectivityBandwidth": "the coordinator asks for the connectivity service's new bandwidth",
    "confirmApplicationCapacity": "the coordinator checks the applications now have the capacity they need",
    "openPartnerRelationship": "the SP's business applications open the relationship with a new partner",
    "recordPartnerTerms": "the SP records the partner's billing terms and quality objectives",
    "codifyPartnerPolicies": "the SP codifies the partner arrangement as business rules (policies)",
    "mapPartnerCapabilities": "the orchestrator learns which components the partner's offerings realise",
    "authenticateRequest": "the receiver checks the sender's credential (valid, not expired, not revoked)",
    "authoriseRequest": "the receiver checks its policy allows this sender this operation on this IRP",
    "auditAccessDecision": "the receiver writes its access decision to the audit log",
    "acceptanceTesting": "the Customer tests the delivered product before accepting it",
    "verifyResolution": "the Customer checks that the reported trouble is really gone",
    "assessServiceability": "the seller works out whether it can serve the places asked for",
    "flagUpsellOpportunity": "the seller notes a product running near its limit as a chance to sell more",
    "matchAddress": "the seller matches a partial address against the places it knows",
    "priceQuote": "the seller prices the quote",
    "productToServiceMapping": "the seller maps the ordered product onto the services that realise it",
    "rateAndBill": "the seller rates the period's usage and prepares the bill",
    "startBilling": "the seller starts billing the product",
    "activateService": "the orchestrator marks the service active in its inventory",
    "analyseUsage": "the orchestrator analyses the service's usage over the billing period",
    "assembleReport": "the orchestrator assembles the report asked for",
    "assessServiceQuality": "the orchestrator compares the measured quality with the service's objectives",
    "checkServiceConstraints": "the orchestrator checks a requested change against the service's constraints",
    "closedLoopControl": "the orchestrator tries one action of its policy on a failed activation test",
    "computeReroute": "the orchestrator computes a path around the faulty elements",
    "scheduleCpeInstallation": "the orchestrator books the installer's first free appointment at a site",
    "installCpe": "a technician installs the customer equipment at the site, on the appointment's date",
    "correlateFaults": "the orchestrator correlates alarms and test results to find the fault",
    "deactivateService": "the orchestrator takes the service out of service in its inventory",
    "designServiceComponents": "the orchestrator designs the service components, existing and new",
    "determineReportInformation": "the orchestrator works out what the report must contain",
    "diagnoseTrouble": "the orchestrator diagnoses the trouble from tests on the service's elements",
    "dispatchFieldRepair": "the orchestrator sends a field technician to the broken elements",
    "fieldRepair": "a field technician repairs the broken elements",
    "identifyServiceComponents": "the orchestrator finds the components and constructs the service runs on",
    "synchroniseInventoryAndAssurance": "the orchestrator brings inventory and assurance in line",
    "trackDegradationResolution": "the orchestrator follows the degradation until it is remedied",
    "updateTopologyView": "the orchestrator takes an ICM's answer (or its absence) into its topology view",
}
"""Activity name -> what the actor does during it, in one line (shown by the viewers)."""
