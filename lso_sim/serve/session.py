"""One simulation driven by HTTP requests and the wall clock.

simpy runs a discrete-event simulation in one thread and has no notion of concurrent callers; an
HTTP server has many. The session keeps them apart with one lock: every request takes it, brings
the simulation up to the present, injects its call as the buyer actor's request to the seller,
and steps the simulation until the seller's answer has arrived (or nothing is left to happen),
then lets go. Nothing else ever touches the simulation, so its behaviour stays the simulator's,
recorded in the usual trace.

"The present" is simulated time derived from the wall clock: ``offset + speed * elapsed``
seconds. ``speed`` 0 freezes it (tests), so time moves only when the admin endpoint adds to
``offset`` (:meth:`Session.advance`): no sleeps, no timing in assertions. Answering can take
simulated time of its own (channel latency, an instant qualification's assessment); the clock
then stands where the answer left it, and the offset is moved so that wall time continues from
there instead of stalling until the wall clock has caught up.

Notifications: a seller's event reaches the buyer actor (recorded like any message); the
session queues it with the callback of each hub it was published to, and the server POSTs the
queue (:meth:`Session.take_outbox`) to MEF's listener paths.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import Any

import simpy

from lso_sim.actors.roles import RoleActor
from lso_sim.errors import LsoSimError
from lso_sim.messages.envelope import Flow, Kind, Message
from lso_sim.messages.operations import NOTIFICATION_HUB, Operation
from lso_sim.serve.chaos import Chaos, no_chaos
from lso_sim.serve.routes import listener_path
from lso_sim.serve.sandbox import Sandbox
from lso_sim.sonata.api import listen, query_matches, state_of
from lso_sim.threads.script.calls import event_type, seller_events

CALL_GRID = 1000
"""Calls start on a whole 1/CALL_GRID of a simulated second (:meth:`Session.call_time`)."""
THREAD = "10.2"
STEP = "api"
"""Thread and step of the sandbox's hops (as an ``api_script``'s: the buyer calls the API)."""


@dataclass(frozen=True, slots=True)
class Answer:
    """The seller's answer to one call (``status`` 0: it never came)."""

    status: int
    body: Any


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event to POST to a buyer's listener."""

    url: str
    event: Any
    buyer: str


