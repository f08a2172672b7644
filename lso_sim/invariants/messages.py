"""Message-level invariants, computed online from the record stream.

:class:`MessageLedger` is a trace observer. It never keeps the trace: it holds counters per
channel and per receiving actor, the requests still waiting for an answer, the deliveries still
in transit, and one outcome count per thread instance. That is what lets the checks run on the
100k-order runs that will not keep their records in memory.

The rules (docs/faults.md, "Invariants"):

- **one outcome per instance**: every thread instance that began (``World.begin``) has exactly
  one ``outcome`` record, and no ``outcome`` names an instance that never began.
- **requests answered**: every request is *settled*: by a response that was delivered, by a
  ``timeout`` record for it, or by a retry (a later request whose ``correlation_id`` is the
  first attempt's id). A lost request, or a lost response, settles nothing by itself: someone
  must have noticed (a timeout) or tried again (a retry). When the run stops at a horizon with
  work still scheduled, unsettled requests are *in flight*, not violations.
- **messages conserved**: per channel, the requests, responses and notifications recorded equal
  what the channel counted as sent, and the lost ones what it counted as lost; per actor, the
  messages recorded as delivered to it equal what it received plus what is still in transit
  at the end (only a horizon leaves messages in transit).
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lso_sim.actors.outcomes import Outcome
from lso_sim.engine.actor import Actor
from lso_sim.engine.channel import Channel
from lso_sim.invariants.result import InvariantResult, held, listed, verdict
from lso_sim.messages.envelope import MESSAGE_KINDS, Kind, Message

ONE_OUTCOME = "one-outcome-per-instance"
REQUESTS_ANSWERED = "requests-answered"
MESSAGES_CONSERVED = "messages-conserved"


@dataclass(slots=True)
class _Open:
    """A request attempt not settled yet."""

    first: str
    """Id of the chain's first attempt (its ``correlation_id``)."""
    named: tuple[str, str, str, str, str, str, float]
    """What names it in an explanation (id, operation, src, dst, thread, instance, time): kept
    as fields and only formatted by :attr:`label`, since nearly every request is settled."""
    note: str
    """Why it is open: ``unanswered``, ``request lost``, ``response lost``."""

    @property
    def label(self) -> str:
        """How to name it in an explanation."""
        ident, operation, src, dst, thread, instance, time = self.named
        return f"{ident} {operation} {src}->{dst} ({thread}/{instance}, t={time:g})"


