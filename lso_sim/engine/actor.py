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
from lso_sim.engine.deadlines import Deadlines
from lso_sim.engine.distributions import Distribution
from lso_sim.engine.retry import NO_RETRY, AnswerMemory, RetryPolicy, is_read
from lso_sim.errors import LsoSimError
from lso_sim.messages.envelope import Flow, Kind, Message

if TYPE_CHECKING:
    from lso_sim.engine.simulation import Simulation

Process = Generator[simpy.Event, Any, Any]
"""What a generator handler or helper returns: a simpy process body."""

Handler = Callable[[Message], "Process | None"]
"""Handles one incoming request or notification."""


class RequestTimeout(LsoSimError):
    """A request got no response within its timeout, however often it was sent: the requester gives up."""

    def __init__(self, request: Message, limit: float, attempts: int = 1) -> None:
        super().__init__(request, limit, attempts)
        self.request = request
        self.limit = limit
        self.attempts = attempts
        tries = f" ({attempts} attempts)" if attempts > 1 else ""
        self.message = (
            f"{request.operation} from {request.src} to {request.dst} got no response "
            f"within {limit:g} s{tries}"
        )

    def __str__(self) -> str:
        return self.message


class _Call:
    """One logical request and its attempts (see :mod:`lso_sim.engine.retry`)."""

    __slots__ = ("api", "attempt", "dst", "first", "flow", "ids", "limit", "operation", "payload", "policy",
                 "step", "waiter")

    def __init__(
        self,
        waiter: simpy.Event | None,
        dst: str,
        operation: str,
        payload: Any,
        flow: Flow,
        step: str,
        api: str | None,
        limit: float | None,
        policy: RetryPolicy,
    ) -> None:
        self.waiter = waiter
        """The event the requester waits on; ``None`` once it is answered (see :meth:`Actor.deliver`)."""
        self.policy = policy
        self.dst = dst
        self.operation = operation
        self.payload = payload
        self.flow = flow
        self.step = step
        self.api = api
        self.limit = limit
        self.attempt = 0
        self.first: Message | None = None
        self.ids: list[str] = []


