"""The expert portal over the real app: links from real mails, sessions, answers, nominations."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import select

from states.phases import Phase
from tests import support
from tests.support import ACTOR, EXTERNAL, INTERNAL
from tests.web_support import client, csrf_of, latest_link, logged_in
from workflow.app import App
from workflow.commands import nominations, people, procedures, sessions
from workflow.db import models as m
from workflow.testing import FrozenClock

ME = INTERNAL[0]  # Ineke Intern
OTHER = EXTERNAL[0]  # Hanna Historica
NOMINATION = {
    "title": "Stikstofcrisis en boerenprotesten",
    "start": "2019-10-01",
    "end": "",
    "description": "Trekkers op de provinciewegen en het provinciehuis.",
    "criteria": ["1", "3"],
}


def expert_id(app: App, email: str) -> int:
    with app.read() as db:
        found = db.scalar(select(m.Expert.id).where(m.Expert.email == email))
    assert found is not None
    return found


def opened(app: App, link: str) -> TestClient:
    """A browser that opened `link` and followed it to its page."""
    web = client(app)
    response = web.get(link)
    assert response.status_code == 303, response.text
    return web


def candidates_of(app: App, email: str) -> list[m.Candidate]:
    with app.read() as db:
        return list(
            db.scalars(
                select(m.Candidate)
                .where(m.Candidate.nominated_by == expert_id(app, email))
                .order_by(m.Candidate.id)
            )
        )


def audit_records(app: App, action: str) -> list[m.AuditRecord]:
    with app.read() as db:
        return list(
            db.scalars(
                select(m.AuditRecord)
                .where(m.AuditRecord.action == action)
                .order_by(m.AuditRecord.seq)
            )
        )


@pytest.fixture
def pid(app: App) -> str:
    """A procedure in the sessions phase: every expert accepted and got the call for nominations."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.SESSIONS)
    return pid


@pytest.fixture
def selection(app: App) -> str:
    """A procedure in expert selection whose experts were invited (nobody has answered yet)."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    support.recruit(app, pid)
    people.invite(app, pid, [], actor=ACTOR)
    return pid


@pytest.fixture
def me(app: App, pid: str) -> TestClient:
    return opened(app, latest_link(app, ME[1], "call_for_nominations"))


def nominate(web: TestClient, **changes: str | list[str]) -> tuple[int, str]:
    page = web.get("/portaal").text
    response = web.post(
        "/portaal/voordrachten", data={**NOMINATION, **changes, "csrf_token": csrf_of(page)}
    )
    return response.status_code, response.headers.get("location", "") or response.text


def edit(web: TestClient, candidate: int, **changes: str | list[str]) -> tuple[int, str]:
    page = web.get("/portaal").text
    response = web.post(
        f"/portaal/voordrachten/{candidate}",
        data={**NOMINATION, **changes, "csrf_token": csrf_of(page)},
    )
    return response.status_code, response.text


def test_opening_the_link_starts_a_session_and_drops_the_token(app: App, pid: str) -> None:
    """The link redirects to /portaal with an HttpOnly, SameSite=Lax session cookie."""
    web = client(app)
    response = web.get(latest_link(app, ME[1], "call_for_nominations"))
    assert response.status_code == 303
    assert response.headers["location"] == "/portaal"
    cookie = response.headers["set-cookie"].lower()
    assert "hotspot_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    page = web.get("/portaal")
    assert page.status_code == 200
    assert ME[0] in page.text and "Provincie Overijssel" in page.text and "2017–2023" in page.text


def test_the_portal_without_a_link_session_is_refused(app: App, pid: str) -> None:
    """Nobody reaches /portaal without having opened an expert link."""
    assert client(app).get("/portaal").status_code == 403
    assert logged_in(app).get("/portaal").status_code == 403


def test_accepting_through_the_portal_is_on_record_as_the_expert(app: App, selection: str) -> None:
    """The accept button records the answer, audited with actor expert:<id>."""
    web = opened(app, latest_link(app, ME[1], "expert_invitation"))
    page = web.get("/portaal").text
    assert "u hebt nog niet geantwoord" in page
    response = web.post("/portaal/antwoord", data={"answer": "accept", "csrf_token": csrf_of(page)})
    assert response.status_code == 303
    assert "u hebt toegezegd" in web.get("/portaal").text
    [record] = audit_records(app, "expert.respond")
    assert record.actor == f"expert:{expert_id(app, ME[1])}"
    assert record.data["response"] == "accepted"


def test_a_post_without_the_csrf_token_changes_nothing(app: App, selection: str) -> None:
    """A forged answer form without the session's token is refused."""
    web = opened(app, latest_link(app, ME[1], "expert_invitation"))
    assert web.post("/portaal/antwoord", data={"answer": "accept"}).status_code == 403
    assert audit_records(app, "expert.respond") == []


