"""Seeded random streams owned by one simulation.

Each consumer (a channel, an actor's timing) draws from its own stream, named after it and seeded
from the scenario seed and that name. Adding a channel or an actor therefore never shifts the
numbers another one draws, which keeps golden traces stable when a scenario grows.
"""

from __future__ import annotations

import random


class RandomStreams:
    """A family of independent, reproducible ``random.Random`` generators."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._streams: dict[str, random.Random] = {}

    def stream(self, name: str) -> random.Random:
        """The generator called ``name`` (created on first use, then shared)."""
        rng = self._streams.get(name)
        if rng is None:
            # Seeding from a string hashes it with SHA-512: stable across runs and platforms,
            # unlike hash(), which PYTHONHASHSEED randomises.
            rng = random.Random(f"{self.seed}/{name}")
            self._streams[name] = rng
        return rng
