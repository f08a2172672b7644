"""Sandbox benchmark: what one HTTP request costs, against the simulation call it wraps.

Run by hand: ``.venv/bin/python bench/serve_rate.py`` (needs the serve extra and MEF's SDK).
Prints the time per call of the session alone (the simulation under its lock) and through the
real server on loopback (validation, FastAPI, uvicorn, httpx), for a catalog read and a POQ, so
the HTTP overhead is read as a ratio on whatever machine runs it. Goal (issue 16): the HTTP
layer, not the simulation, dominates, and a buyer's poll costs milliseconds.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import httpx

from lso_sim.conformance.sdk import require_sdk
from lso_sim.messages import bodies
from lso_sim.messages.operations import CREATE_POQ, LIST_PRODUCT_OFFERING
from lso_sim.serve.server import prepare, running

EPL = "urn:mef:lso:spec:cantata-sonata:epl-evc:v1.0.0:all"
POQ = "/mefApi/cantata/productOfferingQualification/v7/productOfferingQualification"
CATALOG = "/mefApi/cantata/productCatalog/v2/productOffering"


def poq_body() -> dict[str, Any]:
    sites = ["demo-buyer-1-site-1", "demo-buyer-1-site-2"]
    product = {
        "productOffering": {"id": "epl"},
        "productConfiguration": bodies.product_configuration({"specification": EPL}, 100, sites),
        "place": [{"@type": "GeographicAddressRef", "id": s, "role": "INSTALL_LOCATION"} for s in sites],
    }
    return {
        "instantSyncQualification": False,
        "relatedContactInformation": [
            {"name": "b", "emailAddress": "b@x.net", "number": "1", "role": "buyer"}
        ],
        "productOfferingQualificationItem": [{"id": "1", "action": "add", "product": product}],
    }


def per_call(n: int, call: Any) -> float:
    start = time.perf_counter()
    for _ in range(n):
        call()
    return (time.perf_counter() - start) / n * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=200, help="calls per measurement")
    n = parser.parse_args().n
    prepared = prepare(None, "sp", require_sdk(), speed=0)
    session = prepared.session
    buyer = session.buyer("demo-buyer-1")
    assert buyer is not None
    body = poq_body()
    direct = {
        "catalog": per_call(n, lambda: session.call(buyer, LIST_PRODUCT_OFFERING, {})),
        "POQ": per_call(n, lambda: session.call(buyer, CREATE_POQ, body)),
    }
    with running(prepared.app) as base:
        client = httpx.Client(base_url=base, headers={"Authorization": "Bearer demo-buyer-1"})
        http = {
            "catalog": per_call(n, lambda: client.get(CATALOG)),
            "POQ": per_call(n, lambda: client.post(POQ, json=body)),
        }
    for name in direct:
        ratio = http[name] / direct[name]
        print(f"{name:8} session {direct[name]:7.2f} ms   HTTP {http[name]:7.2f} ms   ({ratio:.0f}x)")


if __name__ == "__main__":
    main()
