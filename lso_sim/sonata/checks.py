"""Request validation: a schema-invalid request becomes the MEF 400/422 response, never a crash.

Each seller operation declares the shape it needs as a small schema in a subset of JSON Schema
(``type``, ``required``, ``properties``, ``items``, ``enum``, ``minItems``, ``maxItems``), written from
the MEF definition's required fields and enumerations. :func:`check` walks a payload against it and raises
the first problem as an :class:`~lso_sim.sonata.errors.ApiError`:

- the body is not a JSON object: 400 ``invalidBody``;
- a required property is missing: 422 ``missingProperty`` with its JSON Pointer;
- a property has the wrong JSON type: 422 ``invalidFormat``;
- a value is outside its enumeration, or a list is too short or too long: 422 ``invalidValue``.

Why not the MEF OpenAPI validator itself? The simulator must run (deterministically, and fast)
without the MEF SDK beside it; the SDK is test-time reference data. The conformance tests check
that what sellers accept and answer is valid against the real definitions.

Query parameters of list and retrieve operations are read with :func:`param`, which raises 400
``missingQueryParameter`` when a required one is absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lso_sim.sonata.errors import ApiError, bad_request, unprocessable

Schema = Mapping[str, Any]
"""A schema of the supported JSON Schema subset."""

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "number": (int, float),
    "integer": (int,),
    "boolean": (bool,),
}


PLACE_REFS: Schema = {
    "type": "array",
    "minItems": 1,
    "maxItems": 2,
    "items": {"type": "object", "properties": {"id": {"type": "string"}}},
}
"""``product.place`` of a qualification, quote or order item: the simulated offerings are
point-to-point (a retail EPL joins two sites, a partner's access one). A place is a reference by
``id`` (a ``GeographicAddressRef`` or ``GeographicSiteRef``) or an address spelt out (``FieldedAddress``,
``FormattedAddress``); the seller's admission (:mod:`lso_sim.sonata.admission`) finds the site it
means, or answers why it cannot. Anything else is answered with MEF's 422, never reaches the back
office."""

PRODUCT_WITH_PLACES: Schema = {"type": "object", "properties": {"place": PLACE_REFS}}
"""An item's ``product`` whose places, when given, are :data:`PLACE_REFS`."""


def _pointer(path: tuple[str | int, ...]) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path) if path else "/"


def _is(value: Any, kind: str) -> bool:
    if isinstance(value, bool) and kind in ("number", "integer"):
        return False
    return isinstance(value, _TYPES[kind])


def problems(payload: Any, schema: Schema, path: tuple[str | int, ...] = ()) -> ApiError | None:
    """The first violation of ``schema`` by ``payload`` (depth first, in declaration order), or None."""
    kind = schema.get("type")
    if kind is not None and not _is(payload, kind):
        if not path:
            return bad_request(f"the body must be a JSON {kind}")
        return unprocessable(f"{_pointer(path)} must be a {kind}", "invalidFormat", _pointer(path))
    enum = schema.get("enum")
    if enum is not None and payload not in enum:
        allowed = ", ".join(str(v) for v in enum)
        return unprocessable(f"{_pointer(path)} must be one of {allowed}", "invalidValue", _pointer(path))
    if isinstance(payload, dict):
        for name in schema.get("required", ()):
            if name not in payload:
                where = _pointer((*path, name))
                return unprocessable(f"{where} is required", "missingProperty", where)
        for name, sub in schema.get("properties", {}).items():
            if name in payload:
                found = problems(payload[name], sub, (*path, name))
                if found is not None:
                    return found
    if isinstance(payload, list):
        minimum = schema.get("minItems")
        if minimum is not None and len(payload) < minimum:
            where = _pointer(path)
            return unprocessable(f"{where} needs at least {minimum} item(s)", "invalidValue", where)
        maximum = schema.get("maxItems")
        if maximum is not None and len(payload) > maximum:
            where = _pointer(path)
            return unprocessable(f"{where} allows at most {maximum} item(s)", "invalidValue", where)
        items = schema.get("items")
        if items is not None:
            for index, item in enumerate(payload):
                found = problems(item, items, (*path, index))
                if found is not None:
                    return found
    return None


def check(payload: Any, schema: Schema) -> Any:
    """Return ``payload`` when it satisfies ``schema``; otherwise raise the MEF error.

    Raises:
        ApiError: 400 or 422, see the module docstring.
    """
    found = problems(payload, schema)
    if found is not None:
        raise found
    return payload


def param(payload: Any, name: str, *, required: bool = True) -> str | None:
    """A path or query parameter of a request whose payload is its flat parameter mapping.

    Raises:
        ApiError: 400 ``missingQueryParameter`` (or ``invalidQuery`` when the payload is not a mapping).
    """
    if payload is None:
        payload = {}
    if not isinstance(payload, Mapping):
        raise bad_request("parameters must be a mapping of name to value", "invalidQuery")
    value = payload.get(name)
    if value is None or value == "":
        if required:
            raise bad_request(f"parameter {name!r} is required", "missingQueryParameter")
        return None
    return str(value)


def int_param(payload: Any, name: str, default: int) -> int:
    """An integer query parameter (``limit``, ``offset``).

    Raises:
        ApiError: 400 ``invalidQuery`` when it is not a non-negative integer.
    """
    text = param(payload, name, required=False)
    if text is None:
        return default
    if not text.isdigit():
        raise bad_request(f"parameter {name!r} must be a non-negative integer, got {text!r}", "invalidQuery")
    return int(text)


OBJECT: Schema = {"type": "object"}
"""The loosest body schema: any JSON object."""

__all__ = ["OBJECT", "ApiError", "Schema", "check", "int_param", "param", "problems"]
