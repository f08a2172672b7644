"""Thread 10.1, BUS-sp: on-board a partner (steps 1-5) and follow its catalog changes (step 6).

The steps are lso-sim's, derived from MEF's purpose text (docs/threads/10.1.md shows which
sentence each serves): BUS-sp opens the relationship and registers for the partner's catalog
notifications (1), reads the partner's product offerings over SONATA (2), their specifications
with the billing terms and quality objectives shared with them (3), codifies the rules of the
arrangement as policies (4) and hands the offerings and policies to SOF-sp, which finds which
service components they realise (5). BUS-sp's process is the instance's life line: every exit
ends it with an outcome, and every request is bounded by the actors' timeouts and retries.
"""

from __future__ import annotations

from collections.abc import Generator
from functools import partial
from typing import Any

import simpy

from lso_sim.actors.roles import BusinessApplications
from lso_sim.actors.world import World
from lso_sim.engine.actor import RequestTimeout
from lso_sim.messages.envelope import Flow, Message
from lso_sim.messages.operations import (
    LIST_PRODUCT_OFFERING,
    PRODUCT_OFFERING_CHANGE,
    PRODUCT_OFFERING_STATUS_CHANGE,
    REGISTER_PARTNER_CAPABILITIES,
    RETRIEVE_PRODUCT_OFFERING,
    RETRIEVE_PRODUCT_SPECIFICATION,
)
from lso_sim.sonata import listen, register_listener
from lso_sim.sonata.catalog import OFFERING_EVENT_TYPES, CatalogApi
from lso_sim.sonata.reasons import refusal
from lso_sim.threads.onboarding.plan import OnboardingPlan
from lso_sim.threads.partners import OnboardedPartner, book_of

THREAD = "10.1"


def install(world: World) -> None:
    """Let BUS-sp hear a partner's catalog changes."""
    bus = world.bus_sp
    for op in (PRODUCT_OFFERING_CHANGE, PRODUCT_OFFERING_STATUS_CHANGE):
        listen(bus, op, partial(_catalog_changed, world, bus))


def run(world: World, plan: OnboardingPlan) -> Generator[simpy.Event, Any, None]:
    """BUS-sp's life line for on-boarding one partner (a simpy process body)."""
    yield world.sim.env.timeout(plan.start)
    bus = world.bus_sp
    partner_bus = world.bus[plan.partner].id
    world.begin(THREAD, plan.instance, bus)
    flow = Flow(THREAD, plan.instance)

    # 1: the relationship starts (the commercial agreement is outside the thread): BUS-sp
    # registers for the partner's catalog notifications, to hear of later changes.
    yield from bus.activity("openPartnerRelationship", flow=flow, step="1", payload={"partner": plan.partner})
    try:
        hub = yield from register_listener(
            bus, partner_bus, CatalogApi.api, sorted(OFFERING_EVENT_TYPES.values()), flow=flow, step="1"
        )
    except RequestTimeout:
        hub = None  # on-boarding goes on; without a hub, BUS-sp learns of changes when it reads

    # 2: the partner's product offerings, as it shares them.
    answer = yield from bus.call(partner_bus, LIST_PRODUCT_OFFERING, {}, flow=flow, step="2")
    if answer.status != 200:
        world.finish(plan.instance, "failed", f"{partner_bus} did not list its offerings: {refusal(answer)}")
        return
    offerings: dict[str, dict[str, Any]] = {}
    for summary in answer.payload:
        ident = str(summary["id"])
        read = yield from bus.call(partner_bus, RETRIEVE_PRODUCT_OFFERING, {"id": ident}, flow=flow, step="2")
        if read.status == 200:
            offerings[ident] = _offering_facts(read.payload)
    if not offerings:
        world.finish(plan.instance, "failed", f"{partner_bus} shares no product offering with {bus.id}")
        return

    # 3: each offering's specification, and the billing terms and quality objectives it carries.
    specifications = 0
    for facts in offerings.values():
        spec = facts["specification"]
        read = yield from bus.call(
            partner_bus, RETRIEVE_PRODUCT_SPECIFICATION, {"id": spec}, flow=flow, step="3"
        )
        facts["specificationShared"] = read.status == 200
        specifications += read.status == 200
    shared = {
        "offerings": len(offerings),
        "specifications": specifications,
        "billingTerms": sum(f["terms"] is not None for f in offerings.values()),
        "qualityObjectives": sum(f["objectives"] is not None for f in offerings.values()),
    }
    yield from bus.activity("recordPartnerTerms", flow=flow, step="3", payload=shared)

    # 4: the rules of the arrangement, as policies.
    policies = _policies(world, plan.partner, offerings)
    yield from bus.activity("codifyPartnerPolicies", flow=flow, step="4", payload=policies)

    # 5: SOF-sp finds which service components the offerings can realise.
    body = {
        "partner": plan.partner,
        "offerings": [{"id": i, "specification": f["specification"]} for i, f in sorted(offerings.items())],
        "policies": policies,
    }
    answer = yield from bus.call(world.sof_sp.id, REGISTER_PARTNER_CAPABILITIES, body, flow=flow, step="5")
    if answer.status != 200:
        world.finish(
            plan.instance, "failed", f"{world.sof_sp.id} did not map the offerings: {refusal(answer)}"
        )
        return
    components = {k: v for k, v in answer.payload["components"].items() if v is not None}
    record = OnboardedPartner(plan.partner, partner_bus, world.sim.now, offerings, components, policies, hub)
    book_of(world).partners[plan.partner] = record
    state = "completed" if components else "noCapabilities"
    reason = (
        None if components else f"SOF-sp found no service component the offerings of {plan.partner} realise"
    )
    world.finish(
        plan.instance,
        state,
        reason,
        partner=plan.partner,
        detail=plan.detail,
        shared=shared,
        components=components,
        hub=hub is not None,
    )


