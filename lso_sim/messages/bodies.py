"""Builders of message payloads (JSON bodies).

MEF-API operations get bodies shaped after the MEF LSO SDK definitions (field names, required
fields, state names); the conformance tests validate them against those definitions. The bodies
of lso-sim's own operations are small and documented by the typed models in
:mod:`lso_sim.messages.models`. Builders return plain dicts: the engine carries and the trace
writes them without any conversion.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from lso_sim.topology.network import ServiceComponent

JsonObject = dict[str, Any]

EPOCH = "2026-01-01T00:00:00"
"""Simulated time 0 as a calendar date: MEF bodies carry dates, the engine counts seconds."""


def timestamp(seconds: float) -> str:
    """ISO 8601 date-time of simulated ``seconds`` after :data:`EPOCH` (UTC, millisecond precision)."""
    total_ms = round(seconds * 1000)
    days, rest_ms = divmod(total_ms, 86_400_000)
    hours, rest_ms = divmod(rest_ms, 3_600_000)
    minutes, rest_ms = divmod(rest_ms, 60_000)
    secs, millis = divmod(rest_ms, 1000)
    year, month, day = _add_days(2026, 1, 1, days)
    return f"{year:04d}-{month:02d}-{day:02d}T{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}Z"


def seconds(stamp: str) -> float:
    """Simulated seconds of an ISO 8601 date-time (the inverse of :func:`timestamp`)."""
    import datetime

    epoch = datetime.datetime.fromisoformat(EPOCH + "+00:00")
    moment = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return (moment - epoch).total_seconds()


def charge(
    charge_id: str,
    now: float,
    due: float,
    price: float,
    *,
    blocking: bool,
    item: Mapping[str, str],
    modify: str | None = None,
) -> JsonObject:
    """A MEF ``MEFProductOrderCharge`` for an expedite: one one-off charge item awaiting the buyer."""
    body: JsonObject = {
        "id": charge_id,
        "href": f"/charge/{charge_id}",
        "creationDate": timestamp(now),
        "responseDueDate": timestamp(due),
        "state": "awaitingResponse",
        "productOrderItem": dict(item),
        "chargeItem": [
            {
                "id": "1",
                "activityType": "new",
                "blocking": blocking,
                "price": {"dutyFreeAmount": {"unit": "USD", "value": price}},
                "priceType": "nonRecurring",
                "priceCategory": "expedite",
                "state": "awaitingResponse",
            }
        ],
    }
    if modify is not None:
        body["modifyProductOrderItemRequestedDeliveryDate"] = {
            "id": modify,
            "href": f"/modifyProductOrderItemRequestedDeliveryDate/{modify}",
        }
    return body


def charge_event(event_type: str, charge_id: str, now: float, seq_id: str) -> JsonObject:
    """A MEF ``ChargeEvent`` (``chargeCreateEvent``, ``chargeStateChangeEvent``)."""
    return {
        "eventId": seq_id,
        "eventType": event_type,
        "eventTime": timestamp(now),
        "event": {"id": charge_id, "href": f"/charge/{charge_id}"},
    }


@functools.lru_cache(maxsize=4096)
def _add_days(year: int, month: int, day: int, days: int) -> tuple[int, int, int]:
    """Cached: every body of a run is stamped with one of a few hundred simulated days, and a
    date computed anew cost a sixth of a message's encoding."""
    import datetime

    date = datetime.date(year, month, day) + datetime.timedelta(days=days)
    return date.year, date.month, date.day


# -- shared pieces ---------------------------------------------------------------------------------


def contact(name: str, role: str) -> JsonObject:
    """A RelatedContactInformation of a party."""
    slug = name.lower().replace(" ", "-")
    return {"emailAddress": f"{slug}@example.net", "name": name, "number": "+1-555-0100", "role": role}


def place_ref(address_id: str, role: str = "INSTALL_LOCATION") -> JsonObject:
    """A reference to a known geographic address, as MEF product bodies place it."""
    return {"@type": "GeographicAddressRef", "id": address_id, "role": role}


