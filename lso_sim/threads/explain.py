"""Every trace record explained: its MEF step's text and a sentence about this record itself.

A step's text (:func:`~lso_sim.threads.catalog.explain_step`) says what the step is for; on its
own it misleads on the records that only serve the step (a ``registerListener`` under "Customer
opens a trouble ticket", an ``inProgress`` event under "closes a resolved ticket"). So each record
also gets a sentence of its own: the operation's summary from the catalogue
(:mod:`lso_sim.messages.operations`) or the activity's (:mod:`lso_sim.threads.activities`), and
what changed: a resource's state before and after, the reason a request was refused, the end state
and reason of an instance, the fault injected.

Two more things a reader needs and a single record cannot say:

* **set-up**: threads 10.3-10.7 first run a 10.2 order to establish the service they act on
  (:mod:`lso_sim.threads.prerequisite`); those records are marked so nobody reads them as the
  thread's own steps;
  and so are hops labelled ``setup`` (:data:`~lso_sim.actors.world.SETUP_STEP`: a buyer
  registering its notification hub), which serve later steps and are part of none;
* **concurrency**: MEF's steps overlap (9a and 9b with 10, status updates during a repair), so a
  record whose step number is lower than one its instance already reached says which step it runs
  alongside.

Everything is worked out from the records alone, in one pass, so the terminal viewer, the HTML
report and the text listing say the same thing about a trace file as about a live run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lso_sim.actors.world import SETUP_STEP
from lso_sim.messages.operations import CATALOG
from lso_sim.threads.activities import SUMMARIES
from lso_sim.threads.catalog import explain_step
from lso_sim.threads.registry import REQUIRES

Record = Mapping[str, Any]

_MAX_REASON = 160
"""Longest refusal or outcome reason quoted before it is cut."""

_RESOURCE_KEYS = ("id", "changeId", "problemId", "reportId")
"""Payload keys that name the resource whose ``state`` a payload reports."""


_HUB_SETUP = "set-up: a notification hub registered so later steps' events reach the buyer; in no MEF step"

_FAULT_STEP = "Not a MEF step: a fault the scenario injects (its faults: block; see docs/faults.md)"


@dataclass(frozen=True, slots=True)
class Explained:
    """What one record means.

    Attributes:
        step: the MEF step's text (our one-line summary; '' when none is written).
        sentence: what this record does, and what changed.
        setup: '' for the thread's own records; for a set-up record, which thread it sets up.
        concurrent: '' when the record follows its instance's step order; else which step it runs
            alongside.
        resource: the id of the resource whose state the record reports ('' when none).
        resource_type: what that resource is (``productOrder``, ``quote``, ``service``...: the
            name of its :mod:`lso_sim.lifecycle` machine where it has one), '' when unknown.
        state: the state the record reports for it.
    """

    step: str
    sentence: str
    setup: str = ""
    concurrent: str = ""
    resource: str = ""
    resource_type: str = ""
    state: str = ""


def setup_threads(records: Iterable[Record]) -> dict[str, str]:
    """Threads whose records only set up another thread of the same trace -> the thread they set up.

    A 10.5 run starts with 10.2 orders establishing the service; in a trace holding records of
    both, 10.2 is set-up. In a trace of 10.2 alone, 10.2 is the thread itself.
    """
    present = {str(r.get("thread") or "") for r in records}
    roles: dict[str, str] = {}
    for thread in sorted(present):
        for required in REQUIRES.get(thread, ()):
            if required in present:
                roles.setdefault(required, thread)
    return roles


def step_key(step: str) -> tuple[int, str] | None:
    """MEF step ``3d`` as ``(3, 'd')`` for ordering; ``None`` for labels that are not MEF steps."""
    match = re.fullmatch(r"(\d+)([a-z]*)", step)
    return None if match is None else (int(match.group(1)), match.group(2))


def explain_records(records: Sequence[Record]) -> list[Explained]:
    """One :class:`Explained` per record of ``records`` (a trace, or part of one, in send order)."""
    setups = setup_threads(records)
    states: dict[str, str] = {}
    last: dict[str, tuple[tuple[int, str], str, Any]] = {}
    out: list[Explained] = []
    for r in records:
        thread, step = str(r.get("thread") or ""), str(r.get("step") or "")
        sentence = record_sentence(r, states)
        setup = ""
        if thread in setups:
            setup = f"set-up: thread {thread} establishes what thread {setups[thread]} acts on"
        elif step == SETUP_STEP:
            setup = _HUB_SETUP
        text = explain_step(thread, step) or (_FAULT_STEP if r.get("kind") == "fault" else "")
        resource, resource_type, state = reported_state(r)
        out.append(
            Explained(text, sentence, setup, _concurrency(r, step, last), resource, resource_type, state)
        )
    return out


def _concurrency(r: Record, step: str, last: dict[str, tuple[tuple[int, str], str, Any]]) -> str:
    """A note when ``r``'s step number is lower than that of its instance's previous record."""
    key = step_key(step)
    if key is None or r.get("kind") in ("outcome", "fault"):
        return ""
    instance = str(r.get("instance") or "")
    before = last.get(instance)
    last[instance] = (key, step, r.get("seq"))
    if before is None or key >= before[0]:
        return ""
    return (
        f"out of number order: step {step} follows step {before[1]} (#{before[2]}) of the same instance; "
        "MEF's steps overlap here (concurrent branches, or a repeated round)"
    )


def record_sentence(r: Record, states: dict[str, str] | None = None) -> str:
    """A sentence about ``r``; ``states`` (resource id -> last state seen) is read and updated."""
    seen = {} if states is None else states
    kind = str(r.get("kind") or "")
    operation = str(r.get("operation") or "")
    payload = r.get("payload")
    if kind in ("request", "response", "notification"):
        return _message_sentence(r, kind, operation, payload, seen)
    if kind == "activity":
        what = SUMMARIES.get(operation, operation)
        until = r.get("delivered")
        end = f", until t = {float(until):.3f} s" if isinstance(until, int | float) else ""
        return f"{r.get('src_role')} {r.get('src')} works on its own: {what}{end}."
    if kind == "timeout":
        limit = payload.get("timeout") if isinstance(payload, Mapping) else None
        after = f" after {limit:g} s" if isinstance(limit, int | float) else ""
        return f"{r.get('src')} stops waiting for {r.get('dst')}'s answer to {operation}{after}."
    if kind == "error":
        detail = _reason(payload) or "no detail given"
        return f"{r.get('src')} failed while handling {operation}: {detail}."
    if kind == "outcome":
        state = payload.get("state") if isinstance(payload, Mapping) else None
        reason = _reason(payload)
        because = f", because {reason}" if reason else ""
        return f"Thread instance {r.get('instance')} ends in state {state}{because}."
    if kind == "fault":
        return _fault_sentence(operation, payload)
    return f"{kind} {operation}."


def _message_sentence(r: Record, kind: str, operation: str, payload: Any, states: dict[str, str]) -> str:
    op = CATALOG.get((r.get("api"), operation))
    summary = op.summary if op is not None else "an operation the catalogue does not list"
    lost = " The channel lost it: it never arrived." if r.get("delivered") is None else ""
    src, dst = f"{r.get('src_role')} {r.get('src')}", f"{r.get('dst_role')} {r.get('dst')}"
    if kind == "request":
        return f"{src} sends {dst} the request {operation}: {summary}.{lost}"
    if kind == "notification":
        change = _state_change(payload, states)
        return f"{src} notifies {dst} with {operation}: {summary}{change}.{lost}"
    status = r.get("status")
    if isinstance(status, int) and status >= 400:
        verdict = "refuses" if status < 500 else "cannot serve"
        reason = _reason(payload) or "no reason given"
        return f"{src} {verdict} {operation} ({status}): {reason}.{lost}"
    change = _state_change(payload, states)
    return f"{src} answers {operation} ({summary}) with {status}{change}.{lost}"


_API_RESOURCES = {
    "productOrderManagement": "productOrder",
    "productOrderNotification": "productOrder",
    "quoteManagement": "quote",
    "quoteNotification": "quote",
    "productOfferingQualificationManagement": "productOfferingQualification",
    "productOfferingQualificationNotification": "productOfferingQualification",
    "serviceOrderingManagement": "serviceOrder",
    "serviceOrderingNotification": "serviceOrder",
    "serviceInventoryNotification": "service",
    "productInventoryManagement": "product",
}
"""MEF API -> the resource its bodies' ``id`` and ``state`` are about (when no ``href`` says it)."""


