"""Starter of thread 10.1's ``onboarding`` block: one on-boarding instance per partner, and one
instance per later catalog change.

Starting it also makes on-boarding a precondition of 10.2 for the whole run (the partner book is
``required``): an order that needs a partner not on-boarded yet fails its qualification, saying so.
"""

from __future__ import annotations

from lso_sim.actors.world import World
from lso_sim.errors import ScenarioError
from lso_sim.scenarios.schema import Scenario, WorkloadModel
from lso_sim.threads import onboarding
from lso_sim.threads.partners import book_of


def plans(scenario: Scenario, work: WorkloadModel) -> list[onboarding.OnboardingPlan]:
    """The on-boarding plans of a 10.1 workload item.

    Instance ids: ``<partner>/onboarding`` and ``<partner>/catalog-change-<n>``.
    """
    assert work.onboarding is not None, "validated by the schema"
    wholesale = tuple(o.id for o in scenario.offerings if o.wholesale)
    result = []
    for entry in work.onboarding.partners:
        changes = tuple(
            onboarding.CatalogChange(
                f"{entry.partner}/catalog-change-{n}", entry.at + c.after, c.offering, c.status
            )
            for n, c in enumerate(entry.changes, start=1)
        )
        result.append(
            onboarding.OnboardingPlan(
                f"{entry.partner}/onboarding",
                entry.partner,
                entry.at,
                entry.detail,
                tuple(entry.offerings) if entry.offerings is not None else wholesale,
                entry.term_months,
                entry.end_of_term,
                dict(entry.objectives),
                changes,
            )
        )
    return result


def start_onboarding(scenario: Scenario, work: WorkloadModel, world: World) -> None:
    """Thread 10.1: each partner shares its catalog on its terms; BUS-sp on-boards it; changes follow."""
    book_of(world).required = True
    for plan in plans(scenario, work):
        onboarding.share(world, plan)
        world.sim.env.process(world.guarded(onboarding.run(world, plan), plan.instance))
        for change in plan.changes:
            world.sim.env.process(world.guarded(onboarding.change(world, plan, change), change.instance))


def check(scenario: Scenario, index: int, work: WorkloadModel, source: str) -> None:
    """Check what workload item ``index``'s ``onboarding`` block names: partners and offerings."""
    if work.onboarding is None:
        return
    partners = [p.id for p in scenario.partners]
    offerings = [o.id for o in scenario.offerings]
    wholesale = [o.id for o in scenario.offerings if o.wholesale]
    seen: set[str] = set()
    for j, entry in enumerate(work.onboarding.partners):
        where = f"workload.{index}.onboarding.partners.{j}"
        if entry.partner not in partners:
            known = ", ".join(partners) or "none declared under 'partners'"
            raise ScenarioError(source, f"{where}.partner", f"a partner id ({known}), got {entry.partner!r}")
        if entry.partner in seen:
            raise ScenarioError(
                source, f"{where}.partner", f"a partner on-boarded once ({entry.partner!r} repeats)"
            )
        seen.add(entry.partner)
        for k, offering in enumerate(entry.offerings or []):
            if offering not in offerings:
                raise ScenarioError(
                    source,
                    f"{where}.offerings.{k}",
                    f"an offering id ({', '.join(offerings)}), got {offering!r}",
                )
        shared = entry.offerings if entry.offerings is not None else wholesale
        if not shared:
            raise ScenarioError(
                source,
                f"{where}.offerings",
                "offerings the partner shares (the scenario has no wholesale offering)",
            )
        for k, change in enumerate(entry.changes):
            if change.offering not in shared:
                raise ScenarioError(
                    source,
                    f"{where}.changes.{k}.offering",
                    f"an offering the partner shares ({', '.join(shared)}), got {change.offering!r}",
                )
