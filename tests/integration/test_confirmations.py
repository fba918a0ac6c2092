"""Irreversible steps on the link pages take two deliberate clicks, without JavaScript.

The first post of a negative advice or a decision shows what will happen and records nothing;
only the second form, carrying `confirmed=1` and the CSRF token, runs the command.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from states.phases import Phase
from tests import support
from tests.web_support import client, csrf_of, latest_link
from workflow import repository
from workflow.app import App
from workflow.commands import decision
from workflow.db import models as m

ARCHIVIST = "carla@org.example"
MANAGEMENT = "dirk@org.example"


def _trail(app: App, pid: str) -> int:
    with app.read() as db:
        found = db.scalar(
            select(func.count()).select_from(m.AuditRecord).where(m.AuditRecord.procedure_id == pid)
        )
    return int(found or 0)


def _opened(app: App, link: str) -> TestClient:
    web = client(app)
    assert web.get(link).status_code == 303
    return web


def _hidden(html: str) -> dict[str, str]:
    """The second form's hidden fields, as a browser would send them."""
    form = html[html.index('<form method="post"') : html.index("</form>")]
    return dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form))


@pytest.fixture
def pid(app: App) -> str:
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.DECISION)
    return pid


def test_a_negative_advice_is_summarised_first_and_recorded_on_confirmation(
    app: App, pid: str
) -> None:
    """The summary names the list version and the reason; nothing is written until confirmed."""
    web = _opened(app, latest_link(app, ARCHIVIST, "advice_request"))
    token = csrf_of(web.get("/advies").text)
    before = _trail(app, pid)
    first = web.post(
        "/advies", data={"advice": "negative", "reason": "De wolf ontbreekt", "csrf_token": token}
    )
    assert first.status_code == 200
    html = first.text
    assert "Bevestig uw keuze" in html and "conceptlijst versie 1" in html
    assert "De wolf ontbreekt" in html and "niet ongedaan" in html
    assert "<script" not in html
    carried = _hidden(html)
    assert carried["confirmed"] == "1" and carried["csrf_token"] == token
    assert carried["advice"] == "negative" and carried["reason"] == "De wolf ontbreekt"
    assert _trail(app, pid) == before
    with app.read() as db:
        row = repository.latest_list_version(db, pid)
    assert row is not None and row.advice_positive is None

    second = web.post("/advies", data=carried)
    assert second.status_code == 303 and second.headers["location"] == "/vastgelegd"
    with app.read() as db:
        row = repository.latest_list_version(db, pid)
    assert row is not None and row.advice_positive is False and row.status == "returned"
    assert row.advice_reason == "De wolf ontbreekt"


def test_a_positive_advice_needs_no_confirmation(app: App, pid: str) -> None:
    """A positive advice sends nothing back: one click records it."""
    web = _opened(app, latest_link(app, ARCHIVIST, "advice_request"))
    token = csrf_of(web.get("/advies").text)
    answer = web.post("/advies", data={"advice": "positive", "csrf_token": token})
    assert answer.status_code == 303 and answer.headers["location"] == "/vastgelegd"


def test_the_confirmation_without_its_csrf_token_records_nothing(app: App, pid: str) -> None:
    """The second form is a form like any other: without the token it is refused."""
    web = _opened(app, latest_link(app, ARCHIVIST, "advice_request"))
    token = csrf_of(web.get("/advies").text)
    html = web.post(
        "/advies", data={"advice": "negative", "reason": "Te smal", "csrf_token": token}
    ).text
    carried = {k: v for k, v in _hidden(html).items() if k != "csrf_token"}
    before = _trail(app, pid)
    assert web.post("/advies", data=carried).status_code in (400, 403)
    assert _trail(app, pid) == before


def test_a_decision_is_summarised_first_and_recorded_on_confirmation(app: App, pid: str) -> None:
    """Adoption shows the version, date and reference before the governing body's record."""
    decision.record_advice(app, pid, positive=True, by="Carla", actor="carla")
    web = _opened(app, latest_link(app, MANAGEMENT, "proposal"))
    token = csrf_of(web.get("/besluit").text)
    before = _trail(app, pid)
    first = web.post(
        "/besluit",
        data={"decision": "adopted", "date": "2025-05-13", "ref": "GS/1", "csrf_token": token},
    )
    assert first.status_code == 200
    assert "stelt conceptlijst versie 1 vast" in first.text and "GS/1" in first.text
    assert _trail(app, pid) == before
    second = web.post("/besluit", data=_hidden(first.text))
    assert second.status_code == 303 and second.headers["location"] == "/vastgelegd"
    with app.read() as db:
        row = repository.latest_list_version(db, pid)
    assert row is not None and row.status == "adopted" and row.decision_ref == "GS/1"
