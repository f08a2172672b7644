"""Putting a sandbox together and running it under uvicorn (the CLI's and the tests' way in).

:func:`prepare` builds the world, the session, the routes and the application; :func:`running`
serves it on a socket bound before the server starts (port 0: an ephemeral port, so tests can
run in parallel) from a thread, and stops it on exit.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import uvicorn
from fastapi import FastAPI

from lso_sim.conformance.index import ApiIndex, load_index
from lso_sim.engine.observers import TraceObserver
from lso_sim.messages.envelope import Kind
from lso_sim.messages.operations import Operation
from lso_sim.scenarios.schema import Scenario
from lso_sim.serve.app import create_app
from lso_sim.serve.build import new_session, sandbox_header
from lso_sim.serve.routes import Route, served_routes
from lso_sim.serve.sandbox import ServeRole
from lso_sim.serve.session import Session
from lso_sim.sonata.api import router_of
from lso_sim.trace.jsonl import JsonlTraceWriter


@dataclass(slots=True)
class Prepared:
    """A sandbox ready to serve."""

    session: Session
    routes: list[Route]
    index: ApiIndex
    app: FastAPI
    writer: JsonlTraceWriter | None = None

    def close(self) -> None:
        """End the trace: every instance still open ends ``open``, then the end record."""
        world = self.session.sandbox.world
        with self.session.lock:
            world.close_open(at_horizon=True)
        if self.writer is not None:
            self.writer.finish(complete=True)


def prepare(
    scenario: Scenario | None,
    role: ServeRole,
    sdk: Path,
    *,
    speed: float = 1.0,
    trace: IO[str] | None = None,
    tick: float = 0.25,
    chaos: frozenset[str] = frozenset(),
    chaos_rate: float = 0.1,
    scenario_label: str | None = None,
) -> Prepared:
    """Build everything ``lso-sim serve`` serves (``scenario_label``: how the trace's header names
    the scenario file, so that ``lso-sim replay`` finds it)."""
    observers: list[TraceObserver] = []
    writer = None
    if trace is not None:
        header = sandbox_header(scenario, scenario_label, role, speed, chaos, chaos_rate)
        writer = JsonlTraceWriter(trace, header)
        observers.append(writer)
    session = new_session(scenario, role, observers, speed=speed, chaos=chaos, chaos_rate=chaos_rate)
    index = load_index(sdk)
    # The seller's requests only: a BUS is also a buyer of its partners, and hears their events.
    operations: list[Operation] = [
        op for op, _handler in router_of(session.sandbox.seller).routes.values() if op.kind is Kind.REQUEST
    ]
    routes = served_routes(operations, index, "cantata" if role == "sp" else "sonata")
    return Prepared(session, routes, index, create_app(session, routes, index, tick=tick), writer)


@contextmanager
def running(app: FastAPI, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``app`` from a thread; yields its base URL (``http://127.0.0.1:<port>``)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setblocking(False)  # asyncio serves a socket it is given as it is: a blocking one stalls
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    if not server.started:
        raise RuntimeError("the sandbox server did not start")
    bound_host, bound_port = sock.getsockname()[:2]
    try:
        yield f"http://{bound_host}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


__all__ = ["Prepared", "prepare", "running"]
