"""Schemathesis fuzz of the whole HTTP API from its own OpenAPI spec, in-process (ASGI), on fake services.

Every operation is fuzzed with valid (positive) and invalid (negative) inputs, with the widget's auth
headers, an agent's console session cookie, and the path parameters of a real conversation for half
of the cases (random ids only ever reach the 404 branch). Each response must be no server error
(5xx), carry a documented status code and content type, and match its documented schema (the SSE
turn is checked event by event). Rate limits are raised so that fuzzing reaches the handlers.

CI runs `FUZZ_EXAMPLES` (default 25) examples per operation and mode, about half a minute; a longer
run: `SHOPASSIST_FUZZ_EXAMPLES=500 .venv/bin/pytest tests/ui/test_fuzz.py -q`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi import checks as openapi_checks

from assistant.llm.fake import FakeChatModel
from assistant.services import Assistant
from assistant.store_profile import demo_settings
from assistant.testing import demo_products, make_services
from ui.api.app import create_app

EXAMPLES = int(os.environ.get("SHOPASSIST_FUZZ_EXAMPLES", "25"))
H = {"X-Site-Key": "pk_demo", "X-Visitor-Id": "v_fuzz"}
CHECKS = [
    not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]
UNLIMITED = {"rate_site_per_s": 1e6, "rate_site_burst": 10**6, "rate_visitor_per_s": 1e6,
             "rate_visitor_burst": 10**6}  # merged into the demo profile's [api] (its site keys stay)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=[pytest.mark.slow,
                                                                                    pytest.mark.postgres])])
def fuzz_target(request: pytest.FixtureRequest) -> Iterator[tuple[FastAPI, str, str]]:
    """(app, a conversation id of the fuzzing visitor, an agent's session token), on in-memory SQLite and on
    PostgreSQL (which refuses what SQLite stores: NUL characters, over-long strings)."""
    url = "sqlite://"
    if request.param == "postgresql":
        server = request.getfixturevalue("pg_server")
        url = server.create_database("fuzz", template=request.getfixturevalue("pg_template"))
    services = make_services(demo_products(), model=FakeChatModel("Light and comfortable for running."),
                             database_url=url)
    app = create_app(Assistant(services), demo_settings(api=UNLIMITED))
    client = TestClient(app)
    cid = client.post("/v1/conversations", headers=H).json()["id"]
    client.post(f"/v1/conversations/{cid}/messages", headers=H, json={"message": "running shoes"})
    app.state.desk.auth.create_agent("fuzzer", "fuzz-password-1")
    token = app.state.desk.auth.login("fuzzer", "fuzz-password-1")
    assert token
    yield app, cid, token


def operations(app: FastAPI) -> list[Any]:
    """Every operation in the spec; logout last, since it ends the agent session the others use."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    return sorted((result.ok() for result in schema.get_all_operations()), key=lambda op: "logout" in op.path)


def fuzz(operation: Any, mode: GenerationMode, path_parameters: dict[str, str] | None, token: str,
         failures: list[str]) -> None:
    """Run one operation's strategy; collect failures (the first per operation is enough to fix it)."""
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(strategy)
    def run(case: Any) -> None:
        try:
            case.call_and_validate(headers=H, cookies={"sa_agent": token}, checks=CHECKS)
        except (AssertionError, BaseExceptionGroup) as exc:
            failures.append(f"{operation.label} [{mode.value}]: {exc}")

    with contextlib.suppress(Unsatisfiable):  # negative cases of an operation with no inputs cannot exist
        run()


def test_fuzzing_the_openapi_spec_finds_no_server_error_and_no_schema_violation(
    fuzz_target: tuple[FastAPI, str, str],
) -> None:
    app, cid, token = fuzz_target
    ops = operations(app)
    labels = {op.label for op in ops}
    assert {"POST /v1/conversations/{conversation_id}/messages", "POST /v1/cart/items",
            "GET /console/api/queue"} <= labels  # the widget API and the console are both in the spec
    failures: list[str] = []
    for op in ops:
        own = {"conversation_id": cid} if "{conversation_id}" in op.path else None
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz(op, mode, None, token, failures)
            if own:
                fuzz(op, mode, own, token, failures)
    assert not failures, f"{len(failures)} failing cases; first:\n" + "\n\n".join(failures[:3])


def test_the_turn_stream_is_documented_event_by_event(fuzz_target: tuple[FastAPI, str, str]) -> None:
    """The SSE schema names every event type, so a new event type without a schema fails the fuzz."""
    app, _, _ = fuzz_target
    spec = TestClient(app).get("/openapi.json").json()
    sse = spec["paths"]["/v1/conversations/{conversation_id}/messages"]["post"]["responses"]["200"]["content"]
    event = sse["text/event-stream"]["schema"]
    assert {"scene", "products", "text_delta", "done", "error"} <= set(event["properties"]["event"]["enum"])
    assert "409" in spec["paths"]["/console/api/conversations/{conversation_id}/take_over"]["post"]["responses"]
