"""Validate simulator messages against the MEF OpenAPI definitions with a real OpenAPI schema validator.

Conformance is judged by ``openapi_schema_validator`` (OpenAPI 3.0 dialect: ``nullable``, ``readOnly`` /
``writeOnly``, OAS formats) for the Sonata/Cantata, Legato and Interlude files, and by ``jsonschema``'s
Draft 4 validator for Presto's Swagger 2.0 file (Swagger 2 schemas are a Draft 4 subset; its vendor
``x-`` keywords and annotations are ignored as Draft 4 ignores unknown keywords). ``$ref`` values are
resolved by ``referencing`` from the SDK files, relative to the file that holds them, so Legato's
``../common/*.yaml`` references work; remote (``http``) references are never fetched and are reported.

One addition over the stock validator: MEF puts ``discriminator`` on *base* schemas (``@type`` selects the
subtype, e.g. ``FieldedAddress`` for a place, or a product specification URN for a product
configuration). The stock OAS 3.0 validator treats such a discriminator as an annotation and only checks
the base schema, which would accept any ``@type``. Here the discriminator is enforced: the payload must
also satisfy the schema the ``@type`` value maps to (explicit ``mapping``, an implicit
``#/components/schemas/<value>``, or a product/service specification schema whose ``$id`` is the value),
and a value that maps to nothing is an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from jsonschema import Draft4Validator, Draft7Validator  # type: ignore[import-untyped, unused-ignore]
from jsonschema.exceptions import (  # type: ignore[import-untyped, unused-ignore]
    ValidationError,
    best_match,
)
from jsonschema.protocols import Validator  # type: ignore[import-untyped, unused-ignore]
from jsonschema.validators import extend  # type: ignore[import-untyped, unused-ignore]
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator, oas30_format_checker
from referencing.exceptions import Unresolvable

from lso_sim.conformance.index import ApiIndex, Body, Dialect, Operation, default_index, load_spec_schemas
from lso_sim.conformance.resolve import REGISTRY, resolve_schema
from lso_sim.conformance.sdk import file_uri

__all__ = ["KINDS", "Kind", "validate_message", "validate_trace_record"]

Kind = Literal["request", "response", "notification"]
#: The message kinds a trace record may carry.
KINDS: tuple[Kind, ...] = ("request", "response", "notification")

_Direction = Literal["write", "read"]
_MAX_MESSAGE = 300

# --------------------------------------------------------------------------------------------------------
# Discriminator enforcement

#: (id(schema), id(instance)) pairs whose discriminator is being enforced; subtypes ``allOf`` their base
#: schema, so without this guard enforcing the base's discriminator would recurse forever.
_ACTIVE: ContextVar[frozenset[tuple[int, int]]] = ContextVar("lso_sim_discriminators", default=frozenset())
#: Specification URN -> schema file of the SDK being validated against.
_SPEC_SCHEMAS: ContextVar[Mapping[str, Path]] = ContextVar(
    "lso_sim_spec_schemas", default=MappingProxyType({})
)


def _spec_errors(prop: str, value: str, instance: Any) -> list[ValidationError]:
    """Validate a product/service configuration against the Draft 7 specification schema named ``value``."""
    path = _SPEC_SCHEMAS.get().get(value)
    if path is None:
        return [
            ValidationError(
                f"{prop} {value!r} is neither a schema of this API nor a known MEF "
                "product/service specification"
            )
        ]
    checker = Draft7Validator(
        {"$ref": file_uri(path)}, registry=REGISTRY, format_checker=Draft7Validator.FORMAT_CHECKER
    )
    try:
        return list(checker.iter_errors(instance))
    except Unresolvable as exc:
        return [
            ValidationError(f"specification {value!r} ({path.name}) has an unresolvable reference: {exc}")
        ]


def _discriminator(
    validator: Any, discriminator: Any, instance: Any, schema: Mapping[str, Any]
) -> Iterator[Any]:
    """Keyword function: check the payload against the schema its discriminator value selects."""
    if any(key in schema for key in ("oneOf", "anyOf", "allOf")):
        return  # the OAS validator's own oneOf/anyOf/allOf keywords dispatch on the discriminator there
    if not isinstance(discriminator, Mapping) or not validator.is_type(instance, "object"):
        return
    prop = discriminator.get("propertyName")
    value = instance.get(prop) if isinstance(prop, str) else None
    if not isinstance(value, str):
        return  # absence / wrong type is reported by the schema's own ``required`` and ``type``
    # An empty value names no schema: it falls through to the "is neither a schema..." error.
    guard = (id(schema), id(instance))
    active = _ACTIVE.get()
    if guard in active:
        return
    mapped = (discriminator.get("mapping") or {}).get(value)
    ref = str(mapped) if mapped is not None else f"#/components/schemas/{value}"
    if "#" not in ref and "/" not in ref:  # OAS allows a bare schema name as mapping target
        ref = f"#/components/schemas/{ref}"
    token = _ACTIVE.set(active | {guard})
    try:
        try:
            resolved = validator._resolver.lookup(ref)
        except Unresolvable:
            resolved = None
        if resolved is not None:
            errors = list(validator.descend(instance, resolved.contents, resolver=resolved.resolver))
        elif mapped is not None:
            errors = [
                ValidationError(
                    f"discriminator mapping for {prop} {value!r} points to {ref!r}, which cannot be resolved"
                )
            ]
        else:
            errors = _spec_errors(str(prop), value, instance)
    finally:
        _ACTIVE.reset(token)
    yield from errors


_OasWriteValidator = extend(OAS30WriteValidator, {"discriminator": _discriminator})
_OasReadValidator = extend(OAS30ReadValidator, {"discriminator": _discriminator})


def _validator_for(dialect: Dialect, direction: _Direction, schema: Mapping[str, Any]) -> Validator:
    """Build the validator for one schema: OAS 3.0 request/response flavour, or Swagger 2 (Draft 4)."""
    if dialect == "swagger2":
        return Draft4Validator(dict(schema), registry=REGISTRY, format_checker=oas30_format_checker)
    cls = _OasWriteValidator if direction == "write" else _OasReadValidator
    validator: Validator = cls(dict(schema), registry=REGISTRY, format_checker=oas30_format_checker)
    return validator


# --------------------------------------------------------------------------------------------------------
# Error reporting

_IDENTIFIER = re.compile(r"^[A-Za-z_@$][\w@$-]*$")


def _json_path(path: Any) -> str:
    """Render an error location as ``$.productOrderItem[0].action``."""
    text = "$"
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _IDENTIFIER.match(str(part)):
            text += f".{part}"
        else:
            text += f"[{str(part)!r}]"
    return text


def _shorten(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


def _describe(error: ValidationError) -> str:
    """One line per error: where, what, and for failed alternatives the closest alternative's problem."""
    if error.validator == "type" and error.instance is None:
        message = f"null is not allowed (expected {error.validator_value!r}, not nullable)"
    else:
        message = _shorten(error.message)
    if error.context:
        closest = best_match(error.context)
        if closest is not None:
            message += (
                f" (closest alternative: {_json_path(closest.absolute_path)}: {_shorten(closest.message)})"
            )
    return f"{_json_path(error.absolute_path)}: {message}"