class MessageLedger:
    """Trace observer keeping what invariants 1-3 need, and nothing more."""

    def __init__(self) -> None:
        self._open: dict[str, _Open] = {}
        self._chains: dict[str, set[str]] = {}
        """First attempt id -> ids of its attempts still open."""
        self._channel_sent: Counter[tuple[str, tuple[str, str]]] = Counter()
        self._channel_lost: Counter[tuple[str, tuple[str, str]]] = Counter()
        self._delivered_to: Counter[str] = Counter()
        self._in_transit: list[tuple[float, str]] = []
        """Heap of (arrival time, receiver) of messages whose arrival may not have happened yet."""
        self._members: dict[str, list[str]] = {}
        """Every attempt of each chain still open, by the chain's first attempt."""
        self._first_of: dict[str, str] = {}
        """Attempt id -> the first attempt of its chain, while the chain is open."""
        self.outcomes: Counter[str] = Counter()
        """Outcome records per instance id."""
        self.requests = 0

    # -- the stream -------------------------------------------------------------------------------

    def on_record(self, record: Message) -> None:
        """Update counters and open requests with one record (called in send order)."""
        kind = record.kind
        if kind in MESSAGE_KINDS:
            self._count(record)
            if kind is Kind.REQUEST:
                self._request(record)
            elif kind is Kind.RESPONSE:
                self._response(record)
        elif kind is Kind.TIMEOUT:
            # An attempt that timed out is settled; unless the requester gave up, its chain stays
            # known, so that a late answer to it also settles the re-send that follows.
            payload = record.payload
            retrying = isinstance(payload, dict) and payload.get("givingUp") is False
            self._settle(record.correlation_id or "", keep_chain=retrying)
        elif kind is Kind.OUTCOME:
            self.outcomes[record.instance] += 1

    def _count(self, record: Message) -> None:
        src, dst = record.src, record.dst
        key = (record.irp or "", (src, dst) if src < dst else (dst, src))
        self._channel_sent[key] += 1
        if record.delivered is None:
            self._channel_lost[key] += 1
            return
        self._delivered_to[record.dst] += 1
        transit = self._in_transit
        # Everything due before now has arrived: time only moves forward, so forget it.
        while transit and transit[0][0] < record.time:
            heapq.heappop(transit)
        heapq.heappush(transit, (record.delivered, record.dst))

    def _request(self, record: Message) -> None:
        self.requests += 1
        first = record.correlation_id or record.id
        if first != record.id:
            # A retry: the earlier attempts of its chain were given up by the requester.
            for attempt in self._chains.get(first, set()):
                self._open.pop(attempt, None)
            self._chains[first] = set()
        named = (
            record.id, record.operation, record.src, record.dst, record.thread, record.instance, record.time
        )
        note = "request lost" if record.delivered is None else "unanswered"
        self._open[record.id] = _Open(first, named, note)
        self._chains.setdefault(first, set()).add(record.id)
        self._members.setdefault(first, []).append(record.id)
        self._first_of[record.id] = first

    def _response(self, record: Message) -> None:
        answered = record.correlation_id or ""
        first = self._first_of.get(answered)
        if first is None:
            return  # a late answer to a request whose whole chain is settled
        if record.delivered is None:
            attempt = self._open.get(answered)
            if attempt is not None:
                attempt.note = "response lost"
            return
        # The requester has its answer: every attempt of the chain is settled, even a later
        # re-send that was lost (the requester stops waiting on it).
        for attempt_id in list(self._chains.get(first, ())):
            self._settle(attempt_id)

    def _settle(self, request_id: str, keep_chain: bool = False) -> None:
        attempt = self._open.pop(request_id, None)
        if attempt is None:
            return
        chain = self._chains.get(attempt.first)
        if chain is not None:
            chain.discard(request_id)
            if not chain and not keep_chain:
                del self._chains[attempt.first]
                for member in self._members.pop(attempt.first, ()):
                    self._first_of.pop(member, None)

    # -- after the run ----------------------------------------------------------------------------

    def open_requests(self) -> list[str]:
        """The requests not settled, each with why (for explanations)."""
        return [f"{o.label}: {o.note}" for o in self._open.values()]

    def check_outcomes(self, began: Mapping[str, Outcome]) -> InvariantResult:
        """Invariant 1 against the instances that began (``World.outcomes``): each has exactly one
        ``outcome`` record (instances still running at the horizon have theirs, state ``open``)."""
        problems = [
            f"{instance}: {self.outcomes[instance]} outcome records"
            for instance in began
            if self.outcomes[instance] != 1
        ]
        problems += [
            f"{instance}: outcome record but the instance never began"
            for instance in self.outcomes
            if instance not in began
        ]
        return verdict(
            ONE_OUTCOME,
            problems,
            "instances without exactly one outcome",
            f"each of the {len(began)} instances has one outcome record",
        )

    def check_requests(self, cut: bool) -> InvariantResult:
        """Invariant 2: every request settled (at a horizon cut, unsettled ones are in flight)."""
        unsettled = self.open_requests()
        if cut and unsettled:
            return held(
                REQUESTS_ANSWERED,
                f"{self.requests} requests; {len(unsettled)} in flight at the horizon: {listed(unsettled)}",
            )
        return verdict(
            REQUESTS_ANSWERED,
            unsettled,
            "requests with no response, timeout or retry",
            f"each of the {self.requests} requests has a response, a timeout or a retry",
        )

    def check_conservation(
        self, channels: Iterable[Channel], actors: Mapping[str, Actor], end: float, cut: bool
    ) -> InvariantResult:
        """Invariant 3: records against channel counters and actors' received counts.

        Args:
            channels: every channel of the simulation.
            actors: every actor by id.
            end: the simulated time the run stopped.
            cut: stopped at a horizon (arrivals due exactly then have not happened).
        """
        problems: list[str] = []
        seen: set[tuple[str, tuple[str, str]]] = set()
        sent_total = lost_total = 0
        for channel in channels:
            key = (str(channel.irp), channel.ends)
            seen.add(key)
            sent_total += channel.sent
            lost_total += channel.lost
            recorded, lost = self._channel_sent[key], self._channel_lost[key]
            if (recorded, lost) != (channel.sent, channel.lost):
                problems.append(
                    f"{channel.irp} {channel.ends[0]}-{channel.ends[1]}: channel sent {channel.sent}, "
                    f"lost {channel.lost}; records {recorded} sent, {lost} lost"
                )
        problems += [
            f"{irp} {a}-{b}: {self._channel_sent[(irp, (a, b))]} records on no channel"
            for irp, (a, b) in sorted(set(self._channel_sent) - seen)
        ]
        transit = Counter(dst for due, dst in self._in_transit if due > end or (cut and due >= end))
        for actor_id in sorted(set(actors) | set(self._delivered_to)):
            actor = actors.get(actor_id)
            received = actor.stats.received if actor is not None else 0
            due = self._delivered_to[actor_id]
            if due != received + transit[actor_id]:
                problems.append(
                    f"{actor_id}: {due} messages delivered to it, received {received}, "
                    f"{transit[actor_id]} in transit"
                )
        in_transit = sum(transit.values())
        if in_transit and not cut:
            problems.append(f"{in_transit} messages still in transit although the run ended")
        return verdict(
            MESSAGES_CONSERVED,
            problems,
            "mismatches between records and counters",
            f"{sent_total} messages sent = {sent_total - lost_total - in_transit} delivered"
            f" + {lost_total} lost + {in_transit} in transit",
        )
