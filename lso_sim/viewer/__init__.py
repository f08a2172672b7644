"""Ways to look at a run: step through its records in a terminal, or in a self-contained HTML page.

:mod:`~lso_sim.viewer.stepper` keeps the position in a sequence of records,
:mod:`~lso_sim.viewer.lanes` draws the sequence so far as text lanes, :mod:`~lso_sim.viewer.frame`
composes one screen (lanes, the current message, its MEF step explained, its payload), and
:mod:`~lso_sim.viewer.interactive` drives it from the keyboard. :mod:`~lso_sim.viewer.html` builds
the HTML report.
"""

from lso_sim.viewer.frame import render_frame
from lso_sim.viewer.stepper import Stepper

__all__ = ["Stepper", "render_frame"]
