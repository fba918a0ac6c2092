"""The archivist's advice page and management's decision page, opened from the real mails."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from states.phases import Phase
from tests import support
from tests.support import CANDIDATES, EXTERNAL, INTERNAL
from tests.web_support import client, csrf_of, latest_link
from workflow import links, repository
from workflow.app import App
from workflow.commands import decision, procedures
from workflow.db import models as m

ARCHIVIST = "carla@org.example"
MANAGEMENT = "dirk@org.example"


def member_id(app: App, email: str) -> int:
    with app.read() as db:
        found = db.scalar(select(m.Member.id).where(m.Member.email == email))
    assert found is not None
    return found


def opened(app: App, link: str, page: str) -> TestClient:
    web = client(app)
    response = web.get(link)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == page
    return web


def latest_list(app: App, pid: str) -> m.ListVersion:
    with app.read() as db:
        row = repository.latest_list_version(db, pid)
    assert row is not None
    return row


def last_audit(app: App, action: str) -> m.AuditRecord:
    with app.read() as db:
        row = db.scalars(
            select(m.AuditRecord)
            .where(m.AuditRecord.action == action)
            .order_by(m.AuditRecord.id.desc())
        ).first()
    assert row is not None
    return row


def post(web: TestClient, path: str, data: dict[str, str]) -> str:
    """Post the page's form and return the page it leads back to."""
    token = csrf_of(web.get(path).text)
    response = web.post(path, data={**data, "csrf_token": token})
    assert response.status_code == 303, response.text
    return web.get(response.headers["location"]).text


@pytest.fixture
def pid(app: App) -> str:
    """A procedure whose concept list has just gone to the archivist for advice."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.DECISION)
    return pid


@pytest.fixture
def archivist(app: App, pid: str) -> TestClient:
    return opened(app, latest_link(app, ARCHIVIST, "advice_request"), "/advies")


def test_the_advice_page_shows_the_list_balance_and_deviations(
    app: App, archivist: TestClient
) -> None:
    """Every hotspot, the balance report and the deviations are there; no expert is named."""
    html = archivist.get("/advies").text
    for title, *_ in CANDIDATES:
        assert title in html
    assert "Balans tussen overheid en samenleving" in html
    assert "Vastgelegde afwijkingen" in html
    assert "extern (maatschappelijk perspectief)" in html
    for name, email, _ in INTERNAL + EXTERNAL:
        assert name not in html and email not in html
    assert 'action="/advies"' in html


def test_advice_through_the_link_is_recorded_with_reference_and_date(
    app: App, pid: str, archivist: TestClient
) -> None:
    """The advice keeps its letter's reference and date and says it came by link."""
    html = post(
        archivist,
        "/advies",
        {"advice": "positive", "reason": "Zorgvuldig", "ref": "CO/2025/17", "date": "2025-04-20"},
    )
    row = latest_list(app, pid)
    assert (row.advice_positive, row.advice_ref, str(row.advice_date)) == (
        True,
        "CO/2025/17",
        "2025-04-20",
    )
    assert row.advice_by == "Carla"
    record = last_audit(app, "advice.record")
    assert record.actor == f"archivaris:{member_id(app, ARCHIVIST)}"
    assert record.data["recorded_via"] == "link"
    assert (record.data["ref"], record.data["date"]) == ("CO/2025/17", "2025-04-20")
    assert "CO/2025/17" in html and "20 april 2025" in html and "is vastgelegd" in html
    assert 'action="/advies"' not in html


def test_negative_advice_sends_the_list_back_and_stays_readable(
    app: App, pid: str, archivist: TestClient
) -> None:
    """After negative advice the receipt shows the recorded advice and the list's return."""
    html = post(
        archivist,
        "/advies",
        {"advice": "negative", "reason": "De wolf ontbreekt", "confirmed": "1"},
    )
    assert procedures.status(app, pid).phase == Phase.SESSIONS.value
    assert "negatief" in html and "De wolf ontbreekt" in html
    assert "De lijst gaat terug naar de expertbijeenkomsten" in html
    assert 'action="/advies"' not in html


