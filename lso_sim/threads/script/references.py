"""References from a script call's request to the responses of earlier calls.

A script names a response with ``save_as: quote`` and later calls use its values with
``${quote.id}`` anywhere inside their ``with``. The text between ``${`` and ``}`` is a name followed
by a dotted path: each part is a field of an object or a list index counted from 0
(``${order.productOrderItem.0.id}``). A string that is exactly one reference takes the value with
its JSON type (an object, a number...); a reference inside longer text is written into the text,
and must then be a string, a number or a boolean. ``$${`` writes a literal ``${``.

The names are checked when the scenario loads (:func:`references_in`); whether the path exists in
the actual response can only be known at run time (:func:`substitute` raises
:class:`MissingValue`, which the script records as an ``error`` record before it stops).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(r"\$\$\{|\$\{([^{}]*)\}|\$\{")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_PART = re.compile(r"[^.\s${}]+\Z")

Path = tuple[str | int, ...]
"""Where a value sits inside a structure: keys of objects and indexes of lists."""


@dataclass(frozen=True, slots=True)
class Reference:
    """``${name.path...}``: a saved response ``name`` and the path of a value inside it."""

    name: str
    path: tuple[str, ...]

    @property
    def text(self) -> str:
        """The reference as written."""
        return "${" + ".".join((self.name, *self.path)) + "}"


class ReferenceSyntaxError(ValueError):
    """A ``${...}`` that is not a reference; ``path`` says where it was found."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(reason)
        self.path = path
        self.reason = reason


class MissingValue(LookupError):
    """A reference whose value the saved response does not have (or cannot be put in text)."""

    def __init__(self, path: Path, reference: Reference, reason: str) -> None:
        super().__init__(f"{reference.text}: {reason}")
        self.path = path
        self.reference = reference
        self.reason = reason


def parse(expression: str) -> Reference:
    """The reference written ``${expression}``.

    Raises:
        ValueError: the expression is not ``name[.part...]``.
    """
    name, *parts = expression.split(".")
    if not _NAME.match(name):
        raise ValueError(f"'${{{expression}}}' must start with a saved name (letters, digits, '_', '-')")
    for part in parts:
        if not _PART.match(part):
            raise ValueError(f"'${{{expression}}}' has an empty or invalid path part {part!r}")
    return Reference(name, tuple(parts))


def _tokens(text: str, path: Path) -> Iterator[tuple[re.Match[str], Reference | None]]:
    """Each ``$${`` (``None``) and ``${...}`` (its reference) of ``text``, in order."""
    for match in _TOKEN.finditer(text):
        if match.group(0) == "$${":
            yield match, None
        elif match.group(1) is None:
            raise ReferenceSyntaxError(path, "'${' without its closing '}' (write '$${' for a literal '${')")
        else:
            try:
                yield match, parse(match.group(1))
            except ValueError as exc:
                raise ReferenceSyntaxError(path, str(exc)) from None


def references_in(value: Any, path: Path = ()) -> Iterator[tuple[Path, Reference]]:
    """Every reference inside ``value`` (objects, lists, strings), with the path where it is.

    Raises:
        ReferenceSyntaxError: a malformed ``${...}``.
    """
    if isinstance(value, str):
        for _match, reference in _tokens(value, path):
            if reference is not None:
                yield path, reference
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from references_in(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from references_in(item, (*path, index))


def lookup(saved: Mapping[str, Any], reference: Reference, path: Path = ()) -> Any:
    """The value ``reference`` points at in the ``saved`` responses.

    Raises:
        MissingValue: the name was never saved or a part of the path is not in the response.
    """
    if reference.name not in saved:
        raise MissingValue(path, reference, f"no response was saved as {reference.name!r}")
    value = saved[reference.name]
    walked = reference.name
    for part in reference.path:
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            kind = (
                "list" if isinstance(value, list) else type(value).__name__ if value is not None else "null"
            )
            if isinstance(value, Mapping):
                kind = "object"
            raise MissingValue(path, reference, f"{walked} ({kind}) has no {part!r}")
        walked = f"{walked}.{part}"
    return value


def _as_text(value: Any, path: Path, reference: Reference) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    raise MissingValue(path, reference, "the value is an object, a list or null; it cannot be put in text")


def substitute(value: Any, saved: Mapping[str, Any], path: Path = ()) -> Any:
    """A copy of ``value`` with every reference replaced by its value from ``saved``.

    Raises:
        MissingValue: a reference whose value is missing (``path`` says where it was used).
        ReferenceSyntaxError: a malformed ``${...}`` (the loader rejects those before any run).
    """
    if isinstance(value, str):
        tokens = list(_tokens(value, path))
        if not tokens:
            return value
        first, reference = tokens[0]
        if len(tokens) == 1 and reference is not None and first.span() == (0, len(value)):
            return lookup(saved, reference, path)
        parts: list[str] = []
        end = 0
        for match, ref in tokens:
            parts.append(value[end : match.start()])
            parts.append("${" if ref is None else _as_text(lookup(saved, ref, path), path, ref))
            end = match.end()
        parts.append(value[end:])
        return "".join(parts)
    if isinstance(value, Mapping):
        return {key: substitute(item, saved, (*path, str(key))) for key, item in value.items()}
    if isinstance(value, list):
        return [substitute(item, saved, (*path, index)) for index, item in enumerate(value)]
    return value


def dotted(path: Path) -> str:
    """``path`` as a scenario field path (``with.productOrderItem.0.quoteItem.quoteId``)."""
    return ".".join(str(part) for part in path)


__all__ = [
    "MissingValue",
    "Reference",
    "ReferenceSyntaxError",
    "dotted",
    "lookup",
    "parse",
    "references_in",
    "substitute",
]
