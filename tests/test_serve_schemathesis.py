"""A bounded property-based run against the sandbox's own OpenAPI document (schemathesis).

For every operation ``/openapi.json`` lists, schemathesis generates requests from MEF's schema
(valid ones and ones that break it) and sends them to the real server. Whatever it sends, the
sandbox must answer without a 5xx and with a response its document allows (a defined status, a
body of that status's schema). The run is small (``EXAMPLES`` per operation, derandomised) so
``make test`` stays fast; ``LSO_SERVE_EXAMPLES`` raises it for a longer campaign.

With chaos ``503`` on (half the requests answered 503) the document declares the 503, so the
same checks hold; that run covers the order API only, to keep the suite fast.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis (test extra) is not installed")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    response_schema_conformance,
    status_code_conformance,
)
from serve_helpers import sdk_or_skip  # noqa: E402

from lso_sim.serve.server import prepare, running  # noqa: E402

EXAMPLES = int(os.environ.get("LSO_SERVE_EXAMPLES", "4"))
TOKEN = {"Authorization": "Bearer demo-buyer-1"}
CHECKS = [status_code_conformance, response_schema_conformance]
"""With ``not_a_server_error`` added where no 503 is declared (a declared 503 is chaos, not a fault)."""


RUNS = {"plain": (frozenset(), ""), "chaos-503": (frozenset({"503"}), "/productOrderingManagement/")}
"""Run name -> (chaos kinds, the paths it covers: those containing this text)."""


@pytest.fixture(scope="module", params=sorted(RUNS))
def served(request: pytest.FixtureRequest) -> Iterator[tuple[Any, str, str]]:
    chaos, paths = RUNS[request.param]
    prepared = prepare(None, "sp", sdk_or_skip(), speed=0, chaos=chaos, chaos_rate=0.5)
    with running(prepared.app) as base:
        yield prepared, base, paths


def test_no_5xx_but_a_declared_503_and_every_answer_fits_the_document(served: tuple[Any, str, str]) -> None:
    prepared, base, paths = served
    schema = schemathesis.openapi.from_dict(prepared.app.openapi())
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if paths not in operation.path:
            continue
        operations += 1

        @given(operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        def exchange(case: Any) -> None:
            response = case.call(base_url=base, headers=TOKEN)
            declared = response.status_code == 503 and "503" in case.operation.definition.raw["responses"]
            case.validate_response(response, checks=CHECKS if declared else [not_a_server_error, *CHECKS])

        try:
            exchange()
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # each operation's first failure, all reported together
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    assert operations == len([r for r in prepared.routes if paths in r.path]) > 0
    assert not failures, "\n\n".join(failures)
