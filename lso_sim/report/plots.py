"""Plots of a report with matplotlib (optional dependency group ``plot``).

Three pictures an architect asks for first:

* ``timeline``: a Gantt chart, one row per thread instance, one coloured bar per MEF step;
* ``messages-per-irp``: message counts per IRP;
* ``lead-times``: the histogram of instance lead times (drawn only when there are two or more).

Figures are built on :class:`matplotlib.figure.Figure` directly (no pyplot, no global backend
switch, so it runs headless and inside other applications), and SVGs are deterministic: a fixed
hash salt, no date or tool version in the metadata, text kept as text rather than glyph paths.
The same trace therefore gives byte-identical SVG files, which lets docs/ keep one under check.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from lso_sim.errors import BadInput
from lso_sim.report.metrics import Report
from lso_sim.trace.select import end_time, step_key

PLOT_FORMATS = ("svg", "png")
"""File formats ``--plot`` can write."""

MAX_TIMELINE_ROWS = 40
"""The Gantt chart shows at most this many instances (the first ones), to stay readable."""

_RC = {
    "svg.hashsalt": "lso-sim",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 9,
}
_METADATA: dict[str, dict[str, Any]] = {
    "svg": {"Date": None, "Creator": None},
    "png": {"Software": None},
}


def _matplotlib() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise BadInput(
            "plots need matplotlib: pip install 'lso-sim[plot]' (or pip install matplotlib)"
        ) from None
    return matplotlib


def _scale(seconds: float) -> tuple[float, str]:
    """A divisor and unit name for a time axis spanning ``seconds``."""
    if seconds >= 2 * 86400:
        return 86400.0, "days"
    if seconds >= 2 * 3600:
        return 3600.0, "hours"
    if seconds >= 120:
        return 60.0, "minutes"
    return 1.0, "seconds"


def step_bars(
    records: Iterable[Mapping[str, Any]], limit: int | None = None
) -> dict[tuple[str, str], dict[str, tuple[float, float]]]:
    """(thread, instance) -> step -> (start, end): the spans the Gantt chart draws.

    ``limit``: only the first instances met, so a long trace's chart costs its rows, not the run.
    """
    bars: dict[tuple[str, str], dict[str, tuple[float, float]]] = {}
    for r in records:
        key = (str(r.get("thread")), str(r.get("instance")))
        if limit is not None and len(bars) >= limit and key not in bars:
            continue
        step = str(r.get("step"))
        start, end = float(r.get("time") or 0.0), end_time(r)
        old = bars.setdefault(key, {}).get(step)
        bars[key][step] = (start, end) if old is None else (min(old[0], start), max(old[1], end))
    return bars


def _save(fig: Any, directory: Path, name: str, formats: Sequence[str]) -> list[Path]:
    written = []
    for fmt in formats:
        path = directory / f"{name}.{fmt}"
        fig.savefig(path, format=fmt, metadata=_METADATA[fmt], dpi=100)
        written.append(path)
    return written


def write_plots(
    report: Report,
    records: Iterable[Mapping[str, Any]],
    directory: Path,
    *,
    formats: Sequence[str] = PLOT_FORMATS,
    title: str = "",
) -> list[Path]:
    """Draw the plots of ``report`` (made from ``records``) into ``directory``.

    Returns:
        The files written, in order.

    Raises:
        LsoSimError: matplotlib is missing or the directory cannot be written.
    """
    matplotlib = _matplotlib()
    from matplotlib.figure import Figure

    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInput(f"{directory}: cannot create ({exc.strerror or exc})") from None
    prefix = f"{title}: " if title else ""
    written: list[Path] = []
    with matplotlib.rc_context(_RC):
        rows = list(step_bars(records, MAX_TIMELINE_ROWS).items())
        steps = sorted({s for _, spans in rows for s in spans}, key=step_key)
        colours = matplotlib.colormaps["tab20"].resampled(max(1, len(steps)))
        divisor, unit = _scale(report.span)
        per_line = 11
        legend_lines = -(-len(steps) // per_line)
        fig = Figure(figsize=(10, 1.6 + 0.4 * max(1, len(rows)) + 0.3 * legend_lines), layout="constrained")
        ax = fig.subplots()
        for y, (_key, spans) in enumerate(rows):
            for index, step in enumerate(steps):
                if step in spans:
                    start, end = spans[step]
                    width = max((end - start) / divisor, report.span / divisor / 2000)
                    ax.broken_barh([(start / divisor, width)], (y - 0.35, 0.7), color=colours(index))
        ax.set_yticks(range(len(rows)), [f"{t} {i}" for (t, i), _ in rows])
        ax.invert_yaxis()
        ax.set_xlabel(f"simulated time ({unit})")
        ax.set_title(f"{prefix}timeline per thread instance (bars: MEF steps)")
        handles = [matplotlib.patches.Patch(color=colours(i), label=s) for i, s in enumerate(steps)]
        fig.legend(
            handles=handles,
            title="MEF step",
            loc="outside lower center",
            ncols=min(per_line, max(1, len(steps))),
            fontsize=7,
        )
        written += _save(fig, directory, "timeline", formats)

        fig = Figure(figsize=(6, 3.5), layout="constrained")
        ax = fig.subplots()
        names = [m.irp for m in report.irps]
        counts = [m.messages for m in report.irps]
        drawn = ax.bar(names, counts, color="#4c72b0")
        ax.bar_label(drawn)
        ax.set_ylabel("messages")
        ax.set_title(f"{prefix}messages per IRP")
        written += _save(fig, directory, "messages-per-irp", formats)

        if len(report.instances) >= 2:
            lead = [i.lead_time for i in report.instances]
            lead_divisor, lead_unit = _scale(max(lead))
            fig = Figure(figsize=(6, 3.5), layout="constrained")
            ax = fig.subplots()
            ax.hist(
                [v / lead_divisor for v in lead], bins=min(20, len(lead)), color="#55a868", edgecolor="white"
            )
            ax.set_xlabel(f"lead time ({lead_unit})")
            ax.set_ylabel("thread instances")
            ax.set_title(f"{prefix}lead time of {len(lead)} thread instances")
            written += _save(fig, directory, "lead-times", formats)
    return written
