"""Figures for architects: lead times, message volumes, channel latencies, actor load, fall-out.

Everything here is computed from trace records (plain dicts), so a report can be made of any
JSONL trace, long after the run, or of a run still in memory. :mod:`~lso_sim.report.metrics`
computes, :mod:`~lso_sim.report.tables` lays the figures out as rich tables,
:mod:`~lso_sim.report.plots` draws them with matplotlib (optional dependency group ``plot``), and
:mod:`~lso_sim.report.progress` shows a long run's progress on a terminal.
"""

from lso_sim.report.metrics import Report, Stats, compute_report

__all__ = ["Report", "Stats", "compute_report"]
