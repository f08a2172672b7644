"""Actors: the functional role instances, as simpy processes with a mailbox.

An actor receives messages from its channels. A response wakes the process that sent the request
(correlated by ``correlation_id``); a request or notification is dispatched to the handler
registered for its operation. Handlers are plain functions (answered on the spot) or generators
(simpy processes that may send requests of their own and wait for the answers).

Capacity is per actor: with ``capacity`` set, incoming work queues in a mailbox served by that
many workers, each holding a message for a ``service_time`` draw before its handler starts. The
limit covers the actor's own processing, not the time its handlers wait on other actors, so
capacity creates queues (and bottlenecks to find) without creating deadlocks.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Generator, Iterable
from typing import TYPE_CHECKING, Any, cast

import simpy

from lso_sim.architecture.model import ActorSpec
from lso_sim.architecture.roles import Role
from lso_sim.engine.distributions import Distribution
from lso_sim.errors import LsoSimError
from lso_sim.messages.envelope import Flow, Kind, Message

if TYPE_CHECKING:
    from lso_sim.engine.simulation import Simulation

Process = Generator[simpy.Event, Any, Any]
"""What a generator handler or helper returns: a simpy process body."""

Handler = Callable[[Message], "Process | None"]
"""Handles one incoming request or notification."""


class RequestTimeout(LsoSimError):
    """A request got no response within its timeout."""

    def __init__(self, request: Message, limit: float) -> None:
        super().__init__(request, limit)
        self.request = request
        self.limit = limit
        self.message = f"{request.operation} from {request.src} to {request.dst} timed out after {limit:g} s"


class ActorStats:
    """What an actor did: messages in and out, busy time, longest mailbox queue."""

    __slots__ = ("busy_time", "max_queue", "received", "sent")

    def __init__(self) -> None:
        self.received = 0
        self.sent = 0
        self.busy_time = 0.0
        self.max_queue = 0


class Actor:
    """One actor instance of the architecture.

    Args:
        sim: the simulation it lives in (the actor registers itself).
        spec: its id, role and domain in the architecture.
        capacity: workers serving its mailbox; ``None`` means unlimited.
        service_time: processing time drawn per incoming request or notification.
        request_timeout: default time to wait for a response; ``None`` waits forever.
        timings: duration of each named activity (see :meth:`activity`).
    """

    def __init__(
        self,
        sim: Simulation,
        spec: ActorSpec,
        *,
        capacity: int | None = None,
        service_time: Distribution | None = None,
        request_timeout: float | None = None,
        timings: dict[str, Distribution] | None = None,
    ) -> None:
        self.sim = sim
        self.env = sim.env
        self.spec = spec
        self.id = spec.id
        self.role: Role = spec.role
        self.domain = spec.domain
        self.request_timeout = request_timeout
        self.timings = dict(timings or {})
        self.stats = ActorStats()
        self._rng = sim.random.stream(f"actor/{spec.id}")
        self._handlers: dict[str, tuple[Handler, bool]] = {}
        self._pending: dict[str, simpy.Event] = {}
        self._open: set[str] = set()
        self._service_time = service_time
        self._mailbox: simpy.Store | None = None
        if capacity is not None:
            if capacity < 1:
                raise LsoSimError(f"actor {spec.id!r}: capacity must be at least 1, got {capacity}")
            self._mailbox = simpy.Store(self.env)
            for _ in range(capacity):
                self.env.process(self._worker())
        sim.add_actor(self)

    # -- handlers -----------------------------------------------------------------------------

    def on(self, operation: str, handler: Handler) -> None:
        """Handle incoming requests/notifications of ``operation`` with ``handler``."""
        self._handlers[operation] = (handler, inspect.isgeneratorfunction(handler))

    def handles(self, operation: str) -> bool:
        """True when a handler is registered for ``operation``."""
        return operation in self._handlers

    # -- receiving ----------------------------------------------------------------------------

    def deliver_event(self, event: simpy.Event) -> None:
        """Channel callback: the message carried by ``event`` has arrived."""
        self.deliver(cast(Message, event.value))

    def deliver(self, msg: Message) -> None:
        """Take an arriving message: wake its requester, or queue it for a handler."""
        self.stats.received += 1
        faults = self.sim.faults
        if faults is not None and faults.intercept(self, msg):
            return  # an actor down: discarded or refused, with a fault record (engine/faults.py)
        if msg.kind is Kind.RESPONSE:
            waiter = self._pending.pop(msg.correlation_id or "", None)
            if waiter is not None:
                waiter.succeed(msg)
            # A response to a request that already timed out is in the trace; nobody waits for it.
            return
        if self._mailbox is not None:
            self._mailbox.put(msg)
            self.stats.max_queue = max(self.stats.max_queue, len(self._mailbox.items))
        elif self._service_time is not None:
            hold = self._service_time.sample(self._rng)
            self.stats.busy_time += hold
            simpy.Timeout(self.env, hold, msg).callbacks.append(self._dispatch_event)
        else:
            self._dispatch(msg)

    def _worker(self) -> Process:
        assert self._mailbox is not None
        while True:
            msg = yield self._mailbox.get()
            if self._service_time is not None:
                hold = self._service_time.sample(self._rng)
                self.stats.busy_time += hold
                yield self.env.timeout(hold)
            self._dispatch(msg)

    def _dispatch_event(self, event: simpy.Event) -> None:
        self._dispatch(cast(Message, event.value))

    def _dispatch(self, msg: Message) -> None:
        entry = self._handlers.get(msg.operation)
        if entry is None:
            self._unhandled(msg)
            return
        handler, is_generator = entry
        if msg.kind is Kind.REQUEST:
            self._open.add(msg.id)
        if is_generator:
            body = handler(msg)
            assert body is not None
            self.env.process(self._guarded(body, msg))
            return
        try:
            handler(msg)
        except LsoSimError as exc:
            self._failed(msg, exc)

    def _guarded(self, body: Process, origin: Message) -> Process:
        """Run a handler; an expected failure is recorded (and answered), never lost."""
        try:
            yield from body
        except LsoSimError as exc:
            self._failed(origin, exc)

    def _failed(self, origin: Message, exc: LsoSimError) -> None:
        self.sim.record_local(
            self,
            Kind.ERROR,
            origin.operation,
            {"error": type(exc).__name__, "reason": str(exc)},
            flow=origin.flow,
            step=origin.step,
            correlation_id=origin.correlation_id,
        )
        if origin.kind is Kind.REQUEST and origin.id in self._open:
            self.respond(origin, 500, {"code": "internalError", "reason": str(exc)})

    def _unhandled(self, msg: Message) -> None:
        if msg.kind is Kind.REQUEST:
            self._open.add(msg.id)
            self.respond(
                msg, 501, {"code": "notImplemented", "reason": f"{self.id} does not handle {msg.operation}"}
            )
        else:
            self.sim.record_local(
                self,
                Kind.ERROR,
                msg.operation,
                {"error": "Unhandled", "reason": f"{self.id} has no handler for {msg.operation}"},
                flow=msg.flow,
                step=msg.step,
                correlation_id=msg.correlation_id,
            )

    # -- sending ------------------------------------------------------------------------------

    def request(
        self,
        dst: str,
        operation: str,
        payload: Any,
        *,
        flow: Flow,
        step: str,
        api: str | None = None,
        timeout: float | None = None,
    ) -> Generator[simpy.Event, Any, Message]:
        """Send a request and wait for its response (``yield from``); returns the response.

        Raises:
            RequestTimeout: no response within ``timeout`` (default: the actor's).
        """
        msg = self.sim.send(self.id, dst, Kind.REQUEST, operation, payload, flow=flow, step=step, api=api)
        self.stats.sent += 1
        waiter = self.env.event()
        self._pending[msg.id] = waiter
        limit = self.request_timeout if timeout is None else timeout
        if limit is not None:
            simpy.Timeout(self.env, limit, (msg, limit)).callbacks.append(self._expire)
        response: Message = yield waiter
        return response

    def _expire(self, event: simpy.Event) -> None:
        request, limit = cast(tuple[Message, float], event.value)
        waiter = self._pending.pop(request.id, None)
        if waiter is None:
            return
        self.sim.record_local(
            self,
            Kind.TIMEOUT,
            request.operation,
            {"timeout": limit},
            flow=request.flow,
            step=request.step,
            peer=self.sim.actor(request.dst),
            correlation_id=request.id,
            api=request.api,
        )
        waiter.fail(RequestTimeout(request, limit))

    def respond(self, request: Message, status: int, payload: Any) -> Message:
        """Answer ``request`` with an HTTP-like ``status``; the response keeps its step and api."""
        self._open.discard(request.id)
        self.stats.sent += 1
        return self.sim.send(
            self.id,
            request.src,
            Kind.RESPONSE,
            request.operation,
            payload,
            flow=request.flow,
            step=request.step,
            api=request.api,
            status=status,
            correlation_id=request.id,
        )

    def notify(
        self, dst: str, operation: str, payload: Any, *, flow: Flow, step: str, api: str | None = None
    ) -> Message:
        """Send a one-way notification."""
        self.stats.sent += 1
        return self.sim.send(
            self.id, dst, Kind.NOTIFICATION, operation, payload, flow=flow, step=step, api=api
        )

    # -- local work ---------------------------------------------------------------------------

    def activity(
        self, name: str, *, flow: Flow, step: str, payload: Any = None
    ) -> Generator[simpy.Event, Any, None]:
        """Do ``name`` (a MEF step without a hop) for its drawn duration, recording it."""
        timing = self.timings.get(name)
        duration = timing.sample(self._rng) if timing is not None else 0.0
        self.sim.record_local(
            self, Kind.ACTIVITY, name, payload, flow=flow, step=step, end=self.env.now + duration
        )
        self.stats.busy_time += duration
        if duration:
            yield self.env.timeout(duration)

    def draw(self, distribution: Distribution) -> float:
        """Draw from ``distribution`` with this actor's own random stream."""
        return distribution.sample(self._rng)

    @property
    def rng(self) -> Any:
        """This actor's random stream (for model decisions such as test outcomes)."""
        return self._rng

    def start(self, body: Process) -> simpy.Process:
        """Run ``body`` as a process of this actor."""
        return self.env.process(body)

    def gather(self, bodies: Iterable[Process]) -> Generator[simpy.Event, Any, list[Any]]:
        """Run several bodies in parallel and wait for all; returns their results in order.

        Used for fan-out steps (SOF to every ICM, an ICM to every ECM).
        """
        processes = [self.env.process(body) for body in bodies]
        if processes:
            yield self.env.all_of(processes)
        return [p.value for p in processes]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id} ({self.role})>"
