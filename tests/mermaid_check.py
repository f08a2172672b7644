"""A structural checker of the Mermaid sequence diagrams lso-sim writes (used when mermaid-cli is absent).

It accepts the subset of Mermaid's ``sequenceDiagram`` grammar lso-sim emits and refuses what
would break Mermaid's parser: an unknown statement, a participant used before it is declared, a
``rect``/``box`` without its ``end`` (or an ``end`` too many), a raw ``;`` or ``#`` in text
(Mermaid ends a statement there), a message without its ``: text``.
"""

from __future__ import annotations

import re

_ID = r"[A-Za-z_][A-Za-z0-9_]*"
_ARROW = re.compile(rf"^({_ID})(-->>|->>|--x|-x|-\)|--\))({_ID}): (.+)$")
_NOTE = re.compile(rf"^Note (?:over|left of|right of) ({_ID})(?:,({_ID}))?: (.+)$")
_PARTICIPANT = re.compile(rf"^participant ({_ID})(?: as (.+))?$")
_RECT = re.compile(r"^rect (rgba?\(\s*\d+\s*,\s*\d+\s*,\s*\d+\s*(?:,\s*[0-9.]+\s*)?\)|[a-z]+)$")
_ENTITY = re.compile(r"#(?:\d+|lt|gt|amp|quot);")


def problems(text: str) -> list[str]:
    """What is structurally wrong with the diagram ``text`` (empty when nothing is)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines or lines[0] != "sequenceDiagram":
        return ["the first line must be 'sequenceDiagram'"]
    found: list[str] = []
    declared: set[str] = set()
    depth = 0

    def text_ok(number: int, words: str) -> None:
        if ";" in _ENTITY.sub("", words) or "#" in _ENTITY.sub("", words):
            found.append(f"line {number}: raw ';' or '#' in text: {words!r}")

    for number, line in enumerate(lines[1:], start=2):
        if line.startswith("title "):
            text_ok(number, line[6:])
        elif match := _PARTICIPANT.match(line):
            declared.add(match.group(1))
            text_ok(number, match.group(2) or "")
        elif line.startswith("box ") or _RECT.match(line):
            depth += 1
        elif line == "end":
            depth -= 1
            if depth < 0:
                found.append(f"line {number}: 'end' without a block to close")
                depth = 0
        elif match := _ARROW.match(line):
            for name in (match.group(1), match.group(3)):
                if name not in declared:
                    found.append(f"line {number}: participant {name} used before it is declared")
            text_ok(number, match.group(4))
        elif match := _NOTE.match(line):
            for name in filter(None, (match.group(1), match.group(2))):
                if name not in declared:
                    found.append(f"line {number}: participant {name} used before it is declared")
            text_ok(number, match.group(3))
        else:
            found.append(f"line {number}: not a sequence diagram statement: {line!r}")
    if depth:
        found.append(f"{depth} block(s) never closed with 'end'")
    return found
