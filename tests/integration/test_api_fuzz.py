"""Schemathesis fuzzes every API operation in-process: no input may cause a server error.

Each operation gets generated requests that fit its schema (positive) and requests that
break it (negative: wrong types, overlong text, characters the patterns refuse), sent with a
real facilitator session and its CSRF token, against a procedure in the sessions phase on
SQLite and on PostgreSQL (which cannot store a NUL character: the case that matters most).
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from states.phases import Phase
from tests import support, web_support
from workflow.app import App
from workflow.web import create_app

pytestmark = pytest.mark.slow

# Per operation and mode: 30 operations x 2 modes x 10 runs in about 25 s per database.
# HOTSPOT_API_FUZZ_EXAMPLES=200 searches deeper when there is time.
EXAMPLES = int(os.environ.get("HOTSPOT_API_FUZZ_EXAMPLES", "10"))
# No server error, and the OpenAPI document tells the truth: every status and body answered
# is one it describes.
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
# Fixed for the positive cases, so they reach the commands instead of stopping at a 404.
CANCEL = ("POST", "/api/procedures/{pid}/cancel")
# Logging out ends the session on the server: it gets a session of its own for each case, or
# every operation fuzzed after it would meet only 401.
LOGOUT = ("DELETE", "/api/session")
LOGIN = ("POST", "/api/session")


@dataclass
class Tally:
    operations: int = 0
    examples: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    # Status counts per operation ("POST /api/session"), to say where each answer came from.
    by_operation: dict[str, Counter[int]] = field(default_factory=dict)


def test_every_operation_answers_as_documented_and_never_with_a_server_error(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every operation, fuzzed in both modes with a logged-in session, answers as documented."""
    # Wrong passwords are part of the fuzz; their deliberate slowness is not under test here.
    web_settings = replace(app.settings.web, login_floor_ms=0)
    monkeypatch.setattr(app, "settings", replace(app.settings, web=web_settings))
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.SESSIONS)
    support.hold_sessions(app, pid)
    # Cancelling would end the fuzz of every later operation: it gets a procedure of its own.
    spare = support.open_procedure(app, org="Gemeente Deventer")
    web = create_app(app)
    web_support.ensure_user(app)

    def log_in() -> tuple[str, str]:
        login = TestClient(web).post(
            "/api/session",
            json={"username": web_support.FACILITATOR, "password": web_support.PASSWORD},
        )
        assert login.status_code == 200, login.text
        return str(login.json()["csrf_token"]), str(login.cookies["hotspot_session"])

    token, cookie = log_in()
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", web)
    tally = Tally()

    def run_fuzz(strategy: Any, key: tuple[str, str], statuses: Counter[int]) -> None:
        # A function per operation, so that each hypothesis test binds its own key and tally.
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def fuzz(case: schemathesis.Case) -> None:
            csrf, session = log_in() if key == LOGOUT else (token, cookie)
            response = case.call(
                headers={"X-CSRF-Token": csrf}, cookies={"hotspot_session": session}
            )
            tally.examples += 1
            tally.statuses[response.status_code] += 1
            statuses[response.status_code] += 1
            case.validate_response(response, checks=CHECKS)

        fuzz()

    for result in schema.get_all_operations():
        operation = result.ok()
        tally.operations += 1
        key = (operation.method.upper(), operation.path)
        target = spare if key == CANCEL else pid
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fixed = (
                {"pid": target}
                if mode is GenerationMode.POSITIVE and "{pid}" in operation.path
                else None
            )
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed)
            name = f"{key[0]} {key[1]} ({mode.value})"
            statuses = tally.by_operation.setdefault(name, Counter())

            run_fuzz(strategy, key, statuses)

    print(f"\napi fuzz: {tally.operations} operations, {tally.examples} requests, {tally.statuses}")
    for name, counts in sorted(tally.by_operation.items()):
        print(f"  {name}: {dict(sorted(counts.items()))}")
    # 30 before, plus the link revocation route, the three mail routes (address
    # corrections and retry), the message to the workgroup, the invitation's introduction,
    # the information systems of a procedure and the planning in one step; then the drift
    # guard's check and the explanation of a case not kept.
    assert tally.operations == 43
    assert not any(status >= 500 for status in tally.statuses)
    # The session held all the way: a request that fits the schema is answered 401 only when it
    # is a login with made-up credentials (the negative cases include ones without a cookie).
    positive = {n: c for n, c in tally.by_operation.items() if n.endswith("(positive)")}
    refused = {name for name, counts in positive.items() if counts[401]}
    assert refused <= {f"{LOGIN[0]} {LOGIN[1]} (positive)"}, refused
    # Every operation was reached with the session: each answered something besides 401/403
    # (but a login with made-up credentials, whose right answer is 401).
    for name, counts in tally.by_operation.items():
        if name != f"{LOGIN[0]} {LOGIN[1]} (positive)":
            assert sum(n for s, n in counts.items() if s not in (401, 403)) > 0, name
    # The fuzz reached past validation: some commands ran, some were refused by the rules.
    assert tally.statuses[200] + tally.statuses[201] > 0
    assert tally.statuses[409] > 0 and tally.statuses[422] > 0
