"""Parse OpenAPI 3.0 / Swagger 2.0 documents of the MEF SDK into :mod:`lso_sim.conformance.model` records.

Operations reach their parameters, request bodies and responses through ``$ref`` (to components of the same
file or, in Legato, to sibling files); these non-schema indirections are followed here, once, so each
record holds the schemas directly. Schemas themselves are recorded as absolute ``$ref`` URIs into the file
that defines them and left for the validator to resolve lazily with the right base URI.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import quote, unquote

from lso_sim.conformance.model import ApiSpec, Body, Dialect, Operation, Parameter
from lso_sim.conformance.sdk import file_uri, read_yaml

__all__ = ["dialect_of", "parse_api"]

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_MAX_REF_HOPS = 32


def _escape(segment: str) -> str:
    """Encode one JSON-pointer segment for use in a URI fragment (RFC 6901 + percent-encoding)."""
    return quote(segment.replace("~", "~0").replace("/", "~1"), safe="")


def _split_fragment(fragment: str) -> tuple[str, ...]:
    """Decode a URI fragment holding a JSON pointer into its segments."""
    if not fragment:
        return ()
    if not fragment.startswith("/"):
        raise _BrokenRefError(f"fragment {fragment!r} is not a JSON pointer")
    return tuple(unquote(s).replace("~1", "/").replace("~0", "~") for s in fragment[1:].split("/"))


class _BrokenRefError(Exception):
    """A non-schema ``$ref`` (to a parameter, request body or response) does not resolve."""


@dataclass(frozen=True)
class _Located:
    """A YAML node together with the file and pointer it came from, so it can be re-addressed by URI."""

    path: Path
    segments: tuple[str, ...]
    value: Any

    def uri(self) -> str:
        return file_uri(self.path) + "#" + "".join("/" + _escape(s) for s in self.segments)

    def ref(self) -> Mapping[str, Any]:
        return MappingProxyType({"$ref": self.uri()})

    def child(self, *names: str) -> _Located | None:
        node = self.value
        for name in names:
            if isinstance(node, Mapping) and name in node:
                node = node[name]
            elif isinstance(node, list) and name.isdigit() and int(name) < len(node):
                node = node[int(name)]
            else:
                return None
        return _Located(self.path, (*self.segments, *names), node)

    def deref(self) -> _Located:
        """Follow ``$ref`` chains (possibly into other files) to the node they name."""
        here = self
        for _ in range(_MAX_REF_HOPS):
            ref = here.value.get("$ref") if isinstance(here.value, Mapping) else None
            if not isinstance(ref, str):
                return here
            file_part, _, fragment = ref.partition("#")
            target = (here.path.parent / unquote(file_part)).resolve() if file_part else here.path
            if not target.is_file():
                raise _BrokenRefError(f"{ref!r} in {here.uri()}: file {target} does not exist")
            found = _Located(target, (), read_yaml(target)).child(*_split_fragment(fragment))
            if found is None:
                raise _BrokenRefError(f"{ref!r} in {here.uri()}: no such node")
            here = found
        raise _BrokenRefError(f"reference chain too long at {self.uri()}")


# --------------------------------------------------------------------------------------------------------
# Parsing


def _pick_media(content: Any) -> str | None:
    """Choose the JSON media type of a ``content`` map (MEF uses ``application/json;charset=utf-8``)."""
    if not isinstance(content, Mapping) or not content:
        return None
    return str(next((m for m in content if "json" in str(m).lower()), next(iter(content))))


def _content_body(loc: _Located, required: bool) -> Body:
    """Build a :class:`Body` from an OAS 3 request-body or response object."""
    media = _pick_media(loc.value.get("content"))
    schema_loc = loc.child("content", media, "schema") if media is not None else None
    schema = schema_loc.ref() if schema_loc is not None else None
    return Body(schema=schema, media_type=media, required=required)


_SWAGGER_SCHEMA_KEYS = (
    "type", "format", "items", "default", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
    "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "enum", "multipleOf",
)  # fmt: skip


def _parameter(loc: _Located, dialect: Dialect) -> Parameter:
    """Build a :class:`Parameter`; Swagger 2 keeps the schema keywords on the parameter itself."""
    raw = loc.value
    if dialect == "swagger2":
        schema: Mapping[str, Any] = MappingProxyType({k: raw[k] for k in _SWAGGER_SCHEMA_KEYS if k in raw})
    else:
        schema_loc = loc.child("schema")
        if schema_loc is None:  # ``content``-style parameter: its single media type carries the schema
            media = _pick_media(raw.get("content"))
            schema_loc = loc.child("content", media, "schema") if media is not None else None
        schema = schema_loc.ref() if schema_loc is not None else MappingProxyType({})
    location = str(raw.get("in", ""))
    return Parameter(
        str(raw.get("name", "")), location, bool(raw.get("required", location == "path")), schema
    )


def _synthetic_operation_id(method: str, path: str) -> str:
    """Name an operation that has no ``operationId`` (all of Presto NRP).

    RESTCONF RPCs (``POST /operations/<rpc>/``) take the RPC name; data-tree reads become
    ``get-<path nodes>``, e.g. ``GET /data/context/topology={uuid}/`` -> ``get-context-topology``.
    """
    parts = [p.split("=")[0] for p in path.strip("/").split("/") if p and not p.startswith("{")]
    if method == "post" and len(parts) == 2 and parts[0] == "operations":
        return parts[1]
    if parts and parts[0] == "data":
        parts = parts[1:]
    return "-".join([method, *parts])


def _parse_operation(
    api: str,
    dialect: Dialect,
    path: str,
    method: str,
    op_loc: _Located,
    shared: list[_Located],
    notes: list[str],
) -> Operation:
    """Parse one operation object, merging path-level parameters (operation-level ones override)."""
    raw = op_loc.value
    params: dict[tuple[str, str], Parameter] = {}
    request_body: Body | None = None
    op_params = op_loc.child("parameters")
    param_locs = (
        [*shared, *(op_params.child(str(i)) for i in range(len(op_params.value)))] if op_params else shared
    )
    for param_ref in param_locs:
        if param_ref is None:
            continue
        try:
            param_loc = param_ref.deref()
        except _BrokenRefError as exc:
            notes.append(f"{api}: {method.upper()} {path}: parameter skipped, {exc}")
            continue
        if dialect == "swagger2" and param_loc.value.get("in") == "body":
            body_schema = param_loc.child("schema")
            request_body = Body(
                schema=body_schema.ref() if body_schema is not None else None,
                media_type="application/json",
                required=bool(param_loc.value.get("required", False)),
            )
            continue
        param = _parameter(param_loc, dialect)
        params[(param.name, param.location)] = param

    body_ref = op_loc.child("requestBody")
    if body_ref is not None:
        try:
            body_loc = body_ref.deref()
            request_body = _content_body(body_loc, bool(body_loc.value.get("required", False)))
        except _BrokenRefError as exc:
            notes.append(f"{api}: {method.upper()} {path}: request body unresolvable, {exc}")
            request_body = Body(schema=body_ref.ref(), media_type=None)

    responses: dict[str, Body] = {}
    responses_loc = op_loc.child("responses")
    for status in responses_loc.value if responses_loc is not None else ():
        response_ref = responses_loc.child(str(status)) if responses_loc is not None else None
        if response_ref is None:
            continue
        try:
            response_loc = response_ref.deref()
        except _BrokenRefError as exc:
            notes.append(f"{api}: {method.upper()} {path}: response {status} unresolvable, {exc}")
            responses[str(status)] = Body(schema=response_ref.ref(), media_type=None)
            continue
        if dialect == "swagger2":
            schema_loc = response_loc.child("schema")
            schema = schema_loc.ref() if schema_loc is not None else None
            responses[str(status)] = Body(schema, "application/json" if schema is not None else None)
        else:
            responses[str(status)] = _content_body(response_loc, required=True)

    op_id = raw.get("operationId")
    return Operation(
        api=api,
        operation_id=str(op_id) if op_id else _synthetic_operation_id(method, path),
        method=method,
        path=path,
        dialect=dialect,
        source=op_loc.path,
        request_body=request_body,
        parameters=tuple(params.values()),
        responses=MappingProxyType(responses),
        synthetic_id=not op_id,
    )


def dialect_of(document: Any) -> Dialect | None:
    if not isinstance(document, Mapping):
        return None
    if str(document.get("openapi", "")).startswith("3.0"):
        return "oas30"
    if str(document.get("swagger", "")) == "2.0":
        return "swagger2"
    return None


def parse_api(name: str, family: str, source: Path, dialect: Dialect, notes: list[str]) -> ApiSpec:
    """Parse all operations of one API file."""
    document = read_yaml(source)
    root = _Located(source, (), document)
    operations: dict[str, Operation] = {}
    for path, item in document["paths"].items():
        item_loc = root.child("paths", str(path))
        if item_loc is None or not isinstance(item, Mapping):
            continue
        shared_loc = item_loc.child("parameters")
        shared = [shared_loc.child(str(i)) for i in range(len(shared_loc.value))] if shared_loc else []
        for method in _METHODS:
            op_loc = item_loc.child(method)
            if op_loc is None:
                continue
            op = _parse_operation(
                name, dialect, str(path), method, op_loc, [s for s in shared if s is not None], notes
            )
            if op.operation_id in operations:
                notes.append(
                    f"{name}: duplicate operationId {op.operation_id!r} at {method.upper()} {path}; "
                    "kept the first"
                )
                continue
            operations[op.operation_id] = op
    info = document.get("info") or {}
    return ApiSpec(
        name=name,
        family=family,
        source=source,
        dialect=dialect,
        title=str(info.get("title", "")),
        version=str(info.get("version", "")),
        operations=MappingProxyType(operations),
    )
