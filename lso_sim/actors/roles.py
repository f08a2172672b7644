"""The role actors: the state each functional role keeps, independent of any thread.

Threads (``lso_sim/threads``) register the handlers that make these actors behave; the classes here
only hold what a role owns: a seller's stores per buyer, an orchestrator's services, a domain
manager's constructs, an element manager's configuration. Keeping state and behaviour apart lets
each thread live in its own module while sharing one inventory.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, cast

import simpy

from lso_sim.actors.service_orders import ServiceOrderBook
from lso_sim.actors.service_retention import ServiceRetention
from lso_sim.engine.actor import Actor
from lso_sim.engine.deadlines import Deadlines
from lso_sim.engine.retry import RetryPolicy
from lso_sim.lifecycle.state_machine import Stateful
from lso_sim.messages.envelope import Flow, Message
from lso_sim.messages.operations import Operation
from lso_sim.topology.network import Decomposition
from lso_sim.topology.view import TopologyView


class Waiting:
    """Named one-shot signals an actor waits on (a notification awaited by a process).

    A signal may fire before anyone waits for it (the notification overtook the response that
    told the actor to expect it); the waiter then finds it already triggered.

    Signals made or fired on behalf of a thread instance (``instance=...``) are dropped when that
    instance ends (:meth:`release`, called by ``World.finish``): a seller announces every state
    of every order, most of which nobody waits on, and a run of a year of orders must not keep
    them all. Never through weak references: a process waiting on an event must find it alive.
    """

    def __init__(self, env: simpy.Environment) -> None:
        self._env = env
        self._timers = Deadlines(env, _Wait.expire, _Wait.spent)
        """The waits' time limits: a notification comes long before its wait's limit (a day by
        default), so a ``Timeout`` per wait sat in simpy's heap for that day (see
        :mod:`~lso_sim.engine.deadlines`, which keeps the event order exactly)."""
        self._events: dict[str, simpy.Event] = {}
        self._owned: dict[str, list[str]] = {}
        """Keys made or fired on behalf of each live thread instance, dropped when it ends."""
        self._later: list[str] = []
        """Keys of ended instances fired too recently to drop at their release: dropped later."""
        self.is_over: Callable[[str], bool] | None = None
        """Whether an instance has ended (set by the world): a signal fired for one that has (a
        late notification) is dropped at the next release, since no release of its own will come."""

    def event(self, key: str, *, instance: str | None = None) -> simpy.Event:
        """The event for ``key`` (created on first use, then owned by ``instance`` if given)."""
        event = self._events.get(key)
        if event is None:
            event = self._env.event()
            self._events[key] = event
            if instance is not None:
                self._owned.setdefault(instance, []).append(key)
        return event

    def fire(self, key: str, value: Any = None, *, instance: str | None = None) -> None:
        """Trigger ``key`` once; later fires are ignored (duplicate notifications).

        ``instance`` names the thread instance the signal belongs to: it is dropped when that
        instance ends (see the class).
        """
        event = self.event(key)
        if not event.triggered:
            event.succeed(value)
            if instance is not None:
                if self.is_over is not None and self.is_over(instance):
                    self._later.append(key)
                else:
                    self._owned.setdefault(instance, []).append(key)

    def release(self, instance: str) -> int:
        """Drop the signals of ``instance`` that are spent; returns how many went.

        Spent: fired and delivered (``processed``: its waiters, if any, were resumed), or never
        fired and watched by nobody (no callbacks: a condition that waited on it together with
        others removes itself once it triggers). Dropping the latter changes nothing: a later
        fire or wait makes a fresh event that behaves the same. A signal fired at this very
        instant, not yet delivered, is dropped at a later release; one a process still waits on
        stays.
        """
        keys = self._owned.pop(instance, [])
        if self._later:
            keys.extend(self._later)
            self._later = []
        dropped = 0
        for key in keys:
            event = self._events.get(key)
            if event is None:
                continue
            if event.processed or not (event.triggered or event.callbacks):
                del self._events[key]
                dropped += 1
            elif event.triggered:
                self._later.append(key)
        return dropped

    def drop(self, key: str) -> bool:
        """Drop the signal ``key`` if it is spent (see :meth:`release`); True when it went.

        For a signal whose subject is gone (a qualification the seller purged): no one can
        still be told to wait for it.
        """
        event = self._events.get(key)
        if event is None or not (event.processed or not (event.triggered or event.callbacks)):
            return False
        del self._events[key]
        return True

    def holds(self, key: str) -> bool:
        """Whether the signal ``key`` is still kept (made, fired or awaited, not yet dropped)."""
        return key in self._events

    def __len__(self) -> int:
        """How many signals are kept (fired or awaited)."""
        return len(self._events)

    def wait(self, key: str, timeout: float | None) -> Generator[simpy.Event, Any, tuple[bool, Any]]:
        """Wait for ``key`` at most ``timeout`` seconds; returns ``(fired, value)``."""
        event = self.event(key)
        if timeout is None or event.triggered:
            value = yield event
            return True, value
        # What ``event | env.timeout(timeout)`` did, without the condition and its timeout: the
        # limit's event id is drawn now, the wait's end is one event scheduled by whichever comes
        # first, as the condition was, and what it saw is decided when that event is processed,
        # as the condition's value was: so every event keeps its place, ties included.
        waiter = self._env.event()
        wait = _Wait(waiter, event)
        self._timers.start(timeout, wait)
        assert event.callbacks is not None and waiter.callbacks is not None  # neither processed
        event.callbacks.append(wait.signalled)
        waiter.callbacks.append(wait.settle)  # before the process's own: it reads the value
        ended: tuple[bool, Any] = yield waiter
        return ended


class _Wait:
    """One wait for a signal with a time limit: ends at the signal or at the limit, the first.

    Like simpy's condition ``signal | timeout``: the first to be processed ends the wait, and the
    wait saw the signal if the signal has been processed by the time the wait's end is (both at
    the same instant: the signal counts).
    """

    __slots__ = ("signal", "waiter")

    def __init__(self, waiter: simpy.Event, signal: simpy.Event) -> None:
        self.waiter: simpy.Event | None = waiter
        """Until the wait's end is scheduled."""
        self.signal: simpy.Event | None = signal
        """Until the wait's end is processed (the limit's queue keeps the wait for its whole time:
        it must not keep the signal and its value)."""

    def signalled(self, signal: simpy.Event) -> None:
        """The signal's callback: the signal came first."""
        waiter, self.waiter = self.waiter, None
        if waiter is None:
            return  # the limit came first
        if signal.ok:
            waiter.succeed()
        else:
            signal.defused = True
            waiter.fail(cast(Exception, signal.value))

    def settle(self, waiter: simpy.Event) -> None:
        """The wait's end is processed: what it saw, and it stops watching the signal."""
        signal, self.signal = self.signal, None
        assert signal is not None
        callbacks = signal.callbacks
        if callbacks is not None and self.signalled in callbacks:
            callbacks.remove(self.signalled)
        if waiter.ok:
            seen = callbacks is None and signal.ok  # processed: it came, now or before
            waiter._value = (True, signal.value) if seen else (False, None)

    @staticmethod
    def spent(wait: _Wait) -> bool:
        """Its limit would do nothing: the wait's end is already scheduled."""
        return wait.waiter is None

    @staticmethod
    def expire(event: simpy.Event) -> None:
        """The limit came first."""
        wait = cast(_Wait, event.value)
        waiter, wait.waiter = wait.waiter, None
        if waiter is not None:
            waiter.succeed()


