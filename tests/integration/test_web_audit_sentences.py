"""The audit trail reads as sentences, with each record's stored data one click away."""

from __future__ import annotations

import json
import re
from html import unescape

from fastapi.testclient import TestClient
from sqlalchemy import select

from states.phases import Phase
from tests import support
from tests.support import ACTOR, EXTERNAL
from tests.web_support import logged_in, post_form
from workflow.app import App
from workflow.commands import people, sessions
from workflow.db import models as m

_SENTENCE = re.compile(r'<p class="sentence">(.*?)</p>', re.S)
_RAW = re.compile(
    r'<details class="raw"><summary>[^<]*</summary>(?:<p>.*?</p>)?<code class="data">(.*?)</code>',
    re.S,
)


def sentences(html: str) -> list[str]:
    return [unescape(s) for s in _SENTENCE.findall(html)]


def raw_texts(html: str) -> list[str]:
    """The data shown in each record's <details> (on the procedure page cut after 300 signs)."""
    return [unescape(found) for found in _RAW.findall(html)]


def raw_data(html: str) -> list[dict[str, object]]:
    """The data shown in each record's <details> of the audit page, read back as JSON."""
    return [json.loads(found) for found in raw_texts(html)]


def moved_session(app: App) -> tuple[str, int, TestClient]:
    """A procedure whose session the facilitator moved through the web form, to 3 April 14:00."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    added = sessions.add_session(app, pid, at="2025-03-10T14:00", location="Zwolle", actor=ACTOR)
    session = int(added["session"])
    web = logged_in(app)
    page = f"/procedures/{pid}"
    form = {"session": str(session), "at": "2025-04-03T14:00"}
    response = post_form(web, f"{page}/sessions/move", form, page)
    assert response.status_code == 303, response.text
    return pid, session, web


def test_a_moved_session_reads_as_a_sentence_on_the_audit_page(app: App) -> None:
    """Dutch by default: the facilitator's name, the session and the new moment in Dutch time;
    the stored data stays in a <details> element."""
    pid, session, web = moved_session(app)

    html = web.get(f"/procedures/{pid}/audit", params={"action": "session.move"}).text

    assert sentences(html) == [
        f"Sanne Procesbegeleider verplaatste bijeenkomst {session} naar 3 april 2025 14.00 uur"
    ]
    (data,) = raw_data(html)
    assert data["session"] == session and data["sequence"] == 1
    assert data["to"] == "2025-04-03T14:00:00+02:00"
    assert "<details" in html and "<script" not in html
    # The label in words; the action's code only with the data, one click away.
    assert ">Bijeenkomst verplaatst</span></th>" in html
    assert "<code>session.move</code>" in html.split('<details class="raw">', 1)[1]


def test_the_sentence_follows_the_page_language(app: App) -> None:
    """In English the same record reads in English, 24-hour time."""
    pid, session, web = moved_session(app)
    web.get("/taal/en", params={"next": f"/procedures/{pid}/audit"})

    html = web.get(f"/procedures/{pid}/audit", params={"action": "session.move"}).text

    assert sentences(html) == [
        f"Sanne Procesbegeleider moved session {session} to 3 April 2025 14:00"
    ]


def test_the_procedure_page_shows_its_latest_records_as_sentences(app: App) -> None:
    """The latest records on the procedure page read as sentences too, newest first."""
    pid, session, web = moved_session(app)

    html = web.get(f"/procedures/{pid}").text
    said = sentences(html)

    assert said[0] == (
        f"Sanne Procesbegeleider verplaatste bijeenkomst {session} naar 3 april 2025 14.00 uur"
    )
    # The test's command-line actor has no account: its name as stored, capitalised.
    planned = f"plande bijeenkomst {session} op 10 maart 2025 14.00 uur in Zwolle"
    assert said[1] == f"Test-procesbegeleider {planned}"
    latest = raw_texts(html)[0]
    assert f'"session":{session}' in latest and '"to":"2025-04-03T14:00:00+02:00"' in latest


def test_an_expert_acting_through_a_link_is_named(app: App) -> None:
    """A record by "expert:<id>" names the expert; an actor without an account keeps its name."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    support.recruit(app, pid)
    name, email, _ = EXTERNAL[0]
    with app.read() as db:
        expert = db.scalar(
            select(m.Expert.id).where(m.Expert.procedure_id == pid, m.Expert.email == email)
        )
    people.respond(app, pid, email, accept=False, actor=f"expert:{expert}")
    web = logged_in(app)

    html = web.get(f"/procedures/{pid}/audit", params={"action": "expert.respond"}).text

    assert sentences(html)[0] == (
        f"{name} legde het antwoord van expert {expert} vast: neemt niet deel"
    )
    assert f'<option value="expert:{expert}">{name} (expert:{expert})</option>' in html
    # The command-line actor of the test has no account: shown as stored.
    assert f'<option value="{ACTOR}">{ACTOR}</option>' in html
