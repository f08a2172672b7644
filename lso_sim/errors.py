"""Errors raised by lso-sim.

One base class so callers (the CLI above all) can turn any expected failure into a one-line
message and an exit code, and a few named errors whose messages echo the offending value.

Two families matter to the CLI's exit code: :class:`BadInput` (a scenario, trace, golden or
argument the user gave is wrong: exit 2) and everything else (a failure inside lso-sim, even an
:class:`LsoSimError` raised during a run: a bug, exit 3). Keeping them apart is what lets a CI job
tell "my scenario is wrong" from "the simulator crashed".
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


ECHO_LIMIT = 80
"""Characters of a user's value an error message echoes; longer values are cut with an ellipsis."""


def echo(value: object, limit: int = ECHO_LIMIT) -> str:
    """``repr(value)`` cut to ``limit`` characters, so a 1 MB value never becomes a 1 MB error line."""
    try:
        text = repr(value[: limit * 4] if isinstance(value, str | bytes) else value)
    except RecursionError:  # nested thousands deep: say what it is, not what is inside
        return f"a deeply nested {type(value).__name__}"
    if len(text) <= limit:
        return text
    return f"{text[: limit - 3]}... ({_size(value)})"


def clip(text: str, limit: int = 300) -> str:
    """Plain ``text`` cut to about ``limit`` characters: an error line stays a line."""
    return text if len(text) <= limit else f"{text[: limit - 3]}... ({len(text):,} characters)"


def _size(value: object) -> str:
    if isinstance(value, str | bytes | list | tuple | dict):
        return f"{len(value)} {'characters' if isinstance(value, str) else 'items'}"
    return "cut"


class BadInput(LsoSimError):
    """Something the user gave is wrong: a scenario, a trace, a golden, a file path, an argument.

    The CLI prints the message on one line and exits 2. Raise it (or a subclass) only for input
    errors; a failure inside a run is not the user's input and must surface as an internal error.
    """

    def __init__(self, message: str = "", *args: object) -> None:
        super().__init__(message, *args)
        self.message = message


class UsageError(BadInput):
    """Command-line arguments that do not fit together (``--diagram-out`` without ``--diagram``)."""


class TraceError(BadInput):
    """A trace or golden file cannot be read as a trace: bad bytes, bad JSON, a bad record."""


class ScenarioError(BadInput):
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
        LsoSimError.__init__(self, source, field, expected)
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


class UnknownThreadError(BadInput):
    """A thread id that section 10 of MEF 55.0.1 does not define, or that has no implementation."""
