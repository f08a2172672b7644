"""Workload items with an ``api_script``: checked when the scenario loads, started before the run.

:func:`check` finds, before anything runs, every problem a script can have without a run: an
unknown buyer or seller, a ``call`` no seller serves, a ``${name...}`` reference to a response that
no earlier step saves, a ``wait_for`` of an unknown event or without a hub to hear it. Each is a
:class:`~lso_sim.errors.ScenarioError` with the field path (``workload.0.api_script.3.with.
productOrderItem.0.quoteItem.quoteId``). What a seller thinks of a request is *not* checked: a
request it refuses reaches it, and its MEF error is in the trace.

:func:`start` turns the item into a :class:`~lso_sim.threads.script.Script` (instances
``<buyer>/script-<item number>``, item numbers from 1 as in ``<customer>/order-<n>``);
the builder installs the threads whose sellers it calls (10.5 for tickets, 10.7 for bills).
"""

from __future__ import annotations

from typing import NoReturn

from lso_sim.actors.roles import RoleActor
from lso_sim.actors.world import World
from lso_sim.errors import ScenarioError
from lso_sim.scenarios.build import actor_ids
from lso_sim.scenarios.schema import Scenario, ScriptCallModel, WorkloadModel
from lso_sim.threads import script as api
from lso_sim.threads.script.references import ReferenceSyntaxError, dotted

PROVIDER = "provider"
"""What a step's ``seller`` says for the service provider's BUS."""


def _buyers(scenario: Scenario) -> dict[str, list[str]]:
    """Buyer name -> the sellers it may call (``provider`` or partner ids), first one the default."""
    buyers: dict[str, list[str]] = {c.id: [PROVIDER] for c in scenario.customers}
    buyers[f"bus-{scenario.provider.id}"] = [p.id for p in scenario.partners]
    return buyers


def check(scenario: Scenario, index: int, work: WorkloadModel, source: str) -> None:
    """Check workload item ``index``'s ``api_script`` (see the module docstring)."""
    if work.api_script is None:
        return
    buyers = _buyers(scenario)
    saved: dict[str, int] = {}
    """Name -> the step that saves it."""
    for j, step in enumerate(work.api_script):
        if step.save_as is not None:
            if step.save_as in saved:
                where = f"workload.{index}.api_script.{j}.save_as"
                raise ScenarioError(
                    source, where, f"a new name ({step.save_as!r} is saved by step {saved[step.save_as]})"
                )
            saved[step.save_as] = j
    buyer: str | None = None
    seller: str | None = None
    hubs: set[tuple[str, str, str]] = set()
    """(buyer, seller, management API) with a registerListener call so far."""
    for j, step in enumerate(work.api_script):
        at = f"workload.{index}.api_script.{j}"

        def fail(field: str, expected: str, at: str = at) -> NoReturn:
            raise ScenarioError(source, f"{at}.{field}" if field else at, expected)

        if step.buyer is not None:
            if step.buyer not in buyers:
                fail(
                    "buyer",
                    f"a customer id or bus-{scenario.provider.id} ({', '.join(buyers)}), got {step.buyer!r}",
                )
            buyer, seller = step.buyer, None
        if buyer is None:
            fail("buyer", "a buyer: the first step must name one (later steps default to the previous buyer)")
        assert buyer is not None
        sellers = buyers[buyer]
        if step.seller is not None:
            if step.seller not in sellers:
                fail(
                    "seller",
                    f"a seller {buyer} buys from ({', '.join(sellers) or 'none: no partners'}), "
                    f"got {step.seller!r}",
                )
            seller = step.seller
        elif step.buyer is not None or seller is None:
            if len(sellers) != 1:
                fail("seller", f"a seller: {buyer} buys from {', '.join(sellers) or 'no one (no partners)'}")
            seller = sellers[0]
        visible = {name for name, k in saved.items() if k < j}
        if step.call is not None:
            try:
                op = api.resolve(step.call)
            except ValueError as exc:
                fail("call", str(exc))
            if op.name == "registerListener":
                hubs.add((buyer, str(seller), str(op.api)))
            _check_references(step.with_, ("with",), visible, saved, at, source)
        if step.wait_for is not None:
            _check_wait(
                step,
                buyer,
                str(seller),
                hubs,
                visible | ({step.save_as} if step.save_as else set()),
                saved,
                at,
                source,
            )


def _check_references(
    value: object, path: tuple[str, ...], visible: set[str], saved: dict[str, int], at: str, source: str
) -> None:
    try:
        found = list(api.references_in(value, path))
    except ReferenceSyntaxError as exc:
        raise ScenarioError(source, f"{at}.{dotted(exc.path)}", exc.reason) from None
    for where, reference in found:
        if reference.name in visible:
            continue
        field = f"{at}.{dotted(where)}"
        if reference.name in saved:
            expected = (
                f"a response saved before this step: {reference.text} is saved by step "
                f"{saved[reference.name]}, which runs later"
            )
        else:
            names = ", ".join(sorted(visible)) or "none yet"
            expected = f"a name an earlier step saves with save_as ({names}), got {reference.text}"
        raise ScenarioError(source, field, expected)


def _check_wait(
    step: ScriptCallModel,
    buyer: str,
    seller: str,
    hubs: set[tuple[str, str, str]],
    visible: set[str],
    saved: dict[str, int],
    at: str,
    source: str,
) -> None:
    wait = step.wait_for
    assert wait is not None
    events = api.seller_events()
    if wait.event not in events:
        raise ScenarioError(
            source,
            f"{at}.wait_for.event",
            f"an event a seller sends ({', '.join(sorted(events))}), got {wait.event!r}",
        )
    management = api.hub_api(wait.event)
    if (buyer, seller, management) not in hubs:
        raise ScenarioError(
            source,
            f"{at}.wait_for.event",
            f"a hub to hear it: an earlier step where {buyer} calls {management}:registerListener "
            f"at {seller}",
        )
    _check_references(wait.of, ("wait_for", "of"), visible, saved, at, source)


def start(scenario: Scenario, work: WorkloadModel, world: World) -> None:
    """Start the item's script (called before the clock runs; the loader has checked it)."""
    if work.api_script is None:
        return
    index = scenario.workload.index(work)
    bus = actor_ids(scenario)["bus"]
    steps: list[api.ScriptStep] = []
    buyer = seller = ""
    for step in work.api_script:
        if step.buyer is not None:
            buyer, seller = step.buyer, ""
        sellers = _buyers(scenario)[buyer]
        if step.seller is not None:
            seller = step.seller
        elif not seller:
            seller = sellers[0]
        wait = step.wait_for
        steps.append(
            api.ScriptStep(
                buyer=buyer,
                seller=bus[scenario.provider.id if seller == PROVIDER else seller],
                op=api.resolve(step.call) if step.call is not None else None,
                request=step.with_ if step.with_ is not None else {},
                at=step.at,
                save_as=step.save_as,
                wait_for=api.WaitFor(wait.event, wait.of, wait.state, wait.timeout) if wait else None,
            )
        )
    script = api.Script(index + 1, tuple(steps), f"workload.{index}.api_script")
    for name in sorted({s.buyer for s in steps}):
        actor = world.sim.actor(name)
        assert isinstance(actor, RoleActor)
        api.listen_for_script(actor)
    world.sim.env.process(world.guarded(api.run(world, script)))


__all__ = ["PROVIDER", "check", "start"]
