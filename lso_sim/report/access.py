"""Access decisions of a run (thread 10.8's audit log) by party, IRP and outcome, from its trace.

The guard leaves an audit record (activity ``auditAccessDecision``, with ``party``, ``irp``,
``message`` and ``decision``) for every refused message, and for every message of thread 10.8's
own instances; every other message that crossed a channel in a guarded run was admitted. A trace
with no audit record at all comes from a run that refused nothing (or ran without security), and
has no access table: its admissions would be guesses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

AUDIT = "auditAccessDecision"


@dataclass(frozen=True, slots=True)
class AccessDecisions:
    """How many messages one party sent over one IRP with one outcome, and the refusals' reasons."""

    party: str
    irp: str
    outcome: str
    count: int
    reasons: tuple[str, ...] = ()


def access_decisions(records: Iterable[Mapping[str, Any]]) -> list[AccessDecisions]:
    """Decisions by (party, IRP, outcome), sorted; empty when the trace holds no audit record.

    Two passes over ``records`` (the audits, then the messages they did not audit), keeping only
    the audits: a file read back (:class:`~lso_sim.trace.jsonl.TraceRecords`) is read twice,
    a one-shot iterator is read into a list first.
    """
    items = list(records) if iter(records) is records else records
    audits = [
        r["payload"]
        for r in items
        if r.get("kind") == "activity"
        and r.get("operation") == AUDIT
        and isinstance(r.get("payload"), Mapping)
        and "party" in r["payload"]
    ]
    if not audits:
        return []
    counts: dict[tuple[str, str, str], int] = {}
    reasons: dict[tuple[str, str, str], list[str]] = {}
    audited: set[str] = set()
    for audit in audits:
        key = (str(audit["party"]), str(audit.get("irp") or "-"), str(audit["decision"]))
        counts[key] = counts.get(key, 0) + 1
        audited.add(str(audit.get("message")))
        why = audit.get("reason")
        if why and key[2] != "admitted" and str(why) not in reasons.setdefault(key, []):
            reasons[key].append(str(why))
    for r in items:
        crossed = (
            r.get("kind") in ("request", "notification") and r.get("irp") and r.get("delivered") is not None
        )
        if crossed and str(r.get("id")) not in audited:
            key = (str(r.get("src")), str(r.get("irp")), "admitted")
            counts[key] = counts.get(key, 0) + 1
    return [
        AccessDecisions(*key, count, tuple(reasons.get(key, ()))) for key, count in sorted(counts.items())
    ]
