"""The ``serve:`` block of a scenario: who may buy from ``lso-sim serve``, by bearer token.

A simulation run ignores it; ``lso-sim serve --scenario S`` serves exactly the buyers it lists
(docs/sandbox.md). A buyer is a token plus the actor it buys as: ``customer`` (a customer of the
scenario, buying over CANTATA from ``--role sp``) and/or ``provider`` (the BUS of a service
provider buying over SONATA from ``--role partner``: the scenario's own BUS-sp by its id, e.g.
``bus-sp``, or a name of its own, which becomes a provider BUS with its own store). Tokens are
secrets a buyer integration is configured with, so the file says them; the loader checks they are
unique and that what they name exists (:func:`check`).
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

TOKEN_PATTERN = r"^[A-Za-z0-9._~+/-]+=*$"
"""RFC 6750's ``b64token``: what may follow ``Bearer`` in an ``Authorization`` header."""
ACTOR_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
"""An actor id as the scenario's derived ids are written (``bus-sp``, ``acme``)."""

ActorName = Annotated[str, Field(min_length=1, max_length=200)]


def _token(value: str) -> str:
    if not re.fullmatch(TOKEN_PATTERN, value):
        raise ValueError("a bearer token: letters, digits and - . _ ~ + /, '=' only at the end")
    return value


def _actor(value: str) -> str:
    if not re.fullmatch(ACTOR_PATTERN, value):
        raise ValueError("an actor id: lower-case letters, digits and - . _ (like bus-other-isp)")
    return value


Token = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_token)]
ProviderName = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_actor)]


class ServeBuyerModel(BaseModel):
    """One buyer of the sandbox: its bearer token and the actor it buys as."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    token: Token
    customer: ActorName | None = None
    """The customer this token buys as, with ``--role sp``."""
    provider: ProviderName | None = None
    """The provider BUS this token buys as, with ``--role partner``."""

    @model_validator(mode="after")
    def _names_an_actor(self) -> ServeBuyerModel:
        if self.customer is None and self.provider is None:
            raise ValueError("'customer' (for --role sp) or 'provider' (for --role partner), or both")
        return self


class ServeModel(BaseModel):
    """The buyers ``lso-sim serve`` accepts for this scenario."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    buyers: list[ServeBuyerModel] = Field(min_length=1, max_length=1000)


def check(serve: ServeModel, customers: set[str], actors: set[str], bus_sp: str) -> tuple[str, str] | None:
    """The first wrong reference of ``serve`` as ``(field path, what was expected)``, or ``None``.

    Args:
        serve: the block.
        customers: the scenario's customer ids.
        actors: every actor id the scenario derives (a new provider BUS must not take one).
        bus_sp: the id of the scenario's own BUS-sp (a provider buyer may be it).
    """
    tokens: set[str] = set()
    providers: set[str] = set()
    for i, buyer in enumerate(serve.buyers):
        if buyer.token in tokens:
            return f"serve.buyers.{i}.token", "a token no other buyer has (it repeats)"
        tokens.add(buyer.token)
        if buyer.customer is not None and buyer.customer not in customers:
            known = ", ".join(sorted(customers))
            return f"serve.buyers.{i}.customer", f"a customer id ({known}), got {buyer.customer!r}"
        if buyer.provider is not None:
            if buyer.provider in providers:
                return f"serve.buyers.{i}.provider", f"one token per provider ({buyer.provider!r} repeats)"
            providers.add(buyer.provider)
            if buyer.provider != bus_sp and buyer.provider in actors | customers:
                return (
                    f"serve.buyers.{i}.provider",
                    f"{bus_sp!r} or a name no actor has ({buyer.provider!r} is taken)",
                )
    return None


__all__ = ["ServeBuyerModel", "ServeModel", "check"]
