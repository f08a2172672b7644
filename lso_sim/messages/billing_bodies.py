"""Payload builders of MEF's billing API (billingManagement and billingNotification).

A seller's bill (``CustomerBill``) and its items (``CustomerBillItem``) carry every field the
definitions require; amounts are ``Money`` in the seller's currency.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lso_sim.messages.bodies import contact, timestamp

JsonObject = dict[str, Any]
CURRENCY = "USD"


def money(value: float) -> JsonObject:
    """A MEF ``Money`` amount (rounded to cents)."""
    return {"unit": CURRENCY, "value": round(value, 2)}


def bill_item(
    item_id: str,
    item_type: str,
    description: str,
    product_id: str,
    product_name: str,
    order_id: str,
    start: float,
    end: float,
    unit: str,
    quantity: float,
    rate: float,
    tax_rate: float,
) -> JsonObject:
    """One ``CustomerBillItem``: a recurring or usage-based charge on one product."""
    amount = quantity * rate
    return {
        "id": item_id,
        "href": f"/customerBillItem/{item_id}",
        "appliedFee": [],
        "appliedTax": [
            {
                "category": "country",
                "description": "sales tax",
                "rate": tax_rate,
                "amount": money(amount * tax_rate),
            }
        ],
        "customerBillItemType": item_type,
        "description": description,
        "periodCoverage": {"startDateTime": timestamp(start), "endDateTime": timestamp(end)},
        "product": {"id": product_id},
        "productName": product_name,
        "productOrderItem": {"productOrderId": order_id, "productOrderItemId": "1"},
        "state": "generated",
        "taxExcludedAmount": money(amount),
        "unit": unit,
        "unitQuantity": round(quantity, 6),
        "unitRate": money(rate),
    }


def bill(
    bill_id: str,
    number: str,
    account: str,
    buyer: str,
    items: Sequence[Mapping[str, Any]],
    credits: float,
    tax_rate: float,
    start: float,
    end: float,
    now: float,
    state: str,
    payment_days: float,
) -> JsonObject:
    """A ``CustomerBill`` over ``items`` less ``credits`` (SLS credits), with tax."""
    net = sum(float(i["taxExcludedAmount"]["value"]) for i in items) - credits
    net = max(0.0, net)
    tax = net * tax_rate
    return {
        "id": bill_id,
        "href": f"/customerBill/{bill_id}",
        "amountDue": money(net + tax),
        "appliedPayment": [],
        "billCycle": f"cycle-{int(start // 86400) + 1}",
        "billDate": timestamp(now),
        "billDocument": {"url": f"https://billing.example.net/{bill_id}.pdf"},
        "billNo": number,
        "billingAccount": {"id": account},
        "billingPeriod": {"startDateTime": timestamp(start), "endDateTime": timestamp(end)},
        "category": "normal",
        "credits": money(credits),
        "customerBillItem": [{"id": i["id"], "href": i["href"]} for i in items],
        "discounts": money(0.0),
        "fees": money(0.0),
        "financialAccount": {"id": f"fa-{account}"},
        "lastUpdate": timestamp(now),
        "paymentDueDate": timestamp(now + payment_days * 86400.0),
        "relatedContactInformation": [contact(buyer, "buyerBillingContact")],
        "remainingAmount": money(net + tax),
        "runType": "onCycle",
        "state": state,
        "taxExcludedAmount": money(net),
        "taxIncludedAmount": money(net + tax),
        "taxItem": [{"taxCategory": "sales", "taxRate": tax_rate, "taxAmount": money(tax)}],
    }


def bill_find(full: Mapping[str, Any]) -> JsonObject:
    """One item of listCustomerBill (``CustomerBill_Find``)."""
    keys = ("id", "billingAccount", "billNo", "billingPeriod", "category", "state")
    return {k: full[k] for k in keys}


def event(event_type: str, bill_id: str, now: float, event_id: str, buyer: str) -> JsonObject:
    """A billingNotification event."""
    return {
        "eventId": event_id,
        "eventType": event_type,
        "eventTime": timestamp(now),
        "event": {"id": bill_id, "href": f"/customerBill/{bill_id}", "buyerId": buyer},
    }
