"""Channels per link: which setting of a scenario's ``channels`` block each IRP link gets.

Four levels, the most specific winning:

1. ``channels.default``: every IRP without an entry of its own;
2. ``channels.<IRP>``: every link of that IRP (it replaces ``default`` whole, as it always has);
3. ``channels.<IRP>.towards.<domain>``: the IRP's links with one end in that domain;
4. ``channels.<IRP>.between[]``: the one link between two actors.

A ``towards`` or ``between`` entry replaces only the fields it writes (``latency``, ``loss``,
``capacity``); the others keep the level below. When both ends of a link are in domains that
``towards`` names, the entries apply in the order the file writes them, the later one winning.
The same words select links as a channel fault's ``towards`` and ``between`` (docs/faults.md).

:func:`check` runs at load time, so a domain or actor pair that selects no link is a located
scenario error; :func:`link_settings` gives every link's effective setting (``lso-sim
architecture`` shows them) and :func:`link_specs` the engine specs of the links that differ from
their IRP's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lso_sim.architecture.model import Architecture
from lso_sim.architecture.roles import Irp
from lso_sim.engine.channel import ChannelSpec
from lso_sim.engine.distributions import Constant, Distribution, Exponential, LogNormal, Uniform
from lso_sim.errors import ScenarioError
from lso_sim.scenarios.schema import (
    CHANNEL_FIELDS,
    ChannelModel,
    DistributionSpec,
    LinkChannelModel,
    Scenario,
)


@dataclass(frozen=True, slots=True)
class LinkSetting:
    """The effective channel setting of one IRP link.

    Attributes:
        irp: the link's IRP.
        ends: the two actor ids, sorted.
        latency: one-way transit time.
        loss: probability a message is lost.
        capacity: messages in transit at once (``None``: unlimited).
        source: the settings that made it, least specific first (``SONATA``, ``SONATA towards
            partner-1``); ``built-in`` when the scenario says nothing.
    """

    irp: Irp
    ends: tuple[str, str]
    latency: DistributionSpec
    loss: float
    capacity: int | None
    source: tuple[str, ...]

    @property
    def specific(self) -> bool:
        """True when a ``towards`` or ``between`` entry changed this link."""
        return len(self.source) > 1


def distribution(spec: DistributionSpec) -> Distribution:
    """The engine distribution a scenario spec describes."""
    if spec.kind == "constant":
        return Constant(spec.value)
    if spec.kind == "uniform":
        return Uniform(spec.low, spec.high)
    if spec.kind == "exponential":
        return Exponential(spec.mean, spec.minimum)
    return LogNormal(spec.mean, spec.stdev)


def describe(spec: DistributionSpec) -> str:
    """A distribution in a few words: ``lognormal(mean 0.15, stdev 0.05)``."""
    if spec.kind == "constant":
        return f"{spec.value:g}"
    if spec.kind == "uniform":
        return f"uniform({spec.low:g}..{spec.high:g})"
    if spec.kind == "exponential":
        extra = f", min {spec.minimum:g}" if spec.minimum else ""
        return f"exponential(mean {spec.mean:g}{extra})"
    return f"lognormal(mean {spec.mean:g}, stdev {spec.stdev:g})"


def spec_of(setting: LinkSetting) -> ChannelSpec:
    """The engine spec of a link setting."""
    return ChannelSpec(distribution(setting.latency), setting.loss, setting.capacity)


def _overlay(values: dict[str, Any], entry: LinkChannelModel) -> None:
    for name in CHANNEL_FIELDS:
        if name in entry.model_fields_set:
            values[name] = getattr(entry, name)


def link_settings(scenario: Scenario, architecture: Architecture) -> list[LinkSetting]:
    """Every IRP link of ``architecture`` with its effective setting, in a stable order."""
    settings: list[LinkSetting] = []
    default = scenario.channels.get("default")
    for a, b, irp in architecture.links():
        ends = (a, b) if a <= b else (b, a)
        entry: ChannelModel | None = scenario.channels.get(irp)
        base = entry or default or ChannelModel()
        values = {name: getattr(base, name) for name in CHANNEL_FIELDS}
        source = [str(irp) if entry else "default" if default else "built-in"]
        if entry is not None:
            domains = {architecture.actor(end).domain for end in ends}
            for domain, towards in entry.towards.items():
                if domain in domains:
                    _overlay(values, towards)
                    source.append(f"{irp} towards {domain}")
            for pair in entry.between:
                if set(pair.actors) == set(ends):
                    _overlay(values, pair)
                    source.append(f"{irp} between {pair.actors[0]} and {pair.actors[1]}")
        settings.append(
            LinkSetting(irp, ends, values["latency"], values["loss"], values["capacity"], tuple(source))
        )
    return sorted(settings, key=lambda s: (s.irp, s.ends))


def link_specs(scenario: Scenario, architecture: Architecture) -> dict[tuple[str, str], ChannelSpec]:
    """Engine specs of the links a ``towards`` or ``between`` entry changes, by sorted actor pair.

    The other links keep the per-IRP specs, so a scenario without such entries builds exactly the
    channels it always did.
    """
    return {s.ends: spec_of(s) for s in link_settings(scenario, architecture) if s.specific}


def _choices(values: list[str]) -> str:
    shown = ", ".join(values[:12])
    return shown + (f" and {len(values) - 12} more" if len(values) > 12 else "")


def check(scenario: Scenario, source: str, architecture: Architecture) -> None:
    """Every ``towards`` domain and ``between`` pair selects a link of its IRP (else a located error)."""
    actors = sorted(spec.id for spec in architecture.actors())
    domains = sorted(d.id for d in architecture.domains())
    links = list(architecture.links())
    for key, entry in scenario.channels.items():
        where = f"channels.{key}"
        if key == "default":
            for name in ("towards", "between"):
                if getattr(entry, name):
                    raise ScenarioError(
                        source, f"{where}.{name}", f"'{name}' under an IRP's entry, not under 'default'"
                    )
            continue
        irp = Irp(key)
        for domain in entry.towards:
            if domain not in domains:
                raise ScenarioError(
                    source, f"{where}.towards.{domain}", f"a domain id ({_choices(domains)}), got {domain!r}"
                )
            if not any(
                i == irp and domain in (architecture.actor(a).domain, architecture.actor(b).domain)
                for a, b, i in links
            ):
                raise ScenarioError(source, f"{where}.towards.{domain}", f"a domain with a {irp} link")
        seen: set[frozenset[str]] = set()
        for n, pair in enumerate(entry.between):
            for k, actor in enumerate(pair.actors):
                if actor not in actors:
                    raise ScenarioError(
                        source,
                        f"{where}.between.{n}.actors.{k}",
                        f"an actor id ({_choices(actors)}), got {actor!r}",
                    )
            ends = frozenset(pair.actors)
            if not any(i == irp and {a, b} == ends for a, b, i in links):
                raise ScenarioError(
                    source,
                    f"{where}.between.{n}.actors",
                    f"two actors joined by {irp}; {pair.actors[0]} and {pair.actors[1]} are not",
                )
            if ends in seen:
                raise ScenarioError(source, f"{where}.between.{n}.actors", "a pair no earlier entry names")
            seen.add(ends)
