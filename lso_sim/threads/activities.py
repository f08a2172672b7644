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
        "flagUpsellOpportunity",
        "matchAddress",
        "priceQuote",
        "productToServiceMapping",
        "rateAndBill",
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
        "computeReroute",
        "correlateFaults",
        "deactivateService",
        "designServiceComponents",
        "determineReportInformation",
        "diagnoseTrouble",
        "dispatchFieldRepair",
        "fieldRepair",
        "identifyServiceComponents",
        "synchroniseInventoryAndAssurance",
        "trackDegradationResolution",
    }
)

ACTIVITIES: dict[Role, frozenset[str]] = {
    Role.CUSTOMER: frozenset({"acceptanceTesting", "verifyResolution"}),
    Role.BUS_SP: _BUS,
    Role.BUS_PARTNER: _BUS,
    Role.SOF_SP: _SOF,
    Role.SOF_PARTNER: _SOF,
    Role.ICM: frozenset(),
    Role.ECM: frozenset(),
}
"""Role -> the activity names its actors record. BUS-sp and BUS-partner run the same seller code,
as SOF-sp and SOF-partner run the same orchestration code, so each pair shares one list."""

SUMMARIES: dict[str, str] = {
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
    "computeReroute": "the orchestrator computes a path around the faulty elements",
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
}
"""Activity name -> what the actor does during it, in one line (shown by the viewers)."""
