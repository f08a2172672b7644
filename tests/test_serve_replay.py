"""A sandbox session can be replayed: its recorded calls re-run at their simulated times, traces compared.

Sessions are driven over real HTTP on loopback (httpx, or the probe, which is an httpx buyer), with
time frozen and moved by the admin endpoint; ``lso-sim replay`` then re-runs them without HTTP.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from serve_helpers import CONTACT, POQ, QUOTE, epl, sdk_or_skip

from lso_sim.cli.main import main
from lso_sim.scenarios import load_scenario
from lso_sim.serve.chaos import parse_kinds
from lso_sim.serve.replay import replay_session
from lso_sim.serve.server import prepare, running

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "sandbox" / "two-buyers.yaml"
SITES = ["demo-buyer-1-site-1", "demo-buyer-1-site-2"]


def by_hand(base: str) -> None:
    """A buyer's session: a qualification and a quote, polled while time moves on; a second buyer."""
    buyer = httpx.Client(base_url=base, headers={"Authorization": "Bearer demo-buyer-1"}, timeout=30)
    item = {"id": "1", "action": "add", "product": epl(SITES)}
    poq = buyer.post(
        POQ,
        json={
            "instantSyncQualification": False,
            "relatedContactInformation": CONTACT,
            "productOfferingQualificationItem": [item],
        },
    ).json()
    httpx.post(f"{base}/admin/advance", params={"seconds": 5400}, timeout=60)
    assert buyer.get(f"{POQ}/{poq['id']}").json()["state"] == "done.ready"
    quote = {
        "instantSyncQuote": False,
        "buyerRequestedQuoteLevel": "firm",
        "relatedContactInformation": CONTACT,
        "quoteItem": [dict(item, qualificationItem={"id": "1", "qualificationId": poq["id"]})],
    }
    assert buyer.post(QUOTE, json=quote).status_code == 201
    other = httpx.Client(base_url=base, headers={"Authorization": "Bearer demo-buyer-2"}, timeout=30)
    assert other.get(f"{POQ}/{poq['id']}").status_code == 404
    assert other.get(POQ, params={"buyerId": "demo-buyer-1"}).status_code == 403  # never reaches the seller
    httpx.post(f"{base}/admin/advance", params={"seconds": 1800}, timeout=60)


def record(
    tmp_path: Path, role: str, chaos: str = "", scenario: Path | None = None, probe: tuple[str, ...] = ()
) -> Path:
    """Serve a session (by hand, or with the probe given ``probe``'s options) into ``session.jsonl``."""
    path = tmp_path / "session.jsonl"
    with path.open("w", encoding="utf-8") as out:
        prepared = prepare(
            load_scenario(scenario) if scenario is not None else None,
            role,  # type: ignore[arg-type]
            sdk_or_skip(),
            speed=0,
            trace=out,
            chaos=parse_kinds(chaos),
            chaos_rate=1.0,
            scenario_label=str(scenario) if scenario is not None else None,
        )
        with running(prepared.app) as base:
            if probe:
                argv = ["probe", "--seller", base, "--advance", "1800", "--report", str(tmp_path)]
                assert main([*argv, *probe]) == 0
            else:
                by_hand(base)
        prepared.close()
    return path


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_the_header_records_what_a_replay_needs(tmp_path: Path) -> None:
    header = lines(record(tmp_path, "sp"))[0]
    assert header["sandbox"] == {"role": "sp", "speed": 0, "chaos": [], "chaos_rate": 1.0}
    assert header["scenario"] is None and header["seed"] == 1


