"""A served world and its session without HTTP, and the header of its trace.

:mod:`lso_sim.serve.server` serves what :func:`new_session` builds; :mod:`lso_sim.serve.replay`
builds the same to re-run a recorded session. Kept apart from the server so that a replay needs
none of the HTTP stack (FastAPI, uvicorn).
"""

from __future__ import annotations

from lso_sim import __version__
from lso_sim.actors.roles import RoleActor
from lso_sim.engine.observers import TraceObserver
from lso_sim.messages.operations import CREATE_PRODUCT_ORDER
from lso_sim.scenarios.schema import Scenario
from lso_sim.serve.chaos import DETOURS, Chaos, detour_orders
from lso_sim.serve.sandbox import ServeRole, build_sandbox
from lso_sim.serve.session import Session
from lso_sim.sonata.api import router_of
from lso_sim.sonata.order import OrderApi
from lso_sim.trace.header import TraceHeader


def sandbox_header(
    scenario: Scenario | None,
    label: str | None,
    role: ServeRole,
    speed: float,
    chaos: frozenset[str],
    chaos_rate: float,
) -> TraceHeader:
    """The header of a session's trace: the scenario and seed, and what a replay needs besides."""
    return TraceHeader(
        scenario=label,
        name=scenario.name if scenario is not None else "sandbox",
        seed=scenario.seed if scenario is not None else 1,
        lso_sim=__version__,
        sandbox={"role": role, "speed": speed, "chaos": sorted(chaos), "chaos_rate": chaos_rate},
    )


def new_session(
    scenario: Scenario | None,
    role: ServeRole,
    observers: list[TraceObserver],
    *,
    speed: float = 1.0,
    chaos: frozenset[str] = frozenset(),
    chaos_rate: float = 0.1,
) -> Session:
    """The served world and its session, without HTTP (what :func:`prepare` serves, and what a
    replay of a session re-runs)."""
    sandbox = build_sandbox(scenario, role, observers)
    session = Session(sandbox, speed=speed)
    if chaos:
        session.chaos = Chaos(chaos, chaos_rate, sandbox.world.sim.random.stream("serve/chaos"))
        if chaos & set(DETOURS):
            orders = _order_api(sandbox.seller)
            if orders is not None:
                detour_orders(orders, session.chaos, session.fault)
    return session


def _order_api(seller: RoleActor) -> OrderApi | None:
    """The product order API installed on ``seller`` (the object behind its create handler)."""
    entry = router_of(seller).routes.get((CREATE_PRODUCT_ORDER.api, CREATE_PRODUCT_ORDER.name))
    api = getattr(entry[1], "__self__", None) if entry is not None else None
    return api if isinstance(api, OrderApi) else None


__all__ = ["new_session", "sandbox_header"]