def test_advice_without_a_choice_is_refused_and_flashed(
    app: App, pid: str, archivist: TestClient
) -> None:
    """Leaving out positive or negative records nothing and says why."""
    html = post(archivist, "/advies", {"reason": "Vergeten te kiezen"})
    assert "kies positief of negatief advies" in html
    assert latest_list(app, pid).advice_positive is None


def test_a_decision_through_the_link_adopts_the_list(app: App, pid: str) -> None:
    """Management's link shows the advice and records the adoption, marked as by link."""
    decision.record_advice(
        app, pid, positive=True, by="Carla", actor="carla", ref="CO/2025/17", day="2025-04-20"
    )
    web = opened(app, latest_link(app, MANAGEMENT, "proposal"), "/besluit")
    page = web.get("/besluit").text
    assert "CO/2025/17" in page and "positief" in page and 'action="/besluit"' in page
    html = post(
        web,
        "/besluit",
        {
            "decision": "adopted",
            "date": "2025-05-13",
            "ref": "GS/2025/0412",
            "confirmed": "1",
        },
    )
    row = latest_list(app, pid)
    assert (row.status, row.decision_ref, str(row.decision_date)) == (
        "adopted",
        "GS/2025/0412",
        "2025-05-13",
    )
    record = last_audit(app, "decision.record")
    assert record.actor == f"management:{member_id(app, MANAGEMENT)}"
    assert record.data["recorded_via"] == "link" and record.data["adopted"] is True
    assert "lijst vastgesteld" in html and "GS/2025/0412" in html
    assert 'action="/besluit"' not in html


def test_a_decision_before_positive_advice_is_flashed_with_its_rule(app: App, pid: str) -> None:
    """Without positive advice the decision is refused; the flash names code and figures."""
    manager = member_id(app, MANAGEMENT)
    with app.transaction() as connection:
        url = links.issue(
            connection,
            keys=links.link_keys(app.keys),
            base_url="http://testserver",
            procedure_id=pid,
            purpose=links.Purpose.DECISION,
            subjects=[manager],
            now=app.now(),
            valid_days=30,
        )[manager]
    web = opened(app, urlsplit(url).path, "/besluit")
    assert "pas na positief advies" in web.get("/besluit").text
    html = post(
        web,
        "/besluit",
        {"decision": "adopted", "date": "2025-05-13", "ref": "GS/1", "confirmed": "1"},
    )
    assert "decision.advice_first" not in html and "nog geen positief advies" in html
    assert latest_list(app, pid).status == "submitted"


def test_the_step_pages_refuse_other_sessions(app: App) -> None:
    """No session, an expert's or the other step's session: 403 on each page."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.SESSIONS)
    support.hold_sessions(app, pid)
    support.nominate_and_assess(app, pid)
    # The expert opens their link while it is valid, on the day the list goes for advice.
    expert = opened(app, latest_link(app, INTERNAL[0][1], "call_for_nominations"), "/portaal")
    procedures.advance(app, pid, actor=support.ACTOR)
    archivist = opened(app, latest_link(app, ARCHIVIST, "advice_request"), "/advies")
    anonymous = client(app)
    for web, path in (
        (anonymous, "/advies"),
        (anonymous, "/besluit"),
        (expert, "/advies"),
        (expert, "/besluit"),
        (archivist, "/besluit"),
    ):
        assert web.get(path).status_code == 403, (path, web)
    token = csrf_of(archivist.get("/advies").text)
    refused = archivist.post("/besluit", data={"decision": "adopted", "csrf_token": token})
    assert refused.status_code == 403
    assert latest_list(app, pid).decided_at is None


def test_a_link_only_opens_its_own_step(app: App, pid: str) -> None:
    """The advice token on the decision path is invalid."""
    token = latest_link(app, ARCHIVIST, "advice_request").rsplit("/", 1)[1]
    response = client(app).get(f"/besluit/{token}")
    assert response.status_code == 403
    assert "Deze link is ongeldig" in response.text


def test_the_advice_page_speaks_english_when_asked(app: App, archivist: TestClient) -> None:
    """The archivist can read the page in English, perspectives included."""
    archivist.get("/taal/en?next=/advies")
    html = archivist.get("/advies").text
    assert "Advice on the concept list" in html and "external (society)" in html
    assert "1 January 2018" in html
