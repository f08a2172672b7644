"""lso-sim probe: full conformance against lso-sim serve; a broken seller is caught and named.

The broken sellers are the sandbox behind a middleware that spoils its answers the way a faulty
implementation would: an order that jumps to a state MEF does not allow after the one it was in,
a qualification answered without its required ``state``, the hub told twice. The probe must exit
1 and name the check. Time moves by the sandbox's admin endpoint (``--advance``): no sleeps.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from serve_helpers import sdk_or_skip
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import Response

from lso_sim.cli.main import main
from lso_sim.probe.checks import MACHINES, contradicted, hub_problems, illegal_steps, reachable
from lso_sim.serve.server import prepare, running

Spoil = Callable[[str, str, Any], Any]
"""(method, path, JSON body) -> the body the broken seller answers instead."""


def spoil_order_state(method: str, path: str, body: Any) -> Any:
    """A completed order is reported as back in ``acknowledged`` (illegal after inProgress)."""
    if (
        method == "GET"
        and "/productOrder/" in path
        and isinstance(body, dict)
        and body.get("state") == "completed"
    ):
        return dict(body, state="acknowledged")
    return body


def drop_poq_state(method: str, path: str, body: Any) -> Any:
    """A POQ answered without its required ``state``."""
    if method == "POST" and path.endswith("/productOfferingQualification") and isinstance(body, dict):
        return {k: v for k, v in body.items() if k != "state"}
    return body


def broken(app: Any, spoil: Spoil) -> Any:
    async def middleware(request: Request, call_next: Callable[[Request], Awaitable[Any]]) -> Response:
        response = await call_next(request)
        raw = b"".join([chunk async for chunk in response.body_iterator])
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            return Response(raw, status_code=response.status_code, media_type=response.media_type)
        changed = spoil(request.method, request.url.path, body)
        out = json.dumps(changed).encode() if changed is not None else raw
        return Response(out, status_code=response.status_code, media_type="application/json")

    app.add_middleware(BaseHTTPMiddleware, dispatch=middleware)
    return app


@pytest.fixture
def seller(request: pytest.FixtureRequest) -> Iterator[str]:
    prepared = prepare(None, "partner", sdk_or_skip(), speed=0)
    spoil: Spoil | None = getattr(request, "param", None)
    app = broken(prepared.app, spoil) if spoil is not None else prepared.app
    with running(app) as base:
        yield base


def probe(base: str, report: Path | None = None) -> int:
    argv = ["probe", "--seller", base, "--token", "demo-buyer-1", "--advance", "3600"]
    return main(argv + (["--report", str(report)] if report else []))


def test_the_probe_finds_the_sandbox_fully_conformant(seller: str, tmp_path: Path) -> None:
    assert probe(seller, tmp_path) == 0
    report = json.loads((tmp_path / "probe.json").read_text())
    assert report["conformant"] and not report["violations"]
    checks = {f["check"] for f in report["findings"]}
    assert {"schema", "transitions", "hub-once", "stable-ids", "idempotent-resend", "error-model"} <= checks
    assert report["states"] and all(
        s[-1] in ("done.ready", "approved.orderable", "completed", "resolved")
        for s in report["states"].values()
    )
    assert "conformant" in (tmp_path / "probe.html").read_text()


@pytest.mark.parametrize(
    ("seller", "check", "words"),
    [
        (spoil_order_state, "transitions", "-> acknowledged"),
        (drop_poq_state, "schema", "'state' is a required property"),
    ],
    indirect=["seller"],
)
def test_a_broken_seller_is_named_and_exits_1(seller: str, check: str, words: str, tmp_path: Path) -> None:
    assert probe(seller, tmp_path) == 1
    violations = json.loads((tmp_path / "probe.json").read_text())["violations"]
    assert any(v["check"] == check and words in v["detail"] for v in violations), violations


def test_a_refused_token_is_bad_input_not_a_verdict_on_the_seller(
    seller: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["probe", "--seller", seller, "--token", "nobody", "--advance", "3600"]) == 2
    err = capsys.readouterr().err
    assert "refused the token (401" in err and "--token" in err


# -- the checks alone ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "states", "illegal"),
    [
        ("productOrder", ["acknowledged", "completed"], []),  # polls miss inProgress: reachable
        ("productOrder", ["inProgress", "acknowledged"], ["inProgress -> acknowledged"]),
        ("productOrder", ["completed", "inProgress"], ["completed -> inProgress"]),
        ("quote", ["acknowledged", "approved.orderable", "accepted"], []),
        (
            "productOfferingQualification",
            ["acknowledged", "done"],
            ["'done' is not a productOfferingQualification state"],
        ),
    ],
)
def test_transitions_are_judged_by_reachability_in_mefs_machine(
    kind: str, states: list[str], illegal: list[str]
) -> None:
    assert illegal_steps(kind, states) == illegal


def test_every_state_reaches_itself_and_final_states_nothing_else() -> None:
    machine = MACHINES["productOrder"]
    for state in machine.states:
        assert reachable(machine, state, state)
        if machine.is_final(state):
            assert not any(reachable(machine, state, other) for other in machine.states - {state})


def test_the_hub_must_tell_each_change_once_and_the_end() -> None:
    def event(n: int, state: str) -> dict[str, Any]:
        return {"eventId": f"e{n}", "event": {"id": "o", "state": state}}

    assert hub_problems("completed", [event(1, "inProgress"), event(2, "completed")]) == []
    detour = [
        event(1, "inProgress"),
        event(2, "held.assessingCharge"),
        event(3, "inProgress"),
        event(4, "completed"),
    ]
    assert hub_problems("completed", detour) == []
    assert hub_problems("completed", [event(1, "completed"), event(2, "completed")]) == [
        "state(s) completed announced twice in a row"
    ]
    assert hub_problems("completed", [event(1, "inProgress")]) == [
        "the final state completed was never announced"
    ]
    assert hub_problems("completed", [event(1, "completed"), event(1, "completed")]) == [
        "event(s) e1 heard more than once"
    ]


def test_a_poll_may_not_go_back_behind_what_the_hub_already_said() -> None:
    timeline = [
        ("poll", "acknowledged"),
        ("hub", "inProgress"),
        ("hub", "completed"),
        ("poll", "acknowledged"),
    ]
    assert contradicted("productOrder", timeline) == [
        "inProgress (hub) -> acknowledged (poll)",
        "completed (hub) -> acknowledged (poll)",
    ]
    # A late event after a poll is not held against the poll.
    assert contradicted("productOrder", [("poll", "completed"), ("hub", "inProgress")]) == []
