"""The message envelope every actor sends, and the record the trace keeps of it.

A :class:`Message` is created by the engine at send time, when its sequence number, send time and
arrival time are all known, and is never changed afterwards. It is deliberately a slotted
dataclass, not a pydantic model: the engine creates one per simulated hop, and full validation
there would cost more than the simulation itself. Validate at the edges instead: scenario files
when loaded, and MEF payloads against MEF's definitions in the conformance tests
(:mod:`lso_sim.conformance`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """What a trace record stands for.

    ``request``, ``response`` and ``notification`` are messages carried by a channel.
    ``activity`` is work an actor does on its own for a MEF step that has no hop (product to
    service mapping, service design...): ``time`` is its start and ``delivered`` its end.
    ``timeout`` marks a request whose response did not arrive in time; ``error`` marks a
    handler that failed. Neither crosses a channel; both exist so nothing is silently dropped.
    ``fault`` marks an injected fault starting or ending (a channel spike, an actor down, a link
    failing). ``outcome`` is written once per thread instance when it ends: its payload holds the
    end ``state`` and the ``reason``.
    """

    REQUEST = "request"
    RESPONSE = "response"
    NOTIFICATION = "notification"
    ACTIVITY = "activity"
    TIMEOUT = "timeout"
    ERROR = "error"
    FAULT = "fault"
    OUTCOME = "outcome"


MESSAGE_KINDS = frozenset({Kind.REQUEST, Kind.RESPONSE, Kind.NOTIFICATION})
"""Kinds that cross a channel (the others are local events)."""


@dataclass(frozen=True, slots=True)
class Flow:
    """The thread instance a message belongs to: thread id (``"10.2"``) and instance id."""

    thread: str
    instance: str


@dataclass(frozen=True, slots=True)
class Message:
    """One simulated message (or local event), exactly as the trace records it.

    Attributes:
        seq: position in send order, from 0.
        time: simulated seconds at send.
        delivered: simulated seconds at arrival; ``None`` when the channel lost it.
        id: unique message id (derived from ``seq``).
        thread: MEF 55.0.1 section 10 thread id, e.g. ``"10.2"``.
        instance: id of the thread instance (one order, one ticket...), for per-instance metrics.
        step: MEF step the message realises, e.g. ``"3d"``; a response carries its request's step.
        irp: the Interface Reference Point crossed; ``None`` for local events.
        src: sending actor instance id.
        dst: receiving actor instance id.
        src_role: role of ``src`` (``Customer``, ``BUS-sp``...).
        dst_role: role of ``dst``.
        kind: see :class:`Kind`.
        operation: operation name; the MEF operationId where ``api`` is set.
        api: file stem of the MEF API definition the operation belongs to, else ``None``.
        correlation_id: id of the request a response answers (a request carries its own id).
        status: HTTP-like status code on responses, else ``None``.
        payload: JSON body (plain dicts, lists, strings, numbers, booleans, ``None``).
        auth: on a request of a guarded run (thread 10.8), the credential it presents, like an
            ``Authorization`` header: ``Bearer <token id>``, an id only, never a secret;
            ``None`` otherwise (and the trace record then has no ``auth`` key).
    """

    seq: int
    time: float
    delivered: float | None
    id: str
    thread: str
    instance: str
    step: str
    irp: str | None
    src: str
    dst: str
    src_role: str
    dst_role: str
    kind: Kind
    operation: str
    api: str | None
    correlation_id: str | None
    status: int | None
    payload: Any
    auth: str | None = None

    @property
    def flow(self) -> Flow:
        """The thread instance this message belongs to."""
        return Flow(self.thread, self.instance)

    @property
    def lost(self) -> bool:
        """True when a channel message never arrived."""
        return self.delivered is None and self.kind in MESSAGE_KINDS