def _offering_facts(body: dict[str, Any]) -> dict[str, Any]:
    """What BUS-sp keeps of an offering read: status, specification, and terms and objectives if shown."""
    notes = [
        n["text"] for n in body.get("note", []) if str(n.get("text", "")).startswith("quality objectives")
    ]
    return {
        "name": body.get("name"),
        "status": body.get("lifecycleStatus"),
        "specification": str(body.get("productSpecification", {}).get("id", "")),
        "terms": body.get("productOfferingTerm"),
        "objectives": notes[0] if notes else None,
    }


def _policies(world: World, partner: str, offerings: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The business rules BUS-sp codifies for buying from ``partner``."""
    return {
        "partner": partner,
        "buyOnly": sorted(offerings),
        "orderableOnly": True,
        "partnerFulfilment": str(world.options.partner_fulfilment),
        "missing": sorted(
            {"billing terms" for f in offerings.values() if f["terms"] is None}
            | {"quality objectives" for f in offerings.values() if f["objectives"] is None}
            | {"specifications" for f in offerings.values() if not f.get("specificationShared", True)}
        ),
    }


# -- 6: later catalog changes -----------------------------------------------------------------


def _catalog_changed(
    world: World, bus: BusinessApplications, msg: Message
) -> Generator[simpy.Event, Any, None]:
    """A partner changed an offering: read it again, tell SOF-sp, and end the change's instance."""
    instance = msg.flow.instance
    offering = str(msg.payload["event"]["id"])
    record = next((p for p in book_of(world).partners.values() if p.bus == msg.src), None)
    if record is None:
        world.finish(instance, "ignored", f"{msg.src} is not on-boarded yet: {bus.id} reads its catalog then")
        return
    read = yield from bus.call(msg.src, RETRIEVE_PRODUCT_OFFERING, {"id": offering}, flow=msg.flow, step="6")
    if read.status != 200:
        record.offerings.pop(offering, None)
        world.finish(instance, "withdrawn", f"{msg.src} no longer shares {offering}: {refusal(read)}")
        return
    facts = _offering_facts(read.payload)
    facts["specificationShared"] = record.offerings.get(offering, {}).get("specificationShared", True)
    record.offerings[offering] = facts
    body = {
        "partner": record.domain,
        "offerings": [{"id": offering, "specification": facts["specification"]}],
        "policies": record.policies,
    }
    answer = yield from bus.call(
        world.sof_sp.id, REGISTER_PARTNER_CAPABILITIES, body, flow=msg.flow, step="6"
    )
    if answer.status != 200:
        world.finish(instance, "failed", f"{world.sof_sp.id} did not take the update: {refusal(answer)}")
        return
    component = answer.payload["components"].get(offering)
    if component is None:
        record.components.pop(offering, None)
    else:
        record.components[offering] = component
    world.finish(instance, "applied", offering=offering, status=facts["status"])
