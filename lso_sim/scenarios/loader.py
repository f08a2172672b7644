"""Reading scenario files: YAML in, a validated :class:`Scenario` out, or one clear error.

Every failure becomes a :class:`~lso_sim.errors.ScenarioError` naming the file, the field path
(``topology.links.2.capacity_mbps``) and what was expected there. Cross-references that a schema
cannot see (a site on an unknown NE, an ENNI inside one domain) are checked here too, so a
scenario that loads is one the builder can build.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from lso_sim.errors import ScenarioError, clip, echo
from lso_sim.scenarios import api_script, channels, faults, network, onboarding, security, serve_schema
from lso_sim.scenarios.arrivals import ARRIVAL_KINDS
from lso_sim.scenarios.build import actor_ids, build_architecture
from lso_sim.scenarios.fault_schema import FAULT_KINDS
from lso_sim.scenarios.overrides import Override, apply_overrides, blame
from lso_sim.scenarios.schema import KEY_NAMES, Scenario
from lso_sim.threads.activities import ACTIVITIES
from lso_sim.threads.registry import runnable_threads

MAX_DEPTH = 64
"""Deepest nesting of mappings and lists a scenario file may have (real ones need about ten)."""

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Largest scenario file read."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key given twice in one mapping (YAML itself forbids it,
    PyYAML keeps the last silently) and mappings or lists nested absurdly deep."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise yaml.constructor.ConstructorError(
                    None, None, f"nested more than {MAX_DEPTH} levels deep", mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key: SafeLoader's own error names it
                continue
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {echo(key)}", key_node.start_mark
                )
        return super().construct_mapping(node, deep)


def load_scenario(path: str | Path, overrides: Sequence[Override] = ()) -> Scenario:
    """Load and validate the scenario file at ``path``, with ``--set`` ``overrides`` applied first."""
    return load_scenario_text(read_scenario_text(path), str(path), overrides)


def read_scenario_text(path: str | Path) -> str:
    """The text of the scenario file at ``path`` (a located error if unreadable, too big or not UTF-8)."""
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ScenarioError(source, "", f"cannot read the file ({exc.strerror or exc})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(source, "", f"a scenario file of at most {MAX_FILE_BYTES:,} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ScenarioError(
            source, "", f"not valid UTF-8 at line {line} (byte 0x{raw[exc.start]:02x}); save it as UTF-8"
        ) from None
    return text


def load_scenario_text(text: str, source: str, overrides: Sequence[Override] = ()) -> Scenario:
    """Validate the YAML ``text`` of a scenario (``source`` names it in errors), with ``overrides``.

    A sweep sends each run the file's text rather than its path, so workers of a remote Dask
    cluster need no copy of the file.
    """
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        raise ScenarioError(source, "", f"invalid YAML{_yaml_problem(exc, text)}") from None
    except RecursionError:
        raise ScenarioError(source, "", f"invalid YAML: nested more than {MAX_DEPTH} levels deep") from None
    if not overrides:
        return parse_scenario(data, source)
    try:
        return parse_scenario(apply_overrides(data, overrides, source), source)
    except ScenarioError as exc:
        raise blame(exc, overrides) from None


def _yaml_problem(exc: yaml.YAMLError, text: str) -> str:
    """`` at line 3, column 7: <problem>``, in one line, whichever error PyYAML raised."""
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        where = f" at line {mark.line + 1}, column {mark.column + 1}"
        problem = getattr(exc, "problem", None) or str(exc)
    elif isinstance(exc, yaml.reader.ReaderError):  # a character YAML does not allow
        line = text.count("\n", 0, exc.position) + 1
        where = f" at line {line}"
        char = exc.character
        shown = f"U+{char:04X}" if isinstance(char, int) else f"U+{ord(char):04X}"
        problem = f"character {shown} is not allowed in YAML (a control character or a NUL byte)"
    else:
        where, problem = "", str(exc)
    return f"{where}: {clip(' '.join(str(problem).split()))}"


def parse_scenario(data: Any, source: str) -> Scenario:
    """Validate already-parsed scenario data; ``source`` names it in errors."""
    if not isinstance(data, dict):
        raise ScenarioError(source, "", f"expected a mapping of scenario fields, got {type(data).__name__}")
    data = network.expand(data, source)
    try:
        scenario = Scenario.model_validate(data)
    except RecursionError:
        raise ScenarioError(source, "", f"nested more than {MAX_DEPTH} levels deep") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        field = _field_path(first["loc"])
        raise ScenarioError(source, field, _key_expectation(first) or _expectation(first)) from None
    check_references(scenario, source)
    return scenario


_UNION_TAGS = frozenset({"constant", "uniform", "exponential", "lognormal", *FAULT_KINDS, *ARRIVAL_KINDS})


def _field_path(loc: tuple[Any, ...]) -> str:
    """The user's field path from a pydantic location, without pydantic's internal markers."""
    parts: list[str] = []
    for part in loc:
        text = str(part)
        if text == "[key]":
            break  # the key itself is wrong: the path ends at it
        if text in _UNION_TAGS or "[" in text:
            continue  # which union member or validator pydantic tried: not a field
        parts.append(text)
    return ".".join(parts)


def _key_expectation(error: Any) -> str | None:
    """For a bad key of ``channels``, ``actors`` or ``timings``: every valid name, not just one."""
    loc = tuple(str(part) for part in error["loc"])
    if len(loc) >= 3 and loc[0] in KEY_NAMES and loc[2] == "[key]":
        return f"one of {', '.join(KEY_NAMES[loc[0]])} (got {echo(loc[1])})"
    return None


def _expectation(error: Any) -> str:
    message = str(error["msg"]).removeprefix("Value error, ")  # our validators' own words, as is
    kind = error["type"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (check its spelling in docs/scenario-format.md)"
    given = error.get("input")
    if isinstance(given, str | int | float | bool) and kind not in ("missing",):
        return f"{clip(message)} (got {echo(given)})"
    return clip(message)


def _duplicates(values: Iterable[str]) -> str | None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            return value
        seen.add(value)
    return None


def check_references(scenario: Scenario, source: str) -> None:
    """Check what refers to what: domains, NEs, sites, ENNIs, offerings, threads."""

    def fail(field: str, expected: str) -> None:
        raise ScenarioError(source, field, expected)

    domains = {scenario.provider.id} | {p.id for p in scenario.partners}
    duplicate = _duplicates(
        [scenario.provider.id, *(p.id for p in scenario.partners), *(c.id for c in scenario.customers)]
    )
    if duplicate:
        fail("partners", f"ids of the provider, partners and customers must be unique; {duplicate!r} repeats")
    ne_domain: dict[str, str] = {}
    for i, fd in enumerate(scenario.topology.forwarding_domains):
        if fd.domain not in domains:
            fail(f"topology.forwarding_domains.{i}.domain", f"one of {sorted(domains)} (got {fd.domain!r})")
        for j, ne in enumerate(fd.network_elements):
            if ne in ne_domain:
                fail(
                    f"topology.forwarding_domains.{i}.network_elements.{j}",
                    f"a unique NE id ({ne!r} repeats)",
                )
            ne_domain[ne] = fd.domain
    fd_duplicate = _duplicates(fd.id for fd in scenario.topology.forwarding_domains)
    if fd_duplicate:
        fail("topology.forwarding_domains", f"unique forwarding domain ids ({echo(fd_duplicate)} repeats)")
    offering_duplicate = _duplicates(o.id for o in scenario.offerings)
    if offering_duplicate:
        fail("offerings", f"unique offering ids ({echo(offering_duplicate)} repeats)")
    enni_duplicate = _duplicates(link.enni for link in scenario.topology.links if link.enni is not None)
    if enni_duplicate:
        fail("topology.links", f"unique ENNI ids ({echo(enni_duplicate)} repeats)")
    link_duplicate = _duplicates(
        "\x00".join(sorted((link.a, link.b))) for link in scenario.topology.links
    )
    if link_duplicate:
        pair = " - ".join(link_duplicate.split("\x00"))
        fail("topology.links", f"one link per pair of NEs ({echo(pair)} repeats)")
    if not any(fd.domain == scenario.provider.id for fd in scenario.topology.forwarding_domains):
        fail(
            "topology.forwarding_domains",
            f"at least one forwarding domain of the provider {scenario.provider.id!r}",
        )
    for i, link in enumerate(scenario.topology.links):
        for end in ("a", "b"):
            if getattr(link, end) not in ne_domain:
                fail(f"topology.links.{i}.{end}", f"a network element id (got {getattr(link, end)!r})")
        crosses = ne_domain[link.a] != ne_domain[link.b]
        if crosses and link.enni is None:
            fail(f"topology.links.{i}.enni", "an ENNI id: this link joins two management domains")
        if not crosses and link.enni is not None:
            fail(f"topology.links.{i}.enni", "no ENNI: both ends are in one domain")
        if crosses and scenario.provider.id not in (ne_domain[link.a], ne_domain[link.b]):
            fail(f"topology.links.{i}", "an ENNI between the provider and a partner")
    for i, impairment in enumerate(scenario.impairments):
        if impairment.ne not in ne_domain:
            fail(f"impairments.{i}.ne", f"a network element id (got {impairment.ne!r})")
    for role, table in scenario.timings.items():
        for name in table:
            if name not in ACTIVITIES[role]:
                known = ", ".join(sorted(ACTIVITIES[role])) or "none"
                fail(f"timings.{role}.{name}", f"an activity of {role}: {known}")
    site_ids: set[str] = set()
    for i, customer in enumerate(scenario.customers):
        for j, site in enumerate(customer.sites):
            if site.ne not in ne_domain:
                fail(f"customers.{i}.sites.{j}.ne", f"a network element id (got {site.ne!r})")
            if site.id in site_ids:
                fail(f"customers.{i}.sites.{j}.id", f"a unique site id ({site.id!r} repeats)")
            site_ids.add(site.id)
    offerings = {o.id for o in scenario.offerings}
    customers = {c.id: {s.id for s in c.sites} for c in scenario.customers}
    runnable = runnable_threads()
    architecture = build_architecture(scenario)
    for i, work in enumerate(scenario.workload):
        if work.thread not in runnable:
            fail(
                f"workload.{i}.thread", f"an implemented thread ({', '.join(runnable)}), got {work.thread!r}"
            )
        for j, order in enumerate(work.orders):
            if order.customer not in customers:
                fail(
                    f"workload.{i}.orders.{j}.customer",
                    f"a customer id ({', '.join(customers)}), got {order.customer!r}",
                )
            for k, site_id in enumerate(order.sites):
                if site_id not in customers[order.customer]:
                    known = ", ".join(sorted(customers[order.customer]))
                    fail(
                        f"workload.{i}.orders.{j}.sites.{k}",
                        f"a site of {order.customer} ({known}), got {site_id!r}",
                    )
            if order.sites[0] == order.sites[1]:
                fail(f"workload.{i}.orders.{j}.sites", "two different sites")
            if order.offering is not None and order.offering not in offerings:
                fail(f"workload.{i}.orders.{j}.offering", f"an offering id ({', '.join(sorted(offerings))})")
        items = [("control.changes", c.order) for c in (work.control.changes if work.control else [])]
        items += [("reports.requests", r.order) for r in (work.reports.requests if work.reports else [])]
        items += [("trouble.reports", r.order) for r in (work.trouble.reports if work.trouble else [])]
        seen: dict[int, int] = {}
        for j, report in enumerate(work.trouble.reports if work.trouble else []):
            if report.order in seen:
                fail(
                    f"workload.{i}.trouble.reports.{j}.order",
                    f"an order no other report uses (report {seen[report.order]} already breaks it)",
                )
            seen[report.order] = j
            if report.ne not in ne_domain:
                fail(f"workload.{i}.trouble.reports.{j}.ne", f"a network element id (got {report.ne!r})")
        counts: dict[str, int] = {}
        for block, index in items:
            j = counts[block] = counts.get(block, -1) + 1
            if index >= len(work.orders):
                fail(
                    f"workload.{i}.{block}.{j}.order",
                    f"an index into this item's orders (0 to {len(work.orders) - 1}), got {index}",
                )
        if work.generate is not None:
            for j, name in enumerate(work.generate.customers or []):
                if name not in customers:
                    fail(f"workload.{i}.generate.customers.{j}", f"a customer id, got {name!r}")
            pool = work.generate.customers or list(customers)
            if not any(len(customers[c]) >= 2 for c in pool):
                fail(f"workload.{i}.generate.customers", "at least one customer with two sites")
        api_script.check(scenario, i, work, source)
        onboarding.check(scenario, i, work, source)
        security.check(scenario, i, work, source, architecture)
    if scenario.serve is not None:
        ids = actor_ids(scenario)
        actors = {name for table in ids.values() for name in table.values()}
        wrong = serve_schema.check(scenario.serve, set(customers), actors, ids["bus"][scenario.provider.id])
        if wrong is not None:
            fail(*wrong)
    if scenario.faults or any(e.towards or e.between for e in scenario.channels.values()):
        channels.check(scenario, source, architecture)
        faults.check(scenario, source, architecture)