def reported_state(r: Record) -> tuple[str, str, str]:
    """``(resource id, resource type, state)`` a message record reports, or ``("", "", "")``.

    The type comes from the body's ``href`` (``/productOrder/order-1``), else from the MEF API.
    """
    if r.get("kind") not in ("response", "notification"):
        return "", "", ""
    body = _stateful_body(r.get("payload"))
    if body is None:
        return "", "", ""
    href = body.get("href")
    if isinstance(href, str) and href.count("/") >= 2:
        kind = href.split("/")[-2]
    else:
        kind = _API_RESOURCES.get(str(r.get("api")), "")
        if kind == "productOrder" and "Cancel" in str(r.get("operation")):
            kind = "cancelProductOrder"
    return _resource_id(body), kind, str(body["state"])


def _stateful_body(payload: Any) -> Mapping[str, Any] | None:
    """The body (or a notification's ``event``) when it carries a ``state``, else ``None``."""
    body = payload.get("event") if isinstance(payload, Mapping) and "event" in payload else payload
    if not isinstance(body, Mapping) or not isinstance(body.get("state"), str):
        return None
    return body


_ITEM_KEYS = ("orderItemId", "quoteItemId", "poqItemId")
"""Fields by which a MEF item event names the item whose state it reports."""


def _resource_id(body: Mapping[str, Any]) -> str:
    """The id of the resource a stateful body is about ('' when it names none)."""
    return next((str(body[k]) for k in _RESOURCE_KEYS if isinstance(body.get(k), str)), "")