def _waiting_for(call: _Call) -> str:
    """``the response to X from Y (attempt 2 of 4)``: what a pending call waits for."""
    attempts = call.policy.attempts
    return f"the response to {call.operation} from {call.dst}" + (
        f" (attempt {call.attempt} of {attempts})" if attempts > 1 else ""
    )


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
        retry: how a request that timed out is re-sent before the actor gives up.
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
        retry: RetryPolicy = NO_RETRY,
        timings: dict[str, Distribution] | None = None,
    ) -> None:
        self.sim = sim
        self.env = sim.env
        self.spec = spec
        self.id = spec.id
        self.role: Role = spec.role
        self.domain = spec.domain
        self.request_timeout = request_timeout
        self.retry = retry
        self.timings = dict(timings or {})
        self.stats = ActorStats()
        self._rng = sim.random.stream(f"actor/{spec.id}")
        self._handlers: dict[str, tuple[Handler, bool]] = {}
        self._pending: dict[str, _Call] = {}
        self._deadlines = Deadlines(self.env, self._expire, self._spent)
        """Request timers, kept out of simpy's heap until due (:mod:`lso_sim.engine.deadlines`)."""
        self._open: set[str] = set()
        self._working: dict[str, list[Message]] = {}
        """Idempotency key -> re-sent attempts that joined a request still being handled."""
        self._answers: AnswerMemory | None = None
        self._service_time = service_time
        self._mailbox: simpy.Store | None = None
        if capacity is not None:
            if capacity < 1:
                raise LsoSimError(f"actor {spec.id!r}: capacity must be at least 1, got {capacity}")
            self._mailbox = simpy.Store(self.env)
            for _ in range(capacity):
                self.env.process(self._worker())
        sim.add_actor(self)
        if request_timeout is not None and retry.attempts > 1:
            sim.allow_resends(retry.horizon(request_timeout))

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
        guard = self.sim.guard
        if guard is not None and msg.kind is not Kind.RESPONSE and guard(self, msg):
            return  # refused by access control (thread 10.8), answered 401/403 when a request
        if msg.kind is Kind.RESPONSE:
            call = self._pending.pop(msg.correlation_id or "", None)
            if call is not None:
                for attempt in call.ids:
                    self._pending.pop(attempt, None)
                assert call.waiter is not None
                call.waiter.succeed(msg)
                if call.attempt == 1:
                    # Its only attempt is answered: no re-send will come, the answer can go.
                    self.sim.actors[msg.src].forget_answer(msg.correlation_id or "")
                # Its timer holds the call until it fires, days later maybe: keep it light (the
                # waiter holds the response and its body).
                call.payload = call.first = call.waiter = None
            # A response to a request given up on is in the trace; nobody waits for it.
            return
        if msg.kind is Kind.REQUEST and self.sim.resend_window and self._resent(msg):
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

    def _resent(self, msg: Message) -> bool:
        """Answer or join a re-sent request (True); note a new one so its re-sends can join it."""
        key = msg.correlation_id or msg.id
        if key != msg.id:
            # A re-sent read is asked anew (its answer was never remembered: engine/retry.py).
            answer = self._answers.recall(key) if self._answers is not None else None
            if answer is not None:
                self._answer(msg, *answer)
                return True
            joined = self._working.get(key)
            if joined is not None:
                joined.append(msg)
                return True
        self._working[key] = []
        return False

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
        retry: RetryPolicy | None = None,
    ) -> Generator[simpy.Event, Any, Message]:
        """Send a request and wait for its response (``yield from``); returns the response.

        Each attempt waits ``timeout`` (default: the actor's ``request_timeout``); the ``retry``
        policy (default: the actor's) says how many attempts are made, and how long to back off
        between them. Work with its own deadline (a measurement period) passes both.

        Raises:
            RequestTimeout: no attempt got a response; the actor gives up.
        """
        limit = self.request_timeout if timeout is None else timeout
        waiter = self.env.event()
        call = _Call(waiter, dst, operation, payload, flow, step, api, limit, retry or self.retry)
        self._attempt(call)
        response: Message = yield waiter
        return response

    def _attempt(self, call: _Call) -> None:
        """Send one attempt of ``call`` (a re-send carries the first attempt's id) and time it."""
        first = call.first
        msg = self.sim.send(
            self.id,
            call.dst,
            Kind.REQUEST,
            call.operation,
            call.payload,
            flow=call.flow,
            step=call.step,
            api=call.api,
            correlation_id=None if first is None else first.id,
        )
        if first is None:
            call.first = msg
        self.stats.sent += 1
        call.attempt += 1
        call.ids.append(msg.id)
        self._pending[msg.id] = call
        if call.limit is not None:
            self._deadlines.start(call.limit, (call, msg.id))

    def _spent(self, timer: tuple[_Call, str]) -> bool:
        """The attempt's timer has nothing left to do: the call is answered or over."""
        call, attempt_id = timer
        return call.waiter is None or call.waiter.triggered or attempt_id not in self._pending

    def _expire(self, event: simpy.Event) -> None:
        call, attempt_id = cast(tuple[_Call, str], event.value)
        if self._spent((call, attempt_id)):
            return
        limit = cast(float, call.limit)
        policy = call.policy
        last = call.attempt >= policy.attempts
        payload: dict[str, Any] = {"timeout": limit}
        if policy.attempts > 1:
            payload.update(attempt=call.attempt, attempts=policy.attempts, givingUp=last)
        self.sim.record_local(
            self,
            Kind.TIMEOUT,
            call.operation,
            payload,
            flow=call.flow,
            step=call.step,
            peer=self.sim.actor(call.dst),
            correlation_id=attempt_id,
            api=call.api,
        )
        if not last:
            # Earlier attempts stay pending: a late answer to any of them still ends the call.
            simpy.Timeout(self.env, policy.delay(call.attempt), call).callbacks.append(self._resend)
            return
        for ident in call.ids:
            self._pending.pop(ident, None)
        assert call.first is not None and call.waiter is not None
        call.waiter.fail(RequestTimeout(call.first, limit, call.attempt))

    def _resend(self, event: simpy.Event) -> None:
        call = cast(_Call, event.value)
        if call.waiter is not None and not call.waiter.triggered:
            self._attempt(call)

    def pending_calls(self) -> list[tuple[Flow, str]]:
        """The requests this actor still waits on: their flow and a phrase saying what it waits for."""
        calls = {id(call): call for call in self._pending.values()}
        return [(call.flow, _waiting_for(call)) for call in calls.values()]

    def refuse(self, request: Message, status: int, payload: Any) -> Message:
        """Answer ``request`` at once, without handling it (an access-control refusal)."""
        self._open.add(request.id)
        return self.respond(request, status, payload)

    def respond(self, request: Message, status: int, payload: Any) -> Message:
        """Answer ``request`` with an HTTP-like ``status``; the response keeps its step and api.

        Re-sent attempts that joined the request get the same answer, and the answer is remembered
        for later re-sends (:mod:`lso_sim.engine.retry`).
        """
        self._open.discard(request.id)
        response = self._answer(request, status, payload)
        if self.sim.resend_window:
            key = request.correlation_id or request.id
            if not is_read(request.operation):
                if self._answers is None:
                    self._answers = AnswerMemory(self.sim.resend_window)
                self._answers.remember(key, status, payload, self.env.now)
            for joined in self._working.pop(key, None) or ():
                self._answer(joined, status, payload)
        return response

    def forget_answer(self, key: str) -> None:
        """The requester of ``key`` has its answer and will not re-send: stop remembering it."""
        if self._answers is not None:
            self._answers.forget(key)

    def _answer(self, request: Message, status: int, payload: Any) -> Message:
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
        """Run ``body`` as a process of this actor; a failure is recorded, never a crash of the run."""
        return self.env.process(self._background(body))

    def _background(self, body: Process) -> Process:
        try:
            return (yield from body)
        except LsoSimError as exc:
            self.sim.record_local(
                self,
                Kind.ERROR,
                "backgroundFailed",
                {"error": type(exc).__name__, "reason": str(exc)},
                flow=Flow("-", "-"),
                step="-",
            )
            return None

    def gather(self, bodies: Iterable[Process]) -> Generator[simpy.Event, Any, list[Any]]:
        """Run several bodies in parallel and wait for all; returns their results in order.

        Used for fan-out steps (SOF to every ICM, an ICM to every ECM). A branch that fails (a
        request given up on, say) does not cut the others short: every branch runs to its end,
        then the first failure is raised, so two branches failing together are one failure of the
        step, never a crash of the run.
        """
        processes = [self.env.process(_settled(body)) for body in bodies]
        if processes:
            yield self.env.all_of(processes)
        settled = [cast(tuple[Any, LsoSimError | None], p.value) for p in processes]
        for _value, error in settled:
            if error is not None:
                raise error
        return [value for value, _error in settled]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id} ({self.role})>"


def _settled(body: Process) -> Generator[simpy.Event, Any, tuple[Any, LsoSimError | None]]:
    """Run ``body``; its result, or the lso-sim error it failed with, as a value."""
    try:
        value = yield from body
    except LsoSimError as exc:
        return None, exc
    return value, None
