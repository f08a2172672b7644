"""Thread 10.8: every refusal path (401 and 403) with its audit entry, the derived steps in order,
security on in every thread without changing its trace, and the switch that turns it off."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from assurance_helpers import canonical, first_seen
from conftest import SCENARIOS

from lso_sim.architecture.roles import Irp, Role
from lso_sim.engine.observers import MemoryTrace
from lso_sim.errors import ScenarioError
from lso_sim.messages import Kind
from lso_sim.messages.envelope import Flow, Message
from lso_sim.scenarios import load_scenario, run_scenario
from lso_sim.scenarios.runner import RunResult
from lso_sim.scenarios.schema import Scenario
from lso_sim.threads.security import security_of
from lso_sim.threads.security.credentials import Credential
from lso_sim.threads.security.policy import CLIENTS, _decide_scope_and_party, authorise, decide
from lso_sim.trace import JsonlTraceWriter


@pytest.fixture(scope="module")
def canonical_run() -> tuple[RunResult, MemoryTrace]:
    trace = MemoryTrace()
    return run_scenario(canonical("10.8"), [trace]), trace


@pytest.mark.parametrize(
    ("probe", "status", "code", "reason"),
    [
        (
            "security/probe-2",
            403,
            "forbiddenRequester",
            "bus-partner-1 (BUS-partner) may not send SONATA requests",
        ),
        ("security/probe-3", 403, "accessDenied", "createServiceOrder is not an operation of ALLEGRO"),
        ("security/probe-4", 401, "invalidCredentials", "the credential of acme expired at 172800 s"),
        ("security/probe-5", 401, "invalidCredentials", "icm-partner-1-access was revoked at 216000 s"),
    ],
)
def test_each_refusal_is_answered_with_mef_error_and_audited(
    canonical_run: tuple[RunResult, MemoryTrace], probe: str, status: int, code: str, reason: str
) -> None:
    result, trace = canonical_run
    outcome = result.world.outcomes[probe]
    assert outcome.state == "refused" and outcome.reason is not None and reason in outcome.reason
    (response,) = [r for r in trace.records if r.instance == probe and r.kind is Kind.RESPONSE]
    assert response.status == status
    assert response.payload["code"] == code and reason in response.payload["reason"]
    security = security_of(result.world)
    assert security is not None
    (entry,) = [e for e in security.audit.refused if reason in e.reason]
    assert (entry.src, entry.status, entry.code) == (response.dst, status, code)


def test_refused_steps_follow_the_derived_order(canonical_run: tuple[RunResult, MemoryTrace]) -> None:
    _result, trace = canonical_run

    def steps(instance: str) -> list[str]:
        return first_seen(r.step for r in trace.records if r.instance == instance)

    assert steps("security/probe-1") == ["1", "2", "3", "4", "end"]  # admitted
    assert steps("security/probe-2") == ["1", "2", "3", "4", "end"]  # authenticated, not authorised
    assert steps("security/probe-4") == ["1", "2", "4", "end"]  # not authenticated: no step 3


def test_the_order_is_admitted_hop_by_hop_and_audited(canonical_run: tuple[RunResult, MemoryTrace]) -> None:
    result, trace = canonical_run
    assert result.world.outcomes["acme/order-1"].state == "completed"
    security = security_of(result.world)
    assert security is not None
    admitted = sum(security.audit.admitted.values())
    received = [
        r for r in trace.records if r.kind in (Kind.REQUEST, Kind.NOTIFICATION) and r.delivered is not None
    ]
    assert admitted + len(security.audit.refused) == len(received)
    rows = security.audit.report()
    refused = [row for row in rows if str(row["decision"]).startswith("refused")]
    assert sum(int(str(row["count"])) for row in refused) == 4
    assert all(row["reasons"] for row in refused)


def _jsonl(scenario: Scenario) -> str:
    stream = io.StringIO()
    run_scenario(scenario, [JsonlTraceWriter(stream)])
    return stream.getvalue()


@pytest.mark.parametrize("thread", ["10.2", "10.5"])
def test_security_on_changes_an_admitted_run_only_by_the_credentials_requests_present(thread: str) -> None:
    """Security is on in every thread; where nothing is refused, the trace is what it was without it
    but for the ``auth`` field of each request: ``Bearer <credential id>`` of its sender, never more."""
    scenario = canonical(thread)
    off = scenario.model_copy(update={"security": scenario.security.model_copy(update={"enabled": False})})
    guarded = [json.loads(line) for line in _jsonl(scenario).splitlines()]
    plain = [json.loads(line) for line in _jsonl(off).splitlines()]
    assert [{k: v for k, v in r.items() if k != "auth"} for r in guarded] == plain
    assert not any("auth" in r for r in plain)
    for r in guarded:
        if r.get("kind") == "request":
            assert r["auth"] == f"Bearer cred-{r['src']}"
        else:
            assert "auth" not in r


def test_the_switch_turns_security_off(canonical_run: tuple[RunResult, MemoryTrace]) -> None:
    data = canonical("10.8").model_dump(mode="json", exclude_none=True)
    data["security"]["enabled"] = False
    result = run_scenario(Scenario.model_validate(data))
    assert security_of(result.world) is None
    # Without the guard, LEGATO's createServiceOrder from the Customer reaches SOF-sp, which
    # cannot read its empty body: a MEF 400, not a crash of the run.
    assert result.world.outcomes["security/probe-3"].detail["status"] == 400
    # Without the guard, the expired Customer is served and the partner gets the seller's own answer.
    assert result.world.outcomes["security/probe-4"].state == "admitted"
    assert result.world.outcomes["security/probe-2"].detail["status"] == 404


# -- the policy --------------------------------------------------------------------------------


def _msg(irp: Irp, src_role: Role, dst_role: Role, kind: Kind, operation: str, api: str | None) -> Message:
    return Message(
        seq=1,
        time=0.0,
        delivered=0.0,
        thread="-",
        instance="-",
        step="-",
        irp=irp.value,
        src="a",
        dst="b",
        src_role=src_role.value,
        dst_role=dst_role.value,
        kind=kind,
        operation=operation,
        api=api,
        id="m1",
        correlation_id=None,
        status=None,
        payload={},
    )


REQUESTS = {
    Irp.CANTATA: ("listProductOffering", "productCatalog"),
    Irp.SONATA: ("listProductOffering", "productCatalog"),
    Irp.ALLEGRO: ("requestServiceChange", None),
    Irp.INTERLUDE: ("activateServiceComponent", None),
    Irp.PRESTO: ("runServiceActivationTest", None),
    Irp.ADAGIO: ("testNetworkElement", None),
}


@pytest.mark.parametrize("irp", list(REQUESTS))
def test_only_the_client_role_of_an_irp_may_ask(irp: Irp) -> None:
    operation, api = REQUESTS[irp]
    for client, server in CLIENTS[irp]:
        assert authorise(_msg(irp, client, server, Kind.REQUEST, operation, api)).status is None
        refused = authorise(_msg(irp, server, client, Kind.REQUEST, operation, api))
        assert (refused.status, refused.code) == (403, "forbiddenRequester")


def test_notifications_go_from_server_to_client() -> None:
    event = _msg(
        Irp.SONATA,
        Role.BUS_PARTNER,
        Role.BUS_SP,
        Kind.NOTIFICATION,
        "productOrderStateChangeEvent",
        "productOrderNotification",
    )
    assert authorise(event).status is None


@pytest.mark.parametrize("irp", list(REQUESTS))
def test_a_decision_remembered_for_a_shape_is_the_decision_made_anew(irp: Irp) -> None:
    """Admitted shapes are remembered (a run decides millions of messages); asking again, in any
    order, gives what deciding from scratch gives, and a refusal still names its own actors."""
    operation, api = REQUESTS[irp]
    roles = sorted({role for pair in CLIENTS[irp] for role in pair} | {Role.CUSTOMER, Role.ECM})
    shapes = [
        _msg(irp, src, dst, kind, op, api)
        for src in roles
        for dst in roles
        for kind in (Kind.REQUEST, Kind.NOTIFICATION)
        for op in (operation, "notAnOperation")
    ]
    for msg in shapes + shapes[::-1]:
        assert authorise(msg) == _decide_scope_and_party(msg)
    client, server = sorted(CLIENTS[irp])[0]
    backwards = _msg(irp, server, client, Kind.REQUEST, operation, api)
    assert authorise(backwards).code == "forbiddenRequester"
    assert "someone-else" in authorise(replace(backwards, src="someone-else")).reason


@pytest.mark.parametrize(
    ("credential", "code"),
    [
        (None, "missingCredentials"),
        (Credential("a", "sp", "BUS-sp", expires=10.0), "invalidCredentials"),
        (Credential("a", "sp", "BUS-sp", revoked=5.0), "invalidCredentials"),
    ],
)
def test_authentication_comes_first(credential: Credential | None, code: str) -> None:
    msg = _msg(Irp.CANTATA, Role.BUS_SP, Role.CUSTOMER, Kind.REQUEST, "nope", None)  # also unauthorised
    decision = decide(credential, msg, now=20.0)
    assert (decision.status, decision.code) == (401, code)


def test_a_credential_is_valid_until_its_time() -> None:
    credential = Credential("a", "sp", "BUS-sp", expires=10.0, revoked=20.0)
    assert credential.problem(9.9) is None
    assert "expired" in str(credential.problem(10.0))
    assert "revoked" in str(credential.problem(20.0))


# -- the scenario blocks -----------------------------------------------------------------------


def _data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((SCENARIOS / "thread-10.8.yaml").read_text())
    data.pop("expect")
    return data


@pytest.mark.parametrize(
    ("path", "value", "field", "expected"),
    [
        ("probe.sender", "mallory", "workload.1.probes.requests.0.sender", "an actor id"),
        ("probe.receiver", "ecm-pn-access-1", "workload.1.probes.requests.0.receiver", "an IRP joins"),
        ("probe.operation", "registerListener", "workload.1.probes.requests.0.api", "an 'api' naming which"),
        ("probe.operation", "fly", "workload.1.probes.requests.0.operation", "a known operation"),
        ("credential.actor", "mallory", "security.credentials.0.actor", "an actor id"),
    ],
)
def test_a_bad_security_block_names_the_field(
    tmp_path: Path, path: str, value: str, field: str, expected: str
) -> None:
    data = _data()
    where, name = path.split(".")
    target_block = (
        data["workload"][1]["probes"]["requests"][0]
        if where == "probe"
        else data["security"]["credentials"][0]
    )
    target_block[name] = value
    target = tmp_path / "bad.yaml"
    target.write_text(yaml.safe_dump(data))
    with pytest.raises(ScenarioError) as info:
        load_scenario(target)
    assert info.value.field == field
    assert expected in info.value.expected


def test_flow_of_probe_messages_is_thread_10_8(canonical_run: tuple[RunResult, MemoryTrace]) -> None:
    _result, trace = canonical_run
    probe = [r for r in trace.records if r.instance.startswith("security/")]
    assert probe and {Flow(r.thread, r.instance).thread for r in probe} == {"10.8"}


def test_the_run_summary_shows_the_audit_when_something_was_refused(
    canonical_run: tuple[RunResult, MemoryTrace], scenario_10_2: Scenario
) -> None:
    from rich.console import Console

    from lso_sim.cli.render import audit_table

    result, _trace = canonical_run
    table = audit_table(result.world)
    assert table is not None
    console = Console(file=io.StringIO(), width=300)
    console.print(table)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "refused 403" in text and "refused 401" in text and "was revoked at 216000 s" in text
    assert audit_table(run_scenario(scenario_10_2).world) is None  # nothing refused: no table


def test_a_probe_body_has_the_limits_of_a_request_body(tmp_path: Path) -> None:
    data = _data()
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(40):
        node["x"] = {}
        node = node["x"]
    data["workload"][1]["probes"]["requests"][0]["body"] = deep
    target = tmp_path / "bad.yaml"
    target.write_text(yaml.safe_dump(data))
    with pytest.raises(ScenarioError) as info:
        load_scenario(target)
    assert info.value.field == "workload.1.probes.requests.0.body"
    assert "levels deep" in info.value.expected


# -- ADAGIO only from its ICM; audit records in the trace and in the report ---------------------------


@pytest.mark.parametrize(
    ("holder", "manager", "status"),
    [("a", "a", None), ("a", "icm-other", 403), ("a", None, 403)],
    ids=["its-icm", "another-icm", "no-manager-known"],
)
def test_an_ecm_takes_adagio_requests_only_from_its_icm(
    holder: str, manager: str | None, status: int | None
) -> None:
    """The guard's second line of defence (the architecture already joins an ECM to its ICM alone)."""
    msg = _msg(Irp.ADAGIO, Role.ICM, Role.ECM, Kind.REQUEST, "testNetworkElement", None)
    decision = decide(Credential(holder, "sp", "ICM"), msg, now=0.0, manager=manager)
    assert decision.status == status
    if status is not None:
        assert decision.code == "forbiddenRequester" and "only from its ICM" in decision.reason


