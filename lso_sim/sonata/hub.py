"""Listener registration and event delivery after MEF's hub pattern, plus MEF error bodies.

A buyer registers a listener with a seller; the seller then posts every event about the buyer's
resources to that listener. A buyer without a listener hears nothing and polls instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lso_sim.actors.roles import RoleActor
from lso_sim.messages.envelope import Flow
from lso_sim.messages.operations import Operation


def error_400(reason: str) -> dict[str, Any]:
    """MEF ``Error400``: the request body breaks the schema."""
    return {"code": "invalidBody", "reason": reason[:255]}


def error_404(reason: str) -> dict[str, Any]:
    """MEF ``Error404``: no such resource (for this buyer)."""
    return {"code": "notFound", "reason": reason[:255]}


def error_422(code: str, reason: str, path: str | None = None) -> list[dict[str, Any]]:
    """MEF ``Error422`` list: a business rule (or the state machine) refuses the request."""
    item: dict[str, Any] = {"code": code, "reason": reason[:255]}
    if path is not None:
        item["propertyPath"] = path
    return [item]


@dataclass(slots=True)
class Hub:
    """The listeners registered with one seller for one API, per buyer."""

    seller: RoleActor
    listeners: dict[str, dict[str, str]] = field(default_factory=dict)
    counter: int = 0

    def register(self, buyer: str, callback: str) -> str:
        """Register ``buyer``'s listener; returns its id."""
        self.counter += 1
        listener_id = f"listener-{self.seller.id}-{self.counter}"
        self.listeners.setdefault(buyer, {})[listener_id] = callback
        return listener_id

    def unregister(self, buyer: str, listener_id: str) -> bool:
        """Remove a listener; False when ``buyer`` has no such listener."""
        return self.listeners.get(buyer, {}).pop(listener_id, None) is not None

    def publish(self, buyer: str, op: Operation, payload: Any, *, flow: Flow, step: str) -> bool:
        """Post an event to ``buyer``'s listener; False (nothing sent) when it has none."""
        if not self.listeners.get(buyer):
            return False
        self.seller.tell(buyer, op, payload, flow=flow, step=step)
        return True