def _bandwidth_profile(bandwidth_mbps: float, key: str) -> JsonObject:
    return {
        key: [
            {
                "classOfServiceName": "default",
                "bwpFlow": {"cir": {"irValue": bandwidth_mbps, "irUnits": "MBPS"}},
            }
        ]
    }


def product_configuration(
    offering: Mapping[str, Any], bandwidth_mbps: float, endpoints: Sequence[str]
) -> JsonObject:
    """The product configuration of an item, valid against its MEF product specification schema.

    An OVC (Access E-Line, sold to a service provider) has a UNI and an ENNI end point; an EVC
    (EPL, sold to a subscriber) has end points A and Z. The ordered bandwidth is the committed
    information rate of each end point's ingress bandwidth profile.
    """
    spec = str(offering["specification"])
    a, z = [*endpoints, "", ""][:2]
    if "access-eline" in spec:
        key = "ingressBandwidthProfilePerClassOfServiceName"
        return {
            "@type": spec,
            "uniEp": {"identifier": a, **_bandwidth_profile(bandwidth_mbps, key)},
            "enniEp": {"identifier": z or "enni"},
        }
    key = "ingressBandwidthProfilePerClassofServiceName"
    return {
        "@type": spec,
        "evcEndPointA": {"identifier": a, **_bandwidth_profile(bandwidth_mbps, key)},
        "evcEndPointZ": {"identifier": z, **_bandwidth_profile(bandwidth_mbps, key)},
    }


def configured_bandwidth(configuration: Mapping[str, Any] | None) -> float | None:
    """The bandwidth (Mb/s) a :func:`product_configuration` asks for, or ``None``."""
    if not configuration:
        return None
    for end in ("evcEndPointA", "uniEp"):
        point = configuration.get(end) or {}
        for key in (
            "ingressBandwidthProfilePerClassofServiceName",
            "ingressBandwidthProfilePerClassOfServiceName",
        ):
            for flow in point.get(key) or []:
                rate = flow.get("bwpFlow", {}).get("cir", {})
                if "irValue" in rate:
                    factor = {"KBPS": 0.001, "MBPS": 1.0, "GBPS": 1000.0}.get(
                        rate.get("irUnits", "MBPS"), 1.0
                    )
                    return float(rate["irValue"]) * factor
    return None


def configured_endpoints(configuration: Mapping[str, Any] | None) -> list[str]:
    """The end point identifiers (UNIs, ENNI) of a :func:`product_configuration`."""
    if not configuration:
        return []
    ends = ("uniEp", "enniEp") if "uniEp" in configuration else ("evcEndPointA", "evcEndPointZ")
    return [str(configuration[e]["identifier"]) for e in ends if configuration.get(e, {}).get("identifier")]


def offering_ref(offering: Mapping[str, Any]) -> JsonObject:
    """Reference to a product offering."""
    return {"id": offering["id"]}


# -- product catalog and inventory -----------------------------------------------------------------

CATEGORY_ID = "connectivity"


def offering_summary(
    offering: Mapping[str, Any], now: float = 0.0, status: str = "orderable"
) -> JsonObject:
    """A ProductOffering as the catalog shows it (``status``: its MEF lifecycle status)."""
    return {
        "id": offering["id"],
        "href": f"/productOffering/{offering['id']}",
        "name": offering["name"],
        "lifecycleStatus": status,
        "lastUpdate": timestamp(now),
        "agreement": "standard framework agreement",
        "channel": [],
        "marketSegment": [],
        "region": [],
        "category": [{"id": CATEGORY_ID, "name": "Carrier Ethernet connectivity"}],
        "productSpecification": {"id": offering["specification"]},
    }


def category(offerings: Sequence[Mapping[str, Any]], now: float = 0.0) -> JsonObject:
    """The one Category every simulated offering belongs to."""
    return {
        "id": CATEGORY_ID,
        "href": f"/category/{CATEGORY_ID}",
        "name": "Carrier Ethernet connectivity",
        "description": "point-to-point Carrier Ethernet services and their access parts",
        "lifecycleStatus": "orderable",
        "lastUpdate": timestamp(now),
        "productOffering": [{"id": o["id"]} for o in offerings],
    }


