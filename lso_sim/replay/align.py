"""Aligning two traces: the shortest edit script between their message keys (Myers' diff).

difflib's ``SequenceMatcher`` looks for the longest contiguous match first, which is quick but not
minimal: removing one record from ``a b a b`` could be reported as one addition and two
removals. A regression report must say exactly what changed, so the alignment here is a shortest
edit script (E. Myers, "An O(ND) difference algorithm and its variations", 1986), computed on the
part between the common prefix and suffix. Traces that differ almost everywhere (more than
``max_edits`` edits) fall back to ``SequenceMatcher``: the report is then approximate but quick.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from difflib import SequenceMatcher
from typing import Literal

Opcode = tuple[Literal["equal", "delete", "insert"], int, int, int, int]
"""``(tag, i1, i2, j1, j2)`` as in difflib: ``a[i1:i2]`` equals, leaves, or ``b[j1:j2]`` arrives."""

MAX_EDITS = 4000
"""Above this many edits the alignment falls back to difflib (time grows with edits x length)."""


def align(a: Sequence[Hashable], b: Sequence[Hashable], max_edits: int = MAX_EDITS) -> list[Opcode]:
    """Opcodes turning ``a`` into ``b`` with as few deletions plus insertions as possible."""
    prefix = 0
    while prefix < len(a) and prefix < len(b) and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < len(a) - prefix
        and suffix < len(b) - prefix
        and a[len(a) - 1 - suffix] == b[len(b) - 1 - suffix]
    ):
        suffix += 1
    middle_a, middle_b = a[prefix : len(a) - suffix], b[prefix : len(b) - suffix]
    moves = _shortest_edit(middle_a, middle_b, max_edits)
    middle = _difflib(middle_a, middle_b) if moves is None else _opcodes(moves)
    ops: list[Opcode] = []
    if prefix:
        ops.append(("equal", 0, prefix, 0, prefix))
    for tag, i1, i2, j1, j2 in middle:
        ops.append((tag, i1 + prefix, i2 + prefix, j1 + prefix, j2 + prefix))
    if suffix:
        ops.append(("equal", len(a) - suffix, len(a), len(b) - suffix, len(b)))
    return _merged(ops)


def _shortest_edit(
    a: Sequence[Hashable], b: Sequence[Hashable], max_edits: int
) -> list[tuple[str, int, int]] | None:
    """Myers' greedy forward search, then a walk back: each move is ``(tag, i, j)`` in order."""
    n, m = len(a), len(b)
    if n == 0 or m == 0:
        return [("delete", i, 0) for i in range(n)] + [("insert", 0, j) for j in range(m)]
    offset = n + m
    v = [0] * (2 * offset + 2)
    history: list[list[int]] = []
    for d in range(min(n + m, max_edits) + 1):
        history.append(v.copy())
        for k in range(-d, d + 1, 2):
            x = v[offset + k + 1] if _from_above(v, k, d, offset) else v[offset + k - 1] + 1
            y = x - k
            while x < n and y < m and a[x] == b[y]:
                x += 1
                y += 1
            v[offset + k] = x
            if x >= n and y >= m:
                return _walk_back(history, n, m, offset)
    return None


def _from_above(v: list[int], k: int, d: int, offset: int) -> bool:
    """Whether the furthest path on diagonal ``k`` after ``d`` edits comes by an insertion."""
    return k == -d or (k != d and v[offset + k - 1] < v[offset + k + 1])


def _walk_back(history: list[list[int]], n: int, m: int, offset: int) -> list[tuple[str, int, int]]:
    """The moves of the path found, from the end back to the start (then reversed)."""
    moves: list[tuple[str, int, int]] = []
    x, y = n, m
    for d in range(len(history) - 1, 0, -1):
        v = history[d]
        k = x - y
        previous_k = k + 1 if _from_above(v, k, d, offset) else k - 1
        previous_x = v[offset + previous_k]
        previous_y = previous_x - previous_k
        while x > previous_x and y > previous_y:
            x -= 1
            y -= 1
            moves.append(("equal", x, y))
        if x == previous_x:
            moves.append(("insert", x, previous_y))
        else:
            moves.append(("delete", previous_x, y))
        x, y = previous_x, previous_y
    while x > 0 and y > 0:
        x -= 1
        y -= 1
        moves.append(("equal", x, y))
    moves.reverse()
    return moves


def _opcodes(moves: list[tuple[str, int, int]]) -> list[Opcode]:
    ops: list[Opcode] = []
    for tag, i, j in moves:
        if tag == "equal":
            ops.append(("equal", i, i + 1, j, j + 1))
        elif tag == "delete":
            ops.append(("delete", i, i + 1, j, j))
        else:
            ops.append(("insert", i, i, j, j + 1))
    return ops


def _difflib(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[Opcode]:
    ops: list[Opcode] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append(("equal", i1, i2, j1, j2))
            continue
        if i2 > i1:
            ops.append(("delete", i1, i2, j1, j1))
        if j2 > j1:
            ops.append(("insert", i2, i2, j1, j2))
    return ops


def _merged(ops: list[Opcode]) -> list[Opcode]:
    """Join neighbouring opcodes of the same tag (one entry per run, as difflib gives)."""
    merged: list[Opcode] = []
    for op in ops:
        if merged and merged[-1][0] == op[0] and merged[-1][2] == op[1] and merged[-1][4] == op[3]:
            tag, i1, _, j1, _ = merged[-1]
            merged[-1] = (tag, i1, op[2], j1, op[4])
        else:
            merged.append(op)
    return merged
