"""The HTTP face of a sandbox: FastAPI routes for the served MEF operations, auth, admin, delivery.

Every served operation is one route at its MEF path (:mod:`lso_sim.serve.routes`). A request:

1. names its buyer with ``Authorization: Bearer <token>``; no token or an unknown one is 401
   with MEF's ``Error401`` body (another buyer's resources are then simply not found: 404);
   MEF's ``buyerId``/``sellerId`` query parameters, when given, must agree (else 403);
2. is checked against MEF's definition of the operation (parameters and body, with the SDK's
   validator): malformed JSON or a wrong parameter is a 400, a body that breaks the schema a 422,
   each with MEF's error model and the validator's message as its ``reason``;
3. a ``POST`` carrying an ``Idempotency-Key`` header the buyer used before on that path gets the
   first answer again, and nothing is created twice (the common convention of payment and
   ordering APIs; MEF leaves duplicate detection to the implementation); one sent while the
   first is still being served waits for the first's answer instead of reaching the seller;
4. becomes the buyer actor's request to the seller in the simulation (:class:`Session`), whose
   answer (status and body) is sent back as it is.

Simulated time follows the wall clock (``--speed``); ``POST /admin/advance`` moves it on (tests use
it and never sleep). Events the seller publishes to a buyer's hubs are POSTed to
``<callback>/listener/<eventType>``, after each call and each advance, and by a background tick.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import httpx
from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from lso_sim.conformance.index import ApiIndex
from lso_sim.conformance.validate import validate_message
from lso_sim.serve.routes import UNAVAILABLE_CODE, Route, openapi_document
from lso_sim.serve.session import Answer, Delivery, Session
from lso_sim.sonata.api import with_params
from lso_sim.sonata.errors import error_body

JSON = "application/json;charset=utf-8"
TICK = 0.25
"""Wall seconds between background ticks (time moving, notifications going out)."""


def _error(status: int, code: str, reason: str) -> JSONResponse:
    """MEF's error model: 422 answers a list of errors, the others one."""
    if status in (401, 403):  # MEF's Error401/Error403 (codes not among the simulator's own)
        body: Any = {"code": code, "reason": reason[:255]}
    else:
        body = error_body(status, code, reason)
        if status == 422:
            body = [body]
    return JSONResponse(body, status_code=status, media_type=JSON)


RETRY_AFTER = 1
"""Seconds a chaos 503 asks the buyer to wait (``Retry-After``)."""


def _unavailable() -> JSONResponse:
    """Chaos ``503``: MEF's error model (``code``, ``reason``, ``message``) for a status MEF's
    definitions do not declare; the served document adds it while the chaos is on."""
    body = {
        "code": UNAVAILABLE_CODE,
        "reason": "the seller is briefly unavailable",
        "message": f"lso-sim sandbox chaos '503': nothing was done; send the request again after "
        f"{RETRY_AFTER} s",
    }
    return JSONResponse(body, status_code=503, media_type=JSON, headers={"Retry-After": str(RETRY_AFTER)})


def _problem(errors: list[str], route: Route) -> JSONResponse:
    """The MEF error for the first problem the SDK's validator found in a request: 400 for the
    request's form, 422 for its content where the operation defines a 422 (else 400)."""
    first = errors[0].split(": ", 1)[-1]
    if "parameter" in first:
        code = "missingQueryParameter" if first.startswith("missing required") else "invalidQuery"
        return _error(400, code, first)
    if "a body is required" in first or "422" not in route.sdk.responses:
        return _error(400, "invalidBody", first)
    code = "missingProperty" if "is a required property" in first else "invalidValue"
    return _error(422, code, first)


def _party_problem(request: Request, token: str, session: Session) -> JSONResponse | None:
    """MEF's ``buyerId``/``sellerId`` query parameters, when given, must name the token's buyer and
    this seller (its actor or its domain): 403 ``forbiddenRequester`` otherwise."""
    buyer = request.query_params.get("buyerId")
    if buyer is not None and buyer != token:
        return _error(403, "forbiddenRequester", f"buyerId {buyer[:60]!r} is not the buyer this token names")
    seller = request.query_params.get("sellerId")
    actor = session.sandbox.seller
    if seller is not None and seller not in (actor.id, actor.domain):
        return _error(
            403, "forbiddenRequester", f"sellerId {seller[:60]!r} is not this seller ({actor.domain})"
        )
    return None


