"""Which box (management domain) each actor of a diagram is drawn in."""

from __future__ import annotations

from collections.abc import Iterable

from lso_sim.architecture.model import Architecture


def domain_labels(architecture: Architecture, actors: Iterable[str]) -> dict[str, str]:
    """Actor id -> ``"<domain> (<kind>)"``, the box each actor is drawn in."""
    kinds = {domain.id: domain.kind for domain in architecture.domains()}
    labels: dict[str, str] = {}
    for actor_id in actors:
        if actor_id in architecture:
            domain = architecture.actor(actor_id).domain
            labels[actor_id] = f"{domain} ({kinds[domain]})"
    return labels
