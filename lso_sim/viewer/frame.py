"""One screen of the step-through viewer, as plain text.

A frame shows where the reader is (step k of n, the thread instance, the simulated time), what came
before and is not shown (on the first step of a filtered view), the sequence so far drawn as lanes
(the last few rows), the current record in words, a sentence about this record (its operation and
what changed, :mod:`lso_sim.threads.explain`), the MEF step it realises with our one-line
explanation, whether it is set-up or runs alongside another step, and its payload pretty-printed.
It is plain text so the non-interactive mode (``lso-sim step --steps N``) prints exactly what a
test can compare.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from lso_sim.trace.select import MESSAGE_KINDS
from lso_sim.viewer.lanes import draw_lanes, lane_actors
from lso_sim.viewer.stepper import Stepper

DEFAULT_WINDOW = 8
"""Rows of the sequence shown above the current one."""


def describe(record: Mapping[str, Any]) -> str:
    """The current record in one sentence: who sent what to whom over which IRP."""
    kind = str(record.get("kind") or "")
    src, dst = record.get("src"), record.get("dst")
    operation = record.get("operation")
    if kind in MESSAGE_KINDS:
        status = f", status {record['status']}" if record.get("status") is not None else ""
        lost = ", LOST by the channel" if record.get("delivered") is None else ""
        return f"{kind} {src} -> {dst} over {record.get('irp')}: {operation}{status}{lost}"
    if kind == "activity":
        return f"activity of {src}: {operation}, until {float(record.get('delivered') or 0.0):.3f} s"
    if kind == "timeout":
        return f"timeout: {src} got no answer from {dst} to {operation}"
    payload = record.get("payload")
    if kind == "outcome" and isinstance(payload, dict):
        reason = f" ({payload['reason']})" if payload.get("reason") else ""
        return f"outcome: instance {record.get('instance')} ended {payload.get('state')}{reason}"
    return f"{kind} at {src}: {operation}"


def render_frame(stepper: Stepper, *, window: int = DEFAULT_WINDOW) -> str:
    """The text of the screen at the stepper's current position (which must be 1 or more)."""
    record = stepper.current
    if record is None:
        stepper.jump(1)
        record = stepper.current
    assert record is not None
    position = stepper.position
    first = max(1, position - window)
    rows = list(stepper.records[first - 1 : position])
    thread, step = str(record.get("thread") or ""), str(record.get("step") or "")
    explained = stepper.current_explained
    assert explained is not None
    explanation = explained.step or "(no explanation written for this step)"
    setup = " | SET-UP" if explained.setup else ""
    lines = [
        f"Step {position} of {stepper.total} | thread {thread} | {record.get('instance')} | "
        f"t = {float(record.get('time') or 0.0):.3f} s | record #{record.get('seq')}{setup}",
        "",
    ]
    if position == 1 and stepper.before:
        lines.append("Before this, not shown:")
        lines.extend(f"  - {line}" for line in stepper.before)
        lines.append("")
    if first > 1:
        lines.append(f"  ... {first - 1} earlier step(s)")
    lines.extend(draw_lanes(rows, first_step=first, current=position, order=lane_actors(stepper.records)))
    lines.extend(
        [
            "",
            f"Now: {describe(record)}",
            f"This record: {explained.sentence}",
            f"MEF {thread} step {step}: {explanation}",
        ]
    )
    if explained.setup:
        lines.append(f"Set-up: {explained.setup.removeprefix('set-up: ')}")
    if explained.concurrent:
        lines.append(f"Concurrent: {explained.concurrent}")
    lines.append("Payload:")
    payload = json.dumps(record.get("payload"), indent=2, ensure_ascii=False)
    lines.extend("  " + line for line in payload.splitlines())
    return "\n".join(lines) + "\n"
