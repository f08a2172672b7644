"""A self-contained HTML report of a trace: the sequence diagram to step through, payloads, figures.

One file with everything inline (styles, script, data) so it can be mailed, attached to a CI run or
opened from disk with no network: the diagram is drawn as SVG by a small script shipped in
``assets/`` instead of a diagram library from a CDN. The page offers:

* the sequence diagram, one lane per actor boxed by domain, one row per record;
* play, step forward and back, first and last; the rows not yet reached fade out;
* on a click (or as the current step moves) the record's MEF step with our explanation, a
  sentence about the record itself (its operation, what changed, why it was refused: see
  :mod:`lso_sim.threads.explain`), whether it is set-up or runs alongside another step, and its
  payload, pretty-printed; set-up rows are drawn faded and tagged;
* participant headers that stay visible while the diagram scrolls;
* a time axis: each row's simulated time, and a gap before a row that waited, growing with the
  log of the wait and saying how long it was (a day of waiting looks longer than a second);
* collapsible phases: each thread instance and each run of one MEF step can be folded to one
  line (from the Phases list, or by clicking the fold to open it again);
* step-by-step reveal: the current row carries its MEF step text beside the arrow;
* the state machine of the resource the current row is about (order, quote, service...), from
  :mod:`lso_sim.lifecycle`, with the current state highlighted and the states it went through;
* "What comes next?": the next message stays hidden until the student guesses its sender,
  receiver and IRP, then shows with a verdict and a score;
* a per-IRP summary (messages, bytes, lost) and the lead time of each thread instance.

The output is deterministic: the same records give the same bytes.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from typing import Any

from lso_sim.diagrams.sequence import local_note, message_label
from lso_sim.lifecycle.machines import ALL_MACHINES
from lso_sim.report.metrics import compute_report
from lso_sim.report.tables import duration
from lso_sim.threads.explain import explain_records, setup_threads
from lso_sim.trace.select import MESSAGE_KINDS


def _asset(name: str) -> str:
    return resources.files("lso_sim.viewer").joinpath("assets", name).read_text(encoding="utf-8")


def _script_json(data: Any) -> str:
    """JSON safe inside a ``<script>`` element: ``<`` is escaped so ``</script>`` cannot occur."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def page_data(
    records: Iterable[Mapping[str, Any]], *, title: str, domains: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """What the page's script draws: participants, domain groups and one entry per record."""
    items = list(records)
    roles: dict[str, str] = {}
    for r in items:
        for actor_key, role_key in (("src", "src_role"), ("dst", "dst_role")):
            roles.setdefault(str(r.get(actor_key) or ""), str(r.get(role_key) or ""))
    roles.pop("", None)
    labels = domains or {}
    # Lanes follow first appearance but keep the members of one domain side by side.
    order: list[str] = []
    for actor in roles:
        if actor in order:
            continue
        label = labels.get(actor)
        order.extend([actor] if label is None else [a for a in roles if labels.get(a) == label])
    groups: dict[str, list[str]] = {}
    for actor in order:
        if actor in labels:
            groups.setdefault(labels[actor], []).append(actor)
    rows: list[dict[str, Any]] = []
    meanings = explain_records(items)
    for r, meaning in zip(items, meanings, strict=True):
        kind = str(r.get("kind") or "")
        arrow = kind in MESSAGE_KINDS
        label, alert = (message_label(r), False) if arrow else local_note(r)
        rows.append(
            {
                "seq": r.get("seq"),
                "time": float(r.get("time") or 0.0),
                "delivered": r.get("delivered"),
                "thread": str(r.get("thread") or ""),
                "instance": str(r.get("instance") or ""),
                "step": str(r.get("step") or ""),
                "kind": kind,
                "src": str(r.get("src") or ""),
                "dst": str(r.get("dst") or ""),
                "irp": r.get("irp"),
                "operation": str(r.get("operation") or ""),
                "status": r.get("status"),
                "payload": r.get("payload"),
                "arrow": arrow,
                "lost": arrow and r.get("delivered") is None,
                "alert": alert,
                "label": label,
                "explanation": meaning.step,
                "sentence": meaning.sentence,
                "setup": meaning.setup,
                "concurrent": meaning.concurrent,
                "resource": meaning.resource,
                "rtype": meaning.resource_type,
                "state": meaning.state,
            }
        )
    phases, instances = _phases(rows, set(setup_threads(records)))
    return {
        "title": title,
        "participants": [{"id": a, "role": roles[a]} for a in order],
        "groups": [{"label": label, "members": members} for label, members in groups.items()],
        "records": rows,
        "phases": phases,
        "instances": instances,
        "machines": _machines({str(row["rtype"]) for row in rows if row["rtype"]}),
    }


