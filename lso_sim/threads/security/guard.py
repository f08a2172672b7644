"""The access guard every receiving actor applies (thread 10.8): credentials, policy, audit.

:func:`enable` issues a credential to every actor of a world and plugs :meth:`Security.admit`
into the simulation (``Simulation.guard``), so each arriving request and notification is
authenticated and authorised before any handler sees it. An admitted message leaves no record
(a run's trace is the same as without the guard); a refused request is answered at once with
``401`` or ``403`` and MEF's error body, a refused notification leaves an ``error`` record; and
every decision goes to the audit log. For the messages of thread 10.8's own instances the guard
also records its work as activities, so that a student sees steps 2-4 in the trace.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from lso_sim.actors.world import World
from lso_sim.engine.actor import Actor
from lso_sim.engine.simulation import Simulation
from lso_sim.messages.envelope import Kind, Message
from lso_sim.sonata.errors import error_body
from lso_sim.threads.security.credentials import Credential
from lso_sim.threads.security.policy import AuditEntry, AuditLog, Decision, decide

THREAD = "10.8"

Terms = Mapping[str, tuple[float | None, float | None]]
"""Actor id -> (expiry time, revocation time) of its credential; actors not listed: neither."""


@dataclass(slots=True)
class Security:
    """The credentials and audit log of one run."""

    sim: Simulation
    credentials: dict[str, Credential] = field(default_factory=dict)
    audit: AuditLog = field(default_factory=AuditLog)

    def admit(self, actor: Actor, msg: Message) -> bool:
        """``Simulation.guard``: True when ``msg`` was refused (and answered or recorded)."""
        now = self.sim.now
        decision = decide(self.credentials.get(msg.src), msg, now)
        if msg.thread == THREAD:
            self._show(actor, msg, decision)
        if decision.status is None:
            self.audit.admitted[(msg.src, msg.irp or "-")] += 1
            return False
        self.audit.refused.append(
            AuditEntry(
                now,
                msg.src,
                msg.dst,
                msg.irp,
                msg.operation,
                decision.status,
                decision.code,
                decision.reason,
            )
        )
        if msg.kind is Kind.REQUEST:
            actor.refuse(msg, decision.status, error_body(decision.status, decision.code, decision.reason))
        else:
            self.sim.record_local(
                actor,
                Kind.ERROR,
                msg.operation,
                {"error": "AccessRefused", "status": decision.status, "reason": decision.reason},
                flow=msg.flow,
                step=msg.step,
                correlation_id=msg.id,
            )
        return True

    def _show(self, actor: Actor, msg: Message, decision: Decision) -> None:
        """Steps 2-4 as activity records (thread 10.8's own messages only)."""
        authenticated = decision.status != 401
        checks = [("authenticateRequest", "2", {"holder": msg.src, "valid": authenticated})]
        if authenticated:
            checks.append(
                ("authoriseRequest", "3", {"operation": msg.operation, "allowed": decision.status is None})
            )
        verdict = "admitted" if decision.status is None else f"refused {decision.status}"
        checks.append(("auditAccessDecision", "4", {"decision": verdict, "reason": decision.reason or None}))
        for name, step, payload in checks:
            self.sim.record_local(
                actor, Kind.ACTIVITY, name, payload, flow=msg.flow, step=step, end=self.sim.now
            )


_SECURITY = "_security"
"""Where a guarded simulation keeps its :class:`Security`: on itself (a weak dictionary keyed by
the simulation would never free it, since the Security refers back to it)."""


def enable(world: World, terms: Terms) -> Security:
    """Issue every actor of ``world`` its credential and guard every arriving message."""
    security = Security(world.sim)
    for actor in world.sim.actors.values():
        expires, revoked = terms.get(actor.id, (None, None))
        security.credentials[actor.id] = Credential(
            actor.id, actor.domain, actor.role.value, expires, revoked
        )
    world.sim.guard = security.admit
    world.sim.__dict__[_SECURITY] = security
    return security


def issue(world: World, actor: Actor) -> None:
    """Give an actor that joins a running world (a sandbox buyer authenticated over HTTP) its
    credential, when the world's run is guarded; a no-op when security is off."""
    security: Security | None = world.sim.__dict__.get(_SECURITY)
    if security is not None and actor.id not in security.credentials:
        security.credentials[actor.id] = Credential(actor.id, actor.domain, actor.role.value, None, None)


def security_of(world: World) -> Security | None:
    """The security of ``world``'s run (``None`` when the scenario turned it off)."""
    found: Security | None = world.sim.__dict__.get(_SECURITY)
    return found
