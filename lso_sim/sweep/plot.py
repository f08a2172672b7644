"""``summary.svg``: each shown metric against the first swept parameter, with 95% CI bars.

Drawn like the report's plots (:mod:`lso_sim.report.plots`): a bare matplotlib Figure, and a
deterministic SVG (fixed hash salt, no date or version), so equal summaries give equal files.
One panel per metric; with a second parameter, one line per value of it.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lso_sim.errors import BadInput
from lso_sim.sweep.plan import Param
from lso_sim.sweep.results import PointEstimate

_RC = {"svg.hashsalt": "lso-sim", "svg.fonttype": "none", "font.family": "DejaVu Sans", "font.size": 8}


def _x(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def write_plot(
    path: Path, params: Sequence[Param], estimates: Sequence[PointEstimate], metrics: Sequence[str]
) -> None:
    """Draw ``metrics`` against the first parameter (error bars: the 95% CI) into ``path`` (SVG).

    Raises:
        BadInput: matplotlib is not installed.
    """
    try:
        matplotlib: Any = importlib.import_module("matplotlib")
        figure_module: Any = importlib.import_module("matplotlib.figure")
    except ImportError:
        raise BadInput("summary.svg needs matplotlib: pip install 'lso-sim[plot]'") from None
    panels = max(1, len(metrics))
    with matplotlib.rc_context(_RC):
        figure: Any = figure_module.Figure(figsize=(5.5, 2.4 * panels))
        first = params[0] if params else None
        positions = {v: i for i, v in enumerate(first.values)} if first else {}
        numeric = first is not None and all(_x(v) is not None for v in first.values)
        for n, metric in enumerate(metrics or ["(no metric)"]):
            axes = figure.add_subplot(panels, 1, n + 1)
            lines: dict[tuple[str, ...], list[PointEstimate]] = {}
            for e in estimates:
                if e.metric == metric:
                    lines.setdefault(e.values[1:], []).append(e)
            for rest, points in lines.items():
                xs = [
                    (_x(e.values[0]) if numeric else positions[e.values[0]]) if e.values else 0
                    for e in points
                ]
                ys = [e.estimate.mean for e in points]
                low = [
                    e.estimate.mean
                    - (e.estimate.ci95_low if e.estimate.ci95_low is not None else e.estimate.mean)
                    for e in points
                ]
                high = [
                    (e.estimate.ci95_high if e.estimate.ci95_high is not None else e.estimate.mean)
                    - e.estimate.mean
                    for e in points
                ]
                label = ", ".join(f"{p.path}={v}" for p, v in zip(params[1:], rest, strict=True)) or None
                axes.errorbar(xs, ys, yerr=[low, high], marker="o", capsize=3, label=label)
            axes.set_ylabel(metric, fontsize=7)
            if first is not None:
                axes.set_xlabel(first.path)
                if not numeric:
                    axes.set_xticks(range(len(first.values)), list(first.values))
            if len(lines) > 1:
                axes.legend(fontsize=6)
            axes.grid(True, alpha=0.3)
        figure.tight_layout()
        try:
            figure.savefig(path, format="svg", metadata={"Date": None, "Creator": None})
        except OSError as exc:
            raise BadInput(f"{path}: cannot write ({exc.strerror or exc})") from None