class RoleActor(Actor):
    """An actor that speaks catalogue operations and can wait for named signals."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.waiting = Waiting(self.env)

    def call(
        self,
        dst: str,
        op: Operation,
        payload: Any,
        *,
        flow: Flow,
        step: str,
        timeout: float | None = None,
        retry: RetryPolicy | None = None,
    ) -> Generator[simpy.Event, Any, Message]:
        """Send the request ``op`` (its api filled in from the catalogue) and wait for the response."""
        response: Message = yield from self.request(
            dst, op.name, payload, flow=flow, step=step, api=op.api, timeout=timeout, retry=retry
        )
        return response

    def tell(self, dst: str, op: Operation, payload: Any, *, flow: Flow, step: str) -> Message:
        """Send the notification ``op``."""
        return self.notify(dst, op.name, payload, flow=flow, step=step, api=op.api)

    def handle(self, op: Operation, handler: Any) -> None:
        """Register ``handler`` for incoming ``op``."""
        self.on(op.name, handler)


class Customer(RoleActor):
    """The Customer (buyer over CANTATA, controller over ALLEGRO)."""

    def __init__(
        self, *args: Any, sites: list[str] | None = None, status_via: str = "CANTATA", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sites = list(sites or [])
        self.status_via = status_via
        """The IRP its contract names for resolution status (10.5 step 12, 10.6 step 7):
        ``CANTATA`` (from BUS-sp) or ``ALLEGRO`` (from SOF-sp), MEF's alternatives."""
        self.orders: dict[str, dict[str, Any]] = {}
        self.products: list[str] = []
        self.hubs: dict[tuple[str, str], str] = {}
        self.closing: set[str] = set()
        """Tickets whose closing is under way: a notification and a poll that both find a ticket
        resolved must not both close it (the second would be refused: already closed)."""
        """(seller, management API) -> id of the notification hub registered there."""