def specification(spec_id: str, now: float = 0.0) -> JsonObject:
    """A ProductSpecification: the MEF product schema an offering's configuration follows."""
    return {
        "id": spec_id,
        "href": f"/productSpecification/{spec_id}",
        "name": spec_id.split(":")[-3] if spec_id.count(":") >= 3 else spec_id,
        "description": f"configuration schema {spec_id}",
        "lifecycleStatus": "published",
        "lastUpdate": timestamp(now),
        "sourceSchema": [{"@type": "MEFProductSpecificationSchema", "name": spec_id}],
    }


def specification_detail(spec_id: str, now: float = 0.0) -> JsonObject:
    """A ProductSpecification as ``retrieveProductSpecification`` answers it: MEF's
    ``sourceSchema`` is one SchemaRefOrValue, here the location (the URN) of the product schema."""
    body = specification(spec_id, now)
    body["sourceSchema"] = {"schemaLocation": spec_id}
    return body


def product(
    product_id: str,
    status: str,
    offering: Mapping[str, Any],
    places: Iterable[str],
    configuration: Mapping[str, Any] | None,
    order_id: str,
    now: float,
) -> JsonObject:
    """A Product instance as the inventory shows it."""
    body: JsonObject = {
        "id": product_id,
        "href": f"/product/{product_id}",
        "status": status,
        "startDate": timestamp(now),
        "lastUpdateDate": timestamp(now),
        "productOffering": offering_ref(offering),
        "place": [place_ref(p) for p in places],
        "productOrderItem": [
            {
                "productOrderHref": f"/productOrder/{order_id}",
                "productOrderId": order_id,
                "productOrderItemId": "1",
            }
        ],
    }
    if configuration:
        body["productConfiguration"] = dict(configuration)
    return body


def product_summary(
    product_id: str, status: str, offering: Mapping[str, Any], places: Iterable[str]
) -> JsonObject:
    """A product instance as the inventory lists it."""
    return {
        "id": product_id,
        "status": status,
        "productOffering": offering_ref(offering),
        "place": [place_ref(p) for p in places],
    }


# -- qualification, quote, order -----------------------------------------------------------------


def _product_value(
    offering: Mapping[str, Any], places: Sequence[str], bandwidth_mbps: float, endpoints: Sequence[str]
) -> JsonObject:
    return {
        "productOffering": offering_ref(offering),
        "productConfiguration": product_configuration(offering, bandwidth_mbps, endpoints),
        "place": [place_ref(p) for p in places],
    }


def poq_create(
    buyer: str,
    offering: Mapping[str, Any],
    places: Sequence[str],
    bandwidth_mbps: float,
    *,
    instant: bool,
    endpoints: Sequence[str] = (),
) -> JsonObject:
    """Body of createProductOfferingQualification for one item."""
    return {
        "instantSyncQualification": instant,
        "relatedContactInformation": [contact(buyer, "buyerContactInformation")],
        "productOfferingQualificationItem": [
            {
                "id": "1",
                "action": "add",
                "product": _product_value(offering, places, bandwidth_mbps, endpoints or places),
            }
        ],
    }


def poq(poq_id: str, request: Mapping[str, Any], state: str, item_state: str, now: float) -> JsonObject:
    """A ProductOfferingQualification resource in ``state``."""
    items = []
    for item in request["productOfferingQualificationItem"]:
        shown = dict(item, state=item_state)
        if item_state.startswith("done."):
            shown["serviceabilityConfidence"] = "green" if item_state == "done.ready" else "red"
        items.append(shown)
    return {
        "id": poq_id,
        "href": f"/productOfferingQualification/{poq_id}",
        "state": state,
        "instantSyncQualification": request.get("instantSyncQualification", False),
        "requestedPOQCompletionDate": timestamp(now),
        "relatedContactInformation": request["relatedContactInformation"],
        "productOfferingQualificationItem": items,
    }


