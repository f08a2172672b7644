"""Idempotency-Key under concurrency: requests sent together with one key create one resource.

Real concurrent requests over loopback (an httpx AsyncClient, gathered), against the real server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from serve_helpers import CONTACT, POQ, epl, sdk_or_skip

from lso_sim.serve.server import prepare, running

TOKEN = {"Authorization": "Bearer demo-buyer-1"}
BODY = {
    "instantSyncQualification": False,
    "relatedContactInformation": CONTACT,
    "productOfferingQualificationItem": [
        {"id": "1", "action": "add", "product": epl(["demo-buyer-1-site-1", "demo-buyer-1-site-2"])}
    ],
}


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    prepared = prepare(None, "sp", sdk_or_skip(), speed=0)
    with running(prepared.app) as url:
        yield url


async def send_together(base: str, keys: list[str]) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=base, headers=TOKEN, timeout=60) as client:
        return list(
            await asyncio.gather(*(client.post(POQ, json=BODY, headers={"Idempotency-Key": k}) for k in keys))
        )


@pytest.mark.parametrize("copies", [2, 6])
def test_concurrent_requests_with_one_key_create_one_resource(base: str, copies: int) -> None:
    before = len(httpx.get(f"{base}{POQ}", headers=TOKEN).json())
    answers = asyncio.run(send_together(base, [f"race-{copies}"] * copies))
    assert [a.status_code for a in answers] == [201] * copies
    assert len({a.json()["id"] for a in answers}) == 1
    assert len(httpx.get(f"{base}{POQ}", headers=TOKEN).json()) == before + 1


def test_concurrent_requests_with_different_keys_each_create_one(base: str) -> None:
    before = len(httpx.get(f"{base}{POQ}", headers=TOKEN).json())
    answers = asyncio.run(send_together(base, ["a-1", "a-2", "a-3"]))
    assert len({a.json()["id"] for a in answers}) == 3
    assert len(httpx.get(f"{base}{POQ}", headers=TOKEN).json()) == before + 3
