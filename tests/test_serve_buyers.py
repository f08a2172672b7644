"""Buyers and tokens from a scenario's ``serve:`` block: checked like any field, kept apart on the wire.

The sandbox runs on loopback with time frozen; buyers are httpx clients with the scenario's tokens.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from serve_helpers import CONTACT, POQ, epl, sdk_or_skip

from lso_sim.cli.main import main
from lso_sim.errors import ScenarioError
from lso_sim.scenarios import load_scenario, parse_scenario
from lso_sim.serve.server import prepare, running

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "sandbox" / "two-buyers.yaml"
SONATA_POQ = POQ.replace("/cantata/", "/sonata/")


def poq(sites: list[str]) -> dict[str, Any]:
    return {
        "instantSyncQualification": False,
        "relatedContactInformation": CONTACT,
        "productOfferingQualificationItem": [
            {"id": "1", "action": "add", "product": epl(sites) | {"productOffering": {"id": "epl-retail"}}}
        ],
    }


def as_buyer(base: str, token: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return httpx.Client(base_url=base, headers=headers, timeout=30)


@pytest.fixture(scope="module")
def customers() -> Iterator[str]:
    prepared = prepare(load_scenario(SCENARIO), "sp", sdk_or_skip(), speed=0)
    with running(prepared.app) as base:
        yield base


def test_the_scenarios_tokens_are_the_buyers_and_nothing_else(customers: str) -> None:
    for token in ("acme-4c1f2e", "globex-77ad03"):
        assert as_buyer(customers, token).get(POQ).status_code == 200
    for token in ("acme", "globex", "demo-buyer-1", "wholesale-sp-9b1e"):  # ids and other roles' tokens
        refused = as_buyer(customers, token).get(POQ)
        assert refused.status_code == 401 and refused.json()["code"] == "invalidCredentials"
    assert as_buyer(customers, None).get(POQ).json()["code"] == "missingCredentials"


def test_one_customer_never_sees_or_changes_anothers_qualification(customers: str) -> None:
    acme, globex = as_buyer(customers, "acme-4c1f2e"), as_buyer(customers, "globex-77ad03")
    created = acme.post(POQ, json=poq(["acme-hq", "acme-branch"]))
    assert created.status_code == 201
    ident = created.json()["id"]
    assert acme.get(f"{POQ}/{ident}").status_code == 200
    assert globex.get(f"{POQ}/{ident}").status_code == 404
    assert ident not in {p["id"] for p in globex.get(POQ).json()}
    hub = "/mefApi/cantata/productOfferingQualification/v7/hub"
    registered = acme.post(hub, json={"callback": "http://127.0.0.1:9/acme"}).json()["id"]
    assert globex.delete(f"{hub}/{registered}").status_code == 404
    assert acme.delete(f"{hub}/{registered}").status_code == 204  # still there: globex changed nothing


def test_two_providers_buying_from_the_partner_have_stores_of_their_own() -> None:
    prepared = prepare(load_scenario(SCENARIO), "partner", sdk_or_skip(), speed=0)
    assert {t: a.id for t, a in prepared.session.sandbox.buyers.items()} == {
        "wholesale-sp-9b1e": "bus-sp",
        "other-isp-2d6a": "bus-other-isp",
    }
    with running(prepared.app) as base:
        sp, other = as_buyer(base, "wholesale-sp-9b1e"), as_buyer(base, "other-isp-2d6a")
        hub = "/mefApi/sonata/productOfferingQualification/v7/hub"
        registered = sp.post(hub, json={"callback": "http://127.0.0.1:9/sp"})
        assert registered.status_code == 201
        assert other.delete(f"{hub}/{registered.json()['id']}").status_code == 404
        assert sp.delete(f"{hub}/{registered.json()['id']}").status_code == 204
        assert as_buyer(base, "acme-4c1f2e").get(SONATA_POQ).status_code == 401


BASE: dict[str, Any] = yaml.safe_load(SCENARIO.read_text())


@pytest.mark.parametrize(
    ("buyers", "field", "words"),
    [
        ([{"token": "a b", "customer": "acme"}], "serve.buyers.0.token", "a bearer token: letters, digits"),
        ([{"token": "t1"}], "serve.buyers.0", "'customer' (for --role sp) or 'provider'"),
        ([{"token": "t1", "customer": "initech"}], "serve.buyers.0.customer", "a customer id (acme, globex)"),
        (
            [{"token": "t1", "customer": "acme"}, {"token": "t1", "customer": "globex"}],
            "serve.buyers.1.token",
            "a token no other buyer has",
        ),
        ([{"token": "t1", "provider": "sof-sp"}], "serve.buyers.0.provider", "'sof-sp' is taken"),
        ([{"token": "t1", "provider": "Big ISP"}], "serve.buyers.0.provider", "an actor id: lower-case"),
        (
            [{"token": "t1", "provider": "bus-x"}, {"token": "t2", "provider": "bus-x"}],
            "serve.buyers.1.provider",
            "one token per provider",
        ),
        ([], "serve.buyers", "at least 1 item"),
        ([{"token": "t1", "customer": "acme", "role": "sp"}], "serve.buyers.0.role", "unknown field"),
    ],
)
def test_a_wrong_serve_block_names_its_field_and_what_was_expected(
    buyers: list[dict[str, str]], field: str, words: str
) -> None:
    data = dict(BASE, serve={"buyers": buyers})
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(data, "two-buyers.yaml")
    assert raised.value.field == field and words in raised.value.expected


def test_serve_on_a_wrong_block_or_role_exits_2_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(yaml.safe_dump(dict(BASE, serve={"buyers": [{"token": "t", "customer": "nobody"}]})))
    assert main(["serve", "--scenario", str(wrong), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "wrong.yaml: serve.buyers.0.customer" in err and "Traceback" not in err
    customers_only = tmp_path / "customers-only.yaml"
    customers_only.write_text(
        yaml.safe_dump(dict(BASE, serve={"buyers": [{"token": "t", "customer": "acme"}]}))
    )
    sdk_or_skip()
    assert main(["serve", "--scenario", str(customers_only), "--role", "partner", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "customers-only.yaml: serve.buyers: no buyer has a 'provider'" in err


def test_start_up_prints_each_buyers_token_and_actor(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sdk_or_skip()
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: None)
    assert main(["serve", "--scenario", str(SCENARIO), "--role", "sp", "--port", "0"]) == 0
    out = capsys.readouterr().out
    assert "acme-4c1f2e  (acme)" in out and "globex-77ad03  (globex)" in out
    assert "wholesale-sp-9b1e" not in out  # a provider's token: not a buyer of the SP
