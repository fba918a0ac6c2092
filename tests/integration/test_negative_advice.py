"""A negative advice needs a reason, stays on the facilitator's page and names a person.

Every face refuses a negative advice without a reason (CLI, API, the archivist's page, the
facilitator's form); after it, the facilitator's page shows who advised and why until the list
has changed, and the unchanged list cannot go back to the archivist without a recorded deviation.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from notifications.outbox import OUTBOX
from states.errors import InvalidInput, Refused
from states.phases import Phase
from tests import support
from tests.integration.test_cli_catalog import Faces
from tests.support import ACTOR
from tests.web_support import client, csrf_of, latest_link, logged_in, post_form
from workflow import repository
from workflow.app import App
from workflow.commands import decision, procedures, sessions
from workflow.db import models as m

ARCHIVIST = "carla@org.example"
REASON_NEEDED = "een negatief advies heeft een reden nodig"
RULE = "sessions.list_changed_after_return"


@pytest.fixture
def pid(app: App) -> str:
    """A procedure whose concept list has just gone to the archivist for advice."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.DECISION)
    return pid


def _unadvised(app: App, pid: str) -> None:
    with app.read() as db:
        row = repository.latest_list_version(db, pid)
    assert row is not None and row.advice_positive is None and row.status == "submitted"
    assert procedures.status(app, pid).phase is Phase.DECISION


def _archivist(app: App) -> TestClient:
    web = client(app)
    response = web.get(latest_link(app, ARCHIVIST, "advice_request"))
    assert response.status_code == 303, response.text
    return web


def _advise_negatively_by_link(app: App) -> None:
    web = _archivist(app)
    token = csrf_of(web.get("/advies").text)
    answer = web.post(
        "/advies",
        data={
            "advice": "negative",
            "reason": "De wolf ontbreekt",
            "confirmed": "1",
            "csrf_token": token,
        },
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/vastgelegd"


def test_the_command_refuses_a_negative_advice_without_a_reason(app: App, pid: str) -> None:
    """Blank or missing, the reason is required for a negative advice; a positive one needs none."""
    for reason in (None, "", "   "):
        with pytest.raises(InvalidInput) as refusal:
            decision.record_advice(
                app, pid, positive=False, by="Carla", actor="carla", reason=reason
            )
        assert refusal.value.field == "reason"
        assert REASON_NEEDED in refusal.value.explain()
        assert "write down what must change" in refusal.value.explain("en")
    _unadvised(app, pid)
    decision.record_advice(app, pid, positive=True, by="Carla", actor="carla")


def test_the_cli_and_the_api_refuse_it_naming_the_field(
    app: App, pid: str, database_url: str, tmp_path: Path
) -> None:
    """`hotspot advice --negative` without --reason is exit 2; the API names the field."""
    faces = Faces(app, database_url, tmp_path)
    found = faces.cli("advice", pid, "--negative", "--by", "Carla", expect=2)
    assert found["field"] == "--reason" and REASON_NEEDED in found["message"]
    answer = faces.web.post(
        f"/api/procedures/{pid}/advice",
        json={"positive": False, "by": "Carla"},
        headers={"X-CSRF-Token": faces.token},
    )
    assert answer.status_code in (400, 422), answer.text
    assert answer.json()["field"] == "reason" and REASON_NEEDED in answer.json()["message"]
    _unadvised(app, pid)


def test_the_archivist_page_and_the_facilitator_form_refuse_it_in_words(app: App, pid: str) -> None:
    """Both pages say it with the form's label, no CLI flag, and record nothing."""
    web = _archivist(app)
    token = csrf_of(web.get("/advies").text)
    answer = web.post("/advies", data={"advice": "negative", "reason": "", "csrf_token": token})
    assert answer.status_code == 303 and answer.headers["location"] == "/advies"
    html = web.get("/advies").text
    assert REASON_NEEDED in html and "Reden of toelichting" in html
    assert "--reason" not in html
    _unadvised(app, pid)

    facilitator = logged_in(app)
    page = f"/procedures/{pid}"
    answer = post_form(
        facilitator,
        f"{page}/advice",
        {"advice": "negative", "by": "Carla", "reason": "", "confirmed": "1"},
        page,
    )
    assert answer.status_code == 303, answer.text
    html = facilitator.get(answer.headers["location"]).text
    assert REASON_NEEDED in html and "--reason" not in html
    _unadvised(app, pid)


def test_after_a_negative_advice_the_page_and_mails_name_the_archivist_and_the_reason(
    app: App, pid: str
) -> None:
    """The blocker shows the advice, Carla and her reason; the workgroup mail says Carla too."""
    _advise_negatively_by_link(app)
    html = logged_in(app).get(f"/procedures/{pid}").text
    assert "Geen blokkades" not in html
    assert "Teruggestuurde lijst gewijzigd" in html
    assert "negatief advies van Carla op versie 1: De wolf ontbreekt" in html
    # The audit trail's raw record (collapsed, for the facilitator) keeps the stored actor.
    assert "archivaris:" not in re.sub(r"<details.*?</details>", "", html, flags=re.S)
    with app.read() as db:
        mails = [
            r.body_text
            for r in db.execute(
                select(OUTBOX.c.body_text).where(
                    OUTBOX.c.procedure_id == pid, OUTBOX.c.kind == "phase_changed"
                )
            )
        ]
    returned = [body for body in mails if "teruggestuurd" in body]
    assert returned and all("door Carla" in " ".join(b.split()) for b in returned)
    assert all("archivaris:" not in body for body in mails)


def test_the_unchanged_list_goes_back_only_with_a_deviation(app: App, pid: str) -> None:
    """Same entries as the returned version: refused naming the rule; a deviation lets it go."""
    decision.record_advice(app, pid, positive=False, by="Carla", actor="carla", reason="Te smal")
    with pytest.raises(Refused) as refusal:
        procedures.advance(app, pid, actor=ACTOR)
    assert refusal.value.codes == [RULE]
    assert "de lijst is nog ongewijzigd" in refusal.value.explain()
    assert "Te smal" in refusal.value.explain()
    procedures.deviate(app, pid, RULE, actor=ACTOR, reason="De archivaris zag de bijlage niet")
    assert procedures.advance(app, pid, actor=ACTOR)["list_version"] == 2


def test_a_changed_list_goes_back_without_a_deviation(app: App, pid: str) -> None:
    """Leaving one hotspot out changes the list; the rule passes and the blocker is gone."""
    decision.record_advice(app, pid, positive=False, by="Carla", actor="carla", reason="Te smal")
    with app.read() as db:
        candidate_id = db.scalars(
            select(m.Candidate.id).where(m.Candidate.procedure_id == pid)
        ).first()
    sessions.assess(app, pid, candidate_id, criteria="", motivation="", include=False, actor=ACTOR)
    html = logged_in(app).get(f"/procedures/{pid}").text
    assert "negatief advies van Carla" not in html
    assert procedures.advance(app, pid, actor=ACTOR)["list_version"] == 2
    with app.read() as db:
        assert db.scalars(select(m.Deviation).where(m.Deviation.procedure_id == pid)).all() == []
