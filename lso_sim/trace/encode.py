"""Fast JSON encoding of trace records, byte for byte what :func:`json.dumps` writes.

Encoding is the largest single cost of a streamed run (a record per hop, a MEF body in most), so
records are encoded with orjson, several times faster than the standard library. orjson writes
the same bytes as ``json.dumps(value, ensure_ascii=False, separators=(",", ":"))`` for everything
a record holds (keys in insertion order, UTF-8 text, the same escapes) except some floats: it
writes ``0.00005`` and ``1e16`` where the standard library writes ``5e-05`` and ``1e+16``. Such a
number always shows in orjson's output as a digit before an ``e`` or as ``0.0000``, so a line
showing either (rare: trace times and MEF amounts are neither tiny nor huge) is encoded again with
the standard library. So is anything orjson refuses (a non-string key, an integer beyond 64 bits,
a lone surrogate), which then fails, or not, exactly as it did before. ``tests/test_encode.py``
re-encodes every golden trace and a property test compares the two encoders on random values.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_ONES = bytes.maketrans(b"123456789", b"111111111")
"""Digits 1-9 as ``1``: three substring tests then find every digit before an ``e`` (orjson's
exponents) and every ``0.0000`` (its tiny decimals), three times faster than a regular expression."""


def _may_differ(raw: bytes) -> bool:
    """True when orjson's ``raw`` may show a float the standard library writes otherwise."""
    shown = raw.translate(_ONES)
    return b"1e" in shown or b"0e" in shown or b"0.0000" in shown

_OPTIONS = orjson.OPT_APPEND_NEWLINE


def stdlib_line(value: Any) -> str:
    """``value`` as one compact JSON line (with its newline), by the standard library: the reference."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"


def json_line(value: Any) -> str:
    """``value`` as one compact JSON line ending in a newline, identical to :func:`stdlib_line`."""
    try:
        raw = orjson.dumps(value, option=_OPTIONS)
    except (TypeError, orjson.JSONEncodeError):
        return stdlib_line(value)
    if _may_differ(raw):
        return stdlib_line(value)
    return raw.decode("utf-8")
