"""Helpers of the sandbox tests: the SDK (or a skip), a listener the test runs, MEF-shaped bodies."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from lso_sim.conformance.sdk import find_sdk
from lso_sim.messages import bodies

CANTATA = "/mefApi/cantata"
POQ = f"{CANTATA}/productOfferingQualification/v7/productOfferingQualification"
QUOTE = f"{CANTATA}/quoteManagement/v8/quote"
ORDER = f"{CANTATA}/productOrderingManagement/v10/productOrder"
ORDER_HUB = f"{CANTATA}/productOrderingManagement/v10/hub"
ADDRESS = f"{CANTATA}/geographicAddressManagement/v7/geographicAddressValidation"
EPL = "urn:mef:lso:spec:cantata-sonata:epl-evc:v1.0.0:all"
CONTACT = [{"name": "Jane Buyer", "emailAddress": "jane@example.net", "number": "555-0100", "role": "buyer"}]


def sdk_or_skip() -> Path:
    """The MEF SDK, or skip: the sandbox serves MEF's definitions and cannot run without them."""
    sdk = find_sdk()
    if sdk is None:
        pytest.skip("MEF LSO SDK not found (../shared/mef-lso-sdk or $LSO_MEF_SDK): the sandbox needs it")
    return sdk


class Listener:
    """A buyer's listener: records every event POSTed to it, by path."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []
        self.url = ""

    def of_type(self, event_type: str) -> list[Any]:
        return [event for path, event in self.events if path.endswith("/listener/" + event_type)]


@contextmanager
def listener() -> Iterator[Listener]:
    """Run a listener on an ephemeral loopback port for the length of a test."""
    heard = Listener()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            heard.events.append((self.path, json.loads(self.rfile.read(length) or b"null")))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:  # quiet
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    heard.url = f"http://127.0.0.1:{server.server_address[1]}/buyer"
    try:
        yield heard
    finally:
        server.shutdown()
        server.server_close()


def epl(sites: list[str], mbps: float = 100.0) -> dict[str, Any]:
    """A subscriber EPL product between two of the buyer's sites (by address id)."""
    return {
        "productOffering": {"id": "epl"},
        "productConfiguration": bodies.product_configuration({"specification": EPL}, mbps, sites),
        "place": [{"@type": "GeographicAddressRef", "id": s, "role": "INSTALL_LOCATION"} for s in sites],
    }
