"""Simulated MEF sellers: the SONATA and CANTATA product APIs served by BUS actors.

The same MEF product API definitions serve two IRPs: CANTATA (Customer buys from BUS-sp) and
SONATA (BUS-sp buys from BUS-partner). A seller here is a BUS actor with a set of installed APIs,
each a :class:`~lso_sim.sonata.api.SellerApi` subclass answering the operations of one MEF
management API with the bodies, statuses and error responses that API defines.

The framework (read these first when adding an API, e.g. trouble tickets or billing):

- :mod:`lso_sim.sonata.api`: routing by ``(api, operationId)``, the :class:`SellerApi` base with
  ``install()``, the notification hub (``registerListener`` and :func:`publish`), the buyer's side
  (:func:`register_listener`, :func:`listen`); its docstring is the step-by-step recipe.
- :mod:`lso_sim.sonata.store`: one :class:`BuyerResources` per buyer (isolation), resources with
  their MEF body and state machines, deterministic ids.
- :mod:`lso_sim.sonata.errors`: the MEF 400/404/409/422/501 error bodies, raised as :class:`ApiError`.
- :mod:`lso_sim.sonata.checks`: request validation that turns a malformed request into 400/422.

The APIs built on it: catalog, address, site, qualification (POQ), quote, inventory and product
order, in the modules of the same names.
"""

from lso_sim.sonata.api import (
    Router,
    SellerApi,
    callback_url,
    listen,
    publish,
    query_matches,
    register_listener,
    router_of,
    split_params,
    state_of,
    with_params,
)
from lso_sim.sonata.checks import check, int_param, param
from lso_sim.sonata.errors import ApiError, bad_request, conflict, error_body, not_found, unprocessable
from lso_sim.sonata.store import BuyerResources, Resource, SellerState, Subscription

__all__ = [
    "ApiError",
    "BuyerResources",
    "Resource",
    "Router",
    "SellerApi",
    "SellerState",
    "Subscription",
    "bad_request",
    "callback_url",
    "check",
    "conflict",
    "error_body",
    "int_param",
    "listen",
    "not_found",
    "param",
    "publish",
    "query_matches",
    "register_listener",
    "router_of",
    "split_params",
    "state_of",
    "unprocessable",
    "with_params",
]
