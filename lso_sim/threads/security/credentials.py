"""Credentials of the parties (thread 10.8): one per actor, issued when the world is built.

Every actor holds a credential naming it, its management domain and its role. A scenario may
give a credential an expiry time or revoke it at a time; from then on the actor's requests are
refused with a ``401`` (MEF ``invalidCredentials``) by whoever receives them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Credential:
    """One party's credential.

    Attributes:
        holder: the actor id it was issued to (fixed once issued).
        domain: the holder's management domain.
        role: the holder's role (``Customer``, ``BUS-sp``...).
        expires: simulated time it stops being valid (``None``: never).
        revoked: simulated time it was revoked (``None``: not revoked).
        token: the credential's id: what a request presents (``Authorization: Bearer <id>``) and
            the trace shows; the secret behind it is never modelled, so it can never leak into a
            trace.
        authorization: the ``auth`` envelope field of this holder's requests.

    ``token`` and ``authorization`` are made once, when the credential is issued: every request
    of a run carries one and every arrival is checked against one.
    """

    holder: str
    domain: str
    role: str
    expires: float | None = None
    revoked: float | None = None
    token: str = field(init=False, repr=False, compare=False)
    authorization: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.token = f"cred-{self.holder}"
        self.authorization = f"Bearer {self.token}"

    def problem(self, now: float) -> str | None:
        """Why the credential is not valid at ``now`` (``None`` when it is)."""
        if self.revoked is not None and now >= self.revoked:
            return f"the credential of {self.holder} was revoked at {self.revoked:g} s"
        if self.expires is not None and now >= self.expires:
            return f"the credential of {self.holder} expired at {self.expires:g} s"
        return None
