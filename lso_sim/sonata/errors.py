"""MEF error responses: the bodies of the ``Error400``/``404``/``409``/``422``/``501`` schemas.

Every MEF management API defines the same error family: a body with a ``code`` from a fixed list
per status and a human ``reason`` (at most 255 characters); 422 bodies may add ``propertyPath``, a
JSON Pointer to the offending property, and a 422 response is a *list* of such bodies. A handler
never builds these by hand: it raises :class:`ApiError` (usually through the constructors below)
and the router of
:mod:`lso_sim.sonata.api` answers with the error body, fitted to a status the operation defines.
"""

from __future__ import annotations

from typing import Any

from lso_sim.errors import LsoSimError

CODES: dict[int, frozenset[str]] = {
    400: frozenset({"missingQueryParameter", "missingQueryValue", "invalidQuery", "invalidBody"}),
    401: frozenset({"missingCredentials", "invalidCredentials"}),
    403: frozenset({"accessDenied", "forbiddenRequester", "tooManyUsers"}),
    404: frozenset({"notFound"}),
    409: frozenset({"conflict"}),
    422: frozenset(
        {
            "missingProperty",
            "invalidValue",
            "invalidFormat",
            "referenceNotFound",
            "unexpectedProperty",
            "tooManyRecords",
            "otherIssue",
        }
    ),
    500: frozenset({"internalError"}),
    501: frozenset({"notImplemented"}),
}
"""The ``code`` values MEF allows for each error status (the same in every product API)."""

_REASON_LIMIT = 255


def error_body(status: int, code: str, reason: str, property_path: str | None = None) -> dict[str, Any]:
    """The MEF error body for ``status`` (``reason`` cut to MEF's 255-character limit)."""
    if code not in CODES.get(status, frozenset()):
        raise ValueError(f"code {code!r} is not a MEF code of status {status}")
    body: dict[str, Any] = {"code": code, "reason": reason[:_REASON_LIMIT]}
    if property_path is not None and status == 422:
        body["propertyPath"] = property_path
    return body


class ApiError(LsoSimError):
    """A request the seller refuses; the router answers it with the MEF error body.

    Args:
        status: HTTP status (400, 404, 409, 422 or 501).
        code: MEF error code for that status (see :data:`CODES`).
        reason: why, in words a buyer can act on.
        property_path: JSON Pointer of the offending property (422 only).
    """

    def __init__(self, status: int, code: str, reason: str, property_path: str | None = None) -> None:
        super().__init__(status, code, reason, property_path)
        self.status = status
        self.code = code
        self.reason = reason
        self.property_path = property_path
        self.message = f"{status} {code}: {reason}"

    def body(self) -> dict[str, Any] | list[dict[str, Any]]:
        """The MEF error body; MEF answers 422 with a *list* of errors (one here)."""
        body = error_body(self.status, self.code, self.reason, self.property_path)
        return [body] if self.status == 422 else body

    def fitted(self, defined: frozenset[int]) -> ApiError:
        """The same refusal under a status the operation defines.

        MEF operations do not all define every error status: cancelling a quote in the wrong state
        is a 422 (``cancelQuote`` has no 409), a reference to an unknown resource in a create body
        is a 422 ``referenceNotFound`` (creates have no 404). An empty ``defined`` means unknown:
        the error is kept.
        """
        if not defined or self.status in defined:
            return self
        if 422 in defined and self.status in (404, 409):
            code = "referenceNotFound" if self.status == 404 else "otherIssue"
            return ApiError(422, code, self.reason, self.property_path)
        if 409 in defined and self.status == 422:
            return ApiError(409, "conflict", self.reason)
        if 400 in defined:
            return ApiError(400, "invalidBody" if self.status != 404 else "invalidQuery", self.reason)
        return self


def bad_request(reason: str, code: str = "invalidBody") -> ApiError:
    """400: the request is malformed (not a JSON object, a required query parameter missing...)."""
    return ApiError(400, code, reason)


def not_found(kind: str, ident: str, retention: float | None = None) -> ApiError:
    """404: no ``kind`` with id ``ident`` for this buyer (another buyer's resource is not found either).

    ``retention``: the seller's (``sellers.retention``), named in the reason so that a buyer reading
    the trace sees why a resource it once had may be gone; the same words whether it was purged or
    never existed, so the answer reveals nothing of other buyers.
    """
    if retention is None:
        return ApiError(404, "notFound", f"no {kind} {ident}")
    kept = f"no {kind} {ident} (this seller forgets a {kind} {retention:.10g} s after its lifecycle ended)"
    return ApiError(404, "notFound", kept)


def conflict(reason: str) -> ApiError:
    """409: the request clashes with the resource's current state."""
    return ApiError(409, "conflict", reason)


def unprocessable(reason: str, code: str = "invalidValue", property_path: str | None = None) -> ApiError:
    """422: a business validation failed (wrong value, unknown reference, illegal state change)."""
    return ApiError(422, code, reason, property_path)


def not_implemented(reason: str) -> ApiError:
    """501: the seller does not support this optional operation."""
    return ApiError(501, "notImplemented", reason)
