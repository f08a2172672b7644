"""Diagrams drawn from trace records: Mermaid sequence diagrams, and the docs they feed.

:mod:`lso_sim.diagrams.sequence` reads only trace records (plain dicts), so it sits beside
``trace`` at the bottom of the layers and works on a JSONL file from any run. ``docs`` is a
top-level tool like ``cli``: it runs the canonical scenarios and rewrites the generated parts of
``docs/``, so the pictures in the documentation are always those of a real run.
"""

from lso_sim.diagrams.sequence import to_mermaid_sequence

__all__ = ["to_mermaid_sequence"]
