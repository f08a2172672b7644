"""Places a seller knows: addresses parsed from scenario text, and token matching with a confidence.

A scenario gives each customer site an address as one line, ``"<number> <street>, <city>[, <country>]"``
(``"1 Main Street, Springfield"``). A seller turns the line into a MEF ``FieldedAddress`` (street number,
name and type, city, country; the country is ``US`` when the line has no third part) and keeps one
:class:`KnownPlace` per site it knows: BUS-sp knows its customers' sites, a partner the sites on its own
network.

Matching a submitted (possibly partial, possibly misspelt) address is token based: every string field of
the submitted address is split into normalised tokens (lower case, punctuation dropped, common street
abbreviations expanded: ``St`` -> ``street``, ``Rd`` -> ``road``...). A submitted token matches a known
token when they are equal or, for words of four letters or more, close (a similarity ratio of at least
0.85, so ``Springfeld`` still finds ``Springfield``). The confidence is the F1 score of the two token
sets: precision (how much of what the buyer wrote is in the known address) and recall (how much of the
known address the buyer gave), halved when both name a street number and the numbers differ (the
right street, the wrong building).
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_COUNTRY = "US"
"""Country of an address line that names none."""

STREET_TYPES = {
    "st": "street",
    "street": "street",
    "rd": "road",
    "road": "road",
    "ave": "avenue",
    "av": "avenue",
    "avenue": "avenue",
    "blvd": "boulevard",
    "boulevard": "boulevard",
    "dr": "drive",
    "drive": "drive",
    "ln": "lane",
    "lane": "lane",
    "sq": "square",
    "square": "square",
    "way": "way",
    "pl": "place",
    "place": "place",
}
"""Street type words and their abbreviations, normalised to the full word."""

_NOT_ADDRESS_TEXT = frozenset({"@type", "@schemaLocation", "id", "href", "allowsNewSite", "hasPublicSite"})
_FUZZY = 0.85
_FUZZY_MIN_LENGTH = 4
_FUZZY_MAX_LENGTH = 40
"""Longer tokens match only when equal: similarity costs the product of the lengths, and no
street or city word is this long (a megabyte of text in one field must not hang the seller)."""
MAX_TOKENS = 64
"""Tokens of a submitted address that count; the rest is ignored (an address has about ten)."""


@dataclass(frozen=True, slots=True)
class KnownPlace:
    """A site a seller knows, with its address.

    Attributes:
        site: the site id (also the id of its address: one address per simulated site).
        owner: the customer whose site it is (``customerName`` of the MEF site).
        line: the address as the scenario writes it.
        address: the MEF ``FieldedAddress`` fields parsed from ``line``.
    """

    site: str
    owner: str
    line: str
    address: Mapping[str, str]

    @property
    def tokens(self) -> list[str]:
        """Normalised tokens of the address."""
        return address_tokens(self.address)


def parse_address(line: str) -> dict[str, str]:
    """The ``FieldedAddress`` fields of an address line (see the module docstring)."""
    parts = [p.strip() for p in line.split(",") if p.strip()]
    street = parts[0] if parts else line.strip()
    fields: dict[str, str] = {"@type": "FieldedAddress"}
    words = street.split()
    if words and re.fullmatch(r"\d+[A-Za-z]?", words[0]):
        fields["streetNr"] = words[0]
        words = words[1:]
    if len(words) > 1 and words[-1].lower().strip(".") in STREET_TYPES:
        fields["streetType"] = STREET_TYPES[words[-1].lower().strip(".")]
        words = words[:-1]
    fields["streetName"] = " ".join(words) or street
    fields["city"] = parts[1] if len(parts) > 1 else ""
    fields["country"] = parts[2] if len(parts) > 2 else DEFAULT_COUNTRY
    return fields


def normalise(text: str) -> list[str]:
    """Lower-case alphanumeric tokens of ``text`` with street abbreviations expanded."""
    return list(_normalised(text))


@functools.lru_cache(maxsize=4096)
def _normalised(text: str) -> tuple[str, ...]:
    # Cached: a run validates the same few addresses once per order, thousands of times.
    tokens = re.findall(r"[a-z0-9]+", text.lower())
    return tuple(STREET_TYPES.get(t, t) for t in tokens)


def address_tokens(address: Mapping[str, Any]) -> list[str]:
    """Tokens of every text field of a MEF address body (types, ids and flags excluded)."""
    tokens: list[str] = []
    for name, value in address.items():
        if name in _NOT_ADDRESS_TEXT:
            continue
        if isinstance(value, str):
            tokens += normalise(value)
        elif isinstance(value, Mapping):
            tokens += address_tokens(value)
    return tokens


@functools.lru_cache(maxsize=65536)
def _same(a: str, b: str) -> bool:
    # Cached: difflib is the costly part of address matching, and the token pairs repeat.
    if a == b:
        return True
    if min(len(a), len(b)) < _FUZZY_MIN_LENGTH or max(len(a), len(b)) > _FUZZY_MAX_LENGTH:
        return False
    if a.isdigit() or b.isdigit():
        return False
    return difflib.SequenceMatcher(None, a, b).ratio() >= _FUZZY


def _matched(tokens: Iterable[str], against: list[str]) -> int:
    left = list(against)
    count = 0
    for token in tokens:
        hit = next((i for i, other in enumerate(left) if _same(token, other)), None)
        if hit is not None:
            del left[hit]
            count += 1
    return count


def confidence(submitted: Mapping[str, Any], known: KnownPlace) -> float:
    """How sure the seller is that ``submitted`` (a MEF address body) is ``known``: 0 to 1."""
    asked = address_tokens(submitted)[:MAX_TOKENS]
    have = known.tokens
    if not asked or not have:
        return 0.0
    hits = _matched(asked, have)
    if not hits:
        return 0.0
    precision, recall = hits / len(asked), hits / len(have)
    score = 2 * precision * recall / (precision + recall)
    number = submitted.get("streetNr")
    if number and known.address.get("streetNr") and str(number) != known.address["streetNr"]:
        score /= 2
    return round(score, 3)


def rank(
    submitted: Mapping[str, Any], places: Iterable[KnownPlace], floor: float
) -> list[tuple[float, KnownPlace]]:
    """Known places with a confidence of at least ``floor``, best first (ties by site id)."""
    scored = [(confidence(submitted, p), p) for p in places]
    return sorted(((s, p) for s, p in scored if s >= floor), key=lambda sp: (-sp[0], sp[1].site))


__all__ = [
    "DEFAULT_COUNTRY",
    "KnownPlace",
    "address_tokens",
    "confidence",
    "normalise",
    "parse_address",
    "rank",
]