def _callback_problem(body: Any, route: Route) -> JSONResponse | None:
    """A hub's callback must be a URL the sandbox can POST to (http or https, with a host)."""
    callback = body.get("callback") if isinstance(body, dict) else None
    if not isinstance(callback, str):
        return None  # the schema check reports it
    try:
        parts = urlsplit(callback)
        usable = parts.scheme in ("http", "https") and bool(parts.hostname) and callback.isprintable()
    except ValueError:
        usable = False
    if usable:
        return None
    return _problem([f"callback {callback[:80]!r} is not an http(s) URL the seller can reach"], route)


def absolute_hrefs(body: Any, prefix: str) -> Any:
    """``body`` with each relative ``href`` (``/productOrder/x``; also ``productOrderHref``...) made
    a URL under ``prefix``: MEF defines hrefs as URIs a client can follow, the simulator writes
    them relative to the API (its traces do not depend on where a sandbox listens)."""
    if isinstance(body, dict):
        return {
            key: prefix + value
            if key.lower().endswith("href") and isinstance(value, str) and value.startswith("/")
            else absolute_hrefs(value, prefix)
            for key, value in body.items()
        }
    if isinstance(body, list):
        return [absolute_hrefs(item, prefix) for item in body]
    return body


class Deliverer:
    """POSTs queued events to the buyers' listeners; what fails is counted and said on stderr."""

    def __init__(self, timeout: float = 5.0) -> None:
        self.client: httpx.AsyncClient | None = None
        self.timeout = timeout
        self.sent = 0
        self.failed = 0

    async def deliver(self, deliveries: Iterable[Delivery]) -> None:
        if self.client is None:
            self.client = httpx.AsyncClient(timeout=self.timeout)
        for delivery in deliveries:
            try:
                response = await self.client.post(delivery.url, json=delivery.event)
                ok = response.status_code < 300
            except Exception as exc:  # any failure to deliver is the listener's, never the seller's
                ok = False
                print(f"lso-sim serve: event to {delivery.url} not delivered: {exc}", file=sys.stderr)
            self.sent += ok
            self.failed += not ok

    async def close(self) -> None:
        if self.client is not None:
            await self.client.aclose()


def create_app(session: Session, routes: list[Route], index: ApiIndex, *, tick: float = TICK) -> FastAPI:
    """The FastAPI application serving ``routes`` of ``session``'s seller."""
    deliverer = Deliverer()

    async def flush() -> None:
        await deliverer.deliver(session.take_outbox())

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async def ticking() -> None:
            while True:
                await asyncio.sleep(tick)
                await run_in_threadpool(session.tick)
                await flush()

        task = asyncio.create_task(ticking())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await deliverer.close()

    app = FastAPI(title="lso-sim sandbox", lifespan=lifespan, docs_url=None, redoc_url=None)
    document = openapi_document(
        routes, f"lso-sim sandbox ({session.sandbox.seller.id})", unavailable="503" in session.chaos.kinds
    )
    app.openapi = lambda: document  # type: ignore[method-assign]
    app.state.deliverer = deliverer

    for route in routes:
        app.add_api_route(
            route.path,
            _endpoint(session, route, index, flush),
            methods=[route.method],
            include_in_schema=False,
            name=f"{route.op.api}:{route.op.name}",
        )

    @app.post("/admin/advance", include_in_schema=False)
    async def advance(seconds: float = 0.0) -> JSONResponse:
        """Move simulated time ``seconds`` on; events it causes are delivered before the answer."""
        if not 0 <= seconds < float("inf"):
            return _error(400, "invalidQuery", "seconds must be a finite number >= 0")
        now = await run_in_threadpool(session.advance, seconds)
        await flush()
        return JSONResponse(_clock(session, deliverer) | {"now": now})

    @app.get("/admin/clock", include_in_schema=False)
    async def clock() -> JSONResponse:
        return JSONResponse(_clock(session, deliverer))

    return app


