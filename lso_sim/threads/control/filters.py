"""Thread 10.3's second control: traffic filtering, checked against the product contract (step 3).

MEF names two examples of what a Customer may control: a bandwidth change and "implementing
traffic filtering controls". A filter is a list of rules, each an ``action`` (``permit`` or
``deny``) and a ``match`` on the frame (``vlan``: 1-4094, and/or ``etherType``: four hex digits
as ``0x0800``). SOF-sp checks a requested filter before accepting the change: malformed rules are
``invalidValue``; filtering not allowed by the contract is ``notPermitted``; more rules than the
contract allows, or an action it does not allow, is ``outsideConstraints`` (all 422). An empty
list removes the filter.
"""

from __future__ import annotations

import re
from typing import Any

DEFAULT_POLICY: dict[str, Any] = {
    "trafficFiltering": True,
    "maxFilterRules": 8,
    "filterActions": ["deny", "permit"],
}
"""Filtering constraints of a contract that says nothing more."""

ACTIONS = ("deny", "permit")
MATCH_KEYS = ("etherType", "vlan")
_ETHER_TYPE = re.compile(r"0x[0-9a-fA-F]{4}")


def refusal(body: dict[str, Any], policy: dict[str, Any]) -> tuple[str, str] | None:
    """``(MEF error code, reason)`` when the change's filter (or the change) must be refused."""
    if "bandwidthMbps" not in body and "trafficFilter" not in body:
        return ("missingProperty", "a change names bandwidthMbps, trafficFilter or both")
    rules = body.get("trafficFilter")
    if rules is None:
        return None
    problem = _malformed(rules)
    if problem is not None:
        return ("invalidValue", problem)
    if not policy["trafficFiltering"]:
        return ("notPermitted", "traffic filtering is not permitted on this service")
    limit = int(policy["maxFilterRules"])
    if len(rules) > limit:
        return ("outsideConstraints", f"{len(rules)} filter rules exceed the permitted {limit}")
    allowed = set(policy["filterActions"])
    for n, rule in enumerate(rules):
        if rule["action"] not in allowed:
            permitted = ", ".join(sorted(allowed)) or "none"
            return (
                "outsideConstraints",
                f"trafficFilter[{n}].action {rule['action']!r} is not permitted ({permitted})",
            )
    return None


def _malformed(rules: Any) -> str | None:
    """What is wrong with the shape of ``rules`` (``None`` when nothing is)."""
    if not isinstance(rules, list):
        return f"trafficFilter must be a list of rules, got {type(rules).__name__}"
    for n, rule in enumerate(rules):
        where = f"trafficFilter[{n}]"
        if not isinstance(rule, dict) or rule.get("action") not in ACTIONS:
            return f"{where}.action must be one of {', '.join(ACTIONS)}"
        match = rule.get("match")
        if not isinstance(match, dict) or not match or set(match) - set(MATCH_KEYS):
            return f"{where}.match must name one or more of {', '.join(MATCH_KEYS)}"
        vlan = match.get("vlan")
        if vlan is not None and (
            not isinstance(vlan, int) or isinstance(vlan, bool) or not 1 <= vlan <= 4094
        ):
            return f"{where}.match.vlan must be a VLAN id 1-4094, got {vlan!r}"
        ether = match.get("etherType")
        if ether is not None and not (isinstance(ether, str) and _ETHER_TYPE.fullmatch(ether)):
            return f"{where}.match.etherType must be four hex digits like 0x0800, got {ether!r}"
    return None
