"""Options several commands share."""

from __future__ import annotations

import argparse


def add_set_option(parser: argparse.ArgumentParser) -> None:
    """``--set PATH=VALUE`` (repeatable): override a scenario field (lso_sim/scenarios/overrides.py)."""
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        metavar="PATH=VALUE",
        help="override a scenario field, e.g. --set channels.SONATA.latency.mean=0.3 (repeatable)",
    )