def test_an_expert_nominates_and_edits_before_the_deadline(
    app: App, pid: str, me: TestClient
) -> None:
    """A nomination is stored with its criteria; an edit keeps the previous values on record."""
    status, location = nominate(me)
    assert status == 303
    [row] = candidates_of(app, ME[1])
    assert location == f"/portaal#voordracht-{row.id}"
    assert (row.title, row.proposed_criteria, row.period_end) == (NOMINATION["title"], "1,3", None)
    status, _ = edit(me, row.id, title="Stikstof en boerenprotest", end="2022-12-31")
    assert status == 303
    [row] = candidates_of(app, ME[1])
    assert row.title == "Stikstof en boerenprotest" and str(row.period_end) == "2022-12-31"
    assert row.updated_at is not None
    [record] = audit_records(app, "nomination.edit")
    assert record.actor == f"expert:{expert_id(app, ME[1])}"
    assert record.data["previous"]["title"] == NOMINATION["title"]
    assert "Stikstof en boerenprotest" in me.get("/portaal").text


def test_editing_after_the_deadline_is_refused_with_the_rule(
    app: App, pid: str, me: TestClient, clock: FrozenClock
) -> None:
    """After the nomination deadline's day the edit is refused and the nomination stays."""
    nominate(me)
    [row] = candidates_of(app, ME[1])
    # 4 March 2025, 09:00 in Amsterdam: the deadline was 3 March. A session idle for weeks
    # has ended meanwhile: the expert opens the link again.
    clock.set(datetime(2025, 3, 4, 8, 0, tzinfo=UTC))
    me = opened(app, latest_link(app, ME[1], "call_for_nominations"))
    page = me.get("/portaal").text
    response = me.post(
        f"/portaal/voordrachten/{row.id}",
        data={**NOMINATION, "title": "Te laat", "csrf_token": csrf_of(page)},
    )
    assert response.status_code == 409
    assert "De termijn voor voordrachten is verstreken" in response.text
    # An expert reads the rule in words: no code, not even folded away.
    assert "nomination.closed" not in response.text and "3 maart 2025" in response.text
    assert candidates_of(app, ME[1])[0].title == NOMINATION["title"]


def test_invalid_input_shows_the_form_again_with_what_was_typed(
    app: App, pid: str, me: TestClient
) -> None:
    """An end before the start is refused on the page itself, keeping the typed text."""
    status, html = nominate(me, end="2018-01-01", description="Mijn zorgvuldige tekst")
    assert status == 422
    assert "ligt voor het begin" in html and "Mijn zorgvuldige tekst" in html
    assert candidates_of(app, ME[1]) == []


def test_another_experts_nomination_cannot_be_edited(app: App, pid: str, me: TestClient) -> None:
    """Posting an edit to someone else's candidate id is not found and changes nothing."""
    theirs = nominations.submit_nomination(
        app,
        pid,
        expert_id(app, OTHER[1]),
        title="Terugkeer van de wolf",
        start="2018-01-01",
        end=None,
        description="Schapen gedood in Salland.",
        criteria="2",
        actor="expert:other",
    )["candidate"]
    status, _ = edit(me, theirs, title="Overgenomen")
    assert status in (403, 404)
    [row] = candidates_of(app, OTHER[1])
    assert row.title == "Terugkeer van de wolf"
    assert audit_records(app, "nomination.edit") == []


def test_a_script_in_a_nomination_is_shown_as_text(app: App, pid: str, me: TestClient) -> None:
    """A title and description with a script tag come back escaped."""
    payload = "<script>alert(1)</script>"
    nominate(me, title=payload, description=f"Beschrijving {payload}")
    html = me.get("/portaal").text
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_portal_names_no_other_expert(app: App, pid: str, me: TestClient) -> None:
    """Neither another expert's name, address nor nomination appears on the page."""
    nominations.submit_nomination(
        app,
        pid,
        expert_id(app, OTHER[1]),
        title="Laagvliegroutes Lelystad Airport",
        start="2019-01-01",
        end=None,
        description="Zorgen in Salland.",
        criteria="1",
        actor="expert:other",
    )
    html = me.get("/portaal").text
    assert ME[0] in html
    for name, email, _ in INTERNAL + EXTERNAL:
        if email != ME[1]:
            assert name not in html and email not in html
    assert "Laagvliegroutes" not in html


def test_a_replaced_link_shows_the_revoked_page(app: App, selection: str) -> None:
    """After a new invitation the old link, and a session opened with it, are refused."""
    old = latest_link(app, ME[1], "expert_invitation")
    web = opened(app, old)
    people.invite(app, selection, [ME[1]], actor=ACTOR)
    for response in (client(app).get(old), web.get("/portaal")):
        assert response.status_code == 403
        assert "Deze link is ingetrokken" in response.text
    assert opened(app, latest_link(app, ME[1], "expert_invitation")).get("/portaal").is_success


