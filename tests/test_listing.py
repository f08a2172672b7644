"""List paging (``sonata/listing.py``): filters, then ``offset``/``limit``, as MEF list endpoints do.

The page is built lazily and only the given filters are applied; whatever the query, it must be
the page a plain filter-everything-then-slice would give, and a malformed paging parameter a 400.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lso_sim.sonata.checks import ApiError
from lso_sim.sonata.listing import field, page

FILTERS = {"status": field("status"), "size": lambda item: item.get("spec", {}).get("size")}

items_strategy = st.lists(
    st.fixed_dictionaries(
        {"id": st.integers(0, 999), "status": st.sampled_from(["active", "terminated", "pendingChange"])},
        optional={"spec": st.fixed_dictionaries({}, optional={"size": st.integers(1, 3)})},
    ),
    max_size=40,
)
query_strategy = st.fixed_dictionaries(
    {},
    optional={
        "status": st.sampled_from(["active", "terminated", "", None]),
        "size": st.sampled_from(["1", "2", 3, None]),
        "offset": st.integers(0, 45),
        "limit": st.integers(0, 45),
        "unrelated": st.just("ignored"),
    },
)


def _reference(items: list[dict[str, Any]], query: dict[str, Any]) -> list[dict[str, Any]]:
    """Every item checked against every filter the query gives a value for, then sliced."""
    wanted = {name: query.get(name) for name in FILTERS if query.get(name) not in (None, "")}
    kept = [i for i in items if all(str(FILTERS[n](i)) == str(v) for n, v in wanted.items())]
    offset, limit = int(query.get("offset", 0)), int(query.get("limit", 100))
    return kept[offset : offset + limit]


@settings(max_examples=200, deadline=None)
@given(items=items_strategy, query=query_strategy)
def test_a_page_is_the_filtered_items_sliced(items: list[dict[str, Any]], query: dict[str, Any]) -> None:
    """From a list or a one-shot iterator, the page a filter-then-slice of everything gives."""
    expected = _reference(items, query)
    assert page(items, query, FILTERS) == expected
    assert page(iter(items), query, FILTERS) == expected


def test_a_page_reads_no_further_than_it_needs() -> None:
    """A full page stops the walk: a long history is not summarised past the page."""
    read: list[int] = []

    def history() -> Any:
        for n in range(10_000):
            read.append(n)
            yield {"id": n, "status": "active" if n % 2 else "terminated"}

    got = page(history(), {"status": "active", "limit": 3}, FILTERS)
    assert [i["id"] for i in got] == [1, 3, 5]
    assert len(read) == 6


@pytest.mark.parametrize("query", [{"limit": "-1"}, {"offset": "soon"}, {"limit": "1.5"}])
def test_malformed_paging_is_a_400(query: dict[str, Any]) -> None:
    with pytest.raises(ApiError) as raised:
        page([], query, FILTERS)
    assert raised.value.status == 400