def _state_change(payload: Any, states: dict[str, str]) -> str:
    """``; order-1 goes from acknowledged to inProgress`` when ``payload`` reports a state
    (``states``, resource id -> the last state seen, is read and updated)."""
    body = _stateful_body(payload)
    if body is None:
        return ""
    state, resource = str(body["state"]), _resource_id(body)
    if not resource:
        return f"; state now {state}"
    item = next((str(body[k]) for k in _ITEM_KEYS if isinstance(body.get(k), str)), None)
    if item is not None:  # an item event: the item moved, not (yet) its order
        resource = f"{resource} item {item}"
    before = states.get(resource)
    states[resource] = state
    if before is None:
        return f"; {resource} is {state}"
    if before == state:
        return f"; {resource} stays {state}"
    return f"; {resource} goes from {before} to {state}"


def _reason(payload: Any) -> str:
    """The reason a MEF error body (or a list of them), an outcome or an error record gives."""
    if isinstance(payload, list) and payload:
        return "; ".join(filter(None, (_reason(p) for p in payload[:3])))
    if not isinstance(payload, Mapping):
        return ""
    parts = [str(payload[k]) for k in ("reason", "message", "error") if payload.get(k)]
    text = " - ".join(dict.fromkeys(parts))
    return text if len(text) <= _MAX_REASON else text[: _MAX_REASON - 3] + "..."


_FAULT_VERBS = {
    "faultStart": "starts",
    "faultEnd": "ends",
    "faultHit": "hits",
    "faultRefuse": "refuses a message",
}


def _fault_sentence(operation: str, payload: Any) -> str:
    if not isinstance(payload, Mapping):
        return f"Injected fault: {operation}."
    verb = _FAULT_VERBS.get(operation, operation)
    skip = {"fault", "kind", "event"}
    details = ", ".join(f"{k} {v}" for k, v in payload.items() if k not in skip and v is not None)
    return f"Injected fault {payload.get('fault')} ({payload.get('kind')}) {verb}: {details}."


def hidden_before(all_records: Sequence[Record], shown: Sequence[Record]) -> list[str]:
    """What came before the first shown record and is not shown, one line per thread instance.

    A viewer filtered to one thread (``lso-sim step --thread 10.5``) starts in the middle of the
    run; these lines say what the reader missed, set-up first.
    """
    if not shown:
        return []
    first = shown[0].get("seq")
    shown_seqs = {r.get("seq") for r in shown}
    setups = setup_threads(all_records)
    counts: dict[tuple[str, str], int] = {}
    for r in all_records:
        if r.get("seq") == first:
            break
        if r.get("seq") not in shown_seqs:
            key = (str(r.get("thread") or ""), str(r.get("instance") or ""))
            counts[key] = counts.get(key, 0) + 1
    lines = []
    for (thread, instance), count in counts.items():
        role = f" (set-up: establishes what thread {setups[thread]} acts on)" if thread in setups else ""
        lines.append(f"{count} record(s) of thread {thread} {instance}{role}")
    return lines
