"""Thread 10.2, MEF's note at step 8: customer equipment (CPE) installed as a scheduled component.

MEF 55.0.1 notes under step 8 that "SOF might need to initiate the installation request for
hardware (e.g., CPE) and be aware of scheduling and lifecycle of all service components". A site
that needs one says so in the scenario (``sites: [{..., cpe: {first_slot: <seconds>}}]``). When
SOF-sp starts activating a service (9a, 9b), it also asks for the installation at each of its own
sites that needs one: the installer's first free appointment is ``first_slot`` seconds later.
The appointment is recorded (activity ``scheduleCpeInstallation``) with the shape of MEF 137's
``Appointment`` (``status: confirmed``, ``validFor``: the technician's arrival window,
``relatedPlace``: the site); on its date the technician installs the equipment (activity
``installCpe``, lasting SOF-sp's ``installCpe`` timing) and the appointment is ``completed``.
The installation runs beside 9a and 9b, and the activation tests (11) wait for it, so its date
enters the order's lead time. Both records carry step ``8``.

A partner's site is the partner's to equip; its installation is not modelled.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from lso_sim.actors.roles import ServiceOrchestrator, ServiceRecord
from lso_sim.actors.world import World
from lso_sim.messages import bodies
from lso_sim.messages.envelope import Flow
from lso_sim.topology.network import Site

STEP = "8"
ARRIVAL_WINDOW = 7200.0
"""Seconds of the technician's arrival window (MEF 137 ``validFor``); the visit starts at its opening."""


def installations(
    world: World, sof: ServiceOrchestrator, record: ServiceRecord, flow: Flow
) -> list[Generator[simpy.Event, Any, bool]]:
    """One installation per site of ``record`` in SOF's own domain that needs customer equipment."""
    topology = world.topology
    sites = [topology.site_of_uni(uni) for uni in record.endpoints]
    return [
        install(world, sof, record, site, flow)
        for site in sites
        if site.cpe_first_slot is not None and topology.domain_of(site.ne) == sof.domain
    ]


def install(
    world: World, sof: ServiceOrchestrator, record: ServiceRecord, site: Site, flow: Flow
) -> Generator[simpy.Event, Any, bool]:
    """Book the installer's first free appointment at ``site``, wait for it, install: True."""
    assert site.cpe_first_slot is not None
    env = world.sim.env
    start = env.now + site.cpe_first_slot
    appointment = appointment_body(sof.next_id("appointment"), site, start, record.service.id)
    yield from sof.activity("scheduleCpeInstallation", flow=flow, step=STEP, payload=dict(appointment))
    yield env.timeout(max(0.0, start - env.now))
    visit = dict(appointment, status="completed")
    yield from sof.activity("installCpe", flow=flow, step=STEP, payload=visit)
    return True


def appointment_body(ident: str, site: Site, start: float, service: str) -> dict[str, Any]:
    """A MEF 137 ``Appointment`` (confirmed) for the installation of ``service``'s CPE at ``site``."""
    return {
        "id": ident,
        "href": f"/appointment/{ident}",
        "status": "confirmed",
        "validFor": {
            "startDateTime": bodies.timestamp(start),
            "endDateTime": bodies.timestamp(start + ARRIVAL_WINDOW),
        },
        "relatedPlace": [{"id": site.id, "role": "INSTALL_LOCATION", "@type": "GeographicSiteRef"}],
        "note": [{"text": f"install customer equipment for service {service}"}],
    }


__all__ = ["STEP", "appointment_body", "install", "installations"]