def quote_create(
    buyer: str,
    offering: Mapping[str, Any],
    places: Sequence[str],
    bandwidth_mbps: float,
    *,
    instant: bool,
    poq_id: str | None = None,
    endpoints: Sequence[str] = (),
) -> JsonObject:
    """Body of createQuote for one item."""
    item: JsonObject = {
        "id": "1",
        "action": "add",
        "requestedQuoteItemTerm": {
            "duration": {"amount": 36, "units": "calendarMonths"},
            "endOfTermAction": "roll",
            "name": "36 months",
        },
        "product": _product_value(offering, places, bandwidth_mbps, endpoints or places),
    }
    if poq_id is not None:
        item["qualificationItem"] = {"id": "1", "qualificationId": poq_id}
    return {
        "instantSyncQuote": instant,
        "buyerRequestedQuoteLevel": "firm",
        "relatedContactInformation": [contact(buyer, "buyerContactInformation")],
        "quoteItem": [item],
    }


def quote(
    quote_id: str, request: Mapping[str, Any], state: str, now: float, monthly_price: float | None
) -> JsonObject:
    """A Quote resource in ``state``; priced items once approved."""
    items = []
    for item in request["quoteItem"]:
        priced = dict(item, state=state if state != "accepted" else "approved.orderable")
        if monthly_price is not None:
            priced["quoteItemPrice"] = [
                {
                    "priceType": "recurring",
                    "recurringChargePeriod": "month",
                    "name": "monthly charge",
                    "price": {"dutyFreeAmount": {"unit": "USD", "value": round(monthly_price, 2)}},
                }
            ]
        items.append(priced)
    return {
        "id": quote_id,
        "href": f"/quote/{quote_id}",
        "state": state,
        "quoteDate": timestamp(now),
        "instantSyncQuote": request.get("instantSyncQuote", False),
        "buyerRequestedQuoteLevel": request.get("buyerRequestedQuoteLevel", "firm"),
        "quoteLevel": "firm",
        "relatedContactInformation": request["relatedContactInformation"],
        "quoteItem": items,
    }


def order_create(
    buyer: str,
    offering: Mapping[str, Any],
    places: Sequence[str],
    bandwidth_mbps: float,
    quote_id: str | None,
    endpoints: Sequence[str] = (),
) -> JsonObject:
    """Body of createProductOrder adding one product."""
    item: JsonObject = {
        "id": "1",
        "action": "add",
        "product": _product_value(offering, places, bandwidth_mbps, endpoints or places),
    }
    if quote_id is not None:
        item["quoteItem"] = {"id": "1", "quoteId": quote_id}
    return {
        "externalId": f"PO-{buyer}",
        "relatedContactInformation": [contact(buyer, "buyerContactInformation")],
        "productOrderItem": [item],
    }


def change_order_create(
    buyer: str,
    action: str,
    product_id: str,
    configuration: Mapping[str, Any] | None = None,
    offering: Mapping[str, Any] | None = None,
) -> JsonObject:
    """Body of createProductOrder changing one delivered product (``modify``) or disconnecting it
    (``delete``).

    MEF's rules for such an item: the product is named by ``product.id``; a ``modify`` item carries
    the whole new configuration (same schema as the ``add``); a ``delete`` item carries nothing else.
    """
    product: JsonObject = {"id": product_id}
    if action == "modify":
        if offering is not None:
            product["productOffering"] = offering_ref(offering)
        product["productConfiguration"] = dict(configuration or {})
    return {
        "externalId": f"PO-{buyer}",
        "relatedContactInformation": [contact(buyer, "buyerContactInformation")],
        "productOrderItem": [{"id": "1", "action": action, "product": product}],
    }


def reconfigured(configuration: Mapping[str, Any], bandwidth_mbps: float) -> JsonObject:
    """A copy of a :func:`product_configuration` whose committed rates are ``bandwidth_mbps``."""
    changed: JsonObject = {}
    for key, value in configuration.items():
        if isinstance(value, Mapping):
            changed[key] = reconfigured(value, bandwidth_mbps)
        elif isinstance(value, list):
            changed[key] = [reconfigured(v, bandwidth_mbps) if isinstance(v, Mapping) else v for v in value]
        else:
            changed[key] = value
    if "cir" in changed and isinstance(changed["cir"], Mapping):
        changed["cir"] = {"irValue": bandwidth_mbps, "irUnits": "MBPS"}
    return changed