def _response(session: Session, answer: Answer, prefix: str) -> tuple[Response, Any]:
    """The HTTP answer for the seller's ``answer`` and the seller's body in it (``None``: none, or
    the simulation failed), hrefs made absolute under ``prefix``."""
    if session.crashed is not None:
        return _error(500, "internalError", f"the simulation stopped: {session.crashed}"), None
    if answer.status == 0:
        return _error(500, "internalError", "the seller did not answer in time"), None
    if answer.status == 204 or answer.body is None:
        return Response(status_code=answer.status), None
    body = absolute_hrefs(answer.body, prefix)
    return JSONResponse(body, status_code=answer.status, media_type=JSON), body


def _clock(session: Session, deliverer: Deliverer) -> dict[str, Any]:
    return {
        "now": session.now,
        "speed": session.speed,
        "calls": session.calls,
        "eventsDelivered": deliverer.sent,
        "eventsUndelivered": deliverer.failed,
        "crashed": session.crashed,
    }


def _endpoint(
    session: Session, route: Route, index: ApiIndex, flush: Callable[[], Awaitable[None]]
) -> Callable[[Request], Awaitable[Response]]:
    api, name = str(route.op.api), route.op.name
    remembered: dict[tuple[str, str, str], tuple[int, Any]] = {}
    """(buyer, Idempotency-Key, path) -> the answer given: a re-sent create gets it again."""
    in_flight: dict[tuple[str, str, str], asyncio.Future[None]] = {}
    """Keys whose first request is being served: a second one with the key waits for its answer
    instead of reaching the seller too (two concurrent re-sends must not create two orders)."""

    async def endpoint(request: Request) -> Response:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if not header:
            return _error(401, "missingCredentials", "send Authorization: Bearer <token>")
        buyer = session.buyer(token.strip()) if scheme.lower() == "bearer" else None
        if buyer is None:
            return _error(401, "invalidCredentials", "the bearer token names no buyer of this seller")
        refused = _party_problem(request, token.strip(), session)
        if refused is not None:
            return refused
        if session.unavailable_now(buyer, name):
            return _unavailable()
        params: dict[str, Any] = dict(request.query_params)
        params.update(request.path_params)
        body: Any = None
        if route.sdk.request_body is not None:
            raw = await request.body()
            try:
                body = json.loads(raw) if raw.strip() else None
            except (ValueError, UnicodeDecodeError):
                return _error(400, "invalidBody", "the body is not JSON")
            if body is None:
                return _error(400, "invalidBody", "this operation takes a JSON body")
            payload: Any = with_params(request.path_params, body) if route.path_and_body else body
            if route.path_and_body and set(request.query_params):
                return _error(400, "invalidQuery", f"unknown parameter(s): {', '.join(request.query_params)}")
        else:
            payload = params
        errors = validate_message(api, name, "request", payload, index=index)
        if errors:
            return _problem(errors, route)
        if name == "registerListener":
            refused = _callback_problem(body, route)
            if refused is not None:
                return refused
        if route.method != "GET" and "409" in route.sdk.responses and session.conflict_now(buyer, name):
            return _error(409, "conflict", "the seller is busy with a change to this resource; try again")
        key = request.headers.get("idempotency-key")
        memo = (buyer.id, key, request.url.path) if key and route.method == "POST" else None
        while memo is not None:
            if memo in remembered:
                status, body = remembered[memo]
                return JSONResponse(body, status_code=status, media_type=JSON)
            first = in_flight.get(memo)
            if first is None:
                break
            await asyncio.shield(first)  # then the answer is remembered, or the first failed: go on
        done: asyncio.Future[None] | None = None
        if memo is not None:  # no await since the check above: no other request got in between
            done = in_flight[memo] = asyncio.get_running_loop().create_future()
        try:
            answer = await run_in_threadpool(session.call, buyer, route.op, payload)
            response, body = _response(session, answer, str(request.base_url).rstrip("/") + route.base)
            if memo is not None and body is not None and answer.status < 300:
                remembered[memo] = (answer.status, body)
        finally:
            if memo is not None and done is not None:  # remembered first: a waiter finds it
                del in_flight[memo]
                done.set_result(None)
        await flush()
        return response

    return endpoint


__all__ = ["Deliverer", "create_app"]