def test_the_canonical_adagio_hops_come_from_each_element_s_icm(
    canonical_run: tuple[RunResult, MemoryTrace],
) -> None:
    """Every ADAGIO request of the canonical run was admitted: each came from the ECM's own ICM."""
    result, trace = canonical_run
    architecture = result.world.sim.architecture
    adagio = [r for r in trace.records if r.irp == "ADAGIO" and r.kind is Kind.REQUEST]
    assert adagio and all(architecture.actor(r.dst).manager == r.src for r in adagio)


def test_a_refused_message_of_another_thread_leaves_an_audit_record(run: Any) -> None:
    """A 10.2 request refused (an expired credential) is audited in its own instance, step 'audit'."""
    data = _data()
    data["security"]["credentials"] = [{"actor": "acme", "expires": 1.0}]
    data["workload"] = data["workload"][:1]
    data.pop("expect", None)
    _result, trace = run(Scenario.model_validate(data))
    refused = [r for r in trace.records if r.kind is Kind.RESPONSE and r.status == 401]
    audits = [r for r in trace.records if r.operation == "auditAccessDecision"]
    assert refused and len(audits) == len(refused)
    for audit, answer in zip(audits, refused, strict=True):
        assert (audit.thread, audit.step, audit.kind) == ("10.2", "audit", Kind.ACTIVITY)
        assert audit.payload["message"] == answer.correlation_id
        assert audit.payload["decision"] == "refused 401" and audit.payload["party"] == "acme"
        assert audit.seq < answer.seq