def _schema_errors(
    schema: Mapping[str, Any], instance: Any, dialect: Dialect, direction: _Direction, sdk: Path
) -> list[str]:
    """Validate ``instance`` against ``schema`` and return de-duplicated, readable errors."""
    validator = _validator_for(dialect, direction, schema)
    token = _SPEC_SCHEMAS.set(load_spec_schemas(sdk))
    try:
        found = [_describe(error) for error in validator.iter_errors(instance)]
    except Unresolvable as exc:
        return [f"cannot validate: unresolvable schema reference ({exc})"]
    except (AttributeError, TypeError) as exc:  # a malformed MEF schema must not crash a whole trace check
        return [f"cannot validate: malformed schema in the MEF definition ({exc!r})"]
    finally:
        _SPEC_SCHEMAS.reset(token)
    return list(dict.fromkeys(found))


# --------------------------------------------------------------------------------------------------------
# Messages


def _from_text(value: object, schema: Mapping[str, Any]) -> object:
    """Deserialise a path/query parameter given as text, as an HTTP server would before validating it.

    Values already of a JSON type are left alone; text that does not parse is left as text so that the
    schema reports it.
    """
    declared = resolve_schema(schema).get("type")
    if declared == "array" and not isinstance(value, list):
        return [value]
    if not isinstance(value, str):
        return value
    if declared == "integer" and re.fullmatch(r"[+-]?\d+", value):
        return int(value)
    if declared == "number" and re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", value):
        return float(value)
    if declared == "boolean" and value in ("true", "false"):
        return value == "true"
    return value


def _parameter_errors(op: Operation, payload: object, sdk: Path) -> list[str]:
    """Check a flat ``{name: value}`` dict against the operation's path and query parameters."""
    if payload is None:
        payload = {}
    if not isinstance(payload, Mapping):
        return [f"parameters must be a mapping of name to value, got {type(payload).__name__}"]
    known = {p.name: p for p in op.parameters if p.location in ("path", "query")}
    errors = [
        f"unknown parameter {name!r} (defined: {', '.join(sorted(known)) or 'none'})"
        for name in payload
        if name not in known
    ]
    errors += [
        f"missing required {p.location} parameter {p.name!r}"
        for p in known.values()
        if p.required and p.name not in payload
    ]
    for name, value in payload.items():
        param = known.get(str(name))
        if param is not None:
            found = _schema_errors(param.schema, _from_text(value, param.schema), op.dialect, "write", sdk)
            errors += [f"parameter {name!r}: {error}" for error in found]
    return errors


def _body_errors(body: Body, payload: object, op: Operation, direction: _Direction, sdk: Path) -> list[str]:
    if body.schema is None:
        return (
            [] if payload is None or payload == {} else ["no body is defined here, but a payload was given"]
        )
    if payload is None:
        return ["a body is required, but the payload is empty"] if body.required else []
    return _schema_errors(body.schema, payload, op.dialect, direction, sdk)