def test_a_session_by_hand_replays_identical(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    trace = record(tmp_path, "sp")
    calls = [r for r in lines(trace) if r.get("kind") == "request" and r.get("src") == "demo-buyer-1"]
    assert [c["operation"] for c in calls] == [
        "createProductOfferingQualification",
        "retrieveProductOfferingQualification",
        "createQuote",
    ]
    assert main(["replay", str(trace)]) == 0
    assert "identical" in capsys.readouterr().out


def test_a_probed_session_with_a_scenario_and_held_detours_replays_identical(tmp_path: Path) -> None:
    probe = ("--token", "wholesale-sp-9b1e", "--scenario", str(SCENARIO))
    trace = record(tmp_path, "partner", "held,pending", SCENARIO, probe)
    faults = [r for r in lines(trace) if r.get("kind") == "fault"]
    assert [f["payload"]["kind"] for f in faults] == ["held"]
    result = replay_session(trace)
    assert result.identical and result.scenario == SCENARIO


@pytest.mark.parametrize(
    ("change", "what"),
    [
        (lambda r: r["payload"]["quoteItem"][0].update(id="2"), "a call's body"),
        (lambda r: r.update(time=r["time"] + 60), "a call's simulated time"),
    ],
)
def test_a_modified_session_diverges(tmp_path: Path, change: Any, what: str) -> None:
    trace = record(tmp_path, "sp")
    records = lines(trace)
    quote = next(r for r in records if r.get("operation") == "createQuote" and r.get("kind") == "request")
    change(quote)
    trace.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert main(["replay", str(trace)]) == 1, what


@pytest.mark.parametrize(
    ("header", "words"),
    [
        ({"chaos": ["409"]}, "chaos 409, drawn per HTTP request"),
        ({"chaos": ["loud"]}, "unknown kinds"),
        ({"role": "broker"}, "role must be partner or sp"),
        ({"speed": "fast"}, "speed must be a number"),
    ],
)
def test_a_session_that_cannot_be_replayed_is_bad_input(
    tmp_path: Path, header: dict[str, Any], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    trace = record(tmp_path, "sp")
    records = lines(trace)
    records[0]["sandbox"].update(header)
    trace.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert main(["replay", str(trace)]) == 2
    err = capsys.readouterr().err
    assert words in err and "session.jsonl" in err and "Traceback" not in err


def test_a_call_from_no_buyer_of_the_sandbox_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trace = record(tmp_path, "sp")
    records = lines(trace)
    call = next(r for r in records if r.get("src") == "demo-buyer-1" and r.get("kind") == "request")
    call.update(src="mallory", instance="mallory/http")
    trace.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert main(["replay", str(trace)]) == 2
    assert "'mallory' is not a buyer of this sandbox" in capsys.readouterr().err


class SteppingClock:
    """A wall clock that moves a little, by an awkward amount, each time it is read: calls then
    come at simulated times between the microseconds a trace keeps, as with a real clock."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 0.0123456789
        return self.now


def test_a_session_served_while_time_runs_replays_identical(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl"
    with path.open("w", encoding="utf-8") as out:
        prepared = prepare(None, "sp", sdk_or_skip(), speed=1000, trace=out)
        clock = SteppingClock()
        prepared.session.clock, prepared.session.started = clock, clock()
        with running(prepared.app) as base:
            argv = ["probe", "--seller", base, "--token", "demo-buyer-1", "--irp", "cantata"]
            argv += ["--advance", "900", "--address", "1 Main Street, Springfield"]
            addresses = ["--address", "9 Harbour Road, Shelbyville"]
            assert main([*argv, *addresses, "--report", str(tmp_path)]) == 0
        prepared.close()
    records = lines(path)[1:-1]
    times = [r["time"] for r in records if r.get("src") == "demo-buyer-1" and r["kind"] == "request"]
    assert any(t != int(t) for t in times)  # the wall clock, not only the admin endpoint, set them
    assert main(["replay", str(path)]) == 0


def test_a_killed_session_is_not_replayed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A server killed before it ended its trace left no end record: nothing to compare with."""
    trace = record(tmp_path, "sp")
    records = lines(trace)
    trace.write_text("".join(json.dumps(r) + "\n" for r in records[:-1]), encoding="utf-8")
    assert main(["replay", str(trace)]) == 2
    assert "no complete end record" in capsys.readouterr().err


def test_sigterm_ends_the_served_trace(tmp_path: Path) -> None:
    """``kill`` (SIGTERM) stops lso-sim serve cleanly: the trace gets its end record."""
    sdk_or_skip()
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        port = probe_socket.getsockname()[1]
    out = tmp_path / "served.jsonl"
    server = subprocess.Popen(
        [sys.executable, "-m", "lso_sim", "serve", "--port", str(port), "--trace-out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(600):  # until it listens (start-up imports FastAPI: seconds on a busy machine)
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.1)
        os.kill(server.pid, signal.SIGTERM)
        assert server.wait(timeout=60) == 0
    finally:
        if server.poll() is None:
            server.kill()
    last = json.loads(out.read_text(encoding="utf-8").splitlines()[-1])
    assert last["record"] == "end" and last["complete"] is True