class BusinessApplications(RoleActor):
    """BUS-sp or BUS-partner: a seller of products (and, for BUS-sp, a buyer from partners).

    What it sells is kept per buyer by its MEF APIs (:func:`lso_sim.sonata.api.state_of`).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partner_orders: dict[str, dict[str, Any]] = {}
        """As a buyer (BUS-sp): the product orders it placed with partners, by id."""
        self.usage_events: list[dict[str, Any]] = []
        """Usage events SOF reported (billing impact of changes, usage summaries)."""
        self.apis: dict[str, Any] = {}
        """Seller sides of MEF APIs installed on this BUS, by API name (e.g. troubleTicketManagement)."""


@dataclass(slots=True)
class ServiceRecord:
    """A service in SOF's inventory with its design."""

    service: Stateful
    order: Stateful
    bandwidth_mbps: float
    endpoints: tuple[str, str]
    decomposition: Decomposition | None = None
    product_order: str | None = None
    partner_orders: Mapping[str, str] = field(default_factory=dict)
    """Partner orders bought for its partner components, by partner domain (read-only: a service
    without partners shares :data:`NO_PARTNER_ORDERS`)."""
    buyer: str = ""
    constructs: list[tuple[str, str, list[str]]] = field(default_factory=list)
    """Forwarding constructs activated for it: ``(ICM id, construct id, NEs)``."""
    reserved: tuple[str, ...] = ()
    """The path whose bandwidth SOF holds for it (empty when nothing is held)."""
    committed: bool = False
    """Activation has started: past the point of no return, a cancellation is refused."""
    cancelled: bool = False
    """Cancelled by its buyer: the SOF's process for it starts no further work."""
    events: int = 0
    """Inventory events SOF sent its BUS about this service (numbers their event ids)."""
    read_at: float = -1.0
    """When its BUS last read it back (``serviceGet``): an event sent before stays unread."""
    activated: tuple[str, ...] = ()
    """Components (SP constructs and partner components) whose activation succeeded: what must be
    taken down again if the service order fails after step 9. A tuple, changed only through
    :meth:`activate` and :meth:`deactivate`: a handful of ids that every delivered service keeps
    for its whole life, where an empty set alone took 216 bytes."""
    problems: list[str] = field(default_factory=list)
    """Why parallel work on it fell short (a component not activated, a test failed), in the
    order the branches found out: the first one explains the service order's failure."""

    def activate(self, component: str) -> None:
        """Note ``component`` as activated (once)."""
        if component not in self.activated:
            self.activated = (*self.activated, component)

    def deactivate(self, component: str) -> None:
        """Forget ``component`` as activated (taken down, or replaced by a reroute)."""
        if component in self.activated:
            self.activated = tuple(c for c in self.activated if c != component)


