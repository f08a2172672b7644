"""Payload builders of the assurance threads (10.3, 10.4, 10.6) shaped after the MEF definitions.

PRESTO's ``update-connectivity-service`` carries MEF's NRP (TAPI) input; INTERLUDE's ad-hoc
``createPerformanceReport`` carries a performance job value and, in the answer, the report with
one Carrier Ethernet results data point per measurement. lso-sim's own figures (loss, delay...)
travel beside the MEF attributes: the definitions leave those objects open for extension.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lso_sim.messages.bodies import timestamp

JsonObject = dict[str, Any]

PM_CONFIGURATION = "urn:mef:lso:spec:legato:carrier-ethernet-performance-monitoring-configuration:v0.0.1:all"
"""Performance monitoring configuration specification of Carrier Ethernet services."""
PM_RESULTS = "urn:mef:lso:spec:legato:carrier-ethernet-performance-monitoring-results:v0.0.1:all"
"""Performance monitoring results specification of Carrier Ethernet services."""


def update_connectivity(
    construct: str,
    bandwidth_mbps: float,
    *,
    remedy: bool = False,
    traffic_filter: list[dict[str, Any]] | None = None,
) -> JsonObject:
    """NRP ``update-connectivity-service`` input: the construct's new capacity.

    ``remedy`` marks a corrective reconfiguration (10.6 step 4): same capacity, applied again so
    that what a reconfiguration can repair is repaired. ``traffic_filter`` (10.3's filtering
    control: rules of ``action`` and ``match``) travels as lso-sim's ``traffic-filter`` in the
    input, which the NRP leaves open for extension; ``[]`` removes the filter.
    """
    body: JsonObject = {
        "input": {
            "service-id-or-name": construct,
            "conn-constraint": {
                "requested-capacity": {"total-size": {"value": round(bandwidth_mbps), "unit": "MBPS"}}
            },
        }
    }
    if remedy:
        body["remedy"] = True
    if traffic_filter is not None:
        body["input"]["traffic-filter"] = [dict(rule) for rule in traffic_filter]
    return body


def performance_job(consumer: str, producer: str, component: str) -> JsonObject:
    """An ad-hoc performance job value naming the component (interface) to measure."""
    return {
        "@type": "PerformanceJobValue",
        "consumingApplicationId": consumer,
        "producingApplicationId": producer,
        "outputFormat": "json",
        "resultFormat": "payload",
        "servicePayloadSpecificAttributes": {"@type": PM_CONFIGURATION, "interface": component},
    }


def performance_report_create(
    consumer: str,
    producer: str,
    component: str,
    partner_order: str | None,
    start: float,
    end: float,
    watch: Mapping[str, Any] | None = None,
) -> JsonObject:
    """INTERLUDE ``createPerformanceReport`` request for one partner component over ``[start, end)``.

    lso-sim's extensions: ``partnerOrder`` (the order the component was bought with, how the
    partner finds it), ``start`` (the window start in simulated seconds) and ``watch`` (alert on a
    threshold crossing until a time).
    """
    body: JsonObject = {
        "description": f"performance of {component}",
        "reportingTimeframe": {"reportingStartDate": timestamp(start), "reportingEndDate": timestamp(end)},
        "performanceJob": performance_job(consumer, producer, component),
        "partnerOrder": partner_order,
        "start": start,
    }
    if watch is not None:
        body["watch"] = dict(watch)
    return body


def performance_report(
    report_id: str,
    request: Mapping[str, Any],
    component: str,
    figures: Mapping[str, Any],
    start: float,
    end: float,
    now: float,
) -> JsonObject:
    """The completed performance report answering :func:`performance_report_create`."""
    sample = figures["sample"]
    counters = figures["counters"]
    point: JsonObject = {
        "@type": PM_RESULTS,
        "interface": component,
        "rxForwardNum": counters["framesOut"],
        "utilizationIn": round(min(100.0, 100.0 * sample["utilisation"]), 4),
        "utilizationOut": round(min(100.0, 100.0 * sample["utilisation"]), 4),
        **sample,
        **counters,
        "alarms": list(figures.get("alarms", [])),
    }
    # The definition requires ``measurementDataPoint`` but describes ``measurementDataPoints``: a
    # report carries both names so that it satisfies the schema and reads as documented.
    return {
        "id": report_id,
        "href": f"/performanceReport/{report_id}",
        "creationDate": timestamp(now),
        "state": "completed",
        "description": request.get("description", ""),
        "reportingTimeframe": request["reportingTimeframe"],
        "performanceJob": request["performanceJob"],
        "reportContent": [
            {
                "measurementTime": {
                    "measurementStartDate": timestamp(start),
                    "measurementEndDate": timestamp(end),
                },
                "measurementDataPoints": [point],
                "measurementDataPoint": [point],
            }
        ],
    }


def report_figures(report: Mapping[str, Any]) -> JsonObject:
    """The lso-sim figures of a :func:`performance_report` (its single data point)."""
    point = report["reportContent"][0]["measurementDataPoints"][0]
    sample_keys = (
        "start",
        "end",
        "utilisation",
        "frameLossRatio",
        "oneWayDelayMs",
        "jitterMs",
        "availability",
    )
    counter_keys = ("octetsIn", "octetsOut", "framesIn", "framesOut", "erroredFrames")
    return {
        "sample": {k: point[k] for k in sample_keys},
        "counters": {k: point[k] for k in counter_keys},
        "alarms": list(point.get("alarms", [])),
    }