def cancel_order_create(buyer: str, order_id: str, reason: str) -> JsonObject:
    """Body of createCancelProductOrder (MEF ``CancelProductOrder_Create``)."""
    return {
        "productOrder": {"productOrderId": order_id, "productOrderHref": f"/productOrder/{order_id}"},
        "cancellationReasonType": "commercial",
        "cancellationReason": reason,
        "relatedContactInformation": [contact(buyer, "cancelProductOrderContact")],
    }


def order(order_id: str, request: Mapping[str, Any], state: str, item_state: str, now: float) -> JsonObject:
    """A ProductOrder resource in ``state``."""
    body: JsonObject = {
        "id": order_id,
        "href": f"/productOrder/{order_id}",
        "state": state,
        "orderDate": timestamp(now),
        "relatedContactInformation": request["relatedContactInformation"],
        "productOrderItem": [dict(item, state=item_state) for item in request["productOrderItem"]],
    }
    if request.get("externalId") is not None:
        body["externalId"] = request["externalId"]
    return body


def state_change_event(
    event_type: str,
    resource: str,
    resource_id: str,
    state: str,
    now: float,
    seq_id: str,
    item: tuple[str, str] | None = None,
) -> JsonObject:
    """A MEF hub notification: ``eventType`` plus the changed resource's id and new state.

    ``item`` is ``(field, item id)`` for an item event (``orderItemId``, ``quoteItemId``,
    ``poqItemId``): the event then names the item whose state is ``state``.
    """
    event: JsonObject = {"id": resource_id, "href": f"/{resource}/{resource_id}", "state": state}
    if item is not None:
        event[item[0]] = item[1]
    return {"eventId": seq_id, "eventType": event_type, "eventTime": timestamp(now), "event": event}


# -- LEGATO service order ------------------------------------------------------------------------


def service_order_create(
    product_order_id: str, service_id: str, endpoints: Sequence[str], bandwidth_mbps: float
) -> JsonObject:
    """Body of createServiceOrder asking SOF to add one connectivity service."""
    return {
        "externalId": product_order_id,
        "requestedStartDate": EPOCH + ".000Z",
        "requestedCompletionDate": "2026-12-31T00:00:00.000Z",
        "serviceOrderItem": [
            {
                "id": "1",
                "action": "add",
                "service": {
                    "id": service_id,
                    "serviceSpecification": {"id": "carrier-ethernet-evc"},
                    "serviceCharacteristic": [
                        {"name": "bandwidthMbps", "value": bandwidth_mbps},
                        {"name": "endpoints", "value": list(endpoints)},
                    ],
                },
            }
        ],
    }


def service_order_change(
    product_order_id: str, service_id: str, action: str, bandwidth_mbps: float | None = None
) -> JsonObject:
    """Body of createServiceOrder changing (``modify``: the new bandwidth) or terminating
    (``delete``: the service named, nothing else) a service in SOF's inventory."""
    service: JsonObject = {"id": service_id}
    if action == "modify":
        service["serviceCharacteristic"] = [{"name": "bandwidthMbps", "value": bandwidth_mbps}]
    return {
        "externalId": product_order_id,
        "requestedStartDate": EPOCH + ".000Z",
        "requestedCompletionDate": "2026-12-31T00:00:00.000Z",
        "serviceOrderItem": [{"id": "1", "action": action, "service": service}],
    }


def service_order(order_id: str, request: Mapping[str, Any], state: str, now: float) -> JsonObject:
    """A ServiceOrder resource in ``state``."""
    return {
        "id": order_id,
        "href": f"/serviceOrder/{order_id}",
        "state": state,
        "orderDate": timestamp(now),
        "externalId": request.get("externalId"),
        "requestedStartDate": request.get("requestedStartDate"),
        "requestedCompletionDate": request.get("requestedCompletionDate"),
        "serviceOrderItem": [dict(item, state=state) for item in request["serviceOrderItem"]],
    }


