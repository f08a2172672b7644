"""The probe's hub listener: an HTTP server the seller POSTs its events to, for the probe's run.

MEF sellers call ``<callback>/listener/<eventType>``; the listener keeps every event with its
path and answers 204. It runs from a thread on the address the probe is given (loopback and an
ephemeral port by default: a seller on the same machine, such as ``lso-sim serve``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(slots=True)
class Heard:
    """Events received so far, as ``(eventType from the path, body)``."""

    url: str = ""
    events: list[tuple[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def about(self, resource_id: str, event_type: str) -> list[dict[str, Any]]:
        """The events of ``event_type`` about ``resource_id``, in arrival order."""
        with self.lock:
            return [
                body
                for kind, body in self.events
                if kind == event_type
                and isinstance(body, dict)
                and str((body.get("event") or {}).get("id")) == resource_id
            ]


@contextmanager
def listening(host: str = "127.0.0.1", port: int = 0, public: str | None = None) -> Iterator[Heard]:
    """Listen for the length of the block; ``public`` is the callback URL to give the seller when
    it reaches the probe by another name (a NAT, a container)."""
    heard = Heard()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length)
            try:
                body: Any = json.loads(raw or b"null")
            except ValueError:
                body = raw.decode("utf-8", "replace")
            kind = self.path.rstrip("/").rsplit("/", 1)[-1]
            with heard.lock:
                heard.events.append((kind, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer((host, port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    heard.url = public or f"http://{host}:{server.server_address[1]}/probe"
    try:
        yield heard
    finally:
        server.shutdown()
        server.server_close()


__all__ = ["Heard", "listening"]