def test_an_expired_link_shows_the_expired_page(app: App, pid: str, clock: FrozenClock) -> None:
    """Once its 90 days are over, the link is refused with a clear page."""
    link = latest_link(app, ME[1], "call_for_nominations")
    clock.advance(days=91)
    response = client(app).get(link)
    assert response.status_code == 403
    assert "Deze link is verlopen" in response.text


def test_a_tampered_link_shows_the_invalid_page(app: App, pid: str) -> None:
    """Changing one character of the token's signature breaks it."""
    link = latest_link(app, ME[1], "call_for_nominations")
    # The first character of the signature: every one of its bits counts (the last one's may
    # be base64 padding).
    cut = link.rindex(".") + 1
    tampered = link[:cut] + ("A" if link[cut] != "A" else "B") + link[cut + 1 :]
    response = client(app).get(tampered)
    assert response.status_code == 403
    assert "Deze link is ongeldig" in response.text
    assert client(app).get("/expert/niet-eens-een-token").status_code == 403


def test_an_advice_link_path_does_not_accept_an_expert_token(app: App, pid: str) -> None:
    """A token signed for the portal opens no advice page."""
    token = latest_link(app, ME[1], "call_for_nominations").rsplit("/", 1)[1]
    assert client(app).get(f"/advies/{token}").status_code == 403


def test_an_expert_session_cannot_use_facilitator_pages(app: App, pid: str, me: TestClient) -> None:
    """The facilitator's procedure page and the advance form refuse an expert's session."""
    page = me.get("/portaal").text
    assert me.get(f"/procedures/{pid}").status_code == 403
    response = me.post(f"/procedures/{pid}/advance", data={"csrf_token": csrf_of(page)})
    assert response.status_code == 403
    assert procedures.status(app, pid).phase == Phase.SESSIONS.value


def test_the_session_invitation_downloads_with_the_mailed_uid(
    app: App, pid: str, me: TestClient
) -> None:
    """The .ics is the session's REQUEST with the same UID and SEQUENCE as the mails."""
    sid = int(
        sessions.add_session(app, pid, at="2025-03-10T14:00", location="Zwolle", actor=ACTOR)[
            "session"
        ]
    )
    sessions.move_session(app, pid, sid, at="2025-03-11T14:00", actor=ACTOR)
    html = me.get("/portaal").text
    assert f"/portaal/bijeenkomsten/{sid}.ics" in html and "11 maart 2025 14:00" in html
    response = me.get(f"/portaal/bijeenkomsten/{sid}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert response.headers["content-disposition"].startswith("attachment")
    with app.read() as db:
        row = db.get(m.ExpertSession, sid)
        assert row is not None
        uid, sequence = row.uid, row.sequence
    event = next(iter(Calendar.from_ical(response.text).walk("VEVENT")))
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == sequence == 1
    assert ME[1] in str(event["ATTENDEE"])


def test_only_own_procedures_live_sessions_download(app: App, pid: str, me: TestClient) -> None:
    """A cancelled session or another procedure's session is not found."""
    sid = sessions.add_session(app, pid, at="2025-03-10T14:00", actor=ACTOR)["session"]
    sessions.cancel_session(app, pid, sid, reason="Zaal niet beschikbaar", actor=ACTOR)
    other = support.open_procedure(app, org="Gemeente Zwolle")
    support.drive_to(app, other, Phase.PLANNING)
    foreign = sessions.add_session(app, other, at="2025-03-12T14:00", actor=ACTOR)["session"]
    assert me.get(f"/portaal/bijeenkomsten/{sid}.ics").status_code == 404
    assert me.get(f"/portaal/bijeenkomsten/{foreign}.ics").status_code == 404
    assert f"/portaal/bijeenkomsten/{sid}.ics" not in me.get("/portaal").text


def test_an_expert_who_has_not_accepted_cannot_download(app: App, selection: str) -> None:
    """Without an acceptance there is no invitation to download, and no nomination form."""
    sid = sessions.add_session(app, selection, at="2025-03-10T14:00", actor=ACTOR)["session"]
    web = opened(app, latest_link(app, ME[1], "expert_invitation"))
    assert web.get(f"/portaal/bijeenkomsten/{sid}.ics").status_code == 403
    html = web.get("/portaal").text
    assert "10 maart 2025 14:00" in html
    assert 'action="/portaal/voordrachten"' not in html


def test_the_portal_speaks_english_when_asked(app: App, pid: str, me: TestClient) -> None:
    """After switching the language the portal and its dates are English."""
    assert me.get("/taal/en?next=/portaal").headers["location"] == "/portaal"
    html = me.get("/portaal").text
    assert "Your participation in the hotspot monitor" in html and "3 March 2025" in html
    assert "Criterion 1: much public unrest" in html
