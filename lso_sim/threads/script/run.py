"""The buyer's side of an API script: calls one after the other, each recorded as thread 10.2.

A script is a list of steps. A step waits until its ``at`` (when given), fills the references of
its request from the responses saved so far, sends the request to the seller and waits for the
answer (whatever its status: a seller's MEF error is part of what the script shows), saves the
answer's body under ``save_as``, then, with ``wait_for``, waits until the buyer's hub has received
a given event. Every hop is recorded with thread ``10.2``, instance ``<buyer>/script-<n>`` and step
``api``; what the seller's back office does about a request (a 10.2 order's fulfilment) is
recorded in the same instance with its own steps.

A script stops at the first thing it cannot do, and says so with an ``error`` record: a reference
to a field the actual response does not have (``scriptReferenceMissing``), a ``wait_for`` whose
event did not come in time (``scriptWaitTimedOut``), a request that timed out. Each buyer instance
of the script then ends ``stopped`` instead of ``completed``.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any
from weakref import WeakKeyDictionary

import simpy

from lso_sim.actors.roles import RoleActor
from lso_sim.actors.world import World
from lso_sim.errors import LsoSimError
from lso_sim.messages.envelope import Flow, Kind, Message
from lso_sim.messages.operations import Operation
from lso_sim.sonata.api import ApiHandler, listen, router_of
from lso_sim.threads.script.calls import seller_events
from lso_sim.threads.script.references import MissingValue, dotted, substitute

THREAD = "10.2"
ANY = "*"
"""What a ``wait_for`` without ``of`` waits on: an event about any resource."""
STEP = "api"
"""Step label of a script's hops (explained in :data:`lso_sim.threads.catalog.EXTRA_STEPS`)."""


@dataclass(frozen=True, slots=True)
class WaitFor:
    """Wait until the buyer's hub received ``event`` about resource ``of`` (in ``state``, if given).

    ``of`` may hold references (``${order.id}``); ``None`` takes an event about any resource (a
    charge the seller raised, whose id the buyer learns from the event). ``timeout`` ``None`` means
    the world's ``notification_wait``.
    """

    event: str
    of: Any = None
    state: str | None = None
    timeout: float | None = None


@dataclass(frozen=True, slots=True)
class ScriptStep:
    """One step: an optional call, then an optional wait.

    Attributes:
        buyer: actor id of the buyer (a customer, or BUS-sp buying from a partner).
        seller: actor id of the seller BUS.
        op: the operation to call (``None``: the step only waits).
        request: its payload, references not yet filled in.
        at: simulated second before which the step does not start (``None``: at once).
        save_as: name under which the response body is kept for later references.
        wait_for: what to wait for after the call.
    """

    buyer: str
    seller: str
    op: Operation | None
    request: Any = None
    at: float | None = None
    save_as: str | None = None
    wait_for: WaitFor | None = None


@dataclass(frozen=True, slots=True)
class Script:
    """A script of workload item ``number`` (its instances are ``<buyer>/script-<number>``)."""

    number: int
    steps: tuple[ScriptStep, ...]
    field: str = ""
    """Field path of the script in its scenario (``workload.0.api_script``), quoted in errors."""

    def instance(self, buyer: str) -> str:
        """Instance id of ``buyer``'s part of the script."""
        return f"{buyer}/script-{self.number}"


_RECEIVED: WeakKeyDictionary[RoleActor, dict[str, int]] = WeakKeyDictionary()
"""Per buyer actor listening for scripts: how many events of each ``wait_for`` key it received."""
_CREATED: WeakKeyDictionary[RoleActor, set[str]] = WeakKeyDictionary()
"""Per buyer actor: ids of the resources its scripts created (their events are the scripts' alone)."""


def _heard(actor: RoleActor, previous: ApiHandler | None, msg: Message) -> Any:
    """A seller event reached ``actor``'s hub: count it for ``wait_for``, then do what was done before.

    The n-th event of a key fires the signal ``<key>#<n>``: a wait takes the first event of its key
    that no earlier wait of the script took, whether it came before the wait started or after.
    Events about a resource a script created are the script's: the handler the buyer's threads
    installed is not called (the 10.5 Customer would close a resolved ticket by itself). Resources
    a seller's back office creates for the buyer (BUS-sp's partner orders) keep their handlers.
    """
    payload = msg.payload if isinstance(msg.payload, Mapping) else {}
    event = payload.get("event")
    if isinstance(event, Mapping) and "id" in event:
        keys = []
        for about in (str(event["id"]), ANY):
            key = f"{payload.get('eventType')}:{about}"
            keys += [key, f"{key}:{event['state']}"] if "state" in event else [key]
        counts = _RECEIVED[actor]
        for name in keys:
            counts[name] = counts.get(name, 0) + 1
            actor.waiting.fire(f"script:{name}#{counts[name]}", dict(event))
    if isinstance(event, Mapping) and str(event.get("id")) in _CREATED.get(actor, ()):
        return None  # a script's own resource: no thread behaviour acts on it (closing a ticket...)
    return previous(msg) if previous is not None else None


