"""JUnit XML for ``lso-sim check --junit FILE``: one test case per scenario file.

The layout is the common denominator CI systems read (GitHub Actions reporters, GitLab, Jenkins):
``<testsuites>`` holding one ``<testsuite>`` with a ``<testcase>`` per scenario; a missed
expectation or differing golden is a ``<failure>``, an unreadable scenario an ``<error>``, each
with the readable report as its text.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from lso_sim.replay.check import CheckResult
from lso_sim.replay.render import as_text, check_report

SUITE_NAME = "lso-sim scenarios"


def _summary(result: CheckResult) -> str:
    """One line for the ``message`` attribute."""
    if result.error is not None:
        return result.error
    parts: list[str] = []
    if result.failures:
        parts.append(f"{len(result.failures)} expectation{'s' if len(result.failures) != 1 else ''} failed")
    if result.invariants:
        parts.append(f"{len(result.invariants)} invariant{'s' if len(result.invariants) != 1 else ''} broken")
    if result.golden == "missing":
        parts.append("no golden trace")
    if result.golden == "differs" and result.replay is not None and result.replay.comparison is not None:
        parts.append(f"golden differs: {result.replay.comparison.counts()}")
    return "; ".join(parts)


def junit_tree(results: Sequence[CheckResult]) -> ET.ElementTree[ET.Element]:
    """The JUnit XML document for ``results``."""
    failures = sum(1 for r in results if r.status == "failed")
    errors = sum(1 for r in results if r.status == "error")
    total = f"{sum(r.seconds for r in results):.3f}"
    counts = {"tests": str(len(results)), "failures": str(failures), "errors": str(errors)}
    root = ET.Element("testsuites", {"name": "lso-sim check", **counts, "time": total})
    suite = ET.SubElement(root, "testsuite", {"name": SUITE_NAME, **counts, "skipped": "0", "time": total})
    for result in results:
        path = Path(result.scenario)
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": path.parent.as_posix().replace("/", ".") or ".",
                "name": path.name,
                "file": path.as_posix(),
                "time": f"{result.seconds:.3f}",
            },
        )
        if result.status == "passed":
            continue
        tag = "error" if result.status == "error" else "failure"
        kind = "ScenarioError" if tag == "error" else "ScenarioCheckFailed"
        element = ET.SubElement(case, tag, {"message": _summary(result), "type": kind})
        element.text = as_text(check_report(result))
    ET.indent(root)
    return ET.ElementTree(root)


def write_junit(path: Path, results: Sequence[CheckResult]) -> None:
    """Write the JUnit XML report of ``results`` to ``path`` (UTF-8, with an XML declaration)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    junit_tree(results).write(path, encoding="utf-8", xml_declaration=True)