def sof_note(note_id: str, text: str, now: float) -> JsonObject:
    """A LEGATO ``Note_BusSof`` written by SOF (why a service order failed, say)."""
    return {"id": note_id, "author": "SOF", "date": timestamp(now), "source": "sof", "text": text}


# -- LEGATO service inventory -----------------------------------------------------------------------

EVC_SERVICE = "urn:mef:lso:spec:legato:carrier-ethernet-evc:v0.0.1:all"
"""Specification of the services SOF keeps (the ``@type`` of their service configuration)."""


def service_event(event_type: str, service_id: str, now: float, event_id: str) -> JsonObject:
    """A MEF ``ServiceEvent``: which service of SOF's inventory changed; BUS reads it back."""
    return {
        "eventId": event_id,
        "eventTime": timestamp(now),
        "eventType": event_type,
        "event": {"id": service_id, "href": f"/service/{service_id}"},
    }


def inventory_service(
    service_id: str, state: str, bandwidth_mbps: float, product_order: str | None
) -> JsonObject:
    """A MEF ``Service`` of SOF's inventory (the answer to ``serviceGet``).

    The configuration is a Carrier Ethernet EVC (its specification's required administrative
    state included); the bandwidth is the ``bandwidthMbps`` characteristic the LEGATO service
    orders of lso-sim carry, which the definition leaves open.
    """
    admin = {"state": "UNLOCKED" if state == "active" else "LOCKED"}
    body: JsonObject = {
        "id": service_id,
        "href": f"/service/{service_id}",
        "state": state,
        "serviceType": "carrier-ethernet-evc",
        "serviceConfiguration": {
            "@type": EVC_SERVICE,
            "identifier": service_id[:45],
            "adminState": admin,
            "administrativeState": admin,
            "operationalState": {"state": "ENABLED" if state == "active" else "DISABLED"},
            "cTagPcpPreservation": "ENABLED",
            "cTagDeiPreservation": "ENABLED",
            "connectionType": "POINT_TO_POINT",
            "frameDisposition": {k: "UNCONDITIONALLY" for k in ("unicast", "multicast", "broadcast")},
            "listOfCosNames": ["default"],
            "maximumFrameSize": 1522,
        },
        "serviceCharacteristic": [{"name": "bandwidthMbps", "value": bandwidth_mbps}],
    }
    if product_order is not None:
        body["externalId"] = product_order
    return body


def service_bandwidth(service: Mapping[str, Any]) -> float | None:
    """The bandwidth (Mb/s) an :func:`inventory_service` body carries, or ``None``."""
    for characteristic in service.get("serviceCharacteristic") or []:
        if characteristic.get("name") == "bandwidthMbps":
            return float(characteristic["value"])
    return None


# -- lso-sim's own operations --------------------------------------------------------------------


def components_payload(components: Iterable[ServiceComponent]) -> list[JsonObject]:
    """Service components as a JSON list."""
    return [c.as_payload() for c in components]


# -- INTERLUDE performance monitoring ------------------------------------------------------------

PM_CONFIGURATION = "urn:mef:lso:spec:legato:carrier-ethernet-performance-monitoring-configuration:v0.0.1:all"
"""The MEF service payload schema a Carrier Ethernet performance job configures."""


def performance_job_create(component: str, partner_order: str | None, interface: str) -> JsonObject:
    """Body of INTERLUDE createPerformanceJob: proactive monitoring of one partner component.

    ``buyerJobId`` names the component, ``description`` the partner order it was bought with (the
    partner finds its service by it); ``interface`` is the ENNI the SP watches the component from.
    """
    return {
        "buyerJobId": component,
        "description": f"partner order {partner_order}",
        "consumingApplicationId": "sof-sp",
        "performanceProfile": {
            "@type": "PerformanceProfileValue",
            "jobType": "proactive",
            "outputFormat": "json",
            "resultFormat": "payload",
            "granularity": "15 minutes",
            "reportingPeriod": "1 hour",
        },
        "servicePayloadSpecificAttributes": {
            "@type": PM_CONFIGURATION,
            "interface": interface,
            "utilizationIn": True,
            "utilizationOut": True,
        },
    }


