"""The metric model: counters and gauges of network elements, computed lazily from simulated time.

Nothing here runs on its own. Figures are computed when someone reads them, from the time that has
passed, the bandwidth of the flows (forwarding constructs) an element carries and the impairments
open on it. Randomness is a pure function of the scenario seed, a name and a measurement interval
(drawn in blocks from ``<seed>/telemetry/<name>/<block>``, hashed like every other stream of the
simulation), so a
figure is the same however often, in whatever order and by whichever actor it is read: a report
cache or an extra poll never changes the numbers of another reader.
"""

from __future__ import annotations

import itertools
import math
import random
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from lso_sim.errors import LsoSimError
from lso_sim.telemetry.impairments import AlarmEvent, AlarmState, Impairment, ImpairmentState

_DAY = 86400.0
_EPSILON = 1e-9
_BLOCK = 96
"""Measurement intervals whose noise is drawn together (a day of 15-minute intervals)."""

Metric = Literal["utilisation", "frame_loss_ratio", "delay_ms", "jitter_ms", "availability"]
"""Gauge names, as the attributes of :class:`Sample`."""


@dataclass(frozen=True, slots=True)
class TrafficProfile:
    """How customers use their services, and how elements behave when healthy.

    Attributes:
        interval: measurement interval, seconds (each draws fresh noise; PM bins are 15 minutes).
        load: mean share of a flow's bandwidth its traffic uses.
        load_spread: relative spread of that share from one interval to the next.
        diurnal: amplitude of the daily cycle of load (0: flat; 0.3: +-30 % around ``load``).
        frame_bytes: mean frame size, to turn octets into frames.
        base_loss: frame loss ratio of a healthy, lightly loaded element.
        base_delay_ms: range of an element's own one-way delay (drawn once per element).
        errored_share: share of lost frames that are counted as errored (the rest are dropped).
    """

    interval: float = 900.0
    load: float = 0.4
    load_spread: float = 0.25
    diurnal: float = 0.3
    frame_bytes: float = 800.0
    base_loss: float = 1e-5
    base_delay_ms: tuple[float, float] = (0.2, 1.5)
    errored_share: float = 0.25

    def __post_init__(self) -> None:
        if self.interval <= 0:
            raise LsoSimError(f"telemetry interval must be > 0, got {self.interval}")
        if not 0 < self.load <= 1:
            raise LsoSimError(f"telemetry load must be within (0, 1], got {self.load}")


@dataclass(frozen=True, slots=True)
class Counters:
    """Cumulative counters of one flow (or a whole element) since it started carrying traffic."""

    octets_in: int = 0
    octets_out: int = 0
    frames_in: int = 0
    frames_out: int = 0
    errored_frames: int = 0

    def __add__(self, other: Counters) -> Counters:
        return Counters(
            self.octets_in + other.octets_in,
            self.octets_out + other.octets_out,
            self.frames_in + other.frames_in,
            self.frames_out + other.frames_out,
            self.errored_frames + other.errored_frames,
        )

    def __sub__(self, other: Counters) -> Counters:
        """What was counted between two reads (``later - earlier``)."""
        return Counters(
            self.octets_in - other.octets_in,
            self.octets_out - other.octets_out,
            self.frames_in - other.frames_in,
            self.frames_out - other.frames_out,
            self.errored_frames - other.errored_frames,
        )

    def as_payload(self) -> dict[str, int]:
        """The counters as a JSON object."""
        return {
            "octetsIn": self.octets_in,
            "octetsOut": self.octets_out,
            "framesIn": self.frames_in,
            "framesOut": self.frames_out,
            "erroredFrames": self.errored_frames,
        }


