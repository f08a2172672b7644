"""``--set PATH=VALUE``: change one field of a scenario without editing its file.

An architect asking "what if SONATA were twice as slow?" should not copy and edit YAML. An
override is applied to the file's parsed data *before* validation, so an overridden scenario is
checked exactly like a written one, and an error names the field path and the ``--set`` that put
the value there.

``PATH`` is dotted, from the top of the file: mapping keys by name, list items by index from 0
(``workload.0.generate.count``, ``channels.SONATA.towards.partner-1.latency.mean``). Missing
mapping keys on the way are created, so ``channels.LEGATO.loss=0.1`` works on a file without a
LEGATO entry. ``VALUE`` is read as YAML: ``0.3`` is a number, ``true`` a boolean, ``[a, b]`` a
list, ``{kind: constant, value: 2}`` a mapping, ``null`` removes a setting, anything else a string.
Keys that contain a dot cannot be reached this way.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from lso_sim.errors import ScenarioError, UsageError, clip, echo

MAX_OVERRIDE = 10_000
"""Longest ``--set`` argument, in characters."""


@dataclass(frozen=True, slots=True)
class Override:
    """One ``--set PATH=VALUE``.

    Attributes:
        path: the dotted path, split (``("channels", "SONATA", "loss")``).
        value: the value, read as YAML.
        text: the argument as given, to quote in messages.
    """

    path: tuple[str, ...]
    value: Any
    text: str

    @property
    def dotted(self) -> str:
        """The path as written."""
        return ".".join(self.path)


def parse_override(text: str) -> Override:
    """Read one ``PATH=VALUE`` argument.

    Raises:
        UsageError: no ``=``, an empty path or path part, or a value that is not YAML.
    """
    if len(text) > MAX_OVERRIDE:
        raise UsageError(f"--set {clip(text)}: at most {MAX_OVERRIDE:,} characters")
    path, sep, raw = text.partition("=")
    path = path.strip()
    if not sep or not path:
        raise UsageError(f"--set {echo(text)}: expected PATH=VALUE, e.g. channels.SONATA.latency.mean=0.3")
    parts = tuple(path.split("."))
    if any(not part for part in parts):
        raise UsageError(f"--set {echo(text)}: a dotted path without empty parts")
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc)
        raise UsageError(f"--set {echo(text)}: the value is not valid YAML ({clip(problem)})") from None
    return Override(parts, value, text)


def parse_overrides(texts: Iterable[str] | None) -> list[Override]:
    """Read every ``--set`` argument (``None``: none given)."""
    return [parse_override(text) for text in texts or ()]


def apply_overrides(data: Any, overrides: Sequence[Override], source: str) -> Any:
    """A copy of scenario ``data`` with each override applied in order (``data`` is untouched).

    Raises:
        ScenarioError: located at the path (:func:`blame` adds the ``--set``): the path goes
            through a value that is neither a mapping nor a list, or indexes a list with
            something that is not an index of it.
    """
    if not overrides:
        return data
    if not isinstance(data, dict):
        return data  # the scenario check says what the file should have been
    result = copy.deepcopy(data)
    for override in overrides:
        _apply(result, override, source)
    return result


def _apply(data: dict[str, Any], override: Override, source: str) -> None:
    node: Any = data
    for depth, part in enumerate(override.path):
        last = depth == len(override.path) - 1
        here = ".".join(override.path[: depth + 1])
        if isinstance(node, dict):
            key: Any = part
            if part not in node and part.lstrip("-").isdigit() and int(part) in node:
                key = int(part)  # a YAML key written as a number
            if last:
                node[key] = copy.deepcopy(override.value)
                return
            if node.get(key) is None:
                node[key] = {}
            node = node[key]
        elif isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise ScenarioError(
                    source=source,
                    field=here,
                    expected=f"an index of this list (0 to {len(node) - 1}), got {echo(part)}"
                    if node
                    else "an index, but the list is empty",
                )
            if last:
                node[int(part)] = copy.deepcopy(override.value)
                return
            node = node[int(part)]
        else:
            parent = ".".join(override.path[:depth])
            raise ScenarioError(
                source=source,
                field=parent,
                expected=f"a mapping or a list to reach {echo(part)}, got {echo(node)}",
            )


def blame(error: ScenarioError, overrides: Sequence[Override]) -> ScenarioError:
    """``error`` naming the ``--set`` that wrote the bad field, when one did (else unchanged)."""
    for override in reversed(overrides):
        dotted = override.dotted
        field = error.field
        if field and (field == dotted or field.startswith(dotted + ".") or dotted.startswith(field + ".")):
            return ScenarioError(f"{error.source} (--set {clip(override.text)})", field, error.expected)
    return error
