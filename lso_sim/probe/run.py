"""The buyer probe: BUS-sp's part of thread 10.2 played over HTTP against any Sonata seller.

In order: register a hub on the POQ, quote and order APIs; read the catalog; validate the
addresses and query their sites; qualify (a deferred POQ), quote and order, polling each to its
end while the hub hears its events; send the order again with the same ``Idempotency-Key``; read
the inventory; report a trouble ticket on the new product and follow it to its end; read the
bills; send a malformed order. Every answer is checked against MEF's definition of its
operation and status (the SDK's validator), and then what only a run over time shows: each
resource's states follow MEF's machine, the hub told each change once, ids stayed the same, the
re-send made no second order, errors use MEF's error model (:mod:`lso_sim.probe.checks`).

Time: a real seller moves on its own and the probe polls every ``poll_interval`` wall seconds;
a sandbox (``lso-sim serve``) can be moved on instead with ``advance`` simulated seconds per poll
through its admin endpoint, so a probe of the sandbox takes no wall time waiting.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from lso_sim.conformance.index import ApiIndex
from lso_sim.conformance.validate import validate_message
from lso_sim.messages import bodies
from lso_sim.messages import trouble_bodies as tb
from lso_sim.probe.checks import Findings, contradicted, hub_problems, illegal_steps
from lso_sim.probe.listener import Heard
from lso_sim.serve.routes import base_path
from lso_sim.sonata.places import parse_address
from lso_sim.threads.script.calls import seller_events

CONTACT = [
    {"name": "lso-sim probe", "emailAddress": "probe@example.net", "number": "+1-555-0100", "role": "buyer"}
]
TERMINAL = {
    "productOfferingQualification": {"done.ready", "done.unableToProvide", "terminatedWithError"},
    "quote": {
        "approved.orderable",
        "approved.orderableAlternate",
        "unableToProvide",
        "rejected",
        "cancelled",
    },
    "productOrder": {"completed", "failed", "partial", "cancelled", "rejected"},
    "troubleTicket": {"resolved", "closed", "cancelled"},
}
API_OF = {
    "productOfferingQualification": "productOfferingQualificationManagement",
    "quote": "quoteManagement",
    "productOrder": "productOrderManagement",
}
EVENT_OF = {
    "productOfferingQualification": "poqStateChangeEvent",
    "quote": "quoteStateChangeEvent",
    "productOrder": "productOrderStateChangeEvent",
}


@dataclass(slots=True)
class ProbeOptions:
    """How to reach and drive the seller."""

    seller: str
    token: str
    irp: str = "sonata"
    addresses: Sequence[str] = ("9 Harbour Road, Shelbyville",)
    bandwidth: float = 100.0
    offering: str | None = None
    """The product offering id to order; ``None``: the catalog's access (SONATA) or EPL offering."""
    advance: float | None = None
    poll_interval: float = 5.0
    max_polls: int = 200


@dataclass(slots=True)
class Exchange:
    """One call and its answer, as the reports list them."""

    operation: str
    method: str
    path: str
    status: int
    problems: list[str] = field(default_factory=list)


