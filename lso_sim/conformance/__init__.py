"""Conformance of simulator messages to the MEF LSO API definitions (read at run time from the MEF SDK).

``find_sdk`` locates the SDK beside the project, ``load_index`` lists its operations by
``(api, operationId)``, and ``validate_message`` / ``validate_trace_record`` check payloads with a real
OpenAPI schema validator, so the simulator's messages are held to the published contracts.
"""

from __future__ import annotations

from lso_sim.conformance.index import (
    ApiIndex,
    Operation,
    UnknownApiError,
    UnknownOperationError,
    default_index,
    load_index,
)
from lso_sim.conformance.sdk import SdkNotFoundError, find_sdk
from lso_sim.conformance.validate import validate_message, validate_trace_record

__all__ = [
    "ApiIndex",
    "Operation",
    "SdkNotFoundError",
    "UnknownApiError",
    "UnknownOperationError",
    "default_index",
    "find_sdk",
    "load_index",
    "validate_message",
    "validate_trace_record",
]
