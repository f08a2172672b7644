"""Text exports of the architecture graph: Mermaid and Graphviz DOT.

Actors are grouped by management domain, each edge labelled with its IRP, so the picture reads as
MEF's reference architecture drawn for this scenario.
"""

from __future__ import annotations

from lso_sim.architecture.model import Architecture


def _node(actor_id: str) -> str:
    return "n_" + "".join(ch if ch.isalnum() else "_" for ch in actor_id)


def to_mermaid(arch: Architecture) -> str:
    """A Mermaid ``flowchart`` of the domains, actors and IRP links."""
    lines = ["flowchart LR"]
    for domain in arch.domains():
        # Domain boxes get their own prefix: a customer's domain and actor share an id.
        lines.append(f'  subgraph d_{_node(domain.id)}["{domain.id} ({domain.kind})"]')
        for actor in arch.actors(domain=domain.id):
            lines.append(f'    {_node(actor.id)}["{actor.id}<br/>{actor.role}"]')
        lines.append("  end")
    for a, b, irp in arch.links():
        lines.append(f"  {_node(a)} ---|{irp}| {_node(b)}")
    return "\n".join(lines) + "\n"


def to_dot(arch: Architecture) -> str:
    """A Graphviz ``graph`` of the domains (clusters), actors and IRP links."""
    lines = ["graph lso {", "  rankdir=LR;", '  node [shape=box, fontname="Helvetica"];']
    for domain in arch.domains():
        lines.append(f"  subgraph cluster_{_node(domain.id)} {{")
        lines.append(f'    label="{domain.id} ({domain.kind})";')
        for actor in arch.actors(domain=domain.id):
            lines.append(f'    {_node(actor.id)} [label="{actor.id}\\n{actor.role}"];')
        lines.append("  }")
    for a, b, irp in arch.links():
        lines.append(f'  {_node(a)} -- {_node(b)} [label="{irp}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"