def _phases(
    rows: list[dict[str, Any]], setups: set[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The collapsible phases: runs of consecutive rows of one instance and MEF step (each row
    gets the index of its run as ``phase``), and the thread instances with their runs; an
    instance is set-up when its thread is (``setups``), not when it starts with a hub's set-up."""
    phases: list[dict[str, Any]] = []
    instances: dict[str, dict[str, Any]] = {}
    for index, row in enumerate(rows):
        key = (row["instance"], row["step"])
        last = phases[-1] if phases else None
        if last is None or (last["instance"], last["step"]) != key:
            last = {
                "instance": row["instance"],
                "step": row["step"],
                "text": row["explanation"],
                "first": index,
                "count": 0,
            }
            phases.append(last)
            entry = instances.setdefault(
                row["instance"],
                {
                    "instance": row["instance"],
                    "thread": row["thread"],
                    "setup": row["thread"] in setups,
                    "count": 0,
                    "phases": [],
                },
            )
            entry["phases"].append(len(phases) - 1)
        last["count"] += 1
        instances[row["instance"]]["count"] += 1
        row["phase"] = len(phases) - 1
    return phases, list(instances.values())


def _machines(names: set[str]) -> dict[str, dict[str, Any]]:
    """The state machines (initial state, transitions) of the resource types a page shows."""
    return {
        m.name: {
            "initial": m.initial,
            "states": sorted(m.states),
            "transitions": {state: sorted(targets) for state, targets in sorted(m.transitions.items())},
        }
        for m in ALL_MACHINES
        if m.name in names
    }


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>\n" for row in rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>"


def to_html_report(
    records: Iterable[Mapping[str, Any]],
    *,
    title: str = "lso-sim trace",
    domains: Mapping[str, str] | None = None,
    before: Sequence[str] = (),
) -> str:
    """The HTML page of ``records`` (trace records in send order), as text; ``before`` says what
    came before the first record and was filtered out."""
    items = list(records)
    report = compute_report(items)
    irp_rows = [
        [
            m.irp,
            str(m.messages),
            f"{m.bytes:,}",
            str(m.requests),
            str(m.responses),
            str(m.notifications),
            str(m.lost),
        ]
        for m in report.irps
    ]
    irp_rows.append(
        ["total", str(report.messages), f"{report.bytes:,}", "", "", "", str(report.fallout.lost)]
    )
    instance_rows = [
        [i.instance, i.thread, duration(i.lead_time), str(i.messages), str(i.fallout)]
        for i in report.instances
    ]
    f = report.fallout
    data = _script_json(page_data(items, title=title, domains=domains))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        f"<style>\n{_asset('viewer.css')}</style>",
        "</head>",
        "<body>",
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="meta">{len(items)} records, {report.messages} messages, {len(report.instances)} thread '
        f"instance(s), {duration(report.span)} simulated; fall-out: {f.lost} lost, {f.timeouts} timeouts, "
        f"{f.errors} errors, {f.rejected} rejected. Click a row to see its payload.</p>",
        *(
            [
                '<p class="before">Before the first record shown, not shown here: '
                + "; ".join(html.escape(line) for line in before)
                + ". Draw the trace without filters to see them.</p>"
            ]
            if before
            else []
        ),
        '<div class="controls">',
        '<button id="first" type="button">First</button>',
        '<button id="prev" type="button">Previous</button>',
        '<button id="play" type="button">Play</button>',
        '<button id="next" type="button">Next</button>',
        '<button id="last" type="button">Last</button>',
        '<button id="guess" type="button" aria-pressed="false">What comes next?</button>',
        '<span id="position"></span>',
        "</div>",
        '<div class="layout">',
        '<div class="diagram" id="diagram"><div class="heads" id="heads"></div></div>',
        '<div class="side">',
        '<div id="quiz" hidden><div class="quiz-title">Who sends the next message, to whom, over which '
        "IRP?</div>",
        '<label>sender <select id="guess-src"></select></label> ',
        '<label>receiver <select id="guess-dst"></select></label> ',
        '<label>IRP <select id="guess-irp"></select></label> ',
        '<button id="guess-check" type="button">Check</button>',
        '<div id="guess-feedback"></div><div id="guess-score"></div></div>',
        '<div id="detail"></div>',
        '<div id="machine"></div>',
        '<pre id="payload"></pre>',
        '<h3>Phases</h3><div id="phases"></div>',
        "</div>",
        "</div>",
        "<h2>Messages per IRP</h2>",
        _table(["IRP", "messages", "bytes", "requests", "responses", "notifications", "lost"], irp_rows),
        "<h2>Thread instances</h2>",
        _table(["instance", "thread", "lead time", "messages", "fall-out"], instance_rows),
        f'<script type="application/json" id="lso-data">{data}</script>',
        f"<script>\n{_asset('viewer.js')}</script>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"
