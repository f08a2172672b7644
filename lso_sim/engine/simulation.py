"""The simulation: a simpy environment, the architecture, actors, channels and observers.

:meth:`Simulation.send` is the single hot path every message takes: find the channel (checking
the IRP once per actor pair), ask it for the arrival time, create the record, tell the observers,
schedule the delivery. Keep it lean; measure with ``make bench`` before and after changing it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import simpy
import simpy.rt

from lso_sim.architecture.model import Architecture
from lso_sim.architecture.roles import Irp
from lso_sim.engine.channel import Channel, ChannelSpec
from lso_sim.engine.collector import fewer_full_collections
from lso_sim.engine.faults import FaultInjector, fault_channel_factory
from lso_sim.engine.observers import TraceObserver
from lso_sim.engine.random_streams import RandomStreams
from lso_sim.errors import LsoSimError
from lso_sim.messages.envelope import Flow, Kind, Message

if TYPE_CHECKING:
    import random

    from lso_sim.engine.actor import Actor

ChannelFactory = Callable[[Irp, tuple[str, str], ChannelSpec, "random.Random"], Channel]
"""Builds the channel of one link; override to plug in other channel behaviour."""


class Simulation:
    """One simulated LSO ecosystem.

    Args:
        architecture: the actor graph; every send is checked against its IRP links.
        seed: scenario seed; every random draw comes from streams derived from it.
        channel_specs: behaviour per IRP; IRPs not listed use ``default_channel``.
        default_channel: behaviour of IRPs absent from ``channel_specs``.
        link_specs: behaviour of single links (sorted actor pair), over their IRP's.
        channel_factory: builds channels (default :class:`Channel`).
        observers: receive every record in send order.
        pace: if given, run in real time, one simulated second lasting ``pace`` wall seconds
            (for an HTTP sandbox or a live demo); ``None`` runs as fast as possible.
    """

    def __init__(
        self,
        architecture: Architecture,
        seed: int,
        *,
        channel_specs: dict[Irp, ChannelSpec] | None = None,
        default_channel: ChannelSpec | None = None,
        link_specs: dict[tuple[str, str], ChannelSpec] | None = None,
        channel_factory: ChannelFactory | None = None,
        observers: Iterable[TraceObserver] = (),
        pace: float | None = None,
    ) -> None:
        self.env: simpy.Environment = (
            simpy.rt.RealtimeEnvironment(factor=pace, strict=False) if pace else simpy.Environment()
        )
        self.architecture = architecture
        self.random = RandomStreams(seed)
        self.channel_specs = dict(channel_specs or {})
        self.default_channel = default_channel or ChannelSpec()
        self.link_specs = dict(link_specs or {})
        self._channel_factory: ChannelFactory = channel_factory or Channel
        self._observers: list[TraceObserver] = list(observers)
        self._actors: dict[str, Actor] = {}
        self._routes: dict[tuple[str, str], Channel] = {}
        self._seq = 0
        self.resend_window = 0.0
        """How long a receiver remembers its answers for re-sent requests (0: nobody re-sends)."""
        self.faults: FaultInjector | None = None
        """Fault injection, when the scenario has faults (see :meth:`inject_faults`)."""
        self.credential: Callable[[str], str | None] | None = None
        """The ``auth`` a request of an actor presents (thread 10.8 plugs it in): its credential's
        id, as an ``Authorization`` header would carry it; ``None`` leaves requests without one."""
        self.guard: Callable[[Any, Message], bool] | None = None
        """Access control (thread 10.8): called with the receiving actor and each arriving request
        or notification; True when it refused the message (and answered it), which then goes no
        further. ``None``: everything is admitted."""

    # -- wiring -------------------------------------------------------------------------------

    def add_actor(self, actor: Actor) -> None:
        """Register an actor; its id must be an instance of the architecture."""
        if actor.id not in self.architecture:
            raise LsoSimError(f"actor {actor.id!r} is not part of the architecture")
        if actor.id in self._actors:
            raise LsoSimError(f"actor {actor.id!r} registered twice")
        self._actors[actor.id] = actor

    def allow_resends(self, horizon: float) -> None:
        """An actor may re-send requests for up to ``horizon`` seconds: receivers remember answers
        that long (see :mod:`lso_sim.engine.retry`)."""
        self.resend_window = max(self.resend_window, horizon)

    def actor(self, actor_id: str) -> Actor:
        """The live actor called ``actor_id``."""
        try:
            return self._actors[actor_id]
        except KeyError:
            raise LsoSimError(f"no actor {actor_id!r} in this simulation") from None

    @property
    def actors(self) -> dict[str, Actor]:
        """All live actors by id."""
        return self._actors

    def inject_faults(self, injector: FaultInjector) -> None:
        """Plug in fault injection before the run: channels get the faults of their link, and
        every arriving message is first shown to ``injector`` (actors down)."""
        self.faults = injector
        self._channel_factory = fault_channel_factory(injector, self._channel_factory)

    def add_observer(self, observer: TraceObserver) -> None:
        """Start sending records to ``observer``."""
        self._observers.append(observer)

    def channel(self, src: str, dst: str) -> Channel:
        """The channel between two actors (created on first use).

        Raises:
            IrpViolation: no IRP joins the two actors.
        """
        channel = self._routes.get((src, dst))
        if channel is None:
            irp = self.architecture.irp_between(src, dst)
            a, b = sorted((src, dst))
            channel = self._routes.get((a, b)) or self._routes.get((b, a))
            if channel is None:
                spec = self.link_specs.get((a, b)) or self.channel_specs.get(irp, self.default_channel)
                rng = self.random.stream(f"channel/{a}/{b}")
                channel = self._channel_factory(irp, (a, b), spec, rng)
            self._routes[(src, dst)] = channel
        return channel

    def channels(self) -> list[Channel]:
        """Every channel used so far, each once, in a stable order."""
        unique = {id(c): c for c in self._routes.values()}
        return sorted(unique.values(), key=lambda c: (c.irp, c.ends))

    # -- the hot path -------------------------------------------------------------------------

    def send(
        self,
        src: str,
        dst: str,
        kind: Kind,
        operation: str,
        payload: Any,
        *,
        flow: Flow,
        step: str,
        api: str | None = None,
        status: int | None = None,
        correlation_id: str | None = None,
    ) -> Message:
        """Send a message from ``src`` to ``dst`` and schedule its delivery.

        A request gets its own id as correlation id when none is given.
        """
        channel = self._routes.get((src, dst)) or self.channel(src, dst)
        now = self.env.now
        delivered = channel.transit(now)
        seq = self._seq
        self._seq = seq + 1
        msg_id = f"m{seq}"
        source = self._actors[src]
        target = self._actors[dst]
        msg = Message(
            seq,
            now,
            delivered,
            msg_id,
            flow.thread,
            flow.instance,
            step,
            channel.irp,
            src,
            dst,
            source.role,
            target.role,
            kind,
            operation,
            api,
            msg_id if correlation_id is None and kind is Kind.REQUEST else correlation_id,
            status,
            payload,
            self.credential(src) if self.credential is not None and kind is Kind.REQUEST else None,
        )
        for observer in self._observers:
            observer.on_record(msg)
        if delivered is not None:
            arrival = simpy.Timeout(self.env, delivered - now, msg)
            arrival.callbacks.append(target.deliver_event)
        return msg

    def record_local(
        self,
        actor: Actor,
        kind: Kind,
        operation: str,
        payload: Any,
        *,
        flow: Flow,
        step: str,
        end: float | None = None,
        peer: Actor | None = None,
        correlation_id: str | None = None,
        status: int | None = None,
        api: str | None = None,
    ) -> Message:
        """Record a local event (activity, timeout, error) that crosses no channel."""
        seq = self._seq
        self._seq = seq + 1
        other = peer or actor
        irp = self._routes[(actor.id, other.id)].irp if peer is not None else None
        msg = Message(
            seq,
            self.env.now,
            end,
            f"m{seq}",
            flow.thread,
            flow.instance,
            step,
            irp,
            actor.id,
            other.id,
            actor.role,
            other.role,
            kind,
            operation,
            api,
            correlation_id,
            status,
            payload,
        )
        for observer in self._observers:
            observer.on_record(msg)
        return msg

    # -- running ------------------------------------------------------------------------------

    @property
    def now(self) -> float:
        """Current simulated time in seconds."""
        return float(self.env.now)

    @property
    def records_created(self) -> int:
        """How many records (messages and local events) have been created."""
        return self._seq

    def run(self, until: float | None = None) -> bool:
        """Run until no event is left, or until simulated time ``until`` (the horizon).

        Unlike simpy's ``run(until=...)``, a run that runs out of events before the horizon stops
        there, at the time of its last event; only a run with work left beyond the horizon has its
        clock moved to it. Returns True when the horizon cut the run (events were left).
        Full garbage collections are made rarer while it runs (see :mod:`lso_sim.engine.collector`).
        """
        env = self.env
        with fewer_full_collections():
            if until is None:
                env.run()
                return False
            step, peek = env.step, env.peek
            while peek() <= until:
                step()
            if peek() == float("inf"):
                return False
            if until > env.now:
                env.run(until=until)
            return True
