"""Cold storage of seller resources: see :mod:`lso_sim.messages.cold`.

The functions live below the actors' layer since SOFs keep their finished service orders' requests
the same way; this name stays for the sellers' store and for readers of the earlier passes.
"""

from __future__ import annotations

from lso_sim.messages.cold import freeze, thaw

__all__ = ["freeze", "thaw"]
