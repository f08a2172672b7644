"""Garbage-collector settings for long runs.

A run keeps what it produces: trace records in memory, sellers' stores, services. These objects
live to the end, so CPython's full collections (generation 2) scan an ever larger heap, and with
the default thresholds they made the wall cost per order grow with the number of orders (4.8 to
8.0 ms/order from 200 to 2,000 orders of thread 10.2, a ratio of 1.45; `make bench` shows it).
With full collections a hundred times rarer the ratio is 1.12, and the peak memory is the same
(what is kept is live data, not garbage waiting for a collection). Young collections are left
alone, so short-lived cycles (finished simpy processes and their events) are still freed promptly;
only the rescans of long-lived objects become rarer. The previous thresholds come back when the
run ends, so the setting never leaks into the caller's program.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

FULL_COLLECTION_FACTOR = 1000
"""Generation-2 threshold during a run: a full collection after this many generation-1 ones
(CPython's default is 10)."""


@contextmanager
def fewer_full_collections() -> Iterator[None]:
    """Raise the generation-2 threshold for the duration of a ``with`` block."""
    before = gc.get_threshold()
    gc.set_threshold(before[0], before[1], max(before[2], FULL_COLLECTION_FACTOR))
    try:
        yield
    finally:
        gc.set_threshold(*before)