def performance_job(job_id: str, request: Mapping[str, Any], state: str, now: float) -> JsonObject:
    """A PerformanceJob resource in ``state``."""
    return {
        **request,
        "id": job_id,
        "href": f"/performanceJob/{job_id}",
        "state": state,
        "creationDate": timestamp(now),
        "lastModifiedDate": timestamp(now),
    }


def job_partner_order(body: Mapping[str, Any]) -> str | None:
    """The partner order a :func:`performance_job_create` body names."""
    text = str(body.get("description", ""))
    prefix = "partner order "
    return text[len(prefix) :] if text.startswith(prefix) else None


# -- PRESTO (MEF NRP, TAPI connectivity) -----------------------------------------------------------


def presto_create_connectivity(
    construct: str, forwarding_domain: str, nes: Sequence[str], bandwidth_mbps: float
) -> JsonObject:
    """Body of PRESTO create-connectivity-service for a forwarding construct over ``nes``.

    Each NE is a TAPI end point (``local-id``) named with the construct; the NEs crossed are the
    topology constraint (nodes of the forwarding domain's topology); the bandwidth is the requested
    capacity in Mb/s.
    """
    return {
        "input": {
            "end-point": [
                {
                    "local-id": ne,
                    "name": [{"value-name": "construct", "value": construct}],
                    "service-interface-point": {"service-interface-point-id": f"sip-{ne}"},
                }
                for ne in nes
            ],
            "conn-constraint": {
                "requested-capacity": {"total-size": {"value": round(bandwidth_mbps), "unit": "MBPS"}},
                "is-exclusive": True,
            },
            "topo-constraint": {
                "include-node": [{"topology-id": forwarding_domain, "node-id": ne} for ne in nes]
            },
        }
    }


def presto_connectivity_service(construct: str, nes: Sequence[str], bandwidth_mbps: float) -> JsonObject:
    """Answer of create-connectivity-service: the TAPI service, installed and enabled."""
    return {
        "output": {
            "service": {
                "uuid": construct,
                "lifecycle-state": "INSTALLED",
                "operational-state": "ENABLED",
                "administrative-state": "UNLOCKED",
                "requested-capacity": {"total-size": {"value": round(bandwidth_mbps), "unit": "MBPS"}},
                "end-point": [{"local-id": ne} for ne in nes],
            }
        }
    }


def presto_delete_connectivity(construct: str) -> JsonObject:
    """Body of PRESTO delete-connectivity-service: the construct is named, nothing else."""
    return {"input": {"service-id-or-name": construct}}


def presto_deleted_service(construct: str, nes: Sequence[str]) -> JsonObject:
    """Answer of delete-connectivity-service: the TAPI service, locked and on its way out."""
    return {
        "output": {
            "service": {
                "uuid": construct,
                "lifecycle-state": "PENDING_REMOVAL",
                "operational-state": "DISABLED",
                "administrative-state": "LOCKED",
                "end-point": [{"local-id": ne} for ne in nes],
            }
        }
    }


def presto_request(body: Mapping[str, Any]) -> tuple[str, list[str], float]:
    """``(construct, NEs, bandwidth)`` of a PRESTO request, TAPI-shaped or lso-sim's own.

    create-connectivity-service carries them as :func:`presto_create_connectivity` builds them;
    lso-sim's own PRESTO operations (tests and monitoring, which the MEF NRP API does not define)
    carry ``constructId``, ``networkElements`` and ``bandwidthMbps``.
    """
    tapi = body.get("input")
    if isinstance(tapi, Mapping):
        ends = tapi.get("end-point") or []
        construct = next(
            (n["value"] for e in ends for n in e.get("name", []) if n.get("value-name") == "construct"), ""
        )
        size = tapi.get("conn-constraint", {}).get("requested-capacity", {}).get("total-size", {})
        return str(construct), [str(e["local-id"]) for e in ends], float(size.get("value", 0))
    return str(body["constructId"]), list(body["networkElements"]), float(body.get("bandwidthMbps", 0))
