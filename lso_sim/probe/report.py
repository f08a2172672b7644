"""The probe's results: a rich table per check, a JSON report and a self-contained HTML page."""

from __future__ import annotations

import html
import json
from collections import Counter
from pathlib import Path
from typing import Any

from rich.table import Table

from lso_sim.probe.run import Probe


def as_json(probe: Probe) -> dict[str, Any]:
    """Everything the probe saw and judged, ready for ``json.dumps``."""
    return {
        "seller": probe.o.seller,
        "irp": probe.o.irp,
        "conformant": not probe.findings.violations,
        "violations": [f.as_json() for f in probe.findings.violations],
        "findings": [f.as_json() for f in probe.findings.items],
        "exchanges": [
            {
                "operation": e.operation,
                "method": e.method,
                "path": e.path,
                "status": e.status,
                "problems": e.problems,
            }
            for e in probe.exchanges
        ],
        "states": probe.states,
    }


def table(probe: Probe) -> Table:
    """One row per check: how many times it held, and its first violation."""
    held: Counter[str] = Counter()
    broken: Counter[str] = Counter()
    first: dict[str, str] = {}
    order: list[str] = []
    for finding in probe.findings.items:
        if finding.check not in order:
            order.append(finding.check)
        if finding.ok:
            held[finding.check] += 1
        else:
            broken[finding.check] += 1
            first.setdefault(finding.check, finding.detail)
    out = Table(title=f"Probe of {probe.o.seller}")
    out.add_column("check")
    out.add_column("status")
    out.add_column("held", justify="right")
    out.add_column("violated", justify="right")
    out.add_column("first violation")
    for check in order:
        status = "[red]violated[/red]" if broken[check] else "[green]held[/green]"
        out.add_row(check, status, str(held[check]), str(broken[check]), first.get(check, ""))
    return out


def write(probe: Probe, folder: Path) -> list[Path]:
    """Write ``probe.json`` and ``probe.html`` into ``folder`` (created if needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    data = as_json(probe)
    json_path = folder / "probe.json"
    json_path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    rows = "".join(
        f"<tr class={'ok' if f['ok'] else 'bad'}><td>{html.escape(f['check'])}</td>"
        f"<td>{'held' if f['ok'] else 'VIOLATED'}</td><td>{html.escape(f['detail'])}</td></tr>"
        for f in data["findings"]
    )
    calls = "".join(
        f"<tr><td>{html.escape(e['method'])}</td><td>{html.escape(e['path'])}</td><td>{e['status']}</td>"
        f"<td>{html.escape('; '.join(e['problems']))}</td></tr>"
        for e in data["exchanges"]
    )
    verdict = "conformant" if data["conformant"] else f"{len(data['violations'])} violation(s)"
    page = (
        "<!doctype html><meta charset=utf-8><title>lso-sim probe</title><style>"
        "body{font-family:sans-serif;margin:2em}td{padding:2px 8px;vertical-align:top}"
        ".bad{background:#fdd}.ok{background:#efe}</style>"
        f"<h1>Probe of {html.escape(probe.o.seller)}: {verdict}</h1>"
        f"<h2>Checks</h2><table>{rows}</table><h2>Calls</h2><table>{calls}</table>"
    )
    html_path = folder / "probe.html"
    html_path.write_text(page, encoding="utf-8")
    return [json_path, html_path]


__all__ = ["as_json", "table", "write"]
