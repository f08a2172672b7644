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
"""

from __future__ import annotations

from typing import Any

import orjson


def freeze(body: dict[str, Any]) -> bytes | None:
    """``body`` as bytes that :func:`thaw` turns back into an equal dict, or ``None`` if it cannot."""
    try:
        encoded = orjson.dumps(body)
    except (TypeError, orjson.JSONEncodeError):
        return None
    # orjson's bytes keep the buffer they were written in (8 KB for a product of under 1 KB, as
    # tracemalloc shows): an exact-size copy is what is worth keeping.
    frozen = bytes(memoryview(encoded))
    # Equal after the round trip, and with the same types (a tuple would come back a list).
    if not _same(orjson.loads(frozen), body):
        return None
    return frozen


def thaw(frozen: bytes) -> dict[str, Any]:
    """The body :func:`freeze` encoded, as a fresh dict."""
    body: dict[str, Any] = orjson.loads(frozen)
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
