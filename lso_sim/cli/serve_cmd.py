"""``lso-sim serve``: run a simulated seller's MEF product APIs as an HTTP sandbox (docs/sandbox.md).

The HTTP stack (FastAPI, uvicorn, httpx) is the optional ``serve`` extra; it is imported only
when the command runs, so the rest of lso-sim works without it. The MEF SDK is needed at run
time (routes, ``/openapi.json`` and request validation come from MEF's own definitions).
"""

from __future__ import annotations

import argparse
import contextlib
import signal
from pathlib import Path
from typing import IO, Any

from rich.console import Console
from rich.markup import escape

from lso_sim.conformance.sdk import SDK_ENV_VAR, find_sdk
from lso_sim.errors import BadInput
from lso_sim.replay.paths import scenario_label
from lso_sim.scenarios import load_scenario

SDK_HELP = (
    "MEF's public LSO SDK is needed: clone github.com/MEF-GIT/MEF-LSO-Sonata-SDK (and the Legato, "
    f"Interlude and Presto SDKs) into ../shared/mef-lso-sdk, or give --sdk PATH or ${SDK_ENV_VAR}"
)


def add_sdk_arg(parser: argparse.ArgumentParser) -> None:
    """``--sdk PATH`` (default ``$LSO_MEF_SDK`` or ``../shared/mef-lso-sdk``)."""
    parser.add_argument("--sdk", type=Path, metavar="PATH", help="folder of MEF's LSO SDK definitions")


def sdk_path(args: argparse.Namespace) -> Path:
    """The SDK folder the command uses.

    Raises:
        BadInput: none is found; the message says how to obtain MEF's public SDK.
    """
    if args.sdk is not None:
        if not (args.sdk / "sonata").is_dir():
            raise BadInput(f"--sdk {args.sdk}: not an MEF LSO SDK folder (no sonata/ inside). {SDK_HELP}")
        return Path(args.sdk)
    found = find_sdk()
    if found is None:
        raise BadInput(f"the MEF LSO SDK was not found. {SDK_HELP}")
    return found


def add_parser(sub: Any) -> None:
    """Register ``serve`` on ``sub`` (an argparse sub-parsers action)."""
    parser = sub.add_parser("serve", help="serve a simulated seller's MEF APIs over HTTP (a sandbox)")
    parser.add_argument(
        "--role",
        choices=("partner", "sp"),
        default="partner",
        help="partner: a partner's SONATA APIs; sp: the SP's CANTATA APIs (default partner)",
    )
    parser.add_argument("--scenario", type=Path, metavar="S", help="scenario file (default: the demo world)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=8080, help="port (default 8080; 0: any free port)")
    parser.add_argument(
        "--speed",
        type=_speed,
        default=1.0,
        metavar="X",
        help="simulated seconds per wall second (default 1; 0 freezes time but for POST /admin/advance)",
    )
    parser.add_argument("--trace-out", type=Path, metavar="FILE", help="write the session's trace to FILE")
    parser.add_argument(
        "--chaos",
        default="",
        metavar="KINDS",
        help="opt-in chaos: late,duplicate,lost-notification,409,503,held,pending (docs/sandbox.md#chaos)",
    )
    parser.add_argument(
        "--chaos-rate", type=_rate, default=0.1, metavar="R", help="chance of each chaos act (default 0.1)"
    )
    add_sdk_arg(parser)


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"a port number 0-65535, got {text[:20]!r}")
    return int(text)


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a probability between 0 and 1, got {text[:20]!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"a probability between 0 and 1, got {text[:20]!r}")
    return value


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"a number of simulated seconds per second, got {text[:20]!r}"
        ) from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"a finite speed >= 0, got {text[:20]!r}")
    return value


def run(args: argparse.Namespace, console: Console) -> int:
    """Build the sandbox, print how to use it, serve until Ctrl-C."""
    try:
        import uvicorn

        from lso_sim.serve.server import prepare
    except ImportError as exc:
        raise BadInput(
            f"lso-sim serve needs the 'serve' extra ({exc.name} is missing): pip install 'lso-sim[serve]'"
        ) from None
    from lso_sim.serve.chaos import describe, parse_kinds

    try:
        chaos = parse_kinds(args.chaos)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    # The user's own input first: a wrong scenario is named even where the SDK is missing.
    scenario = load_scenario(args.scenario) if args.scenario is not None else None
    sdk = sdk_path(args)
    label = None if args.scenario is None else scenario_label(args.scenario, args.trace_out)
    with contextlib.ExitStack() as stack:
        trace: IO[str] | None = None
        if args.trace_out is not None:
            trace = stack.enter_context(open(args.trace_out, "w", encoding="utf-8"))
        try:
            prepared = prepare(
                scenario,
                args.role,
                sdk,
                speed=args.speed,
                trace=trace,
                chaos=chaos,
                chaos_rate=args.chaos_rate,
                scenario_label=label,
            )
        except ValueError as exc:
            raise BadInput(f"{args.scenario}: {exc}" if args.scenario is not None else str(exc)) from None
        stack.callback(prepared.close)
        sandbox = prepared.session.sandbox
        host = f"[{args.host}]" if ":" in args.host else args.host
        console.print(
            f"lso-sim sandbox: {escape(sandbox.seller.id)} ({args.role}) at http://{host}:{args.port}"
        )
        console.print(
            f"  speed {args.speed:g} simulated s per s; POST /admin/advance?seconds=N moves time on"
        )
        console.print(f"  {describe(chaos, args.chaos_rate)}")
        console.print(f"  {len(prepared.routes)} MEF operations, listed at /openapi.json; for example:")
        for route in [r for r in prepared.routes if r.op.name.startswith("create")][:4]:
            console.print(f"    {route.method} {escape(route.path)}")
        console.print("  buyers (Authorization: Bearer <token>):")
        for token, actor in sandbox.buyers.items():
            console.print(f"    {escape(token)}  ({escape(actor.id)})")
        # uvicorn re-raises the signal that stopped it once it has shut down; SIGTERM's default
        # action would then kill the process before the trace gets its end record. Turned into a
        # clean exit, it unwinds through the ExitStack above, which closes the session.
        previous = signal.signal(signal.SIGTERM, _stop)
        try:
            uvicorn.run(prepared.app, host=args.host, port=args.port, log_level="warning")
        finally:
            signal.signal(signal.SIGTERM, previous)
    return 0


def _stop(signum: int, frame: object) -> None:
    raise SystemExit(0)


__all__ = ["SDK_HELP", "add_parser", "add_sdk_arg", "run", "sdk_path"]
