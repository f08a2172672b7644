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
measured there). Deflate is lossless, so the equality check is made on the JSON itself.
"""

from __future__ import annotations

import zlib
from typing import Any

import orjson

_LEVEL = 6
_RAW = -15
"""zlib's raw deflate: no header nor checksum (6 bytes a body; the bytes never leave the process)."""


def freeze(body: dict[str, Any]) -> bytes | None:
    """``body`` as bytes that :func:`thaw` turns back into an equal dict, or ``None`` if it cannot."""
    try:
        encoded = orjson.dumps(body)
    except (TypeError, orjson.JSONEncodeError):
        return None
    # Equal after the round trip, and with the same types (a tuple would come back a list).
    if not _same(orjson.loads(encoded), body):
        return None
    # A fresh, exact-size bytes object (orjson's own keeps the 8 KB buffer it was written in).
    return zlib.compress(encoded, _LEVEL, _RAW)


def thaw(frozen: bytes) -> dict[str, Any]:
    """The body :func:`freeze` encoded, as a fresh dict."""
    body: dict[str, Any] = orjson.loads(zlib.decompress(frozen, _RAW))
    return body


def _same(copy: Any, live: Any) -> bool:
    """Equal and of the same types all the way down (``==`` alone takes ``1 == 1.0 == True``)."""
    if type(copy) is not type(live):
        return False
    if isinstance(live, dict):
        return list(copy) == list(live) and all(_same(copy[k], v) for k, v in live.items())
    if isinstance(live, list):
        return len(copy) == len(live) and all(_same(c, v) for c, v in zip(copy, live, strict=True))
    return bool(copy == live)


__all__ = ["freeze", "thaw"]
