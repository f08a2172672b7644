"""``lso-sim probe``: play the buyer against a seller over HTTP and judge its behaviour over time.

Exit codes: 0 conformant, 1 a violation (the table names it), 2 bad input (no SDK, the seller
cannot be reached). Needs the ``serve`` extra (httpx) and MEF's SDK (every answer is validated
against MEF's definitions).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from lso_sim.cli.serve_cmd import add_sdk_arg, sdk_path
from lso_sim.errors import BadInput
from lso_sim.probe.plan import Plan, PlanError, default_plan, plan_of
from lso_sim.scenarios import load_scenario


def add_parser(sub: Any) -> None:
    """Register ``probe`` on ``sub`` (an argparse sub-parsers action)."""
    parser = sub.add_parser("probe", help="check a Sonata seller over HTTP: states over time, hub, ids")
    parser.add_argument("--seller", required=True, metavar="URL", help="the seller's base URL")
    parser.add_argument("--token", required=True, metavar="T", help="bearer token of the buyer to play")
    parser.add_argument(
        "--irp", choices=("sonata", "cantata"), default="sonata", help="MEF base paths to use"
    )
    parser.add_argument(
        "--address",
        action="append",
        metavar="LINE",
        help="an address to order at, '<number> <street>, <city>' (repeat for two ends; "
        "default: the demo sandbox's partner site; over cantata its first buyer's two sites)",
    )
    parser.add_argument(
        "--scenario",
        type=Path,
        metavar="S",
        help="order what the scenario's first 10.2 order says: its sites' addresses, offering, bandwidth",
    )
    parser.add_argument("--report", type=Path, metavar="DIR", help="write probe.json and probe.html into DIR")
    parser.add_argument(
        "--advance",
        type=float,
        metavar="SECONDS",
        help="between polls, move an lso-sim sandbox's time on by SECONDS (POST /admin/advance)",
    )
    parser.add_argument(
        "--poll-interval", type=float, default=5.0, metavar="S", help="wall seconds between polls"
    )
    parser.add_argument(
        "--max-polls", type=int, default=200, metavar="N", help="polls per resource (default 200)"
    )
    parser.add_argument(
        "--listen", default="127.0.0.1:0", metavar="HOST:PORT", help="where the hub listener runs"
    )
    parser.add_argument(
        "--callback",
        metavar="URL",
        help="callback URL to register, when the seller reaches us by another name",
    )
    add_sdk_arg(parser)


def run(args: argparse.Namespace, console: Console) -> int:
    """Probe the seller, print the table, write the reports; 1 when anything was violated."""
    try:
        import httpx

        from lso_sim.conformance.index import load_index
        from lso_sim.probe import report
        from lso_sim.probe.listener import listening
        from lso_sim.probe.run import ProbeOptions, TokenRefused, probe
    except ImportError as exc:
        raise BadInput(
            f"lso-sim probe needs the 'serve' extra ({exc.name} is missing): pip install 'lso-sim[serve]'"
        ) from None
    plan = _plan(args)
    host, _, port = args.listen.rpartition(":")
    if not host or not port.isdigit():
        raise BadInput(f"--listen {args.listen!r}: expected HOST:PORT")
    index = load_index(sdk_path(args))
    options = ProbeOptions(
        seller=args.seller,
        token=args.token,
        irp=args.irp,
        addresses=tuple(args.address or plan.addresses),
        bandwidth=plan.bandwidth,
        offering=plan.offering,
        advance=args.advance,
        poll_interval=args.poll_interval,
        max_polls=args.max_polls,
    )
    try:
        with listening(host, int(port), args.callback) as heard:
            result = probe(options, index, heard)
    except httpx.HTTPError as exc:
        raise BadInput(f"cannot talk to the seller at {args.seller}: {exc}") from None
    except TokenRefused as exc:
        raise BadInput(f"{exc}: check --token") from None
    except OSError as exc:
        raise BadInput(f"cannot listen on {args.listen}: {exc}") from None
    console.print(report.table(result))
    if args.report is not None:
        for path in report.write(result, args.report):
            console.print(f"wrote {escape(str(path))}")
    violations = result.findings.violations
    if violations:
        first = violations[0]
        console.print(
            f"[red]{len(violations)} violation(s)[/red]; first: {escape(first.check)}: {escape(first.detail)}"
        )
        return 1
    console.print("[green]conformant[/green]: every check held")
    return 0


def _plan(args: argparse.Namespace) -> Plan:
    """What to order: the scenario's first order (``--address`` still wins), else the defaults.

    Raises:
        BadInput: the scenario is malformed or has nothing the probe can order (file and field named).
    """
    if args.scenario is None:
        return default_plan(args.irp)
    scenario = load_scenario(args.scenario)
    try:
        return plan_of(scenario, args.irp)
    except PlanError as exc:
        raise BadInput(f"{args.scenario}: {exc}") from None


__all__ = ["add_parser", "run"]
