"""Fault injection in the engine: channel spikes, actors down, and the fault records of a run.

A scenario's ``faults:`` block becomes :class:`Fault` objects handed to the simulation's
:class:`FaultInjector` (``sim.faults``). The injector owns three things:

* **the schedule**: each fault starts at ``window.start`` and ends at ``window.end`` (or never);
  both moments write a ``fault`` record (operation ``faultStart`` / ``faultEnd``) on the actors the
  fault is anchored to, and call the start/end hooks higher layers registered (a network element
  marked down, an impairment injected...). Keeping the clock here means every kind of fault is
  scheduled, recorded and made deterministic the same way.
* **channel faults**: :func:`fault_channel_factory` wraps whatever channel the simulation would
  build in a :class:`FaultyChannel` that asks the injector, message by message, for the extra loss
  and latency of the channel faults open on that link.
* **actors down**: :meth:`FaultInjector.intercept` is called at the top of
  :meth:`lso_sim.engine.actor.Actor.deliver`: a message reaching an actor that is down is discarded
  (``mode: timeout``, its sender's timeout decides what happens) or, for a request, refused with a
  503 and a MEF-like error body without running the handler (``mode: refuse``). Either way a
  ``fault`` record (operation ``faultDiscard`` / ``faultRefuse``) says which message and why.

Faults that act inside a thread (a seller rejecting an order, an activation test failing) ask the
injector :meth:`FaultInjector.hit`, which draws from the fault's own seeded stream
(``fault/<id>``), so adding a fault never changes what channels or actors draw.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lso_sim.architecture.roles import Irp
from lso_sim.engine.channel import Channel, ChannelSpec
from lso_sim.messages.envelope import Flow, Kind, Message

if TYPE_CHECKING:
    from lso_sim.engine.actor import Actor
    from lso_sim.engine.simulation import ChannelFactory, Simulation

FAULT_THREAD = "fault"
"""The ``thread`` of every fault record; its ``instance`` is the fault id (``fault-<n>``)."""

FAULT_STEP = "-"
"""Fault records realise no MEF step."""


@dataclass(frozen=True, slots=True)
class Window:
    """When a fault is open: from ``start`` (inclusive) to ``end`` (exclusive; ``None``: never ends)."""

    start: float = 0.0
    end: float | None = None

    def open_at(self, now: float) -> bool:
        """True when the fault is open at simulated time ``now``."""
        return self.start <= now and (self.end is None or now < self.end)


@dataclass(frozen=True, slots=True)
class ChannelEffect:
    """What a channel fault does to each message on the links it selects.

    Attributes:
        irp: the IRP whose links it affects.
        between: an actor pair (either direction) to narrow it to one link.
        towards: a management domain: only links with one end in it (SONATA to ``partner-1``).
        loss: probability that a message is lost (0 to 1), drawn per message.
        delay: seconds added to each message's transit.
        jitter: up to this many more seconds, drawn uniformly per message.
    """

    irp: Irp
    between: frozenset[str] | None = None
    towards: str | None = None
    loss: float = 0.0
    delay: float = 0.0
    jitter: float = 0.0


@dataclass(frozen=True, slots=True)
class ActorDownEffect:
    """An actor that takes nothing in while the fault is open.

    Attributes:
        actor: the actor id.
        mode: ``timeout`` (arriving messages are discarded) or ``refuse`` (requests answered 503).
    """

    actor: str
    mode: str = "timeout"


Hook = Callable[["Fault"], None]
"""Called when a fault opens or closes (see :meth:`FaultInjector.add`)."""


@dataclass(slots=True)
class Fault:
    """One injected fault.

    Attributes:
        id: ``fault-<n>``, in the scenario's order.
        kind: the scenario's fault kind (``channel``, ``actor_down``, ``order_rejection``...).
        window: when it is open.
        params: what the fault records say about it (where, how much).
        probability: chance that one opportunity (a message, an order, a test) is hit.
        target: what :meth:`FaultInjector.hit` matches (a seller's actor id, an NE...).
        effect: the engine-level behaviour (channel or actor down), if any.
        anchors: ``(actor, peer)`` pairs the start/end records are written on.
    """

    id: str
    kind: str
    window: Window
    params: dict[str, Any] = field(default_factory=dict)
    probability: float = 1.0
    target: frozenset[str] = frozenset()
    effect: ChannelEffect | ActorDownEffect | None = None
    anchors: list[tuple[str, str | None]] = field(default_factory=list)

    def payload(self, event: str) -> dict[str, Any]:
        """The body of a fault record: which fault, which event, and its parameters."""
        return {
            "fault": self.id,
            "kind": self.kind,
            "event": event,
            "start": self.window.start,
            "end": self.window.end,
            **self.params,
        }


class FaultInjector:
    """The faults of one simulation: their schedule, their records and the questions threads ask."""

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.faults: list[Fault] = []
        self._channel_faults: list[Fault] = []
        self._down: dict[str, list[Fault]] = {}
        self._hooks: dict[str, tuple[Hook | None, Hook | None]] = {}

    def add(self, fault: Fault, *, on_start: Hook | None = None, on_end: Hook | None = None) -> None:
        """Schedule ``fault``: records and hooks at its start and end."""
        self.faults.append(fault)
        self._hooks[fault.id] = (on_start, on_end)
        if isinstance(fault.effect, ChannelEffect):
            self._channel_faults.append(fault)
        elif isinstance(fault.effect, ActorDownEffect):
            self._down.setdefault(fault.effect.actor, []).append(fault)
        self.sim.env.process(self._life(fault))

    def _life(self, fault: Fault) -> Any:
        env = self.sim.env
        if fault.window.start > env.now:
            yield env.timeout(fault.window.start - env.now)
        self._record_edge(fault, "start")
        on_start, on_end = self._hooks[fault.id]
        if on_start is not None:
            on_start(fault)
        if fault.window.end is None:
            return
        yield env.timeout(fault.window.end - env.now)
        self._record_edge(fault, "end")
        if on_end is not None:
            on_end(fault)

    def _record_edge(self, fault: Fault, event: str) -> None:
        operation = "faultStart" if event == "start" else "faultEnd"
        for actor_id, peer_id in fault.anchors:
            self.record(fault, operation, fault.payload(event), actor_id, peer_id)

    def record(
        self, fault: Fault, operation: str, payload: dict[str, Any], actor_id: str, peer_id: str | None = None
    ) -> Message:
        """Write a ``fault`` record of ``fault`` on ``actor_id`` (and the link to ``peer_id``)."""
        sim = self.sim
        peer = None
        if peer_id is not None:
            sim.channel(actor_id, peer_id)  # the record names the link's IRP: make sure it is known
            peer = sim.actor(peer_id)
        return sim.record_local(
            sim.actor(actor_id),
            Kind.FAULT,
            operation,
            payload,
            flow=Flow(FAULT_THREAD, fault.id),
            step=FAULT_STEP,
            peer=peer,
        )

    def stream(self, fault: Fault) -> random.Random:
        """The fault's own random stream (``fault/<id>``)."""
        return self.sim.random.stream(f"fault/{fault.id}")

    # -- questions threads ask ----------------------------------------------------------------

    def hit(self, kind: str, target: str, actor_id: str, flow: Flow | None = None) -> Fault | None:
        """The open fault of ``kind`` on ``target`` that hits this opportunity, if one does.

        Each open fault matching ``kind`` and ``target`` draws once from its own stream against
        its probability; the first that hits is returned, after a ``faultHit`` record on
        ``actor_id`` (the actor that reacts) saying what it hit. Faults whose ``target`` is empty
        match every target.
        """
        now = self.sim.now
        for fault in self.faults:
            if fault.kind != kind or not fault.window.open_at(now):
                continue
            if fault.target and target not in fault.target:
                continue
            if fault.probability >= 1.0 or self.stream(fault).random() < fault.probability:
                payload = {"fault": fault.id, "kind": kind, "target": target}
                if flow is not None:
                    payload.update(thread=flow.thread, instance=flow.instance)
                self.record(fault, "faultHit", payload, actor_id)
                return fault
        return None

    # -- channels -----------------------------------------------------------------------------

    def channel_faults(self, channel: Channel) -> list[Fault]:
        """The channel faults that select ``channel``'s link (open or not)."""
        chosen = []
        for fault in self._channel_faults:
            effect = fault.effect
            assert isinstance(effect, ChannelEffect)
            if effect.irp != channel.irp:
                continue
            if effect.between is not None and effect.between != frozenset(channel.ends):
                continue
            if effect.towards is not None and not any(
                self.sim.architecture.actor(end).domain == effect.towards for end in channel.ends
            ):
                continue
            chosen.append(fault)
        return chosen

    # -- actors down --------------------------------------------------------------------------

    def intercept(self, actor: Actor, msg: Message) -> bool:
        """Called by ``actor.deliver``: True when a fault took ``msg`` (discarded or refused)."""
        faults = self._down.get(actor.id)
        if not faults:
            return False
        now = self.sim.now
        fault = next((f for f in faults if f.window.open_at(now)), None)
        if fault is None:
            return False
        effect = fault.effect
        assert isinstance(effect, ActorDownEffect)
        if effect.mode == "refuse" and msg.kind is Kind.RESPONSE:
            return False  # its front door is closed; answers to its own requests still come in
        refuse = effect.mode == "refuse" and msg.kind is Kind.REQUEST
        self.record(
            fault,
            "faultRefuse" if refuse else "faultDiscard",
            {
                "fault": fault.id,
                "kind": fault.kind,
                "message": msg.id,
                "operation": msg.operation,
                "from": msg.src,
            },
            actor.id,
        )
        if refuse:
            actor.respond(
                msg,
                503,
                {
                    "code": "serviceUnavailable",
                    "reason": f"{actor.id} is unavailable",
                    "message": f"{actor.id} is down until {_until(fault.window)} ({fault.id})",
                },
            )
        return True


def _until(window: Window) -> str:
    return "further notice" if window.end is None else f"t={window.end:g} s"


class FaultyChannel(Channel):
    """A channel whose messages also suffer the channel faults open on its link.

    The wrapped channel decides first (its own loss, latency and queueing, drawn from its own
    stream, exactly as without faults); the faults then add their loss and delay, drawn from each
    fault's own stream. A run with a fault therefore draws the same base figures as without it.
    """

    __slots__ = ("_faults", "_injector", "_inner")

    def __init__(self, inner: Channel, injector: FaultInjector, faults: list[Fault]) -> None:
        super().__init__(inner.irp, inner.ends, inner.spec, inner._rng)
        self._inner = inner
        self._injector = injector
        self._faults = faults

    def transit(self, now: float) -> float | None:
        """The wrapped channel's arrival time, then each open fault's loss and delay."""
        self.sent += 1
        arrival = self._inner.transit(now)
        if arrival is None:
            self.lost += 1
            return None
        for fault in self._faults:
            if not fault.window.open_at(now):
                continue
            effect = fault.effect
            assert isinstance(effect, ChannelEffect)
            rng = self._injector.stream(fault)
            if effect.loss and rng.random() < effect.loss:
                self.lost += 1
                return None
            arrival += effect.delay
            if effect.jitter:
                arrival += rng.uniform(0.0, effect.jitter)
        return arrival


def fault_channel_factory(injector: FaultInjector, inner: ChannelFactory | None = None) -> ChannelFactory:
    """A channel factory that wraps ``inner``'s channels (default :class:`Channel`) in faults.

    Links no channel fault selects get the plain channel: they cost nothing extra.
    """
    build: ChannelFactory = inner or Channel

    def factory(irp: Irp, ends: tuple[str, str], spec: ChannelSpec, rng: random.Random) -> Channel:
        channel = build(irp, ends, spec, rng)
        faults = injector.channel_faults(channel)
        return FaultyChannel(channel, injector, faults) if faults else channel

    return factory
