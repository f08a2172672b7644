"""Resolve ``$ref`` values of the MEF definitions for the validator, from local files only.

Schemas reference components of their own file (``#/components/schemas/X``), sibling files (Legato's
``../common/errorSchema.openapi.yaml#/...``) and, for product/service specifications, other schema files.
A single ``referencing`` registry with a file-system ``retrieve`` function serves them all, relative to the
referring file. Remote (``http``) references are never fetched: the validator reports them as unresolvable.

Documents are handed to the validator in a *well-formed* copy. A handful of MEF schema files have
indentation slips (``items:`` or ``properties:`` left empty, ``required``/``description`` indented into
``properties`` as if they were property names). Read literally these are not schemas at all and crash the
validator; they are read as "this keyword / property constraint is absent", which constrains exactly as
much as the text does (nothing), without inventing constraints the text does not state.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from referencing import Registry, Resource, Specification
from referencing.exceptions import NoSuchResource, Unresolvable

from lso_sim.conformance.sdk import path_from_uri, read_yaml

__all__ = ["REGISTRY", "resolve_schema", "well_formed"]

#: Keywords whose value is a map of name -> schema.
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "definitions", "$defs"})
#: Keywords whose value is one schema.
_SCHEMA_SINGLE = frozenset(
    {"not", "additionalProperties", "additionalItems", "contains", "propertyNames", "if", "then", "else"}
)
#: Keywords whose value is a list of schemas.
_SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf"})


def _is_schema(node: Any) -> bool:
    return isinstance(node, dict | bool)


def _clean_schema(node: Any) -> Any:
    """Copy a schema, dropping keyword values and named subschemas that are not schemas."""
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _SCHEMA_MAPS:
            if isinstance(value, dict):
                out[key] = {name: _clean_schema(sub) for name, sub in value.items() if _is_schema(sub)}
        elif key in _SCHEMA_SINGLE:
            if _is_schema(value):
                out[key] = _clean_schema(value)
        elif key in _SCHEMA_LISTS:
            if isinstance(value, list):
                out[key] = [_clean_schema(sub) for sub in value if _is_schema(sub)]
        elif key == "items":
            if isinstance(value, list):
                out[key] = [_clean_schema(sub) for sub in value if _is_schema(sub)]
            elif _is_schema(value):
                out[key] = _clean_schema(value)
        elif key == "dependencies" and isinstance(value, dict):
            out[key] = {n: _clean_schema(d) if isinstance(d, dict) else d for n, d in value.items()}
        else:
            out[key] = value
    return out


def _clean_api_node(node: Any) -> Any:
    """Copy an OpenAPI/Swagger document, cleaning every schema it holds (``schema``, component schemas)."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "schema":
                out[key] = _clean_schema(value)
            elif key in ("schemas", "definitions") and isinstance(value, dict):
                out[key] = {name: _clean_schema(sub) for name, sub in value.items()}
            else:
                out[key] = _clean_api_node(value)
        return out
    if isinstance(node, list):
        return [_clean_api_node(value) for value in node]
    return node


def well_formed(document: Any) -> Any:
    """Return a copy of an SDK document in which every schema is structurally a JSON schema."""
    if isinstance(document, dict) and ("openapi" in document or "swagger" in document):
        return _clean_api_node(document)
    return _clean_schema(document)


@cache
def _retrieve(uri: str) -> Resource[Any]:
    """Load a referenced document from the local file system (never from the network).

    Documents are registered as *opaque* resources: references into them are plain JSON pointers
    relative to the file, never to embedded ``$id``/anchors. MEF files use neither, except for the
    top-level ``$id`` URN of specification schemas, which must not become the base URI (their relative
    file references would then resolve against a URN). Opaque resources also keep ``referencing`` from
    crawling every subschema of every loaded file.
    """
    path = path_from_uri(uri)
    if path is None or not path.is_file():
        raise NoSuchResource(ref=uri)  # type: ignore[call-arg, unused-ignore]
    return Specification.OPAQUE.create_resource(well_formed(read_yaml(path)))


#: Registry shared by all validations; it only grows by retrieval, so sharing it is safe.
REGISTRY: Registry[Any] = Registry(retrieve=_retrieve)  # type: ignore[call-arg, unused-ignore]


def resolve_schema(schema: Mapping[str, Any], hops: int = 8) -> Mapping[str, Any]:
    """Follow top-level ``$ref`` hops of ``schema`` (absolute refs, as the index records them).

    Returns:
        The first schema that is not a bare reference, or the last one reached if a hop fails.
    """
    resolver = REGISTRY.resolver()
    for _ in range(hops):
        ref = schema.get("$ref")
        if not isinstance(ref, str):
            break
        try:
            resolved = resolver.lookup(ref)
        except Unresolvable:
            break
        if not isinstance(resolved.contents, Mapping):
            break
        schema, resolver = resolved.contents, resolved.resolver
    return schema
