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
        "computeReroute",
        "correlateFaults",
        "deactivateService",
        "designServiceComponents",
        "determineReportInformation",
        "diagnoseTrouble",
        "dispatchFieldRepair",
        "fieldRepair",
        "identifyServiceComponents",
        "mapPartnerCapabilities",
        "synchroniseInventoryAndAssurance",
        "trackDegradationResolution",
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
