"""API scripts: a scenario's buyer calls the seller APIs directly, one MEF operation at a time.

``calls`` lists what a script may call (the operations the simulated sellers serve) and the events
it may wait for; ``references`` fills ``${name.path}`` references from earlier responses; ``run``
is the buyer's side of a script. The sellers and their back offices are those of the threads
(10.2, and 10.5/10.7 for tickets and bills): a script's order is fulfilled like any 10.2 order.
"""

from __future__ import annotations

from lso_sim.threads.script.calls import (
    SELLER_API_THREADS,
    hub_api,
    resolve,
    seller_events,
    seller_operations,
    threads_called,
)
from lso_sim.threads.script.references import (
    MissingValue,
    Reference,
    ReferenceSyntaxError,
    references_in,
    substitute,
)
from lso_sim.threads.script.run import STEP, THREAD, Script, ScriptStep, WaitFor, listen_for_script, run

__all__ = [
    "SELLER_API_THREADS",
    "STEP",
    "THREAD",
    "MissingValue",
    "Reference",
    "ReferenceSyntaxError",
    "Script",
    "ScriptStep",
    "WaitFor",
    "hub_api",
    "listen_for_script",
    "references_in",
    "resolve",
    "run",
    "seller_events",
    "seller_operations",
    "substitute",
    "threads_called",
]
