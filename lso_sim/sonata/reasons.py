"""Why a MEF resource ended where it did, read back from its body.

A seller says why an order, a quote or a qualification failed in two places: the last
``stateChange`` entry's ``changeReason`` (what lso-sim's sellers write when their back office
gives up) and an item's ``terminationError`` (MEF 123's answer for an order rejected after it was
acknowledged). A buyer reading the body wants one sentence, whichever the seller used.
"""

from __future__ import annotations

from typing import Any

from lso_sim.messages.envelope import Message


def end_reason(body: Any) -> str | None:
    """The seller's reason for the state ``body`` is in, or ``None`` when it gives none."""
    if not isinstance(body, dict):
        return None
    changes = body.get("stateChange")
    if isinstance(changes, list) and changes and isinstance(changes[-1], dict):
        reason = changes[-1].get("changeReason")
        if reason:
            return str(reason)
    for key in ("productOrderItem", "quoteItem", "productOfferingQualificationItem"):
        for item in body.get(key) or []:
            if not isinstance(item, dict):
                continue
            for error in item.get("terminationError") or []:
                if isinstance(error, dict) and error.get("value"):
                    return str(error["value"])
    return None


def refusal_detail(answer: Message) -> str:
    """The reason a refused request's MEF error body gives (a dict or a list of them), or its code;
    "no reason given" when the body says nothing."""
    body = answer.payload
    if isinstance(body, list) and body and isinstance(body[0], dict):
        body = body[0]
    if isinstance(body, dict):
        return str(body.get("reason") or body.get("message") or body.get("code") or "no reason given")
    return "no reason given"


def refusal(answer: Message) -> str:
    """What a refused request's MEF error body says (a dict or a list of them), as a sentence."""
    body = answer.payload
    if isinstance(body, list) and body and isinstance(body[0], dict):
        body = body[0]
    detail = body.get("reason") or body.get("message") if isinstance(body, dict) else None
    return f"{answer.operation} answered {answer.status}" + (f": {detail}" if detail else "")


__all__ = ["end_reason", "refusal", "refusal_detail"]
