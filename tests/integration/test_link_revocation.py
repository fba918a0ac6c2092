"""Every personal link can be revoked; links end when their step is done or the procedure ends."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from states.phases import Phase
from tests import support
from tests.support import INTERNAL
from tests.web_support import client, csrf_of, latest_link, logged_in
from workflow import links
from workflow.app import App
from workflow.commands import decision, procedures
from workflow.db import models as m

ARCHIVIST = "carla@org.example"
MANAGEMENT = "dirk@org.example"


@pytest.fixture
def pid(app: App) -> str:
    """A procedure whose concept list has just gone to the archivist for advice."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.DECISION)
    return pid


def _open(app: App, path: str, page: str) -> TestClient:
    web = client(app)
    answer = web.get(path)
    assert answer.status_code == 303 and answer.headers["location"] == page, answer.text
    return web


def _refused(web: TestClient, path: str, heading: str) -> None:
    answer = web.get(path)
    assert answer.status_code == 403, answer.text
    assert heading in answer.text


def _api_token(web: TestClient) -> str:
    token = web.get("/api/session").json()["csrf_token"]
    assert isinstance(token, str)
    return token


def _reasons(app: App, purpose: str) -> list[str | None]:
    with app.read() as db:
        return list(
            db.scalars(
                select(m.AccessLink.revoked_reason)
                .where(m.AccessLink.purpose == purpose)
                .order_by(m.AccessLink.id)
            )
        )


def _last_audit(app: App, action: str) -> m.AuditRecord:
    with app.read() as db:
        row = db.scalars(
            select(m.AuditRecord)
            .where(m.AuditRecord.action == action)
            .order_by(m.AuditRecord.id.desc())
        ).first()
    assert row is not None
    return row


def test_the_api_revokes_the_archivists_link_and_ends_the_open_session(app: App, pid: str) -> None:
    """POST /links/revocations: the open advice page closes, the mailed link is refused."""
    path = latest_link(app, ARCHIVIST, "advice_request")
    archivist = _open(app, path, "/advies")
    assert archivist.get("/advies").status_code == 200
    facilitator = logged_in(app)
    answer = facilitator.post(
        f"/api/procedures/{pid}/links/revocations",
        json={"email": ARCHIVIST, "purpose": "advice", "reason": "verkeerd doorgestuurd"},
        headers={"X-CSRF-Token": _api_token(facilitator)},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["revoked"] == 1 and answer.json()["purposes"] == {"advice": 1}
    _refused(archivist, "/advies", "Deze link is ingetrokken")
    _refused(client(app), path, "Deze link is ingetrokken")
    record = _last_audit(app, "link.revoke")
    assert record.reason == "verkeerd doorgestuurd" and record.data["purposes"] == {"advice": 1}
    again = facilitator.post(
        f"/api/procedures/{pid}/links/revocations",
        json={"email": ARCHIVIST, "purpose": "advice"},
        headers={"X-CSRF-Token": _api_token(facilitator)},
    )
    assert again.status_code == 422 and "geen geldige persoonlijke link" in again.json()["message"]


def test_the_procedure_page_revokes_managements_link(app: App, pid: str) -> None:
    """The form for the archivist's and management's links ends the decision link."""
    decision.record_advice(app, pid, positive=True, by="Carla", actor="carla")
    path = latest_link(app, MANAGEMENT, "proposal")
    manager = _open(app, path, "/besluit")
    facilitator = logged_in(app)
    page = facilitator.get(f"/procedures/{pid}").text
    assert 'action="/procedures/' in page and "/links/revoke" in page
    done = facilitator.post(
        f"/procedures/{pid}/links/revoke",
        data={"email": MANAGEMENT, "purpose": "decision", "csrf_token": csrf_of(page)},
    )
    assert done.status_code == 303
    assert "ingetrokken" in facilitator.get(done.headers["location"]).text
    _refused(manager, "/besluit", "Deze link is ingetrokken")
    assert _reasons(app, "decision") == ["revoked"]


def test_recording_the_advice_ends_the_advice_links_in_the_same_step(app: App, pid: str) -> None:
    """Advice recorded through the link: a receipt follows, then the link is closed for good."""
    path = latest_link(app, ARCHIVIST, "advice_request")
    archivist = _open(app, path, "/advies")
    page = archivist.get("/advies").text
    answer = archivist.post(
        "/advies",
        data={"advice": "positive", "ref": "CO/2025/9", "csrf_token": csrf_of(page)},
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/vastgelegd"
    receipt = archivist.get("/vastgelegd")
    assert receipt.status_code == 200 and "CO/2025/9" in receipt.text
    assert "is hiermee afgesloten" in receipt.text
    _refused(archivist, "/advies", "")
    _refused(client(app), path, "Deze link is afgesloten")
    assert _reasons(app, "advice") == ["done"]
    assert _last_audit(app, "advice.record").data["links_ended"] == 1
    assert client(app).get("/vastgelegd").status_code == 403


def test_recording_the_decision_for_management_ends_the_decision_links(app: App, pid: str) -> None:
    """Whoever records the decision (here the facilitator), management's link is closed."""
    decision.record_advice(app, pid, positive=True, by="Carla", actor="carla")
    path = latest_link(app, MANAGEMENT, "proposal")
    manager = _open(app, path, "/besluit")
    decision.record_decision(
        app, pid, adopted=True, day="2025-05-13", ref="GS/1", actor="sanne", via="facilitator"
    )
    _refused(manager, "/besluit", "Deze link is afgesloten")
    assert _reasons(app, "decision") == ["done"]


def _fresh_expert_link(app: App, pid: str, email: str) -> str:
    with app.transaction() as connection:
        expert = connection.execute(
            select(m.Expert.id).where(m.Expert.procedure_id == pid, m.Expert.email == email)
        ).scalar_one()
        made = links.issue(
            connection,
            keys=links.link_keys(app.keys),
            base_url="http://testserver",
            procedure_id=pid,
            purpose=links.Purpose.EXPERT,
            subjects=[expert],
            now=app.now(),
            valid_days=30,
        )
    return urlsplit(made[expert]).path


@pytest.mark.parametrize("ending", ["cancel", "close"])
def test_a_procedure_that_ends_ends_every_link(app: App, ending: str) -> None:
    """Cancelled or closed: every expert's and member's link is refused from then on."""
    pid = support.open_procedure(app)
    # Driving on moves the calendar by weeks: the expert opens the link at the last phase.
    support.drive_to(app, pid, Phase.SESSIONS if ending == "cancel" else Phase.PUBLICATION)
    path = (
        latest_link(app, INTERNAL[0][1], "call_for_nominations")
        if ending == "cancel"
        # The call's link has expired by the publication (90 days): a fresh one, as a new
        # call would bring.
        else _fresh_expert_link(app, pid, INTERNAL[0][1])
    )
    expert = _open(app, path, "/portaal")
    if ending == "cancel":
        procedures.cancel(app, pid, actor="sanne", reason="Bestuurlijk besloten te stoppen")
        record = _last_audit(app, "phase.cancel")
    else:
        support.publish(app, pid)
        procedures.advance(app, pid, actor="sanne")
        record = _last_audit(app, "phase.advance")
        assert record.data["to"] == Phase.CLOSED.value
    assert record.data["links_ended"] >= 1
    _refused(expert, "/portaal", "Deze link is afgesloten")
    _refused(client(app), path, "Deze link is afgesloten")
    with app.read() as db:
        live = db.scalars(
            select(m.AccessLink).where(
                m.AccessLink.procedure_id == pid, m.AccessLink.revoked_at.is_(None)
            )
        ).all()
    assert live == []
