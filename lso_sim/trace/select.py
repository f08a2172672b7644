"""Choosing the records a picture or a report shows: reading a trace file and filtering it.

Every view of a run (diagrams, the step-through viewer, the HTML report, the metrics) starts from
the same list of trace records, so reading and filtering live here once. Records are plain dicts
as :func:`lso_sim.trace.jsonl.read_trace` yields them.

A trace may hold records this version does not draw: a header line naming the scenario and seed,
or a kind added by a later version. :func:`load_records` keeps only the kinds listed in
:data:`RECORD_KINDS` that name a sender, and says how many it skipped, so nothing disappears
without a word.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lso_sim.trace.jsonl import read_trace

Record = Mapping[str, Any]
"""One trace record as a JSON object."""

MESSAGE_KINDS = frozenset({"request", "response", "notification"})
"""Kinds that cross a channel."""

RECORD_KINDS = MESSAGE_KINDS | {"activity", "timeout", "error", "fault", "outcome"}
"""Kinds of records the views draw: messages and the local events of docs/trace-format.md."""

SUCCESS_STATES = frozenset({"completed", "closed", "resolved", "billed", "incidentClosed"})
"""Outcome states in which an instance ended as its thread intends (an order completed, a ticket
closed, a bill delivered); diagrams draw the others in the alert colour, summaries count them as
fall-out."""


@dataclass(frozen=True, slots=True)
class LoadedTrace:
    """The drawable records of a trace file and how many other lines it held.

    Attributes:
        records: records of a kind in :data:`RECORD_KINDS`, in file (send) order.
        skipped: lines of another kind (a header, a kind from a newer version).
    """

    records: list[dict[str, Any]]
    skipped: int


def is_drawable(record: Record) -> bool:
    """True for a record of a kind in :data:`RECORD_KINDS` that names its sender."""
    return record.get("kind") in RECORD_KINDS and isinstance(record.get("src"), str)


class DrawableRecords:
    """The drawable records of a trace file, those a filter keeps, read anew on each iteration.

    What :func:`load_records` and :meth:`RecordFilter.apply` give as a list, for a trace too
    long to hold: a report over a 100,000-order run reads the file back once or twice and keeps
    its figures, not its records.
    """

    def __init__(self, path: str | Path, keep: RecordFilter | None = None) -> None:
        self.path, self.keep = path, keep

    def __iter__(self) -> Iterator[dict[str, Any]]:
        keep = self.keep
        for record in read_trace(self.path):
            if is_drawable(record) and (keep is None or keep.keeps(record)):
                yield record


def load_records(path: str | Path) -> LoadedTrace:
    """The drawable records of the JSONL trace ``path``.

    Raises:
        LsoSimError: the file cannot be read or a line is not a JSON object.
    """
    records: list[dict[str, Any]] = []
    skipped = 0
    for record in read_trace(path):
        if is_drawable(record):
            records.append(record)
        else:
            skipped += 1
    return LoadedTrace(records, skipped)


def end_time(record: Record) -> float:
    """When a record's effect ends: arrival (or an activity's end), else its own time."""
    delivered = record.get("delivered")
    return float(delivered) if delivered is not None else float(record.get("time") or 0.0)


@dataclass(frozen=True, slots=True)
class RecordFilter:
    """Which records to keep; an empty criterion keeps everything.

    Attributes:
        threads: thread ids (``"10.2"``).
        instances: thread instance ids (``"acme/order-1"``).
        irps: IRP names; local events (no IRP) are dropped when this is set, except a timeout,
            which names the IRP of its request.
        actors: actor ids; a record is kept when its sender or receiver is one of them.
        start: keep records that end at or after this simulated time.
        end: keep records sent at or before this simulated time.
    """

    threads: frozenset[str] = frozenset()
    instances: frozenset[str] = frozenset()
    irps: frozenset[str] = frozenset()
    actors: frozenset[str] = frozenset()
    start: float | None = None
    end: float | None = None

    @classmethod
    def of(
        cls,
        *,
        threads: Sequence[str] | None = None,
        instances: Sequence[str] | None = None,
        irps: Sequence[str] | None = None,
        actors: Sequence[str] | None = None,
        start: float | None = None,
        end: float | None = None,
    ) -> RecordFilter:
        """A filter from optional lists (as argparse gives them); IRP names are upper-cased."""
        return cls(
            frozenset(threads or ()),
            frozenset(instances or ()),
            frozenset(irp.upper() for irp in irps or ()),
            frozenset(actors or ()),
            start,
            end,
        )

    def keeps(self, record: Record) -> bool:
        """True when ``record`` passes every criterion set."""
        if self.threads and record.get("thread") not in self.threads:
            return False
        if self.instances and record.get("instance") not in self.instances:
            return False
        if self.irps and record.get("irp") not in self.irps:
            return False
        if self.actors and record.get("src") not in self.actors and record.get("dst") not in self.actors:
            return False
        if self.start is not None and end_time(record) < self.start:
            return False
        return self.end is None or float(record.get("time") or 0.0) <= self.end

    def apply(self, records: Iterable[Record]) -> list[dict[str, Any]]:
        """The records ``keeps`` accepts, in their order."""
        return [dict(r) for r in records if self.keeps(r)]


_ROLE_DOMAIN_KIND = {
    "Customer": "customer",
    "BUS-sp": "provider",
    "SOF-sp": "provider",
    "BUS-partner": "partner",
    "SOF-partner": "partner",
}
"""Roles whose domain kind is fixed by the role itself."""

_PREFIXES = ("bus-", "sof-")
"""Actor id prefixes of the BUS and SOF of a domain (``bus-<domain>``, see scenarios/build.py)."""


def infer_domains(records: Iterable[Record]) -> dict[str, str]:
    """Actor id -> ``"<domain> (<kind>)"``, worked out from a trace alone.

    A trace names actors and roles, not management domains, yet a diagram of a trace file should
    still box actors by domain. The naming rules of ``scenarios/build.py`` and the IRP rules give
    it back: a Customer is its own domain; BUS and SOF ids are ``bus-<domain>``/``sof-<domain>``;
    an ICM belongs to the domain of the SOF that talks to it over PRESTO, and an ECM to that of
    the ICM that talks to it over ADAGIO (both IRPs join actors of one domain only). An actor
    none of these rules place (an ICM nobody addressed) is left out and drawn without a box.
    """
    items = list(records)
    domains: dict[str, tuple[str, str]] = {}
    peers: dict[str, list[str]] = {}
    for record in items:
        for actor_key, role_key in (("src", "src_role"), ("dst", "dst_role")):
            actor, role = str(record.get(actor_key) or ""), str(record.get(role_key) or "")
            if actor in domains or role not in _ROLE_DOMAIN_KIND:
                continue
            name = actor
            for prefix in _PREFIXES:
                if role != "Customer" and actor.startswith(prefix):
                    name = actor[len(prefix) :]
            domains[actor] = (name, _ROLE_DOMAIN_KIND[role])
        if record.get("irp") in ("PRESTO", "ADAGIO") and record.get("kind") in MESSAGE_KINDS:
            src, dst = str(record.get("src")), str(record.get("dst"))
            peers.setdefault(src, []).append(dst)
            peers.setdefault(dst, []).append(src)
    # Spread domains down PRESTO then ADAGIO edges until nothing changes (two rounds suffice).
    changed = True
    while changed:
        changed = False
        for actor, linked in peers.items():
            if actor in domains:
                continue
            for peer in linked:
                if peer in domains:
                    domains[actor] = domains[peer]
                    changed = True
                    break
    return {actor: f"{name} ({kind})" for actor, (name, kind) in domains.items()}


def step_key(step: str) -> tuple[int, str]:
    """Sort key of a MEF step number: ``"9b"`` -> ``(9, "b")``; unnumbered steps sort last."""
    digits = len(step) - len(step.lstrip("0123456789"))
    return (int(step[:digits]), step[digits:]) if digits else (1 << 30, step)
