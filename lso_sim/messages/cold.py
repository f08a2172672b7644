"""Cold storage: a MEF body at rest kept as compact JSON bytes, decoded when read.

A run of a year of orders keeps every delivered product in its sellers' inventories (they are
live: a later order may modify or disconnect them), and a finished order or quote until the
retention lets it go. Held as Python dicts such a body costs about five times its JSON text; a
body nobody reads for a while is therefore kept as its orjson encoding and decoded on the next
read (so is the request of each finished service order a SOF keeps, in
:mod:`lso_sim.actors.service_orders`). Behaviour is unchanged: a seller answers with a copy
anyway, and the decoded body equals the live one key for key, value for value, in the same
order (orjson keeps insertion order and floats' shortest representation). A body that would
not come back equal (a tuple, a non-string key, an integer beyond 64 bits) is never frozen.

The JSON is then deflated (zlib, raw, level 6): a resting product or order of about 750 bytes of
JSON keeps about 350, and the cold bodies were the largest thing a delivered order left behind
(2.6 KB of 16.9, fifth pass of docs/performance.md). Inflating adds about 13 microseconds of CPU
to the read that thaws a body, deflating about 33 to a freeze (about 1.5% of a run's time, as
measured there). Deflate is lossless; whether a body round-trips is decided from its types
(:func:`round_trips`).
"""

from __future__ import annotations

import math
import zlib
from typing import Any

import orjson

_LEVEL = 6
_RAW = -15
"""zlib's raw deflate: no header nor checksum (6 bytes a body; the bytes never leave the process)."""


def freeze(body: dict[str, Any]) -> bytes | None:
    """``body`` as bytes that :func:`thaw` turns back into an equal dict, or ``None`` if it cannot."""
    if not round_trips(body):
        return None
    try:
        encoded = orjson.dumps(body)
    except (TypeError, orjson.JSONEncodeError):  # a lone surrogate in a string
        return None
    # A fresh, exact-size bytes object (orjson's own keeps the 8 KB buffer it was written in).
    return zlib.compress(encoded, _LEVEL, _RAW)


def thaw(frozen: bytes) -> dict[str, Any]:
    """The body :func:`freeze` encoded, as a fresh dict."""
    body: dict[str, Any] = orjson.loads(zlib.decompress(frozen, _RAW))
    return body


_INT64 = range(-(2**63), 2**64)
"""Integers orjson writes (it refuses larger ones)."""


def round_trips(value: Any) -> bool:
    """Whether ``value`` comes back from JSON as itself: equal, of the same types all the way down.

    Only dicts with string keys, lists, strings, booleans, ``None``, 64-bit integers and finite
    floats do (orjson writes floats in their shortest form that reads back exactly). A tuple or a
    subclass (a ``str`` enum) would come back as a list or a plain ``str``, NaN as ``null``.
    Checking the types is what the equality after a round trip used to check, for a fifth of the
    time: freezing no longer decodes what it encoded.
    """
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return True
    if kind is dict:
        return all(type(key) is str and round_trips(item) for key, item in value.items())
    if kind is list:
        return all(round_trips(item) for item in value)
    if kind is int:
        return value in _INT64
    if kind is float:
        return math.isfinite(value)
    return False


__all__ = ["freeze", "round_trips", "thaw"]
