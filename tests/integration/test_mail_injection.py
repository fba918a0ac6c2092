"""Header injection through encoded words, from the JSON API and the expert portal to a real
SMTP server: the bytes it receives hold exactly the expected header lines.

A name or title like `=?utf-8?q?Jan=0D=0AReply-To:_attacker@...?=` once came out of the mailer
as real Reply-To and Bcc lines (CVE-2024-6923). Here it travels the way a person would send
it, and the raw message the server got is checked line by line.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from notifications.sender import send_due_blocking
from notifications.settings import MailSettings, SmtpSettings
from states.phases import Phase
from tests import support
from tests.integration.test_web_api import log_in
from tests.smtp_server import Received, SmtpTestServer
from tests.support import ACTOR, INTERNAL
from tests.unit.test_mail_headers import EXPECTED, INJECTION, decoded, display_name, fields
from tests.web_support import client, csrf_of, latest_link
from workflow import repository
from workflow.app import App
from workflow.commands import procedures, records, sessions
from workflow.db import models as m
from workflow.deadlines.sweep import sweep
from workflow.testing import FrozenClock

OWNER = "div@provincie.example"


def smtp(server: SmtpTestServer) -> MailSettings:
    return replace(
        MailSettings(),
        transport="smtp",
        sender="hotspotmonitor@overijssel.example",
        smtp=SmtpSettings(host=server.host, port=server.port, tls="none", timeout_seconds=10),
    )


def received_by(server: SmtpTestServer, address: str) -> list[Received]:
    return [r for r in server.received if r.rcpt_tos == (address,)]


def assert_clean(got: Received) -> dict[str, str]:
    """Exactly the expected header names, nothing injected, the body parts intact."""
    found = fields(got.raw)
    assert list(found) == EXPECTED
    assert b"\nReply-To:" not in got.raw and b"\nBcc:" not in got.raw
    assert got.message["Reply-To"] is None and got.message["Bcc"] is None
    assert [p.get_content_type() for p in got.message.walk()][:3] == [
        "multipart/alternative",
        "text/plain",
        "text/html",
    ]
    return found


def test_a_member_named_with_encoded_words_through_the_api_gets_no_extra_header(
    app: App, smtp_server: SmtpTestServer
) -> None:
    """POST /api/.../members with the payload as name: the phase mail To it is one mailbox."""
    api = log_in(app)
    pid = api.ok(
        "POST",
        "/api/procedures",
        {"organisation": "Gemeente Voorbeeld", "governing_body": "B&W", "period": "2017-2023"},
    )["procedure"]
    api.ok("POST", f"/api/procedures/{pid}/advance")
    for name, email, role in (
        (INJECTION, "jan@example.org", "procesbegeleider"),
        ("Bert", "bert@example.org", "informatiebeheerder"),
        ("Carla", "carla@example.org", "archivaris"),
    ):
        api.ok(
            "POST", f"/api/procedures/{pid}/members", {"name": name, "email": email, "role": role}
        )
    api.ok("POST", f"/api/procedures/{pid}/advance")

    send_due_blocking(app, smtp(smtp_server))

    [got] = received_by(smtp_server, "jan@example.org")
    assert smtp_server.rcpt_attempts.count("jan@example.org") == 1
    assert not any("evil.example" in r for r in smtp_server.rcpt_attempts)
    found = assert_clean(got)
    assert display_name(found["To"]) == INJECTION
    text = got.message.get_body(preferencelist=("plain",))
    assert text is not None and f"Beste {INJECTION}," in text.get_content()


def test_an_organisation_named_with_encoded_words_reaches_every_subject_as_text(
    app: App, smtp_server: SmtpTestServer
) -> None:
    """The organisation's name is in every subject: it stays text in each of them."""
    organisation = f"Gemeente {INJECTION}"
    pid = support.open_procedure(app, org=organisation)
    support.drive_to(app, pid, Phase.PLANNING)

    send_due_blocking(app, smtp(smtp_server))

    assert len(smtp_server.received) >= 3
    for got in smtp_server.received:
        found = assert_clean(got)
        assert organisation in decoded(found["Subject"])
        assert str(got.message["Subject"]).count("Reply-To") == 1


def test_a_nomination_title_from_the_portal_reaches_the_reminder_subject_as_text(
    app: App, smtp_server: SmtpTestServer, clock: FrozenClock
) -> None:
    """An expert's nomination, adopted, listed for the inventory: its weekly reminder's
    subject carries the title and nothing more."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.SESSIONS)
    web = client(app)
    assert web.get(latest_link(app, INTERNAL[0][1], "call_for_nominations")).status_code == 303
    posted = web.post(
        "/portaal/voordrachten",
        data={
            "title": INJECTION,
            "start": "2019-10-01",
            "end": "",
            "description": "Een voordracht met een titel vol gecodeerde woorden.",
            "criteria": ["1"],
            "csrf_token": csrf_of(web.get("/portaal").text),
        },
    )
    assert posted.status_code == 303, posted.text
    with app.read() as db:
        candidate = db.scalar(select(m.Candidate.id).where(m.Candidate.title == INJECTION))
    assert candidate is not None
    sessions.assess(
        app, pid, candidate, criteria="1", motivation="Onrust", include=True, actor=ACTOR
    )
    support.drive_to(app, pid, Phase.DECISION)
    support.advise_and_adopt(app, pid)
    procedures.advance(app, pid, actor=ACTOR)
    with app.read() as db:
        listed = repository.latest_list_version(db, pid)
        assert listed is not None
        [number] = [str(e["number"]) for e in listed.entries if e["title"] == INJECTION]
    records.add_system(
        app,
        pid,
        number,
        system="Corsa",
        query="zaaktype hotspot",
        owner="DIV",
        owner_email=OWNER,
        actor=ACTOR,
    )
    send_due_blocking(app, smtp(smtp_server))
    before = len(received_by(smtp_server, OWNER))

    clock.advance(days=8)
    sweep(app, clock())
    send_due_blocking(app, smtp(smtp_server))

    reminders = received_by(smtp_server, OWNER)[before:]
    assert reminders, "no inventory reminder went out"
    found = assert_clean(reminders[-1])
    assert decoded(found["Subject"]).startswith(
        f"Herinnering: doorzoek Corsa voor hotspot {number}"
    )
    assert INJECTION in decoded(found["Subject"])
