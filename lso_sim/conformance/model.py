"""Data model of the operation index: what one MEF API operation requires of its messages.

Kept apart from parsing so that the validator and the simulator can depend on these plain records without
pulling in the OpenAPI-walking code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

__all__ = ["ApiSpec", "Body", "Dialect", "Operation", "Parameter"]

#: Dialect of a definition file: OpenAPI 3.0 (Sonata/Cantata, Legato, Interlude) or Swagger 2.0 (Presto).
Dialect = Literal["oas30", "swagger2"]


@dataclass(frozen=True)
class Parameter:
    """A path/query/header/cookie parameter with the JSON schema its value must satisfy."""

    name: str
    location: str
    required: bool
    schema: Mapping[str, Any]


@dataclass(frozen=True)
class Body:
    """A request or response body: its schema (``None`` when no content is defined) and media type."""

    schema: Mapping[str, Any] | None
    media_type: str | None
    required: bool = True


@dataclass(frozen=True, eq=False)
class Operation:
    """One HTTP operation of one MEF API, with everything needed to validate its messages.

    Schemas are JSON-schema fragments, normally ``{"$ref": "file:///...#/pointer"}`` into the defining file
    so that nested references resolve relative to that file.
    """

    api: str
    operation_id: str
    method: str
    path: str
    dialect: Dialect
    source: Path
    request_body: Body | None
    parameters: tuple[Parameter, ...]
    responses: Mapping[str, Body]
    synthetic_id: bool = False

    @property
    def key(self) -> tuple[str, str]:
        """The ``(api, operationId)`` pair that identifies the operation across the whole SDK."""
        return (self.api, self.operation_id)

    @property
    def success_statuses(self) -> tuple[str, ...]:
        """The 2xx status codes the operation defines, for callers shaping the happy path."""
        return tuple(status for status in self.responses if status.startswith("2"))

    def response_for(self, status: int) -> Body | None:
        """Return the response definition that applies to ``status`` (exact, then ``NXX``, then default)."""
        for key in (str(status), f"{str(status)[:1]}XX", "default"):
            if key in self.responses:
                return self.responses[key]
        return None


@dataclass(frozen=True, eq=False)
class ApiSpec:
    """One API definition file of the SDK."""

    name: str
    family: str
    source: Path
    dialect: Dialect
    title: str
    version: str
    operations: Mapping[str, Operation]

    @property
    def is_notification(self) -> bool:
        """Whether the API is a listener API, i.e. events the seller POSTs to the buyer."""
        return "Notification" in self.name
