"""An orchestrator's topology view: paths over what its ICMs said, not over the network itself."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from lso_sim.topology.network import NetworkTopology
from lso_sim.topology.view import DomainState, LinkState, TopologyView

NES = ("a", "b", "c", "d")


def _network() -> NetworkTopology:
    """metro (a, b, c) and core (d) of the SP: a-b-d (cheap) and a-c-d (dear); sites on a and d."""
    net = NetworkTopology("sp")
    net.add_forwarding_domain("metro", "sp", "icm-metro")
    net.add_forwarding_domain("core", "sp", "icm-core")
    for ne in ("a", "b", "c"):
        net.add_network_element(ne, "metro", f"ecm-{ne}")
    net.add_network_element("d", "core", "ecm-d")
    net.add_link("a", "b", capacity_mbps=100)
    net.add_link("b", "d", capacity_mbps=100)
    net.add_link("a", "c", capacity_mbps=100, cost=2)
    net.add_link("c", "d", capacity_mbps=100, cost=2)
    net.add_site("hq", "1 Main Street", "uni-hq", "a")
    net.add_site("branch", "2 Side Street", "uni-branch", "d")
    return net


def _told(net: NetworkTopology, fd: str, at: float, down: frozenset[str] = frozenset()) -> DomainState:
    """What the ICM of ``fd`` says at ``at``: its NEs, ``down`` ones disabled, their links."""
    nodes = {ne: ne not in down for ne in net.network_elements() if net.fd_of(ne) == fd}
    links = tuple(
        LinkState(frozenset((a, b)), True, 100.0, 100.0)
        for a, b in net.graph.edges()
        if net.graph.nodes[a]["kind"] == "ne"
        and net.graph.nodes[b]["kind"] == "ne"
        and (a in nodes or b in nodes)
    )
    return DomainState(fd, net.forwarding_domains[fd].icm, at, nodes, links)


def _full_view(net: NetworkTopology, down: frozenset[str] = frozenset()) -> TopologyView:
    view = TopologyView(net, "sp")
    for fd in ("metro", "core"):
        view.learn(_told(net, fd, 10.0, down))
    return view


def test_an_empty_view_routes_nowhere_and_says_why() -> None:
    """Before any answer the orchestrator knows none of its own NEs: no path, both domains unknown."""
    view = TopologyView(_network(), "sp")
    assert view.find_path("uni-hq", "uni-branch") is None
    assert view.unknown() == ["metro", "core"]
    assert view.why_unknown("core") == "icm-core has not described it yet"
    view.refresh_failed("core", "icm-core gave no answer")
    assert view.why_unknown("core") == "icm-core gave no answer" and view.missing == {
        "core": "icm-core gave no answer"
    }


def test_what_was_said_down_is_avoided_even_when_it_is_up() -> None:
    """The view, not the network, decides: b reported down is avoided; the network says nothing."""
    net = _network()
    assert _full_view(net).find_path("uni-hq", "uni-branch") == ["uni-hq", "a", "b", "d", "uni-branch"]
    assert _full_view(net, frozenset({"b"})).find_path("uni-hq", "uni-branch") == [
        "uni-hq",
        "a",
        "c",
        "d",
        "uni-branch",
    ]


def test_a_failure_nobody_reported_is_routed_over() -> None:
    """b is down in the network but the view never heard: the path still crosses b."""
    net = _network()
    net.set_failed("b", down=True)
    assert net.find_path("uni-hq", "uni-branch") == ["uni-hq", "a", "c", "d", "uni-branch"]
    assert _full_view(net).find_path("uni-hq", "uni-branch") == ["uni-hq", "a", "b", "d", "uni-branch"]


def test_an_ne_no_answer_described_is_not_used() -> None:
    """metro's ICM described a and c only (b's ECM did not answer): the path goes round b."""
    net = _network()
    view = _full_view(net)
    partial = view.domains["metro"]
    view.learn(DomainState("metro", "icm-metro", 20.0, {"a": True, "c": True}, partial.links))
    assert view.unseen() == frozenset({"b"})
    assert view.find_path("uni-hq", "uni-branch") == ["uni-hq", "a", "c", "d", "uni-branch"]


def test_a_failed_refresh_keeps_the_view_marked_stale_and_notes_it() -> None:
    """A failed refresh of a described domain keeps it (stale); paths crossing it carry a note;
    the next answer clears it."""
    net = _network()
    view = _full_view(net)
    view.refresh_failed("metro", "icm-metro gave no answer")
    assert view.stale == {"metro": "icm-metro gave no answer"} and not view.missing
    path = view.find_path("uni-hq", "uni-branch")
    assert path is not None
    assert view.notes(path) == ["forwarding domain metro: view of t=10s used (icm-metro gave no answer)"]
    view.learn(_told(net, "metro", 30.0))
    assert not view.stale and view.notes(path) == []


@given(st.frozensets(st.sampled_from(NES)))
def test_a_fresh_complete_view_routes_exactly_as_the_network(down: frozenset[str]) -> None:
    """Told everything that is down, the view finds the network's own path (or none), for any set
    of failed elements; segment paths inside the domain agree too."""
    net = _network()
    for ne in down:
        net.set_failed(ne, down=True)
    view = _full_view(net, down)
    assert view.find_path("uni-hq", "uni-branch") == net.find_path("uni-hq", "uni-branch")
    assert view.segment_path("uni-hq", "d") == net.segment_path("uni-hq", "d", "sp")