@dataclass(slots=True)
class Session:
    """A sandbox being served (see the module docstring)."""

    sandbox: Sandbox
    speed: float = 1.0
    clock: Callable[[], float] = time.monotonic
    lock: threading.Lock = field(default_factory=threading.Lock)
    offset: float = 0.0
    started: float = 0.0
    outbox: list[Delivery] = field(default_factory=list)
    calls: int = 0
    crashed: str | None = None
    chaos: Chaos = field(default_factory=no_chaos)
    _copies: dict[tuple[str, str], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.started = self.clock()
        for actor in self.sandbox.buyers.values():
            for op in seller_events().values():
                listen(actor, op, self._heard_by(actor, op))

    # -- time ----------------------------------------------------------------------------------

    @property
    def env(self) -> simpy.Environment:
        return self.sandbox.world.sim.env

    @property
    def now(self) -> float:
        """Simulated time of the last event run."""
        return float(self.env.now)

    def target(self) -> float:
        """Simulated time the wall clock says it is."""
        return self.offset + self.speed * (self.clock() - self.started)

    def _run_to(self, until: float) -> None:
        """Run every event up to ``until`` and move the clock there."""
        if self.crashed is not None:
            return
        try:
            self.sandbox.world.sim.run(until=until)
            if until > self.env.now:
                self.env.run(until=until)
        except Exception as exc:  # a bug in the simulator: stop simulating, keep answering
            self.crashed = f"{type(exc).__name__}: {exc}"

    def _catch_up(self) -> None:
        """Stand the wall-derived clock where the simulation is, if the simulation ran ahead."""
        ahead = self.now - self.target()
        if ahead > 0:
            self.offset += ahead

    def tick(self) -> None:
        """Bring the simulation up to the present (the server calls it now and then)."""
        with self.lock:
            self._run_to(max(self.target(), self.now))

    def advance(self, seconds: float) -> float:
        """Move simulated time ``seconds`` ahead of the present; returns the new time."""
        with self.lock:
            self.offset += max(0.0, seconds)
            self._run_to(max(self.target(), self.now))
            self._catch_up()
            return self.now

    # -- calls ---------------------------------------------------------------------------------

    def buyer(self, token: str) -> RoleActor | None:
        """The buyer a bearer token names, or ``None``."""
        return self.sandbox.buyers.get(token)

    def call_time(self) -> float:
        """When a call made now starts: the present, on the next millisecond of simulated time.

        A trace keeps times to the microsecond; a call started between two of them could not be
        started again at the same instant by a replay, and what depends on elapsed time (traffic
        counters) would differ in the last digits. On the millisecond grid (or at the simulation's
        own time, when that is already past it) the recorded time is the exact one.
        """
        at = max(self.target(), self.now)
        return max(math.ceil(at * CALL_GRID - 1e-6) / CALL_GRID, self.now)

    def call(self, buyer: RoleActor, op: Operation, payload: Any) -> Answer:
        """Send ``op`` from ``buyer`` to the seller now, and return the seller's answer."""
        with self.lock:
            self._run_to(self.call_time())
            self.calls += 1
            box: dict[str, Message] = {}
            flow = Flow(THREAD, f"{buyer.id}/http")
            world = self.sandbox.world
            if flow.instance not in world.outcomes:
                world.begin(THREAD, flow.instance, buyer)
            process = self.env.process(self._call(buyer, op, payload, flow, box))
            while not process.triggered and self.crashed is None:
                if self.env.peek() == float("inf"):
                    break
                try:
                    self.env.step()
                except Exception as exc:  # a bug in the simulator: stop simulating, keep answering
                    self.crashed = f"{type(exc).__name__}: {exc}"
            self._catch_up()
            answer = box.get("answer")
            if answer is None:
                return Answer(0, None)
            return Answer(int(answer.status or 0), answer.payload)

    def _call(
        self, buyer: RoleActor, op: Operation, payload: Any, flow: Flow, box: dict[str, Message]
    ) -> Generator[simpy.Event, Any, None]:
        try:
            box["answer"] = yield from buyer.call(self.sandbox.seller.id, op, payload, flow=flow, step=STEP)
        except LsoSimError:
            return  # timed out: recorded by the engine; the HTTP side answers 503

    # -- notifications ---------------------------------------------------------------------------

    def _heard_by(self, actor: RoleActor, op: Operation) -> Callable[[Message], None]:
        management = NOTIFICATION_HUB[str(op.api)]
        kind = event_type(op)

        def heard(msg: Message) -> None:
            # The seller sent one copy of the event per matching hub, in registration order: the
            # n-th copy heard goes to the n-th matching hub, so each hub gets the event once.
            event = msg.payload if isinstance(msg.payload, Mapping) else {}
            hubs = [
                sub
                for sub in state_of(self.sandbox.seller).hubs(actor.id, management)
                if query_matches(sub.query, event)
            ]
            key = (actor.id, str(event.get("eventId", msg.id)))
            n = self._copies.get(key, 0)
            self._copies[key] = n + 1
            if n < len(hubs):
                self.outbox.append(Delivery(listener_path(hubs[n].callback, kind), msg.payload, actor.id))

        return heard

    def take_outbox(self) -> list[Delivery]:
        """The events to POST since the last call, in the order the buyers heard them (with
        chaos: some lost, some twice, some held back until the next batch; each recorded)."""
        with self.lock:
            taken, self.outbox = self.outbox, []
            if not self.chaos.kinds:
                return taken
            out: list[Delivery] = [d for d in self.chaos.late if isinstance(d, Delivery)]
            self.chaos.late = []
            for delivery in taken:
                event_id = str(delivery.event.get("eventId")) if isinstance(delivery.event, Mapping) else ""
                if self.chaos.hit("lost-notification"):
                    self._fault(
                        "lost-notification", delivery.buyer, {"eventId": event_id, "url": delivery.url}
                    )
                    continue
                if self.chaos.hit("late"):
                    self._fault("late", delivery.buyer, {"eventId": event_id, "url": delivery.url})
                    self.chaos.late.append(delivery)
                    continue
                out.append(delivery)
                if self.chaos.hit("duplicate"):
                    self._fault("duplicate", delivery.buyer, {"eventId": event_id, "url": delivery.url})
                    out.append(delivery)
            return out

    def conflict_now(self, buyer: RoleActor, operation: str) -> bool:
        """Chaos ``409``: whether this change request is answered 409 without reaching the seller."""
        with self.lock:
            if not self.chaos.hit("409"):
                return False
            self._fault("409", buyer.id, {"operation": operation})
            return True

    def unavailable_now(self, buyer: RoleActor, operation: str) -> bool:
        """Chaos ``503``: whether this request is answered 503 without reaching the seller."""
        if "503" not in self.chaos.kinds:
            return False  # no lock, no draw: a sandbox without this chaos is not slowed down
        with self.lock:
            if not self.chaos.hit("503"):
                return False
            self._fault("503", buyer.id, {"operation": operation})
            return True

    def fault(self, kind: str, buyer: str, detail: dict[str, Any]) -> None:
        """A ``fault`` record of a chaos act, from inside the simulation (the lock is held)."""
        self._fault(kind, buyer, detail)

    def _fault(self, kind: str, buyer: str, detail: dict[str, Any]) -> None:
        """A ``fault`` record of a chaos act (the lock is held)."""
        seller = self.sandbox.seller
        self.sandbox.world.sim.record_local(
            seller,
            Kind.FAULT,
            "chaos",
            {"kind": kind, "buyer": buyer, **detail},
            flow=Flow(THREAD, f"{buyer}/http"),
            step=STEP,
        )


__all__ = ["Answer", "Delivery", "Session"]
