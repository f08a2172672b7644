"""Invariant 4: each link's booked bandwidth is the sum of the services holding it.

A link's ``used`` figure (:class:`lso_sim.topology.network.NetworkTopology`) is changed in many
places: 10.2 design and cancellation, ``modify`` and ``delete`` items, 10.3 changes and
reservations, 10.5 reroutes, INTERLUDE changes at a partner. Each must leave it equal to what the
service records say. A service holds a link when it is in the path its SOF reserved for it
(``ServiceRecord.reserved``) and the SOF's management domain books that link
(:meth:`~lso_sim.topology.network.NetworkTopology.link_owner`: an ENNI is booked by the SP, a
partner's segment by the partner's SOF). A service released or terminated holds nothing.
"""

from __future__ import annotations

import itertools
from collections import defaultdict

from lso_sim.actors.world import World
from lso_sim.invariants.result import InvariantResult, Status, listed, verdict

BOOKINGS_MATCH = "bookings-match-services"
TOLERANCE_MBPS = 1e-6
"""Float sums of the same bandwidths in another order may differ in the last bits."""


def expected_bookings(world: World) -> dict[tuple[str, str], tuple[float, list[str]]]:
    """Per link (as the graph orders its ends): the bandwidth its services hold, and those services."""
    topology = world.topology
    graph = topology.graph
    held: dict[tuple[str, str], float] = defaultdict(float)
    holders: dict[tuple[str, str], list[str]] = defaultdict(list)
    for sof in world.sof.values():
        for record in sof.services.values():
            for a, b in itertools.pairwise(record.reserved):
                if not graph.has_edge(a, b) or topology.link_owner(a, b) != sof.domain:
                    continue
                key = _key(a, b)
                held[key] += record.bandwidth_mbps
                holders[key].append(f"{record.service.id}@{sof.id} {record.bandwidth_mbps:g}")
    return {key: (held[key], holders[key]) for key in held}


def check_bookings(world: World, *, cut: bool = False) -> InvariantResult:
    """Compare every link's booking with the services holding it.

    At a horizon cut a change may be half applied (booked, not yet recorded): a difference is
    then shown but does not count as broken.
    """
    graph = world.topology.graph
    expected = expected_bookings(world)
    problems: list[str] = []
    for a, b, data in graph.edges(data=True):
        key = _key(a, b)
        want, who = expected.get(key, (0.0, []))
        used = float(data["used"])
        if abs(used - want) > TOLERANCE_MBPS:
            holders = ", ".join(who) if who else "no service"
            problems.append(f"link {key[0]}-{key[1]}: booked {used:g} Mb/s, held by {holders} = {want:g}")
    result = verdict(
        BOOKINGS_MATCH,
        problems,
        "links whose booking differs from their services",
        f"each of the {graph.number_of_edges()} links is booked exactly by the services on it",
    )
    if cut and problems:
        return InvariantResult(
            BOOKINGS_MATCH,
            Status.SKIPPED,
            f"not conclusive at a horizon cut: {listed(problems)}",
            len(problems),
        )
    return result


def _key(a: str, b: str) -> tuple[str, str]:
    """A link's name independent of the direction a path crosses it."""
    return (a, b) if a <= b else (b, a)