@dataclass(frozen=True, slots=True)
class Sample:
    """Gauges of an element (or of a path, see :func:`compose`) over the window ``[start, end)``.

    Attributes:
        start: window start, simulated seconds.
        end: window end.
        utilisation: offered load over capacity (0 to 1; the busiest element for a path).
        frame_loss_ratio: share of frames lost (0 to 1).
        delay_ms: mean one-way frame delay, milliseconds.
        jitter_ms: mean inter-frame delay variation, milliseconds.
        availability: share of the window the element forwarded traffic (0 to 1).
    """

    start: float
    end: float
    utilisation: float
    frame_loss_ratio: float
    delay_ms: float
    jitter_ms: float
    availability: float

    def value(self, metric: Metric) -> float:
        """The gauge called ``metric``."""
        result: float = getattr(self, metric)
        return result

    def as_payload(self) -> dict[str, float]:
        """The gauges as a JSON object (rounded so traces stay readable)."""
        return {
            "start": round(self.start, 6),
            "end": round(self.end, 6),
            "utilisation": round(self.utilisation, 6),
            "frameLossRatio": round(self.frame_loss_ratio, 9),
            "oneWayDelayMs": round(self.delay_ms, 4),
            "jitterMs": round(self.jitter_ms, 4),
            "availability": round(self.availability, 6),
        }


def compose(samples: Iterable[Sample]) -> Sample:
    """End-to-end gauges of elements in series: delays add, losses compound, availability multiplies.

    Raises:
        LsoSimError: no samples.
    """
    items = list(samples)
    if not items:
        raise LsoSimError("compose() needs at least one sample")
    delivered = math.prod(1.0 - s.frame_loss_ratio for s in items)
    return Sample(
        start=min(s.start for s in items),
        end=max(s.end for s in items),
        utilisation=max(s.utilisation for s in items),
        frame_loss_ratio=1.0 - delivered,
        delay_ms=sum(s.delay_ms for s in items),
        jitter_ms=math.sqrt(sum(s.jitter_ms**2 for s in items)),
        availability=math.prod(s.availability for s in items),
    )


@dataclass(slots=True)
class _Flow:
    """Bandwidth history of one flow on one element, in time order.

    ``changes`` is flat, ``(from time, Mbit/s, from time, Mbit/s, ...)``, a tuple replaced on each
    change: a flow changes a handful of times in its life (configured, perhaps modified, removed),
    and a list of pairs cost a list and a tuple per change, about 100 bytes more per flow each
    element carries, for every delivered service.
    """

    changes: tuple[float, ...] = ()
    cached_until: float = 0.0
    cached: tuple[float, float, float, float, float] = (0.0, 0.0, 0.0, 0.0, 0.0)

    def bandwidth(self, at: float) -> float:
        value = 0.0
        changes = self.changes
        for i in range(0, len(changes), 2):
            if changes[i] > at:
                break
            value = changes[i + 1]
        return value

    def average(self, a: float, b: float) -> float:
        """Time-weighted mean bandwidth over ``[a, b)``."""
        if b <= a or not any(a < t < b for t in self.changes[0::2]):
            return self.bandwidth(a)
        total = 0.0
        for lo, hi, mbps in self.segments(a, b):
            total += (hi - lo) * mbps
        return total / (b - a)

    def segments(self, a: float, b: float) -> list[tuple[float, float, float]]:
        """``[a, b)`` cut where the bandwidth changes: ``(lo, hi, Mbit/s)``."""
        cuts = [a] + [t for t in self.changes[0::2] if a < t < b] + [b]
        return [(lo, hi, self.bandwidth(lo)) for lo, hi in itertools.pairwise(cuts) if hi > lo]


@dataclass(frozen=True, slots=True)
class _Figures:
    """Gauges of one element over one piece of one measurement interval."""

    utilisation: float
    loss: float
    delay_ms: float
    jitter_ms: float
    availability: float