class Probe:
    """One probe run (see the module docstring)."""

    def __init__(self, options: ProbeOptions, index: ApiIndex, heard: Heard, client: httpx.Client) -> None:
        self.o = options
        self.index = index
        self.heard = heard
        self.client = client
        self.findings = Findings()
        self.exchanges: list[Exchange] = []
        self.states: dict[str, list[str]] = {}
        self.timelines: dict[str, list[tuple[str, str]]] = {}
        self.kinds: dict[str, str] = {}

    # -- calls ---------------------------------------------------------------------------------

    def _url(self, api: str, operation: str, **path: str) -> tuple[str, str]:
        sdk = self.index.operation(api, operation)
        route = base_path(sdk.source, self.o.irp) + sdk.path
        for name, value in path.items():
            route = route.replace("{" + name + "}", value)
        return sdk.method.upper(), route

    def call(
        self,
        api: str,
        operation: str,
        *,
        body: Any = None,
        params: Mapping[str, str] | None = None,
        path: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, Any]:
        """Call an operation; the answer is checked against MEF's definition and recorded."""
        method, route = self._url(api, operation, **(path or {}))
        response = self.client.request(
            method, self.o.seller.rstrip("/") + route, json=body, params=params, headers=headers
        )
        try:
            payload: Any = response.json() if response.content else None
        except ValueError:
            payload = response.text
        problems = validate_message(
            api, operation, "response", payload, response.status_code, index=self.index
        )
        self.exchanges.append(Exchange(operation, method, route, response.status_code, problems))
        label = f"{operation} {response.status_code}"
        self.findings.add("schema", not problems, f"{label}: {problems[0]}" if problems else label)
        if response.status_code >= 500:
            self.findings.add("no-5xx", False, f"{label}: {str(payload)[:200]}")
        return response.status_code, payload

    def wait(self) -> None:
        """Let time pass between polls (the sandbox's admin endpoint, or the wall clock)."""
        if self.o.advance is not None:
            self.client.post(self.o.seller.rstrip("/") + "/admin/advance", params={"seconds": self.o.advance})
        else:
            time.sleep(self.o.poll_interval)

    def follow(self, kind: str, answer: Mapping[str, Any]) -> dict[str, Any]:
        """Poll a created resource to a terminal state; its states are kept for the checks."""
        ident = str(answer.get("id"))
        self.kinds[ident] = kind
        seen = self.states.setdefault(ident, [])
        seen.append(str(answer.get("state")))
        body: dict[str, Any] = dict(answer)
        operation = {"productOfferingQualification": "retrieveProductOfferingQualification"}.get(
            kind, f"retrieve{kind[0].upper()}{kind[1:]}"
        )
        timeline = self.timelines.setdefault(ident, [("poll", seen[-1])])
        for _poll in range(self.o.max_polls):
            if seen[-1] in TERMINAL[kind]:
                break
            self.wait()
            heard = self.heard.about(ident, EVENT_OF[kind])
            folded = sum(1 for source, _ in timeline if source == "hub")
            timeline += [("hub", str((e.get("event") or {}).get("state"))) for e in heard[folded:]]
            status, polled = self.call(API_OF[kind], operation, path={"id": ident})
            if isinstance(polled, dict):
                timeline.append(("poll", str(polled.get("state"))))
            if status != 200 or not isinstance(polled, dict):
                break
            self.findings.add(
                "stable-ids",
                str(polled.get("id")) == ident,
                f"{kind} {ident} retrieved as {polled.get('id')}",
            )
            body = polled
            if polled.get("state") != seen[-1]:
                seen.append(str(polled.get("state")))
        self.findings.add(
            "terminal",
            seen[-1] in TERMINAL[kind],
            f"{kind} {ident} ended {seen[-1]} after {len(seen)} state(s)",
        )
        return body

    # -- the run -------------------------------------------------------------------------------

    def run(self) -> Findings:
        """Play the buyer; returns every finding (violations are the ones not ``ok``)."""
        for api in API_OF.values():
            status, _hub = self.call(api, "registerListener", body={"callback": self.heard.url})
            if status == 401:  # the token, not the seller, is at fault: nothing else can be judged
                raise TokenRefused(f"the seller refused the token (401 on registerListener for {api})")
            self.findings.add("hub", status == 201, f"registerListener on {api}: {status}")
        status, offerings = self.call("productCatalog", "listProductOffering")
        offering = self._offering(offerings if isinstance(offerings, list) else [])
        if offering is None:
            missing = "no product offering" if self.o.offering is None else f"no offering {self.o.offering!r}"
            self.findings.add("catalog", False, f"the catalog lists {missing} to qualify")
            return self._finish()
        places = self._places()
        if not places:
            return self._finish()
        product = {
            "productOffering": {"id": offering["id"]},
            "productConfiguration": bodies.product_configuration(
                {"specification": offering["specification"]}, self.o.bandwidth, places
            ),
            "place": [{"@type": "GeographicAddressRef", "id": p, "role": "INSTALL_LOCATION"} for p in places],
        }
        item = {"id": "1", "action": "add", "product": product}
        status, poq = self.call(
            API_OF["productOfferingQualification"],
            "createProductOfferingQualification",
            body={
                "instantSyncQualification": False,
                "relatedContactInformation": CONTACT,
                "productOfferingQualificationItem": [item],
            },
        )
        if not self.created("createProductOfferingQualification", status, poq):
            return self._finish()
        poq = self.follow("productOfferingQualification", poq)
        quote_item = dict(item, qualificationItem={"id": "1", "qualificationId": str(poq.get("id"))})
        status, quote = self.call(
            API_OF["quote"],
            "createQuote",
            body={
                "instantSyncQuote": False,
                "buyerRequestedQuoteLevel": "firm",
                "relatedContactInformation": CONTACT,
                "quoteItem": [quote_item],
            },
        )
        if not self.created("createQuote", status, quote):
            return self._finish()
        quote = self.follow("quote", quote)
        if not self.findings.add(
            "flow",
            quote.get("state") in ("approved.orderable", "approved.orderableAlternate"),
            f"quote {quote.get('id')} ended {quote.get('state')}: nothing to order",
        ):
            return self._finish()
        external = f"probe-{quote.get('id')}"
        order_body = {
            "externalId": external,
            "relatedContactInformation": CONTACT,
            "productOrderItem": [dict(item, quoteItem={"id": "1", "quoteId": str(quote.get("id"))})],
        }
        key = {"Idempotency-Key": f"probe-{quote.get('id')}"}
        status, order = self.call(API_OF["productOrder"], "createProductOrder", body=order_body, headers=key)
        if not self.created("createProductOrder", status, order):
            return self._finish()
        again_status, again = self.call(
            API_OF["productOrder"], "createProductOrder", body=order_body, headers=key
        )
        same = isinstance(again, dict) and again.get("id") == order.get("id")
        self.findings.add(
            "idempotent-resend",
            same,
            f"a re-sent createProductOrder (same Idempotency-Key) answered {again_status} "
            + (
                "with the same order"
                if same
                else f"with {again.get('id') if isinstance(again, dict) else again}"
            ),
        )
        order = self.follow("productOrder", order)
        _status, listed = self.call(
            API_OF["productOrder"], "listProductOrder", params={"externalId": external}
        )
        count = len(listed) if isinstance(listed, list) else -1
        self.findings.add("idempotent-resend", count == 1, f"{count} order(s) with externalId {external}")
        if order.get("state") == "completed":
            _status, products = self.call("productInventoryManagement", "listProduct")
            found = isinstance(products, list) and bool(products)
            if found and isinstance(products, list) and isinstance(products[0], dict):
                self.ticket(str(products[0].get("id")))
            self.findings.add(
                "inventory", found, f"{len(products) if isinstance(products, list) else 0} product(s) listed"
            )
        status, _error = self.call(
            API_OF["productOrder"], "createProductOrder", body={"productOrderItem": "x"}
        )
        self.findings.add(
            "error-model",
            400 <= status < 500,
            f"a malformed createProductOrder answered {status}",
        )
        return self._finish()

    def ticket(self, product: str) -> None:
        """Report a trouble on the delivered product and follow the ticket (``status``, not
        ``state``) to its end; then read the buyer's bills (none may be due yet: the list and its
        schema are what is checked)."""
        api = "troubleTicketManagement"
        status, ticket = self.call(
            api,
            "createTroubleTicket",
            body=tb.ticket_create("probe", product, "probe: intermittent loss", "degraded"),
        )
        if self.created("createTroubleTicket", status, ticket) and isinstance(ticket, dict):
            ident = str(ticket.get("id"))
            self.kinds[ident] = "troubleTicket"
            seen = self.states.setdefault(ident, [str(ticket.get("status"))])
            for _poll in range(self.o.max_polls):
                if seen[-1] in TERMINAL["troubleTicket"]:
                    break
                self.wait()
                status, polled = self.call(api, "retrieveTroubleTicket", path={"id": ident})
                if status != 200 or not isinstance(polled, dict):
                    break
                self.findings.add(
                    "stable-ids",
                    str(polled.get("id")) == ident,
                    f"ticket {ident} retrieved as {polled.get('id')}",
                )
                if polled.get("status") != seen[-1]:
                    seen.append(str(polled.get("status")))
            self.findings.add(
                "terminal", seen[-1] in TERMINAL["troubleTicket"], f"troubleTicket {ident} ended {seen[-1]}"
            )
        self.call("billingManagement", "listCustomerBill")

    def created(self, operation: str, status: int, body: Any) -> bool:
        """A create the flow needs was accepted (201); otherwise the probe cannot go on: a finding."""
        reason = (
            body[0].get("reason") if isinstance(body, list) and body and isinstance(body[0], dict) else body
        )
        return self.findings.add(
            "flow", status == 201, f"{operation} answered {status}" + ("" if status == 201 else f": {reason}")
        )

    def _offering(self, offerings: list[Any]) -> dict[str, Any] | None:
        wanted = "access-eline" if self.o.irp == "sonata" else "epl-evc"
        chosen: dict[str, Any] | None = None
        for entry in offerings:
            if not isinstance(entry, dict):
                continue
            spec = str((entry.get("productSpecification") or {}).get("id", ""))
            if self.o.offering is not None:
                if entry.get("id") == self.o.offering:
                    return {"id": entry.get("id"), "specification": spec}
                continue
            if wanted in spec:
                return {"id": entry.get("id"), "specification": spec}
            if chosen is None and spec:
                chosen = {"id": entry.get("id"), "specification": spec}
        return chosen

    def _places(self) -> list[str]:
        places: list[str] = []
        for line in self.o.addresses:
            address = {k: v for k, v in parse_address(line).items() if v}
            status, found = self.call(
                "geographicAddressManagement",
                "createGeographicAddressValidation",
                body={"provideAlternative": False, "submittedGeographicAddress": address},
            )
            best = found.get("bestMatchGeographicAddress") if isinstance(found, dict) else None
            if not isinstance(best, dict) or "id" not in best:
                self.findings.add("address", False, f"no address found for {line!r} ({status})")
                continue
            places.append(str(best["id"]))
            self.call(
                "geographicSiteManagement",
                "listGeographicSite",
                params={"geographicAddress.id": str(best["id"])},
            )
        return places

    def _finish(self) -> Findings:
        known = seller_events()
        with self.heard.lock:
            heard = list(self.heard.events)
        for kind, event in heard:
            op = known.get(kind)
            if op is None:
                self.findings.add(
                    "notification-schema", False, f"an event at /listener/{kind}: no such MEF event"
                )
                continue
            problems = validate_message(str(op.api), op.name, "notification", event, index=self.index)
            self.findings.add("notification-schema", not problems, problems[0] if problems else kind)
        for ident, states in self.states.items():
            kind = self.kinds[ident]
            bad = illegal_steps(kind, states) + contradicted(kind, self.timelines.get(ident, []))
            self.findings.add(
                "transitions",
                not bad,
                f"{kind} {ident}: {' -> '.join(states)}" + (f"; illegal: {'; '.join(bad)}" if bad else ""),
            )
            # Deliveries may overtake each other on the way (MEF promises no order): events are
            # judged in the order of their eventTime, which the seller stamps when it sends them
            # (events of the same instant by their eventId, read as text with numbers in it).
            if kind not in EVENT_OF:
                continue  # (a ticket's events carry no status: its polls are what is judged)
            events = sorted(self.heard.about(ident, EVENT_OF[kind]), key=_sent_order)
            heard_states = [str((e.get("event") or {}).get("state")) for e in events]
            bad = illegal_steps(kind, [states[0], *heard_states])
            if bad:
                self.findings.add(
                    "transitions",
                    False,
                    f"{kind} {ident} announced {' -> '.join(heard_states)}; illegal: {'; '.join(bad)}",
                )
            problems = hub_problems(states[-1], events) if states[-1] in TERMINAL[kind] else []
            self.findings.add(
                "hub-once",
                not problems,
                f"{kind} {ident} heard {', '.join(heard_states) or 'nothing'}"
                + (f": {'; '.join(problems)}" if problems else ""),
            )
        return self.findings


def _sent_order(event: Mapping[str, Any]) -> tuple[str, list[Any]]:
    ident = str(event.get("eventId", ""))
    return str(event.get("eventTime", "")), [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", ident)]


def probe(options: ProbeOptions, index: ApiIndex, heard: Heard) -> Probe:
    """Run a probe; returns it (findings and exchanges) for the reports."""
    headers = {"Authorization": f"Bearer {options.token}"}
    with httpx.Client(headers=headers, timeout=60) as client:
        runner = Probe(options, index, heard, client)
        runner.run()
    return runner


__all__ = ["Exchange", "Probe", "ProbeOptions", "TokenRefused", "probe"]


class TokenRefused(Exception):
    """The seller answered 401: the probe's own input (its token) is wrong."""
