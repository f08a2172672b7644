"""Security in a scenario (thread 10.8): the top-level ``security`` block, and the ``probes``
block of a 10.8 workload item.

``security`` turns access control off (``enabled: false``) or gives parties' credentials an
expiry or a revocation time; ``probes`` are requests parties send to show what is refused.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

Seconds = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Name = Annotated[str, Field(min_length=1, max_length=200)]


class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CredentialModel(_Block):
    """The terms of one actor's credential (actor ids as ``lso-sim architecture`` shows them)."""

    actor: Name
    expires: Seconds | None = None
    revoked: Seconds | None = None


class SecurityModel(_Block):
    """Access control on every IRP, in every thread."""

    enabled: bool = True
    credentials: list[CredentialModel] = Field(default_factory=list, max_length=10_000)


class ProbeModel(_Block):
    """One request a party sends (an instance ``security/probe-<n>``)."""

    at: Seconds = 0.0
    sender: Name
    receiver: Name
    operation: Name
    api: Name | None = None
    """The MEF API of the operation, when several define it (``registerListener``...)."""
    body: dict[str, Any] = Field(default_factory=dict)


class ProbesModel(_Block):
    """The ``probes`` block of a 10.8 workload item."""

    requests: list[ProbeModel] = Field(min_length=1, max_length=10_000)
