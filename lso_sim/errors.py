"""Errors raised by lso-sim.

One base class so callers (the CLI above all) can turn any expected failure into a one-line
message and an exit code, and a few named errors whose messages echo the offending value.
"""

from __future__ import annotations

from collections.abc import Iterable


class LsoSimError(Exception):
    """Base class of every error lso-sim raises on purpose.

    Subclasses keep their constructor arguments as ``args`` and their text in ``message``: simpy
    re-creates an exception as ``type(exc)(*exc.args)`` when it passes a failure from one process
    to another, so every error must be rebuildable from its ``args``.
    """

    message: str = ""

    def __str__(self) -> str:
        return self.message or super().__str__()


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
        super().__init__(source, field, expected)
        self.message = f"{where}: {expected}"


class IrpViolation(LsoSimError):
    """Two actors exchanged a message although no Interface Reference Point joins them."""

    def __init__(self, src: str, dst: str, src_irps: Iterable[str], dst_irps: Iterable[str]) -> None:
        src_irps, dst_irps = tuple(src_irps), tuple(dst_irps)
        super().__init__(src, dst, src_irps, dst_irps)
        self.src = src
        self.dst = dst
        src_list = ", ".join(sorted(set(src_irps))) or "none"
        dst_list = ", ".join(sorted(set(dst_irps))) or "none"
        self.message = f"no IRP joins {src!r} and {dst!r}: {src!r} has {src_list}; {dst!r} has {dst_list}"


class ProtocolError(LsoSimError):
    """An entity was asked to make a transition its state machine does not allow."""

    def __init__(self, entity: str, state: str, target: str, allowed: Iterable[str]) -> None:
        allowed = tuple(sorted(allowed))
        super().__init__(entity, state, target, allowed)
        self.entity = entity
        self.state = state
        self.target = target
        self.message = (
            f"{entity}: cannot go from {state!r} to {target!r} (allowed: {', '.join(allowed) or 'none'})"
        )


class UnknownThreadError(LsoSimError):
    """A thread id that section 10 of MEF 55.0.1 does not define, or that has no implementation."""
