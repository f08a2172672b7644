"""The operations a sandbox serves: MEF paths and methods, and the OpenAPI document listing them.

What is served is what the seller actor routes (:func:`lso_sim.sonata.api.router_of`): every
operation of every MEF management API its thread installed, hubs included. Where each one lives
on the wire comes from MEF's own definition in the SDK: the base path of the API's ``servers``
URL (``/mefApi/sonata/productOrderingManagement/v10/``; ``/mefApi/cantata/...`` for a seller
over CANTATA, which MEF defines with the same files) followed by the operation's path.

``/openapi.json`` is assembled from those same files: only the served paths and methods, each
API's components renamed ``<api>.<name>`` (every MEF API has its own ``Error400``...) with their
``$ref``s rewritten, so a client generator or a property-based tester sees exactly what is served.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lso_sim.conformance.index import ApiIndex
from lso_sim.conformance.model import Operation as SdkOperation
from lso_sim.conformance.sdk import read_yaml
from lso_sim.messages.operations import Operation

_SERVER_BASE = re.compile(r"\{serverBase\}")


@dataclass(frozen=True, slots=True)
class Route:
    """One served operation.

    Attributes:
        op: the catalogue operation (what the seller actor is sent).
        sdk: MEF's definition of it (method, path, parameters, bodies).
        base: the API's MEF base path, without a trailing slash.
    """

    op: Operation
    sdk: SdkOperation
    base: str

    @property
    def path(self) -> str:
        """The full path, with ``{id}``-style parameters as MEF writes them."""
        return self.base + self.sdk.path

    @property
    def method(self) -> str:
        return self.sdk.method.upper()

    @property
    def path_and_body(self) -> bool:
        """True when the operation takes path parameters *and* a body (``patchProductOrder``)."""
        return self.sdk.request_body is not None and any(p.location == "path" for p in self.sdk.parameters)


def base_path(source: Path, irp: str) -> str:
    """The MEF base path of the API defined in ``source``, for ``irp`` (``sonata`` or ``cantata``)."""
    document = read_yaml(source)
    servers = document.get("servers") or [{}]
    url = _SERVER_BASE.sub("host", str(servers[0].get("url", "")).strip())
    path = urlsplit(url).path.rstrip("/")
    return path.replace("/mefApi/sonata/", f"/mefApi/{irp}/", 1)


def served_routes(operations: Iterable[Operation], index: ApiIndex, irp: str) -> list[Route]:
    """The route of each operation (those MEF does not define are left out: none today)."""
    routes = []
    for op in operations:
        try:
            sdk = index.operation(str(op.api), op.name)
        except KeyError:
            continue
        routes.append(Route(op, sdk, base_path(sdk.source, irp)))
    return sorted(routes, key=lambda r: (r.path, r.method))


# -- the OpenAPI document --------------------------------------------------------------------------

_LOCAL_REF = re.compile(r"^#/components/(?P<kind>[A-Za-z]+)/(?P<name>.+)$")


def _renamed(node: Any, api: str) -> Any:
    """``node`` with every local ``$ref`` pointing at the API's renamed components."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                match = _LOCAL_REF.match(value.strip())
                out[key] = f"#/components/{match['kind']}/{api}.{match['name']}" if match else value
            elif key == "mapping" and isinstance(value, dict):
                out[key] = {k: _renamed({"$ref": v}, api)["$ref"] for k, v in value.items()}
            else:
                out[key] = _renamed(value, api)
        return out
    if isinstance(node, list):
        return [_renamed(item, api) for item in node]
    return node


UNAVAILABLE_CODE = "serviceUnavailable"
"""``code`` of a chaos 503 (MEF's error codes stop at 501)."""
UNAVAILABLE_SCHEMA = "sandbox.Error503"
"""The component a chaos 503 answer is declared with."""


def _unavailable_schema() -> dict[str, Any]:
    """MEF's error model (``code``, ``reason`` of at most 255 characters, ``message``) for a 503."""
    return {
        "type": "object",
        "required": ["code", "reason"],
        "properties": {
            "code": {"type": "string", "enum": [UNAVAILABLE_CODE]},
            "reason": {"type": "string", "maxLength": 255},
            "message": {"type": "string"},
            "referenceError": {"type": "string", "format": "uri"},
        },
        "description": "lso-sim sandbox chaos '503': the request was not served; send it again.",
    }


def openapi_document(routes: Iterable[Route], title: str, *, unavailable: bool = False) -> dict[str, Any]:
    """One OpenAPI 3.0 document with exactly ``routes`` (see the module docstring).

    Args:
        routes: the served operations.
        title: the document's title.
        unavailable: chaos ``503`` is on: every operation also declares a 503 answer, which MEF's
            definitions do not, so that a client or tester reading the document expects it.
    """
    paths: dict[str, dict[str, Any]] = {}
    components: dict[str, dict[str, Any]] = {}
    seen_apis: set[str] = set()
    for route in routes:
        api = str(route.op.api)
        document = read_yaml(route.sdk.source)
        item = document["paths"][route.sdk.path]
        target = paths.setdefault(route.path, {})
        if "parameters" in item:
            target["parameters"] = _renamed(item["parameters"], api)
        operation = _renamed(item[route.sdk.method], api)
        operation.setdefault("tags", [api])
        operation["security"] = [{"bearer": []}]
        if unavailable:
            operation.setdefault("responses", {})["503"] = {
                "description": "Service Unavailable (lso-sim sandbox chaos '503')",
                "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                "content": {
                    "application/json;charset=utf-8": {
                        "schema": {"$ref": f"#/components/schemas/{UNAVAILABLE_SCHEMA}"}
                    }
                },
            }
        target[route.sdk.method] = operation
        if api not in seen_apis:
            seen_apis.add(api)
            for kind, entries in (document.get("components") or {}).items():
                if kind == "securitySchemes":
                    continue
                bucket = components.setdefault(kind, {})
                for name, value in (entries or {}).items():
                    bucket[f"{api}.{name}"] = _renamed(value, api)
    components.setdefault("securitySchemes", {})["bearer"] = {"type": "http", "scheme": "bearer"}
    if unavailable:
        components.setdefault("schemas", {})[UNAVAILABLE_SCHEMA] = _unavailable_schema()
    return {
        "openapi": "3.0.1",
        "info": {
            "title": title,
            "version": "1",
            "description": "lso-sim sandbox: the MEF operations this simulated seller serves.",
        },
        "paths": paths,
        "components": components,
    }


def path_pattern(path: str) -> str:
    """A Starlette route path for a MEF path (``{id}`` stays ``{id}``; dots in names are kept)."""
    return path


def listener_path(callback: str, event_type: str) -> str:
    """Where a buyer's listener hears an event: MEF's ``<callback>/listener/<eventType>``."""
    return callback.rstrip("/") + "/listener/" + event_type


def by_key(routes: Iterable[Route]) -> Mapping[tuple[str, str], Route]:
    return {(r.method, r.path): r for r in routes}


__all__ = [
    "UNAVAILABLE_CODE",
    "UNAVAILABLE_SCHEMA",
    "Route",
    "base_path",
    "by_key",
    "listener_path",
    "openapi_document",
    "served_routes",
]