class ServiceOrchestrator(RoleActor):
    """SOF-sp or SOF-partner: designs, activates and assures services."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.services: dict[str, ServiceRecord] = {}
        self.counter = 0
        self.held_to: dict[str, dict[str, Any]] = {}
        """As a partner (10.6 step 1b): partner order -> the SLS objectives SOF-sp alerted it its
        component is held to (``thresholds``) and ``until`` when; its watches use them."""
        self.watchers: dict[str, dict[str, str]] = {}
        """Threshold watches it armed, by watch id: who to alert (``to``), the ``component`` id that
        actor knows, and the ``step`` of the request that armed it."""
        self.reports: dict[str, dict[str, Any]] = {}
        """Reports assembled for customers (10.4), by report id."""
        self.report_requests: dict[str, dict[str, Any]] = {}
        """Report requests (10.4), by id: the alert sent for each report of the request so far."""
        self.changes: dict[str, dict[str, Any]] = {}
        """Requested service changes (10.3), by change id: the last state of each phase."""
        self.metrics_cache: dict[str, tuple[float, dict[str, Any]]] = {}
        """Gathered service information by service id: (when gathered, information) (10.4)."""
        self.report_freshness = 900.0
        """Seconds gathered information stays current for reports (10.4)."""
        self.control_policies: dict[str, dict[str, Any]] = {}
        """Constraints on customer control of a service, by product order id (10.3)."""
        self.alarms: list[dict[str, Any]] = []
        """Faults ICMs reported (raised and cleared), which trouble handling correlates with."""
        self.service_orders = ServiceOrderBook()
        """Every service order it accepted (``add`` and changes): its state and the request, by id."""
        self.view: TopologyView | None = None
        """What its ICMs told it of its forwarding domains (10.2 3b; set when 10.2 is installed)."""
        self.order_reasons: dict[str, str] = {}
        """Why a service order failed, by id (shown as a note when BUS reads the order)."""
        self.sold_under: dict[str, str] = {}
        """As a partner: the buyer's order (``externalId``) -> the service order made for it, the
        first one. The ``service-order-for:`` signal tells a process waiting for it; this is what
        later INTERLUDE requests look up once the instance has ended and the signal is gone."""
        self.forgetting: ServiceRetention | None = None
        """With ``sellers.retention`` (:meth:`retain`): forgets services that ended."""

    def retain(self, seconds: float | None) -> None:
        """Forget ended services and finished service orders ``seconds`` after they ended
        (:mod:`lso_sim.actors.service_retention`); ``None`` keeps them for the whole run."""
        env = self.env

        def clock() -> float:
            return float(env.now)

        self.service_orders.retain(seconds, clock)
        self.service_orders.on_purge = lambda ident: self.order_reasons.pop(ident, None)
        self.forgetting = None if seconds is None else ServiceRetention(self, seconds, clock)

    def next_id(self, prefix: str) -> str:
        """A new id for a service or service order (deterministic, per orchestrator)."""
        self.counter += 1
        return f"{prefix}-{self.id}-{self.counter}"


class InfrastructureManager(RoleActor):
    """An ICM: manages one forwarding domain's network through its ECMs."""

    def __init__(self, *args: Any, forwarding_domain: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.forwarding_domain = forwarding_domain
        self.constructs: dict[str, dict[str, Any]] = {}
        self.elements: dict[str, dict[str, Any]] = {}
        """Its NEs as their ECMs last described them (ADAGIO), by NE: what it answers SOF with."""
        self.topology_readers: set[str] = set()
        """SOFs that read its topology: told when it changes (``topologyChangeEvent``)."""
        self.watchers: dict[str, dict[str, str]] = {}
        """Watches armed through it, by watch id: SOF to alert (``to``), ``construct``, arming ``step``."""


NO_PARTNER_ORDERS: Mapping[str, str] = MappingProxyType({})
"""The ``partner_orders`` of every service without partner orders (every partner's own service)."""

_ALIKE_KEPT = 64
"""Distinct bandwidths an ECM shares configurations for (scenarios use a handful; a random
bandwidth per order would otherwise grow the table with the run)."""


class ElementManager(RoleActor):
    """An ECM: manages network elements, holding their configuration."""

    def __init__(self, *args: Any, network_elements: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.network_elements = list(network_elements or [])
        self.configuration: dict[str, dict[str, Mapping[str, Any]]] = {}
        """What each NE holds, by NE then construct id: read-only, replaced by :meth:`configure`."""
        self.watches: dict[str, str] = {}
        """Armed threshold watches: construct id -> the watch id currently in force."""
        self._alike: dict[tuple[type, Any], Mapping[str, Any]] = {}
        """The shared configuration of each bandwidth (with nothing else), by type and value."""

    def configure(self, ne: str, construct: str, config: Mapping[str, Any]) -> None:
        """Set what ``ne`` holds for ``construct`` to ``config`` (a change builds a new one).

        Every delivered service leaves a configuration on each NE it crosses, kept for as long
        as the service lives, and nearly all of them are a bandwidth and nothing else: those
        share one read-only mapping per bandwidth (a dict per construct and NE cost about 0.5 KB
        per delivered order). 10.3's ``trafficFilter`` and ``monitoring`` give a construct a
        mapping of its own; being read-only, a shared one cannot be changed by mistake.
        """
        bandwidth = config.get("bandwidthMbps")
        key = (type(bandwidth), bandwidth)
        if len(config) == 1 and bandwidth is not None and isinstance(bandwidth, int | float | str):
            shared = self._alike.get(key)
            if shared is None and len(self._alike) < _ALIKE_KEPT:
                shared = self._alike[key] = MappingProxyType({"bandwidthMbps": bandwidth})
            if shared is not None:
                self.configuration.setdefault(ne, {})[construct] = shared
                return
        self.configuration.setdefault(ne, {})[construct] = MappingProxyType(dict(config))
