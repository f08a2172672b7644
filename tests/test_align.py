"""The trace alignment is a shortest edit script: what a regression report counts is exact."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from lso_sim.replay.align import align

_keys = st.lists(st.sampled_from("abc"), max_size=14)


def _lcs(a: list[str], b: list[str]) -> int:
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            table[i][j] = table[i + 1][j + 1] + 1 if a[i] == b[j] else max(table[i + 1][j], table[i][j + 1])
    return table[0][0]


def _apply(a: list[str], b: list[str], ops: list[tuple[str, int, int, int, int]]) -> list[str]:
    out: list[str] = []
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            assert a[i1:i2] == b[j1:j2]
            out += a[i1:i2]
        elif tag == "insert":
            out += b[j1:j2]
    return out


@given(_keys, _keys)
def test_opcodes_rebuild_b_and_keep_a_longest_common_subsequence(a: list[str], b: list[str]) -> None:
    ops = align(a, b)
    assert _apply(a, b, ops) == b
    assert sum(i2 - i1 for tag, i1, i2, _, _ in ops if tag == "equal") == _lcs(a, b)
    assert [i for tag, i1, i2, _, _ in ops for i in range(i1, i2) if tag != "insert"] == list(range(len(a)))


@given(_keys, st.data())
def test_removing_one_key_is_exactly_one_deletion(a: list[str], data: st.DataObject) -> None:
    if not a:
        return
    gone = data.draw(st.integers(0, len(a) - 1))
    ops = align(a, a[:gone] + a[gone + 1 :])
    assert [(tag, i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in ops if tag != "equal"] == [("delete", 1, 0)]


def test_fallback_beyond_the_edit_budget_still_rebuilds_b() -> None:
    a, b = list("abcabcabc"), list("cbacbacba")
    ops = align(a, b, max_edits=1)
    assert _apply(a, b, ops) == b