def test_report_tabulates_decisions_by_party_irp_and_outcome(tmp_path: Path) -> None:
    """`lso-sim report` reads the audit records back: refusals with reasons, everything else admitted."""
    from lso_sim.report.access import access_decisions
    from lso_sim.trace.select import load_records

    records = load_records(SCENARIOS / "goldens" / "thread-10.8.jsonl").records
    rows = {(d.party, d.irp, d.outcome): d for d in access_decisions(records)}
    assert rows[("acme", "ALLEGRO", "refused 403")].reasons == (
        "createServiceOrder is not an operation of ALLEGRO (it belongs to LEGATO)",
    )
    assert rows[("icm-partner-1-access", "ADAGIO", "refused 401")].count == 1
    assert rows[("acme", "CANTATA", "admitted")].count > 0
    crossed = [r for r in records if r["kind"] in ("request", "notification") and r["delivered"] is not None]
    assert sum(d.count for d in rows.values()) == len(crossed)
    assert access_decisions([r for r in records if r["operation"] != "auditAccessDecision"]) == []


def test_a_request_presenting_another_party_s_credential_is_refused_401() -> None:
    """The guard authenticates the credential a request carries, not the sender's name."""
    credential = Credential("bus-sp", "sp", "BUS-sp")
    msg = _msg(Irp.CANTATA, Role.CUSTOMER, Role.BUS_SP, Kind.REQUEST, "listProductOffering", "productCatalog")
    decision = decide(credential, msg, now=0.0)  # _msg's sender is "a"
    assert (decision.status, decision.code) == (401, "invalidCredentials")
    assert decision.reason == "a presented cred-bus-sp, issued to bus-sp"
    assert credential.authorization == "Bearer cred-bus-sp"
