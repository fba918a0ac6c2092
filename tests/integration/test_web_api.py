"""The JSON API over the real app and database: login, CSRF, roles, commands, refusals, OpenAPI."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from notifications.outbox import OUTBOX
from states.config import MILESTONE_ORDER
from states.phases import Phase
from tests import support, web_support
from tests.support import EXTERNAL, INTERNAL
from workflow.app import App
from workflow.db import models as m

GAPS = [0, 14, 28, 35, 60, 75, 90, 110, 200, 230]


class Api:
    """A logged-in facilitator talking JSON, with the session's CSRF token on every write."""

    def __init__(self, web: TestClient, token: str) -> None:
        self.web = web
        self.token = token

    def get(self, path: str, **params: Any) -> Any:
        return self.web.get(path, params=params)

    def write(self, method: str, path: str, body: Any = None) -> Any:
        return self.web.request(method, path, json=body, headers={"X-CSRF-Token": self.token})

    def ok(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        response = self.write(method, path, body)
        assert response.status_code in (200, 201), response.text
        answer: dict[str, Any] = response.json()
        return answer


def log_in(app: App) -> Api:
    web_support.ensure_user(app)
    web = web_support.client(app)
    response = web.post(
        "/api/session", json={"username": web_support.FACILITATOR, "password": web_support.PASSWORD}
    )
    assert response.status_code == 200, response.text
    return Api(web, response.json()["csrf_token"])


def phase_of(api: Api, pid: str) -> str:
    return str(api.get(f"/api/procedures/{pid}").json()["phase"])


def audit_count(app: App, pid: str) -> int:
    with app.read() as db:
        return len(
            list(db.scalars(select(m.AuditRecord.id).where(m.AuditRecord.procedure_id == pid)))
        )


def to_expert_selection(app: App) -> str:
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    support.recruit(app, pid)
    return pid


class LazyApi(Api):
    """An Api that logs in on its first request: tests first let the calendar run on (months
    pass while a procedure is driven to its phase), then the facilitator logs in and works."""

    def __init__(self, app: App) -> None:
        self.app = app
        self._api: Api | None = None

    def _logged_in(self) -> Api:
        if self._api is None:
            self._api = log_in(self.app)
        return self._api

    @property  # type: ignore[override]
    def web(self) -> TestClient:
        return self._logged_in().web

    @property  # type: ignore[override]
    def token(self) -> str:
        return self._logged_in().token


@pytest.fixture
def api(app: App) -> Api:
    return LazyApi(app)


def test_a_facilitator_logs_in_and_reads_the_same_csrf_token_back(app: App) -> None:
    """POST /api/session starts a session whose token and user GET /api/session repeats."""
    api = log_in(app)
    info = api.get("/api/session").json()
    assert info["csrf_token"] == api.token
    assert info["user"] == {"username": "sanne", "name": "Sanne Procesbegeleider"}


def test_a_wrong_password_is_answered_401_in_json(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed API login is a JSON 401 that does not say whether the name exists."""
    # No floor under failed logins here: the answer, not its timing, is under test.
    web_settings = replace(app.settings.web, login_floor_ms=0)
    monkeypatch.setattr(app, "settings", replace(app.settings, web=web_settings))
    web_support.ensure_user(app)
    web = web_support.client(app)
    wrong = web.post("/api/session", json={"username": "sanne", "password": "not-it-at-all"})
    unknown = web.post("/api/session", json={"username": "nobody", "password": "not-it-at-all"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["error"] == "login_refused"
    assert wrong.json()["message"] == unknown.json()["message"]
    assert web.get("/api/procedures").status_code == 401


def test_the_api_drives_a_procedure_from_preparation_to_the_expert_sessions(
    app: App, api: Api
) -> None:
    """Every step from opening to the sessions phase goes through the API, audited as sanne."""
    opened = api.ok(
        "POST",
        "/api/procedures",
        {"organisation": "Provincie Drenthe", "governing_body": "GS", "period": "2017-2023"},
    )
    pid = opened["procedure"]
    assert opened["phase"] == "preparation"
    assert api.ok("POST", f"/api/procedures/{pid}/advance")["phase"] == "workgroup"
    for name, role in (("Sanne", "procesbegeleider"), ("Bert", "informatiebeheerder")):
        member = api.ok(
            "POST",
            f"/api/procedures/{pid}/members",
            {"name": name, "email": f"{name.lower()}@org.example", "role": role},
        )
        assert member["member"] > 0
    api.ok(
        "POST",
        f"/api/procedures/{pid}/members",
        {"name": "Carla", "email": "carla@org.example", "role": "archivaris", "language": "en"},
    )
    assert api.ok("POST", f"/api/procedures/{pid}/advance")["phase"] == "planning"
    for key, gap in zip(MILESTONE_ORDER, GAPS, strict=True):
        day = support.FIRST_MILESTONE + timedelta(days=gap)
        result = api.ok("PUT", f"/api/procedures/{pid}/milestones/{key}", {"date": day.isoformat()})
        assert result["due"] == day.isoformat()
    assert api.ok("POST", f"/api/procedures/{pid}/advance")["phase"] == "expert_selection"
    for perspective, people in (("internal", INTERNAL), ("external", EXTERNAL)):
        for name, email, profile in people:
            api.ok(
                "POST",
                f"/api/procedures/{pid}/experts",
                {"name": name, "email": email, "perspective": perspective, "profile": profile},
            )
    invited = api.ok("POST", f"/api/procedures/{pid}/experts/invitations", {"emails": []})
    assert len(invited["invited"]) == 6
    for _, email, _ in INTERNAL + EXTERNAL:
        answer = api.ok("PUT", f"/api/procedures/{pid}/experts/{email}/response", {"accept": True})
        assert answer["response"] == "accepted"
    assert api.ok("POST", f"/api/procedures/{pid}/advance")["phase"] == "sessions"
    status = api.get(f"/api/procedures/{pid}").json()
    assert status["counts"]["experts_accepted"] == 6
    assert status["milestones"]["rsvp_deadline"] == "2025-02-17"
    trail = api.get(f"/api/procedures/{pid}/audit", limit=500).json()
    assert {r["actor"] for r in trail["records"]} == {"sanne"}
    assert trail["records"][0]["action"] == "phase.advance"
    assert trail["total"] == len(trail["records"]) == status["counts"]["audit_records"]


def test_sessions_candidates_and_the_concept_list_are_recorded_through_the_api(
    app: App, api: Api
) -> None:
    """Plan, move, attend and cancel sessions, nominate and assess, all via the API."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.SESSIONS)
    # Recorded that evening: the moved session has been held, so its attendance can be taken.
    support.run_clock_to(app, datetime(2025, 3, 11, 17, 0))
    base = f"/api/procedures/{pid}"
    first = api.ok("POST", f"{base}/sessions", {"at": "2025-03-10T14:00", "location": "Zwolle"})
    moved = api.ok("PATCH", f"{base}/sessions/{first['session']}", {"at": "2025-03-11T14:00"})
    assert moved["at"].startswith("2025-03-11T14:00")
    present = [e for _, e, _ in INTERNAL[:2] + EXTERNAL[:2]]
    attended = api.ok("PUT", f"{base}/sessions/{first['session']}/attendance", {"emails": present})
    assert attended["attendees"] == 4
    spare = api.ok("POST", f"{base}/sessions", {"at": "2025-04-01T10:00+02:00"})
    cancelled = api.ok(
        "POST", f"{base}/sessions/{spare['session']}/cancellation", {"reason": "Te weinig tijd"}
    )
    assert cancelled["cancelled"] is True
    candidate = api.ok(
        "POST",
        f"{base}/candidates",
        {
            "title": "Stikstofcrisis",
            "start": "2019-10-01",
            "description": "Boerenprotesten\nen besluitvorming",
            "nominated_by": INTERNAL[0][1],
        },
    )
    assessed = api.ok(
        "PUT",
        f"{base}/candidates/{candidate['candidate']}/assessment",
        {"criteria": [1, 3], "motivation": "Veel onrust", "include": True},
    )
    assert assessed["included"] is True
    status = api.get(base).json()
    assert status["counts"]["sessions"] == 1
    assert status["counts"]["concept_list"] == 1


def test_a_refused_advance_answers_409_with_blocker_codes_and_figures(app: App, api: Api) -> None:
    """Advancing a workgroup without roles is refused with the rule's code and its figures."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.WORKGROUP)
    before = audit_count(app, pid)
    refused = api.write("POST", f"/api/procedures/{pid}/advance?lang=en", {"reason": "try"})
    assert refused.status_code == 409
    body = refused.json()
    assert body["ok"] is False and body["error"] == "refused"
    assert body["codes"] == ["workgroup.required_roles"]
    blocker = body["blockers"][0]
    assert blocker["code"] == "workgroup.required_roles"
    assert blocker["figures"].startswith("0 of 3 required roles")
    assert blocker["data"]["missing"] == ["procesbegeleider", "informatiebeheerder", "archivaris"]
    assert phase_of(api, pid) == "workgroup"
    assert audit_count(app, pid) == before
    status = api.get(f"/api/procedures/{pid}").json()
    assert [b["code"] for b in status["blockers"]] == ["workgroup.required_roles"]


def test_a_deviation_lets_a_balance_rule_pass(app: App, api: Api) -> None:
    """A recorded deviation appears in the status with its reason and the facilitator."""
    pid = to_expert_selection(app)
    recorded = api.ok(
        "POST",
        f"/api/procedures/{pid}/deviations",
        {"rule_code": "panel.size", "reason": "Klein panel bewust gekozen"},
    )
    assert recorded["rule"] == "panel.size"
    status = api.get(f"/api/procedures/{pid}").json()
    assert status["deviations"][0]["reason"] == "Klein panel bewust gekozen"
    assert status["deviations"][0]["actor"] == "sanne"
    unknown = api.write(
        "POST", f"/api/procedures/{pid}/deviations", {"rule_code": "panel.nope", "reason": "x"}
    )
    assert unknown.status_code == 422
    assert unknown.json()["field"] == "rule_code"


def test_a_write_without_the_csrf_token_is_403_and_changes_nothing(app: App, api: Api) -> None:
    """No header, a wrong one or a non-ASCII one: 403, and the procedure stays as it was."""
    pid = support.open_procedure(app)
    before = api.get(f"/api/procedures/{pid}").json()
    attempts = [
        api.web.post(f"/api/procedures/{pid}/advance"),
        api.web.post(f"/api/procedures/{pid}/advance", headers={"X-CSRF-Token": "wrong"}),
        api.web.post(
            f"/api/procedures/{pid}/advance", headers={"X-CSRF-Token": "t\xe9st".encode("latin-1")}
        ),
        api.web.post(f"/api/procedures/{pid}/cancel", json={"reason": "weg ermee"}),
        api.web.delete("/api/session"),
    ]
    for response in attempts:
        assert response.status_code == 403, response.text
        assert response.json()["error"] == "csrf"
    after = api.get(f"/api/procedures/{pid}").json()
    assert after["phase"] == before["phase"] == "preparation"
    assert after["version"] == before["version"]
    assert audit_count(app, pid) == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/session"),
        ("DELETE", "/api/session"),
        ("GET", "/api/procedures"),
        ("POST", "/api/procedures"),
        ("GET", "/api/procedures/some-procedure"),
        ("POST", "/api/procedures/some-procedure/advance"),
        ("GET", "/api/procedures/some-procedure/audit"),
    ],
)
def test_requests_without_a_session_are_answered_401_in_json(
    app: App, method: str, path: str
) -> None:
    """Without a login every route but the login itself answers 401 JSON, never a redirect."""
    response = web_support.client(app).request(method, path, json={})
    assert response.status_code == 401
    assert response.json()["error"] == "not_logged_in"


def link_session(app: App, pid: str, kind: str, path: str) -> tuple[TestClient, str]:
    """A client whose session a real personal link from the outbox started, and its CSRF token."""
    query = select(OUTBOX.c.link_secret).where(
        OUTBOX.c.procedure_id == pid, OUTBOX.c.kind == kind, OUTBOX.c.link_secret.is_not(None)
    )
    with app.read() as db:
        sealed = list(db.scalars(query))
    urls = [web_support.open_sealed(app, secret) for secret in sealed]
    token = urls[0].rsplit("/", 1)[1]
    web = web_support.client(app)
    opened = web.get(f"{path}/{token}")
    assert opened.status_code == 303, opened.text
    page = web.get(opened.headers["location"])
    return web, web_support.csrf_of(page.text)


def every_operation(api: Api, pid: str) -> list[tuple[str, str]]:
    """Each documented operation with its path filled in, the login excepted."""
    spec = api.get("/api/openapi.json").json()
    fill = {"pid": pid, "sid": "1", "cid": "1", "key": "decision", "email": INTERNAL[0][1]}
    operations = []
    for template, methods in spec["paths"].items():
        path = template.format(**{k: v for k, v in fill.items() if f"{{{k}}}" in template})
        operations += [(method.upper(), path) for method in methods]
    return [op for op in operations if op != ("POST", "/api/session")]


def assert_forbidden_everywhere(
    session: tuple[TestClient, str], operations: list[tuple[str, str]]
) -> None:
    # With the link session's own CSRF token: the role alone is what refuses.
    web, token = session
    for method, path in operations:
        response = web.request(method, path, json={}, headers={"X-CSRF-Token": token})
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["error"] == "forbidden"


def test_an_expert_link_session_gets_403_on_every_api_route(app: App) -> None:
    """The session a real invitation link starts is refused by every documented API operation."""
    pid = to_expert_selection(app)
    api = log_in(app)
    api.ok("POST", f"/api/procedures/{pid}/experts/invitations", {"emails": []})
    operations = every_operation(api, pid)
    assert len(operations) == 42
    assert_forbidden_everywhere(link_session(app, pid, "expert_invitation", "/expert"), operations)
    assert phase_of(api, pid) == "expert_selection"


def test_an_archivist_link_session_gets_403_on_every_api_route(app: App) -> None:
    """The session of the archivist's advice link cannot use the API either."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.DECISION)
    api = log_in(app)
    session = link_session(app, pid, "advice_request", "/advies")
    assert_forbidden_everywhere(session, every_operation(api, pid))
    assert phase_of(api, pid) == "decision"


def test_the_openapi_document_lists_the_api_and_no_html_routes(app: App) -> None:
    """/api/openapi.json describes every API operation, its errors and auth, and nothing else."""
    spec = web_support.client(app).get("/api/openapi.json").json()
    paths = spec["paths"]
    assert all(path.startswith("/api/") for path in paths)
    assert not {"/login", "/logout", "/", "/health", "/toegankelijkheid"} & set(paths)
    operations = {(method.upper(), path) for path, ops in paths.items() for method in ops}
    assert len(operations) == 43
    for expected in [
        ("POST", "/api/session"),
        ("GET", "/api/procedures/{pid}"),
        ("POST", "/api/procedures/{pid}/advance"),
        ("PUT", "/api/procedures/{pid}/milestones/{key}"),
        ("PUT", "/api/procedures/{pid}/experts/{email}/response"),
        ("PATCH", "/api/procedures/{pid}/sessions/{sid}"),
        ("PUT", "/api/procedures/{pid}/candidates/{cid}/assessment"),
        ("POST", "/api/procedures/{pid}/inventory/none"),
        ("GET", "/api/procedures/{pid}/audit"),
        ("GET", "/api/procedures/{pid}/outbox"),
    ]:
        assert expected in operations
    advance = paths["/api/procedures/{pid}/advance"]["post"]
    assert set(advance["responses"]) >= {"200", "401", "403", "404", "409", "422"}
    refused = advance["responses"]["409"]["content"]["application/json"]["schema"]["$ref"]
    assert refused.endswith("/RefusedError")
    assert advance["security"] == [{"session": []}]
    assert "X-CSRF-Token" in [p["name"] for p in advance["parameters"]]
    status = paths["/api/procedures/{pid}"]["get"]
    assert "X-CSRF-Token" not in [p["name"] for p in status["parameters"]]
    assert spec["components"]["securitySchemes"]["session"]["in"] == "cookie"
    assert "security" not in paths["/api/session"]["post"]
    member = spec["components"]["schemas"]["NewMember"]
    assert member["properties"]["name"]["maxLength"] == 200
    assert "\\x00" in member["properties"]["name"]["pattern"]
    assert member["additionalProperties"] is False


def test_an_unknown_procedure_is_404(api: Api) -> None:
    """Reading or changing a well-formed but unknown procedure answers 404 JSON."""
    for response in (
        api.get("/api/procedures/bestaat-niet"),
        api.get("/api/procedures/bestaat-niet/audit"),
        api.get("/api/procedures/bestaat-niet/outbox"),
        api.get("/api/procedures/bestaat-niet/deadlines"),
        api.write("POST", "/api/procedures/bestaat-niet/advance"),
    ):
        assert response.status_code == 404, response.text
        assert response.json()["error"] == "not_found"


BAD_INPUT = [
    ("POST", "members", {"name": "Bert\x00", "email": "b@org.example", "role": "archivaris"}),
    ("POST", "members", {"name": "Bert", "email": "b\x00@org.example", "role": "archivaris"}),
    ("POST", "members", {"name": "B" * 201, "email": "b@org.example", "role": "archivaris"}),
    ("POST", "members", {"name": "Bert", "email": "İ" * 200 + "@o.nl", "role": "archivaris"}),
    ("POST", "members", {"name": "Bert", "email": "b@org.example", "role": "x", "extra": 1}),
    ("POST", "cancel", {"reason": "nul\x00"}),
    ("POST", "cancel", {"reason": "x" * 4001}),
    ("POST", "advance", {"reason": "\x07"}),
    ("PUT", "milestones/decision", {"date": "9999-12-31"}),
    ("PUT", "milestones/decision", {"date": "0001-01-01"}),
    ("PUT", "milestones/decision", {"date": "2025-02-30"}),
    ("PUT", "milestones/no-such-key", {"date": "2025-03-01"}),
    ("POST", "sessions", {"at": "9999-12-31T23:59:59-23:59"}),
    ("PATCH", "sessions/2147483648", {"at": "2025-03-01T10:00"}),
    ("PATCH", "sessions/99999999999999999999999", {"at": "2025-03-01T10:00"}),
    ("PUT", "candidates/0/assessment", {"include": True}),
    ("PUT", "candidates/1/assessment", {"include": True, "criteria": [5]}),
    ("PUT", "experts/a%00b@org.example/response", {"accept": True}),
    (
        "POST",
        "publication",
        {"channel": "Blad", "ref": "1", "date": "2025-01-01", "objection_weeks": 2**63},
    ),
    ("GET", "audit?actor=a%00b", None),
    ("GET", "audit?limit=0", None),
    ("GET", "audit?offset=99999999999999999999", None),
    ("GET", "audit?action=expert%00", None),
]


@pytest.mark.parametrize(("method", "tail", "body"), BAD_INPUT)
def test_input_the_database_cannot_take_is_refused_with_422(
    app: App, api: Api, method: str, tail: str, body: Any
) -> None:
    """NUL and control characters, overlong text, impossible dates and huge ids are a 422."""
    pid = support.open_procedure(app)
    response = api.write(method, f"/api/procedures/{pid}/{tail}", body)
    assert response.status_code == 422, response.text
    answer = response.json()
    assert answer["ok"] is False and answer["error"] == "invalid_input"
    assert answer["problems"], answer
    assert audit_count(app, pid) == 1


def test_a_body_the_database_or_utf8_cannot_hold_is_a_422(app: App, api: Api) -> None:
    """A lone surrogate, a NUL, NaN or bytes that are not UTF-8 are refused before any query."""
    pid = support.open_procedure(app)
    for raw in (
        b'{"reason": "a\\ud800"}',
        b'{"reason": "a\\u0000"}',
        b'{"reason": NaN}',
        b"\xf1\xdf",
    ):
        response = api.web.post(
            f"/api/procedures/{pid}/cancel",
            content=raw,
            headers={"X-CSRF-Token": api.token, "Content-Type": "application/json"},
        )
        assert response.status_code == 422, response.text
    assert phase_of(api, pid) == "preparation"


def test_a_malformed_procedure_code_is_a_422(api: Api) -> None:
    """A procedure code with a NUL, capitals or slashes never reaches the database."""
    for code in ("a%00b", "A" * 10, "x" * 81):
        response = api.get(f"/api/procedures/{code}")
        assert response.status_code == 422, response.text
        assert response.json()["field"] == "pid"


def test_messages_follow_lang_or_else_the_session_language(app: App, api: Api) -> None:
    """?lang=en answers in English; without it the session's language decides (Dutch first)."""
    missing = "/api/procedures/bestaat-niet"
    assert "bestaat niet" in api.get(missing).json()["message"]
    assert "does not exist" in api.get(missing, lang="en").json()["message"]
    api.web.get("/taal/en")
    assert "does not exist" in api.get(missing).json()["message"]
    assert "bestaat niet" in api.get(missing, lang="nl").json()["message"]
    invalid = api.write("POST", "/api/procedures?lang=en", {"organisation": "X"})
    assert invalid.json()["message"].startswith("Invalid input: governing_body: is missing")


def test_advice_and_decision_recorded_through_the_api_say_the_facilitator_did_it(
    app: App, api: Api
) -> None:
    """The audit records of advice and decision from the API carry recorded_via=facilitator."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.DECISION)
    advice = api.ok(
        "POST",
        f"/api/procedures/{pid}/advice",
        {"positive": True, "by": "Carla (archivaris)", "reason": "Evenwichtig"},
    )
    assert advice["list_version"] == 1
    decided = api.ok(
        "POST",
        f"/api/procedures/{pid}/decision",
        {"adopted": True, "date": "2025-05-13", "ref": "GS/2025/0412"},
    )
    assert decided["adopted"] is True
    records = api.get(f"/api/procedures/{pid}/audit", action="decision.").json()["records"]
    assert [r["action"] for r in records] == ["decision.record"]
    advice_records = api.get(f"/api/procedures/{pid}/audit", action="advice.record").json()
    for record in records + advice_records["records"]:
        assert record["data"]["recorded_via"] == "facilitator"
        assert record["actor"] == "sanne"


def test_the_inventory_and_publication_close_a_procedure_through_the_api(
    app: App, api: Api
) -> None:
    """Systems, dossiers, nothing-found and the publication go through the API to the end."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.INVENTORY)
    base = f"/api/procedures/{pid}"
    numbers = support.adopted_numbers(app, pid)
    for number in numbers:
        api.ok(
            "POST",
            f"{base}/inventory/systems",
            {"hotspot": number, "system": "Corsa", "query": "zaaktype", "owner": "DIV"},
        )
    marked = api.ok(
        "POST",
        f"{base}/inventory/dossiers",
        {"hotspot": numbers[0], "system": "Corsa", "dossier": "Z-1", "title": "Dossier"},
    )
    assert marked["archiefnominatie"] == "blijvend_bewaren"
    for number in numbers[1:]:
        api.ok(
            "POST",
            f"{base}/inventory/none",
            {"hotspot": number, "system": "Corsa", "reason": "Niets gevonden"},
        )
    assert api.ok("POST", f"{base}/advance")["phase"] == "publication"
    published = api.ok(
        "POST",
        f"{base}/publication",
        {"channel": "Provinciaal Blad", "ref": "Prb. 2025, 1", "date": "2025-10-01"},
    )
    assert published["publication"] == "Prb. 2025, 1"
    assert api.ok("POST", f"{base}/advance")["phase"] == "closed"


def test_the_audit_trail_is_filtered_and_paged_newest_first(app: App, api: Api) -> None:
    """Filters by action group and actor, and limit/offset pages, over the real trail."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.PLANNING)
    members = api.get(f"/api/procedures/{pid}/audit", action="member.").json()
    assert members["total"] == 4
    assert [r["seq"] for r in members["records"]] == sorted(
        (r["seq"] for r in members["records"]), reverse=True
    )
    page = api.get(f"/api/procedures/{pid}/audit", limit=2, offset=1).json()
    everything = api.get(f"/api/procedures/{pid}/audit").json()
    assert [r["seq"] for r in page["records"]] == [r["seq"] for r in everything["records"][1:3]]
    assert api.get(f"/api/procedures/{pid}/audit", actor="sanne").json()["total"] == 0
    assert (
        api.get(f"/api/procedures/{pid}/audit", actor=support.ACTOR).json()["total"]
        == (everything["total"])
    )


def test_the_outbox_and_deadlines_show_the_invitations_without_bodies(app: App, api: Api) -> None:
    """After inviting, the outbox lists each invitation (no body) and the RSVP deadlines."""
    pid = to_expert_selection(app)
    api.ok("POST", f"/api/procedures/{pid}/experts/invitations", {"emails": [EXTERNAL[0][1]]})
    messages = api.get(f"/api/procedures/{pid}/outbox").json()["messages"]
    invitations = [msg for msg in messages if msg["kind"] == "expert_invitation"]
    assert [msg["recipient_email"] for msg in invitations] == [EXTERNAL[0][1]]
    assert invitations[0]["status"] == "pending"
    assert not {"body_text", "body_html", "calendar"} & set(invitations[0])
    overview = api.get(f"/api/procedures/{pid}/deadlines", lang="en").json()
    kinds = {d["kind"] for d in overview["deadlines"]}
    assert {"milestone", "rsvp"} <= kinds
    assert overview["today"] == "2025-01-06"


def test_logging_out_ends_the_api_session(app: App, api: Api) -> None:
    """DELETE /api/session with the token logs out: the next read is 401."""
    assert api.write("DELETE", "/api/session").status_code == 200
    assert api.get("/api/procedures").status_code == 401


def test_the_procedure_list_can_be_filtered_by_phase(app: App, api: Api) -> None:
    """GET /api/procedures lists every procedure, or those in one phase."""
    first = support.open_procedure(app)
    second = support.open_procedure(app, org="Gemeente Zwolle")
    support.drive_to(app, second, Phase.WORKGROUP)
    everything = api.get("/api/procedures").json()["procedures"]
    # Both opened at the same frozen moment: the list orders them by code.
    assert [p["procedure"] for p in everything] == sorted([first, second])
    workgroup = api.get("/api/procedures", phase="workgroup").json()["procedures"]
    assert [p["procedure"] for p in workgroup] == [second]
    assert api.get("/api/procedures", phase="nonsense").status_code == 422
