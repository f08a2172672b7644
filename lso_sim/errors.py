"""Errors raised by lso-sim.

One base class so callers (the CLI above all) can turn any expected failure into a one-line
message and an exit code, and a few named errors whose messages echo the offending value.
"""

from __future__ import annotations

from collections.abc import Iterable


class LsoSimError(Exception):
    """Base class of every error lso-sim raises on purpose."""


class ScenarioError(LsoSimError):
    """A scenario file (or scenario data) is malformed.

    Args:
        source: the file (or a label such as ``<thread 10.2>``) the scenario came from.
        field: dotted path to the offending field, e.g. ``channels.LEGATO.latency.mean``.
        expected: what was expected there, in words.
    """

    def __init__(self, source: str, field: str, expected: str) -> None:
        self.source = source
        self.field = field
        self.expected = expected
        where = f"{source}: {field}" if field else source
        super().__init__(f"{where}: {expected}")


class IrpViolation(LsoSimError):
    """Two actors exchanged a message although no Interface Reference Point joins them."""

    def __init__(self, src: str, dst: str, src_irps: Iterable[str], dst_irps: Iterable[str]) -> None:
        self.src = src
        self.dst = dst
        src_list = ", ".join(sorted(set(src_irps))) or "none"
        dst_list = ", ".join(sorted(set(dst_irps))) or "none"
        super().__init__(
            f"no IRP joins {src!r} and {dst!r}: {src!r} has {src_list}; {dst!r} has {dst_list}"
        )


class ProtocolError(LsoSimError):
    """An entity was asked to make a transition its state machine does not allow."""

    def __init__(self, entity: str, state: str, target: str, allowed: Iterable[str]) -> None:
        self.entity = entity
        self.state = state
        self.target = target
        allowed_list = ", ".join(sorted(allowed)) or "none"
        super().__init__(f"{entity}: cannot go from {state!r} to {target!r} (allowed: {allowed_list})")


class UnknownThreadError(LsoSimError):
    """A thread id that section 10 of MEF 55.0.1 does not define, or that has no implementation."""