class ElementTelemetry:
    """Counters and gauges of one network element (read by the ECM that manages it).

    Args:
        network: the network telemetry it belongs to (seed, clock, profile, impairments).
        ne: network element id.
        capacity_mbps: forwarding capacity, the denominator of utilisation.
    """

    def __init__(self, network: NetworkTelemetry, ne: str, capacity_mbps: float) -> None:
        self.network = network
        self.ne = ne
        self.capacity_mbps = capacity_mbps if capacity_mbps > 0 else 1.0
        self._flows: dict[str, _Flow] = {}
        self._memo: dict[int, _Figures] = {}
        self._stopped: deque[str] = deque()
        """With a retention: flows stopped (0 Mbit/s), in the order they stopped."""
        low, high = network.profile.base_delay_ms
        self.base_delay_ms = network.rng(f"{ne}/delay").uniform(low, high)

    # -- traffic ------------------------------------------------------------------------------

    def carry(self, flow: str, bandwidth_mbps: float, at: float | None = None) -> None:
        """From ``at`` (default now) on, ``flow`` crosses this element with ``bandwidth_mbps``.

        Call it when a forwarding construct is configured, changed (0 stops it) or removed.

        Raises:
            LsoSimError: ``at`` lies before the last change of the flow, or in the past.
        """
        when = self.network.now() if at is None else at
        if when < self.network.now() - _EPSILON:
            raise LsoSimError(f"{self.ne}: cannot change flow {flow!r} in the past ({when} < now)")
        state = self._flows.get(flow)
        if state is None:
            state = self._flows[flow] = _Flow()
        changes = state.changes
        if changes and when < changes[-2]:
            raise LsoSimError(f"{self.ne}: flow {flow!r} changes must come in time order")
        if changes and changes[-2] == when:
            state.changes = (*changes[:-1], bandwidth_mbps)
        else:
            state.changes = (*changes, when, bandwidth_mbps)
        if self.network.retention is not None:
            if bandwidth_mbps <= 0:
                self._stopped.append(flow)
            self._retire_some(self.network.retention)

    def _retire_some(self, retention: float, count: int = 2) -> None:
        """Forget up to ``count`` flows stopped at least ``retention`` seconds ago, oldest first.

        The flow, its bandwidth history and the network's cached draws for it go. What changes is
        only what a read of the past more than ``retention`` seconds back would see: a forgotten
        flow's counters read zero and it no longer adds to :meth:`element_counters` (nothing in
        lso-sim reads an element's totals; folding each flow's counters in when it goes would
        cost an integration over its whole life, four tenths of a churned run's time), and an
        interval's utilisation, if first computed after, leaves it out.
        """
        now = self.network.now()
        for _ in range(min(count, len(self._stopped))):
            flow = self._stopped.popleft()
            state = self._flows.get(flow)
            if state is None or state.changes[-1] > 0:
                continue  # forgotten already, or carrying traffic again (it rejoins when it stops)
            if now - state.changes[-2] < retention:
                self._stopped.appendleft(flow)  # the oldest has not expired: none after it has
                return
            del self._flows[flow]
            self.network.forget_flow(flow)

    def flows(self, at: float | None = None) -> dict[str, float]:
        """Flows crossing the element at ``at`` (default now) with their bandwidth, by flow id."""
        when = self.network.now() if at is None else at
        return {name: f.bandwidth(when) for name, f in self._flows.items() if f.bandwidth(when) > 0}

    # -- gauges -------------------------------------------------------------------------------

    def window(self, start: float, end: float) -> Sample:
        """Gauges averaged over ``[start, end)``."""
        if end <= start:
            raise LsoSimError(f"{self.ne}: empty window [{start}, {end})")
        util = loss = delay = jitter = avail = 0.0
        for a, b, bucket in self._pieces(start, end):
            weight = (b - a) / (end - start)
            f = self._figures(bucket, a, b)
            util += weight * f.utilisation
            loss += weight * f.loss
            delay += weight * f.delay_ms
            jitter += weight * f.jitter_ms
            avail += weight * f.availability
        return Sample(start, end, util, min(1.0, loss), delay, jitter, min(1.0, avail))

    def sample(self, at: float | None = None) -> Sample:
        """Gauges over the last measurement interval before ``at`` (default now)."""
        end = self.network.now() if at is None else at
        start = max(0.0, end - self.network.profile.interval)
        if end <= start:
            end = start + _EPSILON
        return self.window(start, end)

    def first_crossing(
        self, metric: Metric, threshold: float, start: float, end: float
    ) -> tuple[float, Sample] | None:
        """The first interval boundary in ``(start, end]`` whose last interval crossed ``threshold``.

        A threshold crossing alert is decided per measurement interval, when the interval closes;
        availability crosses when it falls below the threshold, every other gauge when it rises
        above. Returns ``(time, sample)`` or ``None``.
        """
        interval = self.network.profile.interval
        boundary = (math.floor(start / interval) + 1) * interval
        while boundary <= end + _EPSILON:
            sample = self.window(boundary - interval, boundary)
            value = sample.value(metric)
            crossed = value < threshold if metric == "availability" else value > threshold
            if crossed:
                return boundary, sample
            boundary += interval
        return None

    # -- counters -----------------------------------------------------------------------------

    def counters(self, flow: str, at: float | None = None) -> Counters:
        """Cumulative counters of ``flow`` on this element up to ``at`` (default now)."""
        state = self._flows.get(flow)
        if state is None:
            return Counters()
        when = self.network.now() if at is None else at
        interval = self.network.profile.interval
        if when >= state.cached_until:
            boundary = math.floor(when / interval) * interval
            totals = state.cached
            if boundary > state.cached_until and boundary <= self.network.now() + _EPSILON:
                totals = _add(totals, self._integrate(flow, state, state.cached_until, boundary))
                state.cached_until, state.cached = boundary, totals
                totals = _add(totals, self._integrate(flow, state, boundary, when))
            else:
                totals = _add(totals, self._integrate(flow, state, state.cached_until, when))
        else:
            totals = self._integrate(flow, state, 0.0, when)
        octets_in, octets_out, frames_in, frames_out, errored = totals
        return Counters(int(octets_in), int(octets_out), int(frames_in), int(frames_out), int(errored))

    def element_counters(self, at: float | None = None) -> Counters:
        """Counters of every flow the element has carried and still keeps, added up."""
        total = Counters()
        for flow in self._flows:
            total = total + self.counters(flow, at)
        return total

    # -- internals ----------------------------------------------------------------------------

    def _pieces(self, start: float, end: float) -> list[tuple[float, float, int]]:
        """``[start, end)`` cut at measurement interval boundaries: ``(a, b, interval index)``."""
        interval = self.network.profile.interval
        pieces: list[tuple[float, float, int]] = []
        a = start
        while a < end - _EPSILON:
            bucket = math.floor(a / interval + _EPSILON)
            b = min(end, (bucket + 1) * interval)
            if b > a:
                pieces.append((a, b, bucket))
            a = b
        return pieces

    def _figures(self, bucket: int, a: float, b: float) -> _Figures:
        interval = self.network.profile.interval
        whole = a == bucket * interval and b == (bucket + 1) * interval
        if whole and b <= self.network.now():
            memo = self._memo.get(bucket)
            if memo is None:
                memo = self._compute(bucket, a, b)
                self._memo[bucket] = memo
            return memo
        return self._compute(bucket, a, b)

    def _compute(self, bucket: int, a: float, b: float) -> _Figures:
        net = self.network
        profile = net.profile
        interval = profile.interval
        offered = sum(
            f.average(bucket * interval, (bucket + 1) * interval) * net.load_factor(name, bucket)
            for name, f in self._flows.items()
        )
        utilisation = offered / self.capacity_mbps
        loss_noise, delay_noise = net.normals(self.ne, bucket)
        span = b - a
        added_loss = added_delay = added_jitter = down = 0.0
        for state in net.impairments(self.ne):
            share = state.overlap(a, b) / span if span > 0 else 0.0
            if share <= 0:
                continue
            spec = state.spec
            if spec.down:
                down += share
            added_loss += share * spec.loss
            added_delay += share * spec.delay_ms
            added_jitter += share * spec.jitter_ms
        down = min(1.0, down)
        congestion = max(0.0, utilisation - 0.8) * 0.05
        queueing = self.base_delay_ms * min(utilisation, 0.95) / (1.0 - min(utilisation, 0.95))
        loss = profile.base_loss * math.exp(0.5 * loss_noise) + congestion + added_loss
        loss = down + (1.0 - down) * min(1.0, loss)
        delay = self.base_delay_ms * (1.0 + 0.05 * delay_noise) + queueing + added_delay
        jitter = 0.08 * self.base_delay_ms * (1.0 + abs(delay_noise)) + 0.3 * queueing + added_jitter
        return _Figures(utilisation, min(1.0, loss), max(0.0, delay), max(0.0, jitter), 1.0 - down)

    def _integrate(
        self, flow: str, state: _Flow, a: float, b: float
    ) -> tuple[float, float, float, float, float]:
        profile = self.network.profile
        octets_in = octets_out = frames_in = frames_out = errored = 0.0
        if b <= a:
            return (0.0, 0.0, 0.0, 0.0, 0.0)
        for lo, hi, bucket in self._pieces(a, b):
            figures: _Figures | None = None
            for s_lo, s_hi, mbps in state.segments(lo, hi):
                if mbps <= 0:
                    continue
                figures = figures or self._figures(bucket, lo, hi)
                octets = mbps * 1e6 / 8.0 * self.network.load_factor(flow, bucket) * (s_hi - s_lo)
                frames = octets / profile.frame_bytes
                lost = frames * figures.loss
                octets_in += octets
                octets_out += octets * (1.0 - figures.loss)
                frames_in += frames
                frames_out += frames - lost
                errored += lost * profile.errored_share
        return (octets_in, octets_out, frames_in, frames_out, errored)


