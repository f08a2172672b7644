"""The ``faults:`` block of a scenario: one entry per injected fault, told apart by ``kind``.

Every fault says when it is open, in one of three ways: ``at`` (from that second on, for the rest
of the run), ``start``/``end`` (a window; ``end`` left out: to the end of the run) or neither (the
whole run). Faults that act on opportunities (a message, an order, a test) hit each one with their
``probability`` (``loss`` for a channel), drawn from the fault's own seeded stream.
docs/scenario-format.md documents the block for users and docs/faults.md what each kind does;
:mod:`lso_sim.scenarios.faults` checks what a fault names and installs it in a world.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from lso_sim.architecture.roles import Irp

FAULT_KINDS = ("channel", "actor_down", "order_rejection", "test_failure", "element_down", "link_down")
"""The ``kind`` of each fault model, in the order docs/faults.md presents them."""

Seconds = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Probability = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Name = Annotated[str, Field(min_length=1, max_length=200)]


class _Timed(BaseModel):
    """When a fault is open: ``at``, or ``start`` and ``end``, or (neither) the whole run."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    at: Seconds | None = None
    start: Seconds | None = None
    end: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None

    @model_validator(mode="after")
    def _one_timing(self) -> _Timed:
        if self.at is not None and (self.start is not None or self.end is not None):
            raise ValueError("give 'at' (from then on) or 'start'/'end' (a window), not both")
        if self.end is not None and self.end <= (self.start or 0.0):
            raise ValueError(f"end ({self.end:g}) must be after start ({self.start or 0.0:g})")
        return self

    @property
    def window(self) -> tuple[float, float | None]:
        """``(start, end)`` in simulated seconds; ``end`` is ``None`` for a fault that never ends."""
        if self.at is not None:
            return self.at, None
        return self.start or 0.0, self.end


class ChannelFaultModel(_Timed):
    """Loss or a latency spike on the links of one IRP (narrowed to an actor pair or a domain)."""

    kind: Literal["channel"]
    irp: Irp
    between: tuple[Name, Name] | None = None
    towards: Name | None = None
    loss: Probability = 0.0
    delay: Seconds = 0.0
    jitter: Seconds = 0.0

    @model_validator(mode="after")
    def _does_something(self) -> ChannelFaultModel:
        if not (self.loss or self.delay or self.jitter):
            raise ValueError("a channel fault needs 'loss', 'delay' or 'jitter' above 0")
        if self.between is not None and self.towards is not None:
            raise ValueError("narrow a channel fault with 'between' or 'towards', not both")
        if self.between is not None and self.between[0] == self.between[1]:
            raise ValueError("'between' names two different actors")
        return self


class ActorDownFaultModel(_Timed):
    """An actor down: arriving messages are discarded (``timeout``) or requests refused (``refuse``)."""

    kind: Literal["actor_down"]
    actor: Name
    mode: Literal["timeout", "refuse"] = "timeout"


class OrderRejectionFaultModel(_Timed):
    """A partner's BUS rejecting product orders (each with ``probability``) after acknowledging them."""

    kind: Literal["order_rejection"]
    partner: Name
    probability: Probability = 1.0
    reason: Name = "the seller rejected the order"


class FailingTestFaultModel(_Timed):
    """Activation tests failing (each NE test with ``probability``), on one NE, one domain or all."""

    kind: Literal["test_failure"]
    ne: Name | None = None
    domain: Name | None = None
    probability: Probability = 1.0

    @model_validator(mode="after")
    def _one_scope(self) -> FailingTestFaultModel:
        if self.ne is not None and self.domain is not None:
            raise ValueError("give 'ne' or 'domain' (or neither: every element), not both")
        return self


class ElementDownFaultModel(_Timed):
    """A network element failing: new paths avoid it, services through it lose all traffic."""

    kind: Literal["element_down"]
    ne: Name


class LinkDownFaultModel(_Timed):
    """A link between two NEs failing: new paths avoid it, services over it lose all traffic."""

    kind: Literal["link_down"]
    a: Name
    b: Name


FaultModel = Annotated[
    ChannelFaultModel
    | ActorDownFaultModel
    | OrderRejectionFaultModel
    | FailingTestFaultModel
    | ElementDownFaultModel
    | LinkDownFaultModel,
    Field(discriminator="kind"),
]
"""One entry of ``faults:``."""