def listen_for_script(actor: RoleActor) -> None:
    """Let ``actor`` receive every seller event (once per actor), keeping the handlers threads gave it.

    A buyer whose hubs take more event types than its threads handle would otherwise record each as
    an unhandled notification.
    """
    if actor in _RECEIVED:
        return
    _RECEIVED[actor] = {}
    router = router_of(actor)
    for op in seller_events().values():
        known = router.routes.get((op.api, op.name))
        listen(actor, op, partial(_heard, actor, known[1] if known else None))


def run(world: World, script: Script) -> Generator[simpy.Event, Any, None]:
    """Run ``script`` (a simpy process body)."""
    saved: dict[str, Any] = {}
    taken: dict[tuple[str, str], int] = {}
    """(buyer, wait key) -> events of that key the script's waits have taken."""
    flows: dict[str, Flow] = {}
    stopped: str | None = None
    for index, step in enumerate(script.steps):
        if step.at is not None and step.at > world.sim.now:
            yield world.sim.env.timeout(step.at - world.sim.now)
        buyer = world.sim.actor(step.buyer)
        assert isinstance(buyer, RoleActor), "the loader checked the buyer"
        flow = flows.get(step.buyer)
        if flow is None:
            flow = flows[step.buyer] = Flow(THREAD, script.instance(step.buyer))
            world.begin(THREAD, flow.instance, buyer)
        where = f"{script.field}.{index}"
        try:
            if step.op is not None:
                request = substitute(step.request, saved, ("with",))
                answer = yield from buyer.call(step.seller, step.op, request, flow=flow, step=STEP)
                if step.save_as is not None:
                    saved[step.save_as] = answer.payload
                if step.op.name.startswith("create") and isinstance(answer.payload, Mapping):
                    _CREATED.setdefault(buyer, set()).add(str(answer.payload.get("id")))
            if step.wait_for is not None:
                yield from _wait(world, buyer, step.wait_for, saved, taken, flow, where)
        except MissingValue as exc:
            stopped = f"{where}.{dotted(exc.path)}: {exc}"
            world.sim.record_local(
                buyer,
                Kind.ERROR,
                "scriptReferenceMissing",
                {
                    "field": f"{where}.{dotted(exc.path)}",
                    "reference": exc.reference.text,
                    "reason": exc.reason,
                },
                flow=flow,
                step=STEP,
            )
        except _WaitTimedOut as exc:
            stopped = str(exc)
        except LsoSimError as exc:
            stopped = f"{where}: {exc}"
            world.sim.record_local(
                buyer,
                Kind.ERROR,
                "scriptAborted",
                {"field": where, "error": type(exc).__name__, "reason": str(exc)},
                flow=flow,
                step=STEP,
            )
        if stopped is not None:
            break
    for flow in flows.values():
        if stopped is None:
            world.finish(flow.instance, "completed", calls=len(script.steps))
        else:
            world.finish(flow.instance, "stopped", reason=stopped)


class _WaitTimedOut(Exception):
    """A ``wait_for`` ended without its event (already recorded)."""


def _wait(
    world: World,
    buyer: RoleActor,
    wait: WaitFor,
    saved: Mapping[str, Any],
    taken: dict[tuple[str, str], int],
    flow: Flow,
    where: str,
) -> Generator[simpy.Event, Any, None]:
    of = ANY if wait.of is None else substitute(wait.of, saved, ("wait_for", "of"))
    key = f"{wait.event}:{of}" + (f":{wait.state}" if wait.state else "")
    n = taken.get((buyer.id, key), 0) + 1
    limit = wait.timeout if wait.timeout is not None else world.options.notification_wait
    fired, _event = yield from buyer.waiting.wait(f"script:{key}#{n}", limit)
    if fired:
        taken[(buyer.id, key)] = n
        return
    world.sim.record_local(
        buyer,
        Kind.ERROR,
        "scriptWaitTimedOut",
        {"field": f"{where}.wait_for", "event": wait.event, "of": of, "state": wait.state, "timeout": limit},
        flow=flow,
        step=STEP,
    )
    raise _WaitTimedOut(f"{where}.wait_for: no {wait.event} about {of} within {limit:g} s")


__all__ = ["STEP", "THREAD", "Script", "ScriptStep", "WaitFor", "listen_for_script", "run"]
