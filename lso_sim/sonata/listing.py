"""List operations: filters on body fields, then ``offset``/``limit`` paging, as MEF list endpoints do."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from itertools import islice
from typing import Any

from lso_sim.sonata.checks import int_param, param

PAGING = ("offset", "limit")


def page(
    items: Iterable[dict[str, Any]],
    query: Any,
    filters: Mapping[str, Callable[[dict[str, Any]], Any]],
) -> list[dict[str, Any]]:
    """The items matching every given filter parameter, paged.

    Args:
        items: full representations, oldest first.
        query: the request's flat parameter mapping.
        filters: parameter name -> how to read the compared value from an item.

    Raises:
        ApiError: 400 for a malformed ``offset``/``limit``.
    """
    offset = int_param(query, "offset", 0)
    limit = int_param(query, "limit", 100)
    given = [(filters[name], param(query, name, required=False)) for name in filters]
    wanted = [(read, value) for read, value in given if value is not None]
    # Lazy all the way: items are summarised and filtered only until the page is full, so a list
    # call costs the page, not the buyer's whole history (a long run makes thousands of orders).
    found = (
        items
        if not wanted
        else (item for item in items if all(str(read(item)) == value for read, value in wanted))
    )
    return list(islice(found, offset, offset + limit))


def field(name: str) -> Callable[[dict[str, Any]], Any]:
    """Read a top-level field of an item."""
    return lambda item: item.get(name)


def summary(body: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """The ``keys`` of ``body`` that it has (the short form list operations answer with)."""
    return {key: body[key] for key in keys if key in body}