def _add(
    x: tuple[float, float, float, float, float], y: tuple[float, float, float, float, float]
) -> tuple[float, float, float, float, float]:
    return (x[0] + y[0], x[1] + y[1], x[2] + y[2], x[3] + y[3], x[4] + y[4])


class NetworkTelemetry:
    """The metric model of a whole network: one :class:`ElementTelemetry` per NE, and impairments.

    Args:
        seed: the scenario seed (every figure derives from it).
        clock: returns the current simulated time.
        capacity_of: forwarding capacity of a network element, Mbit/s.
        profile: traffic and element behaviour.
    """

    def __init__(
        self,
        seed: int,
        clock: Callable[[], float],
        capacity_of: Callable[[str], float],
        profile: TrafficProfile | None = None,
    ) -> None:
        self.seed = seed
        self.now = clock
        self.profile = profile or TrafficProfile()
        self._capacity_of = capacity_of
        self._elements: dict[str, ElementTelemetry] = {}
        self._impairments: list[ImpairmentState] = []
        self._by_ne: dict[str, list[ImpairmentState]] = {}
        self._load: dict[str, dict[int, float]] = {}
        """Load factors drawn, by flow then interval (a cache: each is a pure function)."""
        self._normals: dict[str, dict[int, list[float]]] = {}
        """Blocks of normal draws, by name then block (a cache, like ``_load``)."""
        self.retention: float | None = None
        """Seconds a stopped flow is kept before it is forgotten (``sellers.retention``)."""

    def forget_flow(self, flow: str) -> None:
        """Drop the cached draws of ``flow`` (drawn again, the same, if it is ever read)."""
        self._load.pop(flow, None)
        self._normals.pop(f"load/{flow}", None)

    def configure(self, profile: TrafficProfile) -> None:
        """Replace the profile (before anything was read: figures already computed would change).

        Raises:
            LsoSimError: elements were already read.
        """
        if self._elements:
            raise LsoSimError("configure the telemetry profile before any element is read")
        self.profile = profile

    def rng(self, name: str) -> random.Random:
        """A generator seeded from the scenario seed and ``name`` (a pure function of both)."""
        return random.Random(f"{self.seed}/telemetry/{name}")

    def normals(self, name: str, bucket: int) -> tuple[float, float]:
        """Two standard normal draws for measurement interval ``bucket`` of ``name``.

        Draws come in blocks of :data:`_BLOCK` intervals from ``rng("<name>/<block>")``: a pure
        function of seed, name and interval, at the cost of one seeding per block.
        """
        block, offset = divmod(bucket, _BLOCK)
        blocks = self._normals.get(name)
        if blocks is None:
            blocks = self._normals[name] = {}
        values = blocks.get(block)
        if values is None:
            rng = self.rng(f"{name}/{block}")
            values = [rng.gauss(0.0, 1.0) for _ in range(2 * _BLOCK)]
            blocks[block] = values
        return values[2 * offset], values[2 * offset + 1]

    def element(self, ne: str) -> ElementTelemetry:
        """The telemetry of network element ``ne`` (created on first use)."""
        element = self._elements.get(ne)
        if element is None:
            element = ElementTelemetry(self, ne, self._capacity_of(ne))
            self._elements[ne] = element
        return element

    def load_factor(self, flow: str, bucket: int) -> float:
        """Share of ``flow``'s bandwidth its traffic uses during measurement interval ``bucket``.

        The same for every element the flow crosses: it is the customer's traffic.
        """
        drawn = self._load.get(flow)
        if drawn is None:
            drawn = self._load[flow] = {}
        value = drawn.get(bucket)
        if value is None:
            profile = self.profile
            middle = (bucket + 0.5) * profile.interval
            cycle = 1.0 + profile.diurnal * math.sin(2 * math.pi * middle / _DAY - math.pi / 2)
            spread = profile.load_spread
            noise = math.exp(spread * self.normals(f"load/{flow}", bucket)[0] - spread * spread / 2)
            value = min(1.0, max(0.0, profile.load * cycle * noise))
            drawn[bucket] = value
        return value

    # -- impairments --------------------------------------------------------------------------

    def inject(self, impairment: Impairment) -> ImpairmentState:
        """Add an impairment (a scenario's, or one a thread causes).

        Raises:
            LsoSimError: it would start in the past (figures already read would change).
        """
        if impairment.start < self.now() - _EPSILON:
            raise LsoSimError(f"impairment on {impairment.ne} would start in the past ({impairment.start})")
        state = ImpairmentState(f"imp-{len(self._impairments) + 1}", impairment)
        self._impairments.append(state)
        self._by_ne.setdefault(impairment.ne, []).append(state)
        return state

    def impairments(self, ne: str | None = None) -> list[ImpairmentState]:
        """Impairments injected so far (on ``ne`` only, when given), in injection order."""
        if ne is None:
            return list(self._impairments)
        return self._by_ne.get(ne, [])

    def active(self, ne: str, at: float | None = None) -> list[ImpairmentState]:
        """Impairments open on ``ne`` at ``at`` (default now)."""
        when = self.now() if at is None else at
        return [s for s in self.impairments(ne) if s.active(when)]

    def repair(self, ne: str, at: float | None = None) -> list[ImpairmentState]:
        """A reconfiguration of ``ne`` at ``at`` (default now): closes its repairable impairments.

        Returns:
            The impairments it closed (empty: nothing to repair, or only manual repair helps).
        """
        when = self.now() if at is None else at
        return [s for s in self.impairments(ne) if s.repair(when)]

    def alarm_events(self, ne: str | None = None, until: float | None = None) -> list[AlarmEvent]:
        """Alarms raised and cleared by the impairments (of ``ne``), up to ``until``, in time order.

        A cleared event appears once the window's end is known (planned, or repaired).
        """
        events: list[AlarmEvent] = []
        for state in self.impairments(ne):
            spec = state.spec
            if spec.alarm is None:
                continue
            events.append(
                AlarmEvent(spec.start, spec.ne, spec.alarm, AlarmState.RAISED, spec.severity, state.id)
            )
            end = state.end
            if end is not None:
                events.append(
                    AlarmEvent(end, spec.ne, spec.alarm, AlarmState.CLEARED, spec.severity, state.id)
                )
        limit = math.inf if until is None else until
        return sorted((e for e in events if e.time <= limit), key=lambda e: (e.time, e.ne, e.impairment))
