"""Index of the operations the MEF LSO SDK defines, keyed by ``(api, operationId)``.

The simulator names every message it exchanges after an MEF API operation; conformance checks need, for
each such operation, its HTTP method and path and the JSON schemas of its request body, parameters and
responses. This module finds the API definition files of every LSO family in the SDK, names them, parses
them once per process (see :mod:`lso_sim.conformance.openapi`) and answers look-ups with clear errors.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from lso_sim.conformance.model import ApiSpec, Body, Dialect, Operation, Parameter
from lso_sim.conformance.openapi import dialect_of, parse_api
from lso_sim.conformance.sdk import read_yaml, require_sdk

__all__ = [
    "ApiIndex",
    "ApiSpec",
    "Body",
    "Dialect",
    "Operation",
    "Parameter",
    "UnknownApiError",
    "UnknownOperationError",
    "default_index",
    "load_index",
    "load_spec_schemas",
]

#: Where API definitions live, in priority order: on a name clash the earlier family keeps the bare name.
_API_SOURCES = (
    ("sonata", "sonata/productApi"),
    ("legato", "legato/serviceApi"),
    ("interlude", "interlude/serviceApi"),
    ("presto", "presto/api/swagger/presto-nrp.yaml"),
)
#: Folders of schema-only product/service specifications, addressed by their ``$id`` URN from ``@type``.
_SPEC_SCHEMA_DIRS = ("sonata/productSchema", "legato/serviceSchema", "interlude/serviceSchema")
_API_FILE = re.compile(r"^(?P<stem>.+?)\.(?:api|openapi)(?P<all_in_one>\.all-in-one)?\.yaml$")
_SCHEMA_ID = re.compile(r"""^["']?\$id["']?\s*:\s*["']?(?P<id>[^"'\s#]+)""", re.MULTILINE)


class UnknownApiError(KeyError):
    """The API name is not in the index; the message lists the known names."""

    def __init__(self, api: str, known: list[str]) -> None:
        self.api = api
        self.known = tuple(known)
        hint = difflib.get_close_matches(api, known, n=1)
        suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
        super().__init__(f"unknown MEF API {api!r}{suggestion}; known APIs: {', '.join(known)}")

    def __str__(self) -> str:
        """Return the plain message (``KeyError`` would otherwise show it quoted)."""
        return str(self.args[0])


class UnknownOperationError(KeyError):
    """The operation id is not defined by the API; the message lists the ids it does define."""

    def __init__(self, api: str, operation_id: str, known: list[str], elsewhere: list[str]) -> None:
        self.api = api
        self.operation_id = operation_id
        self.known = tuple(known)
        hint = difflib.get_close_matches(operation_id, known, n=1)
        suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
        other = f" It is defined by: {', '.join(elsewhere)}." if elsewhere else ""
        super().__init__(
            f"API {api!r} has no operation {operation_id!r}{suggestion}.{other} "
            f"Known operation ids of {api!r}: {', '.join(known)}"
        )

    def __str__(self) -> str:
        """Return the plain message (``KeyError`` would otherwise show it quoted)."""
        return str(self.args[0])


@dataclass(frozen=True)
class ApiIndex:
    """All APIs and operations of one SDK copy, plus notes on what was skipped or renamed and why."""

    sdk: Path
    apis: Mapping[str, ApiSpec]
    aliases: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def api(self, name: str) -> ApiSpec:
        """Return the API called ``name`` (file stem, or ``family/stem``).

        Raises:
            UnknownApiError: No such API; the message lists the known names.
        """
        spec = self.apis.get(self.aliases.get(name, name))
        if spec is None:
            raise UnknownApiError(name, sorted(self.apis))
        return spec

    def operation(self, api: str, operation_id: str) -> Operation:
        """Return one operation.

        Raises:
            UnknownApiError: The API is unknown.
            UnknownOperationError: The API does not define ``operation_id``; the message lists its ids.
        """
        spec = self.api(api)
        found = spec.operations.get(operation_id)
        if found is None:
            raise UnknownOperationError(
                spec.name, operation_id, sorted(spec.operations), self.apis_defining(operation_id)
            )
        return found

    def operations(self) -> Iterator[Operation]:
        """Iterate over every operation of every API, in index order."""
        for spec in self.apis.values():
            yield from spec.operations.values()

    def operation_keys(self) -> list[tuple[str, str]]:
        """Return every ``(api, operationId)`` pair, sorted."""
        return sorted(op.key for op in self.operations())

    def apis_defining(self, operation_id: str) -> list[str]:
        """Return the APIs that define ``operation_id`` (ids such as ``registerListener`` repeat)."""
        return sorted(spec.name for spec in self.apis.values() if operation_id in spec.operations)

    def find_route(self, api: str, method: str, path: str) -> Operation:
        """Return the operation of ``api`` bound to ``method`` and templated ``path`` (e.g. ``/x/{id}``).

        Raises:
            KeyError: No operation uses that route.
        """
        spec = self.api(api)
        for op in spec.operations.values():
            if op.method == method.lower() and op.path.rstrip("/") == path.rstrip("/"):
                return op
        raise KeyError(f"API {spec.name!r} has no operation for {method.upper()} {path}")


def _candidate_files(sdk: Path, relative: str) -> list[Path]:
    """List API files under ``relative`` (or the file itself); all-in-one bundles sort after their source."""
    base = sdk / relative
    if base.is_file():
        return [base]
    if not base.is_dir():
        return []
    files = [p for p in base.rglob("*.yaml") if _API_FILE.match(p.name)]
    return sorted(files, key=lambda p: (".all-in-one." in p.name, str(p)))


def _stem(path: Path) -> str:
    match = _API_FILE.match(path.name)
    return match.group("stem") if match else path.stem


@functools.lru_cache(maxsize=8)
def _load_index_cached(sdk: Path) -> ApiIndex:
    apis: dict[str, ApiSpec] = {}
    aliases: dict[str, str] = {}
    notes: list[str] = []
    for family, relative in _API_SOURCES:
        for source in _candidate_files(sdk, relative):
            shown = source.relative_to(sdk)
            document = read_yaml(source)
            dialect = dialect_of(document)
            if dialect is None:
                notes.append(f"skipped {shown}: not an OpenAPI 3.0 / Swagger 2.0 document")
                continue
            if not document.get("paths"):
                notes.append(f"skipped {shown}: schema-only (no paths)")
                continue
            stem = _stem(source)
            qualified = f"{family}/{stem}"
            if qualified in aliases:
                notes.append(f"skipped {shown}: duplicates {aliases[qualified]!r} (bundled copy)")
                continue
            name = stem if stem not in apis else qualified
            if name != stem:
                notes.append(
                    f"{shown}: name {stem!r} already taken by {apis[stem].source.relative_to(sdk)}, "
                    f"indexed as {name!r}"
                )
            apis[name] = parse_api(name, family, source, dialect, notes)
            aliases[qualified] = name
    return ApiIndex(
        sdk=sdk, apis=MappingProxyType(apis), aliases=MappingProxyType(aliases), notes=tuple(notes)
    )


def load_index(sdk: Path) -> ApiIndex:
    """Parse (once per process and SDK folder) every API definition of the SDK.

    APIs are keyed by file stem without ``.api``/``.openapi`` (``productOrderManagement``, ``presto-nrp``).
    When two families ship a file with the same stem (Legato and Interlude both have
    ``performanceMonitoring``) the first in the order Sonata, Legato, Interlude, Presto keeps the bare name
    and the other is indexed as ``family/stem``; every API also answers to ``family/stem``.
    """
    return _load_index_cached(sdk.resolve())


def default_index() -> ApiIndex:
    """Return the index of the SDK found by :func:`lso_sim.conformance.sdk.find_sdk`.

    Raises:
        SdkNotFoundError: No SDK is available.
    """
    return load_index(require_sdk())


@functools.lru_cache(maxsize=8)
def _load_spec_schemas_cached(sdk: Path) -> Mapping[str, Path]:
    found: dict[str, Path] = {}
    for relative in _SPEC_SCHEMA_DIRS:
        base = sdk / relative
        for path in sorted(base.rglob("*.yaml")) if base.is_dir() else ():
            match = _SCHEMA_ID.search(path.read_text(encoding="utf-8"))
            if match is not None:
                found.setdefault(match.group("id"), path)
    return MappingProxyType(found)


def load_spec_schemas(sdk: Path) -> Mapping[str, Path]:
    """Map product/service specification URNs (their schema ``$id``) to the schema file defining them.

    MEF payloads name the specification of a product or service configuration in ``@type`` (the
    ``MEFProductConfiguration`` / ``MefServiceConfiguration`` discriminator); the validator uses this map
    to check such a configuration against its specification. Copies shared by Legato and Interlude resolve
    to the Legato file.
    """
    return _load_spec_schemas_cached(sdk.resolve())
