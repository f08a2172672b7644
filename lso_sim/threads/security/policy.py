"""Authentication and authorisation of one arriving message (thread 10.8), and the audit log.

A receiver admits a request or notification only when (step 2) the sender holds a valid
credential, else ``401``; and (step 3) the policy allows it, else ``403``:

- **scope**: the operation is one of the IRP the message travels (the operations catalogue says
  which IRPs each operation may travel); anything else is ``accessDenied``;
- **party**: on each IRP only the client role asks and the server role answers (a partner
  only sells to its buyer over SONATA, a Customer asks BUS-sp over CANTATA, only ICMs ask ECMs
  over ADAGIO...); a request the other way is ``forbiddenRequester``. An ECM also admits ADAGIO
  requests only from its own ICM (``forbiddenRequester`` otherwise): the architecture already
  joins an ECM to its ICM alone, so the engine stops any other sender before a message travels,
  and the guard's check is the second line of defence. A Customer reads only its own products
  because each seller keeps one store per buyer.

Every decision goes to the audit log (step 4): refusals one entry each, admissions counted per
sender and IRP (a large run admits millions of messages).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from lso_sim.architecture.roles import Irp, Role
from lso_sim.messages.envelope import Kind, Message
from lso_sim.messages.operations import CATALOG
from lso_sim.threads.security.credentials import Credential

CLIENTS: dict[Irp, frozenset[tuple[Role, Role]]] = {
    Irp.CANTATA: frozenset({(Role.CUSTOMER, Role.BUS_SP)}),
    Irp.ALLEGRO: frozenset({(Role.CUSTOMER, Role.SOF_SP)}),
    Irp.SONATA: frozenset({(Role.BUS_SP, Role.BUS_PARTNER)}),
    Irp.INTERLUDE: frozenset({(Role.SOF_SP, Role.SOF_PARTNER)}),
    Irp.LEGATO: frozenset(
        {
            (Role.BUS_SP, Role.SOF_SP),
            (Role.SOF_SP, Role.BUS_SP),
            (Role.BUS_PARTNER, Role.SOF_PARTNER),
            (Role.SOF_PARTNER, Role.BUS_PARTNER),
        }
    ),
    Irp.PRESTO: frozenset({(Role.SOF_SP, Role.ICM), (Role.SOF_PARTNER, Role.ICM)}),
    Irp.ADAGIO: frozenset({(Role.ICM, Role.ECM)}),
}
"""IRP -> the (sender, receiver) role pairs allowed to send requests over it; notifications go
the other way (hub events, results and alarms from the server to its client), and both ways on
LEGATO."""


@dataclass(frozen=True, slots=True)
class Decision:
    """What the receiver decided: ``status`` ``None`` to admit, else 401 or 403 with MEF's ``code``."""

    status: int | None = None
    code: str = ""
    reason: str = ""


ADMIT = Decision()


def decide(
    credential: Credential | None, msg: Message, now: float, manager: str | None = None
) -> Decision:
    """Authenticate (``401``) then authorise (``403``) ``msg`` sent with ``credential``.

    ``manager``: for a message to an ECM, the ICM that manages it (ADAGIO only from its ICM).
    """
    if credential is None:
        return Decision(401, "missingCredentials", f"{msg.src} presented no credential")
    if credential.holder != msg.src:
        why = f"{msg.src} presented {credential.token}, issued to {credential.holder}"
        return Decision(401, "invalidCredentials", why)
    problem = credential.problem(now)
    if problem is not None:
        return Decision(401, "invalidCredentials", problem)
    decision = authorise(msg)
    adagio = msg.irp == Irp.ADAGIO and msg.kind is Kind.REQUEST
    if decision.status is None and adagio and manager != credential.holder:
        return Decision(
            403,
            "forbiddenRequester",
            f"{msg.dst} takes ADAGIO requests only from its ICM {manager}, not from {credential.holder}",
        )
    return decision


_ADMITTED: set[tuple[str, str | None, str, str, str, Kind]] = set()
"""Shapes of messages the policy admits: (IRP, API, operation, sender role, receiver role, kind).

The policy reads nothing else of an admitted message, and a run sends millions of messages of a
few hundred shapes, so each shape is decided once (a refusal names the actors: decided anew)."""


def authorise(msg: Message) -> Decision:
    """The policy's decision on an authenticated ``msg``."""
    if msg.irp is None:
        return ADMIT
    shape = (msg.irp, msg.api, msg.operation, msg.src_role, msg.dst_role, msg.kind)
    if shape in _ADMITTED:
        return ADMIT
    decision = _decide_scope_and_party(msg)
    if decision is ADMIT:
        _ADMITTED.add(shape)
    return decision


def _decide_scope_and_party(msg: Message) -> Decision:
    """:func:`authorise` for a message of a shape not yet admitted (``msg.irp`` is set)."""
    assert msg.irp is not None
    irp = Irp(msg.irp)
    op = CATALOG.get((msg.api, msg.operation))
    if op is None or irp not in op.irps:
        where = ", ".join(sorted(i.value for i in op.irps)) if op is not None else "no IRP"
        return Decision(
            403, "accessDenied", f"{msg.operation} is not an operation of {irp.value} (it belongs to {where})"
        )
    pair = (Role(msg.src_role), Role(msg.dst_role))
    allowed = CLIENTS[irp]
    if msg.kind is Kind.NOTIFICATION:
        allowed = allowed | {(b, a) for a, b in allowed}
    if pair not in allowed:
        clients = " or ".join(sorted(f"{a.value} asks {b.value}" for a, b in CLIENTS[irp]))
        return Decision(
            403,
            "forbiddenRequester",
            f"{msg.src} ({pair[0].value}) may not send {irp.value} requests to {msg.dst}"
            f" ({pair[1].value}): on {irp.value} only {clients}",
        )
    return ADMIT


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One refused message."""

    time: float
    src: str
    dst: str
    irp: str | None
    operation: str
    status: int
    code: str
    reason: str


@dataclass(slots=True)
class AuditLog:
    """Every access decision of a run."""

    refused: list[AuditEntry] = field(default_factory=list)
    admitted: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(sender, IRP) -> messages admitted."""

    def report(self) -> list[dict[str, object]]:
        """One row per (sender, IRP, decision): how many messages, and the refusals' reasons."""
        rows: dict[tuple[str, str, str], dict[str, object]] = {}
        for (src, irp), count in sorted(self.admitted.items()):
            rows[(src, irp, "admitted")] = {"party": src, "irp": irp, "decision": "admitted", "count": count}
        for entry in self.refused:
            key = (entry.src, entry.irp or "-", f"refused {entry.status}")
            row = rows.setdefault(
                key,
                {"party": entry.src, "irp": entry.irp or "-", "decision": key[2], "count": 0, "reasons": []},
            )
            row["count"] = int(str(row["count"])) + 1
            reasons = row["reasons"]
            assert isinstance(reasons, list)
            if entry.reason not in reasons:
                reasons.append(entry.reason)
        return [rows[k] for k in sorted(rows)]
