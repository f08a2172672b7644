"""Locate the MEF LSO SDK on disk and read its YAML documents.

The MEF OpenAPI definitions are reference data that live *beside* the project (``../shared/mef-lso-sdk``),
never inside it: they are Apache-2.0 material we read at run time rather than copy. Developers, CI (a
fresh clone in another folder with ``shared/`` next to it) and installed packages all need to find that
folder, so the search walks up from both the working directory and this package's directory, and an
environment variable can override it.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

try:  # libyaml is ~10x faster on the large MEF files; fall back to the pure-Python loader without it.
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

__all__ = [
    "SDK_ENV_VAR",
    "SDK_FAMILIES",
    "SdkNotFoundError",
    "file_uri",
    "find_sdk",
    "path_from_uri",
    "read_yaml",
    "require_sdk",
]

#: Environment variable that, when set, names the SDK folder explicitly (it wins over the search).
SDK_ENV_VAR = "LSO_MEF_SDK"

#: Top-level folders of the SDK; a candidate folder must contain at least one to count as the SDK.
SDK_FAMILIES = ("sonata", "legato", "interlude", "presto")

_SDK_RELATIVE = Path("shared") / "mef-lso-sdk"


class SdkNotFoundError(FileNotFoundError):
    """Raised when an operation needs the MEF SDK but no copy could be located."""


def _looks_like_sdk(candidate: Path) -> bool:
    """Tell whether ``candidate`` is an SDK folder, so an unrelated ``shared/`` folder is not picked up."""
    return candidate.is_dir() and any((candidate / family).is_dir() for family in SDK_FAMILIES)


def _search_upwards(start: Path) -> Path | None:
    """Return ``<ancestor>/shared/mef-lso-sdk`` for the nearest ancestor of ``start`` (itself included).

    Checking every ancestor covers the documented layout ``<root>/main`` + ``<root>/shared`` (the SDK is a
    sibling of the project folder) as well as CI clones nested deeper under a folder holding ``shared/``.
    """
    for ancestor in (start, *start.parents):
        candidate = ancestor / _SDK_RELATIVE
        if _looks_like_sdk(candidate):
            return candidate
    return None


def find_sdk() -> Path | None:
    """Locate the MEF LSO SDK folder.

    ``$LSO_MEF_SDK`` is authoritative when set: a wrong value yields ``None`` instead of silently
    validating against some other copy found by the search. Otherwise the working directory and then this
    package's directory are searched upwards for a ``shared/mef-lso-sdk`` folder.

    Returns:
        The absolute SDK path, or ``None`` when no SDK is available (callers decide whether that is fatal).
    """
    override = os.environ.get(SDK_ENV_VAR)
    if override:
        path = Path(override).expanduser().resolve()
        return path if _looks_like_sdk(path) else None
    for start in (Path.cwd().resolve(), Path(__file__).resolve().parent):
        found = _search_upwards(start)
        if found is not None:
            return found
    return None


def require_sdk() -> Path:
    """Like :func:`find_sdk` but raise, for code paths where running without the SDK is a setup error.

    Raises:
        SdkNotFoundError: No SDK folder was found; the message says where it was looked for.
    """
    found = find_sdk()
    if found is None:
        override = os.environ.get(SDK_ENV_VAR)
        where = (
            f"${SDK_ENV_VAR}={override!r} is not an SDK folder"
            if override
            else f"no {_SDK_RELATIVE} beside any ancestor of {Path.cwd()} or of the lso_sim package"
        )
        raise SdkNotFoundError(f"MEF LSO SDK not found: {where}")
    return found


class _JsonCompatibleLoader(_BaseLoader):
    """YAML loader whose output matches what a JSON parser would produce for the same data.

    YAML 1.1 turns ``2023-01-01`` into a ``datetime.date`` and ``yes``/``on`` into booleans; in a schema
    ``enum`` or ``default`` such values would then never equal the strings a JSON payload carries, which
    would make validation results depend on YAML quirks instead of on the MEF definitions.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        """Build a mapping whose keys are strings, as JSON object keys always are.

        Swagger files write status codes as bare ``200:`` keys (YAML integers); a JSON pointer such as
        ``#/paths/.../responses/200/schema`` only resolves when the key is the string ``"200"``.
        """
        mapping = super().construct_mapping(node, deep=deep)
        return {_json_key(key): value for key, value in mapping.items()}


def _json_key(key: Any) -> Any:
    """Spell a scalar YAML key the way JSON would (``true``, ``null``, ``200``)."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, int | float):
        return str(key)
    return key


_JsonCompatibleLoader.yaml_implicit_resolvers = {
    first: [
        (tag, rx)
        for tag, rx in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
    ]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
_JsonCompatibleLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@functools.cache
def _read_yaml_cached(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_JsonCompatibleLoader)


def read_yaml(path: Path) -> Any:
    """Parse a YAML file once per process and return the shared, cached document.

    Parsing the MEF files dominates start-up time and the same files are reached again and again through
    ``$ref``; caching keeps repeated validation cheap. The returned object is shared: never mutate it.
    """
    return _read_yaml_cached(path.resolve())


def file_uri(path: Path) -> str:
    """Return the ``file://`` URI of ``path``, the base against which its relative ``$ref`` values resolve."""
    return path.resolve().as_uri()


def path_from_uri(uri: str) -> Path | None:
    """Return the local path named by a ``file://`` URI (fragment ignored), or ``None`` for other schemes."""
    parts = urlsplit(uri)
    if parts.scheme != "file":
        return None
    return Path(unquote(parts.path))
