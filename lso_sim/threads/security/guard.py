"""The access guard every receiving actor applies (thread 10.8): credentials, policy, audit.

:func:`enable` issues a credential to every actor of a world and plugs :meth:`Security.admit`
into the simulation (``Simulation.guard``), so each arriving request and notification is
authenticated and authorised before any handler sees it. Requests present their sender's
credential in the envelope's ``auth`` field (``Simulation.credential``: ``Bearer <id>``), which is
what the guard authenticates. An admitted message leaves no record (a run's trace is the same as
without the guard but for ``auth``); a refused request is answered at once with
``401`` or ``403`` and MEF's error body, a refused notification leaves an ``error`` record; and
every decision goes to the audit log. For the messages of thread 10.8's own instances the guard
also records its work as activities, so that a student sees steps 2-4 in the trace; a refused
message of any other thread leaves its audit record (``auditAccessDecision``, step ``audit``) in
that thread's instance. Audit records name the party, the IRP, the operation and the decision, so
``lso-sim report`` can tabulate decisions by party, IRP and outcome from a trace alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from lso_sim.actors.world import AUDIT_STEP, World
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

    def authorization(self, src: str) -> str | None:
        """``Simulation.credential``: the ``auth`` field of ``src``'s requests (none: no credential)."""
        credential = self.credentials.get(src)
        return None if credential is None else credential.authorization

    def admit(self, actor: Actor, msg: Message) -> bool:
        """``Simulation.guard``: True when ``msg`` was refused (and answered or recorded)."""
        now = self.sim.now
        manager = self.sim.architecture.actor(msg.dst).manager if msg.irp == "ADAGIO" else None
        decision = decide(self._presented(msg), msg, now, manager)
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
        if msg.thread != THREAD:
            self.sim.record_local(
                actor,
                Kind.ACTIVITY,
                "auditAccessDecision",
                _audit(msg, decision),
                flow=msg.flow,
                step=AUDIT_STEP,
                end=now,
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

    def _presented(self, msg: Message) -> Credential | None:
        """The credential a message presents: a request's ``auth`` (its token id), else its sender's.

        A request presenting another party's credential is not authenticated: its ``holder`` is
        not the sender, which :func:`~lso_sim.threads.security.policy.decide` refuses with 401.
        """
        own = self.credentials.get(msg.src)
        if msg.auth is None or (own is not None and msg.auth == own.authorization):
            return own  # what nearly every message presents: its sender's own
        token = msg.auth.removeprefix("Bearer ")
        return next((c for c in self.credentials.values() if c.token == token), None)

    def _show(self, actor: Actor, msg: Message, decision: Decision) -> None:
        """Steps 2-4 as activity records (thread 10.8's own messages only)."""
        authenticated = decision.status != 401
        checks = [("authenticateRequest", "2", {"holder": msg.src, "valid": authenticated})]
        if authenticated:
            checks.append(
                ("authoriseRequest", "3", {"operation": msg.operation, "allowed": decision.status is None})
            )
        checks.append(("auditAccessDecision", "4", _audit(msg, decision)))
        for name, step, payload in checks:
            self.sim.record_local(
                actor, Kind.ACTIVITY, name, payload, flow=msg.flow, step=step, end=self.sim.now
            )


def _audit(msg: Message, decision: Decision) -> dict[str, object]:
    """The body of an audit record: who asked what over which IRP, and what was decided."""
    verdict = "admitted" if decision.status is None else f"refused {decision.status}"
    return {
        "party": msg.src,
        "irp": msg.irp,
        "operation": msg.operation,
        "message": msg.id,
        "decision": verdict,
        "code": decision.code or None,
        "reason": decision.reason or None,
    }


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
    world.sim.credential = security.authorization
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
