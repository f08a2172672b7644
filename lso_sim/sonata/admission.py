"""Admission: what a seller makes of a well-formed request before its back office sees it.

:mod:`lso_sim.sonata.checks` refuses requests that break the API's shape. A request can be
well formed and still be about something this seller does not know, or written the way MEF's
published examples write it rather than the way the simulated back office reads it: a product
offering that is not in the catalog, places given as fielded addresses instead of address ids,
a new EPL whose places are on the UNI items it relates to (MEF's POQ use case "new EPL with new
UNIs"), end points named by the buyer's own identifiers. The back office must never meet such a
request unprepared (it used to raise an ``IndexError`` on ``places: []``).

A seller API with an ``admit`` callable (the thread's back office gives one) calls it on every
create request after the shape check. The callable answers an :class:`Admission`:

- ``request``: what the back office works on, with places resolved to the ids of known places
  (the answer to the buyer still shows the request as sent);
- ``refusal``: why the seller cannot act on it; a qualification or quote then ends
  ``done.unableToProvide``/``unableToProvide`` with that reason (a fair answer to a question),
  an order is refused with MEF's 422;
- or it raises :class:`~lso_sim.sonata.errors.ApiError` (an unknown product offering: 422
  ``referenceNotFound``).

This module holds the parts that do not depend on a thread: reading an item's places, following
item relationships, and resolving a place reference against the places a seller knows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lso_sim.messages.envelope import Message
from lso_sim.sonata.places import KnownPlace, rank

MATCH_FLOOR = 0.8
"""Lowest confidence at which a fielded or formatted address is taken as a known place."""

RELATIONSHIP_KEYS = (
    "qualificationItemRelationship",
    "quoteItemRelationship",
    "productOrderItemRelationship",
)
"""Where MEF items name other items of the same request (``UNI_REFERENCE`` to a new UNI...)."""


@dataclass(frozen=True, slots=True)
class Admission:
    """What a seller makes of a create request (see the module docstring)."""

    request: Mapping[str, Any]
    refusal: str | None = None
    property_path: str | None = None
    """JSON Pointer of what the refusal is about (quoted in an order's 422)."""


Admit = Callable[[Message, Mapping[str, Any], str], Admission]
"""``admit(request message, checked body, items key)``; may raise ``ApiError``."""


def item_places(items: Sequence[Mapping[str, Any]], index: int) -> list[Mapping[str, Any]]:
    """The place references of item ``index``: its own, else those of the items it relates to.

    MEF's new-EPL-with-new-UNIs qualification gives the EPL item no place: each UNI item carries
    its ``INSTALL_LOCATION`` and the EPL item names the UNI items in its relationships.
    """
    product = items[index].get("product")
    own = product.get("place") if isinstance(product, Mapping) else None
    if isinstance(own, list) and own:
        return [p for p in own if isinstance(p, Mapping)]
    by_id = {str(item.get("id")): item for item in items}
    found: list[Mapping[str, Any]] = []
    for key in RELATIONSHIP_KEYS:
        for relation in items[index].get(key) or []:
            if not isinstance(relation, Mapping):
                continue
            other = by_id.get(str(relation.get("id")))
            if other is None or other is items[index]:
                continue
            other_product = other.get("product")
            places = other_product.get("place") if isinstance(other_product, Mapping) else None
            if isinstance(places, list):
                found += [p for p in places if isinstance(p, Mapping)]
    return found


def resolve_place(ref: Mapping[str, Any], known: Iterable[KnownPlace]) -> str | None:
    """The site id of a place reference: by id (an address or site the seller gave), else by
    matching the address it spells out; ``None`` when it is neither."""
    places = list(known)
    ident = ref.get("id")
    if isinstance(ident, str):
        return ident if any(p.site == ident for p in places) else None
    ranked = rank({k: v for k, v in ref.items() if k != "role"}, places, MATCH_FLOOR)
    return ranked[0][1].site if ranked else None


def resolve_places(
    refs: Sequence[Mapping[str, Any]], known: Iterable[KnownPlace], needed: int, what: str
) -> tuple[list[str], str | None]:
    """Site ids of ``refs``, and why they cannot serve when they cannot (``None`` when they can).

    ``needed`` is how many distinct places the product joins (``what`` names it in the reason).
    """
    places = list(known)
    sites: list[str] = []
    for ref in refs:
        site = resolve_place(ref, places)
        if site is None:
            shown = ref.get("id") or ", ".join(str(v) for k, v in ref.items() if k[:1] != "@" and k != "role")
            return [], f"the place {shown!s:.80} is not a site this seller serves"
        sites.append(site)
    if len(set(sites)) != needed:
        return sites, f"{what} joins {needed} distinct place(s); the request gives {len(set(sites))}"
    return sites, None


__all__ = [
    "MATCH_FLOOR",
    "RELATIONSHIP_KEYS",
    "Admission",
    "Admit",
    "item_places",
    "resolve_place",
    "resolve_places",
]