def _has_path_parameters(op: Operation) -> bool:
    return any(p.location == "path" for p in op.parameters)


def _path_and_body_errors(op: Operation, payload: object, sdk: Path) -> list[str]:
    """A request with path parameters *and* a body is carried as ``{"params": {...}, "body": {...}}``.

    The simulator has no URL, so the path parameters travel beside the body (see
    :mod:`lso_sim.sonata.api`); each part is checked against its own definition.
    """
    if not isinstance(payload, Mapping) or set(payload) != {"params", "body"}:
        return ['an operation with path parameters and a body takes {"params": {...}, "body": {...}}']
    assert op.request_body is not None
    return _parameter_errors(op, payload["params"], sdk) + _body_errors(
        op.request_body, payload["body"], op, "write", sdk
    )


def validate_message(
    api: str,
    operation: str,
    kind: str,
    payload: object,
    status: int | None = None,
    *,
    index: ApiIndex | None = None,
) -> list[str]:
    """Check one simulator message against the MEF definition of ``(api, operation)``.

    Args:
        api: API name as indexed (``productOrderManagement``, ``presto-nrp``, ...).
        operation: The operationId (synthesised ids for Presto, e.g. ``create-connectivity-service``).
        kind: ``"request"``: the body if the operation has one, otherwise a flat dict of path/query
            parameter values; ``"response"``: the body returned with ``status``; ``"notification"``: an
            event the seller POSTs to the buyer, i.e. the request body of a ``*Notification`` API operation.
        payload: The JSON value (dicts, lists, str, int, float, bool, None).
        status: HTTP status of a response; required for ``kind="response"``.
        index: Index to use; defaults to the SDK found by ``find_sdk()``.

    Returns:
        Human-readable errors, each prefixed with ``api:operation kind``; empty when the message conforms.

    Raises:
        ValueError: ``kind`` is not one of :data:`KINDS`.
        UnknownApiError, UnknownOperationError: The operation is not in the index (caller bug).
        SdkNotFoundError: No index was given and no SDK is available.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    idx = index if index is not None else default_index()
    op = idx.operation(api, operation)
    label = f"{op.api}:{op.operation_id} {kind}" + (f" {status}" if status is not None else "")
    if kind == "response":
        if status is None:
            errors = ["a response needs its HTTP status"]
        else:
            response = op.response_for(status)
            if response is None:
                errors = [f"status {status} is not defined (defined: {', '.join(op.responses) or 'none'})"]
            else:
                errors = _body_errors(response, payload, op, "read", idx.sdk)
    elif kind == "notification" and not idx.api(op.api).is_notification:
        errors = [f"{op.api!r} is not a notification API; notifications are operations of *Notification APIs"]
    elif op.request_body is not None and _has_path_parameters(op) and kind == "request":
        errors = _path_and_body_errors(op, payload, idx.sdk)
    elif op.request_body is not None:
        errors = _body_errors(op.request_body, payload, op, "write", idx.sdk)
    elif kind == "notification":
        errors = ["the operation defines no event body"]
    else:
        errors = _parameter_errors(op, payload, idx.sdk)
    return [f"{label}: {error}" for error in errors]


def validate_trace_record(record: Mapping[str, object], *, index: ApiIndex | None = None) -> list[str]:
    """Check one simulator trace record (``api``, ``operation``, ``kind``, ``status``, ``payload``).

    Records whose ``api`` is ``None`` realise no MEF API operation (internal events) and pass. Unlike
    :func:`validate_message`, problems with the record itself (unknown operation, bad kind) are returned
    as errors, so one bad record does not hide the others when a whole trace is checked.

    Returns:
        Errors, each prefixed with ``seq N:`` when the record has a ``seq``.
    """
    api = record.get("api")
    if api is None:
        return []
    seq = record.get("seq")
    prefix = f"seq {seq}: " if seq is not None else ""
    operation, kind, status = record.get("operation"), record.get("kind"), record.get("status")
    problems = []
    if not isinstance(api, str):
        problems.append(f"'api' must be a string, got {api!r}")
    if not isinstance(operation, str):
        problems.append(f"'operation' must be a string, got {operation!r}")
    if kind not in KINDS:
        problems.append(f"'kind' must be one of {', '.join(KINDS)}, got {kind!r}")
    if status is not None and (isinstance(status, bool) or not isinstance(status, int)):
        problems.append(f"'status' must be an int or None, got {status!r}")
    if problems:
        return [f"{prefix}malformed trace record: {problem}" for problem in problems]
    code = status if isinstance(status, int) else None
    try:
        errors = validate_message(
            str(api), str(operation), str(kind), record.get("payload"), code, index=index
        )
    except KeyError as exc:  # UnknownApiError / UnknownOperationError carry a readable message
        errors = [str(exc)]
    return [prefix + error for error in errors]
