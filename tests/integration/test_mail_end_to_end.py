"""From a command to a real SMTP server: what an expert's mail client receives."""

from __future__ import annotations

from dataclasses import replace

import pytest
from icalendar import Calendar

from notifications.sender import send_due_blocking
from notifications.settings import MailSettings, SmtpSettings
from states.phases import Phase
from tests import support
from tests.smtp_server import Received, SmtpTestServer
from tests.support import ACTOR, EXTERNAL, INTERNAL
from workflow.app import App
from workflow.commands import people, sessions
from workflow.testing import FrozenClock

HANNA = EXTERNAL[0][1]


def smtp_settings(server: SmtpTestServer) -> MailSettings:
    return replace(
        MailSettings(),
        transport="smtp",
        sender="hotspotmonitor@overijssel.example",
        smtp=SmtpSettings(host=server.host, port=server.port, tls="none", timeout_seconds=10),
    )


def calendar_of(received: Received) -> Calendar:
    parts = [p for p in received.message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return Calendar.from_ical(parts[0].get_payload(decode=True))


def has_calendar(received: Received) -> bool:
    return any(p.get_content_type() == "text/calendar" for p in received.message.walk())


def to(server: SmtpTestServer, address: str) -> list[Received]:
    return [r for r in server.received if r.rcpt_tos == (address,)]


@pytest.fixture
def pid(app: App) -> str:
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.SESSIONS)
    return pid


def test_a_session_invitation_reaches_each_expert_as_an_itip_request(
    app: App, pid: str, smtp_server: SmtpTestServer, clock: FrozenClock
) -> None:
    """Each accepted expert gets one message, to them alone, with a parsable REQUEST."""
    send_due_blocking(app, smtp_settings(smtp_server))  # the phase-change mails so far
    before = len(smtp_server.received)
    sessions.add_session(app, pid, at="2025-04-10T14:00", location="Zwolle", actor=ACTOR)
    report = send_due_blocking(app, smtp_settings(smtp_server))
    new = smtp_server.received[before:]
    assert report.sent == len(new) == 6
    assert sorted(r.rcpt_tos[0] for r in new) == sorted(e for _, e, _ in INTERNAL + EXTERNAL)
    (mail,) = [r for r in new if r.rcpt_tos == (HANNA,)]
    assert mail.message["To"].addresses[0].addr_spec == HANNA
    assert mail.message["Subject"].startswith("Uitnodiging")
    text = mail.message.get_body(preferencelist=("plain",))
    assert text is not None
    assert "Beste Hanna Historica" in text.get_content()
    assert "10 april 2025" in text.get_content()
    alternative = mail.message.get_content_type()
    assert alternative == "multipart/alternative"
    calendar = calendar_of(mail)
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["METHOD"]) == "REQUEST"
    assert int(event["SEQUENCE"]) == 0
    assert str(event["UID"]).startswith("session-")
    assert str(event["ATTENDEE"]) == f"mailto:{HANNA}"
    assert event["DTSTART"].dt.hour == 14


def test_a_moved_session_raises_the_sequence_and_a_cancelled_one_cancels(
    app: App, pid: str, smtp_server: SmtpTestServer
) -> None:
    """Move then cancel: REQUEST with SEQUENCE 1, then CANCEL with SEQUENCE 2, same UID."""
    sid = sessions.add_session(app, pid, at="2025-04-10T14:00", actor=ACTOR)["session"]
    sessions.move_session(app, pid, sid, at="2025-04-11T09:30", actor=ACTOR)
    sessions.cancel_session(app, pid, sid, reason="Zaal niet beschikbaar", actor=ACTOR)
    send_due_blocking(app, smtp_settings(smtp_server))
    calendars = [calendar_of(r) for r in to(smtp_server, HANNA) if has_calendar(r)]
    assert [str(c["METHOD"]) for c in calendars] == ["REQUEST", "REQUEST", "CANCEL"]
    events = [c.walk("VEVENT")[0] for c in calendars]
    assert len({str(e["UID"]) for e in events}) == 1
    assert [int(e["SEQUENCE"]) for e in events] == [0, 1, 2]
    assert events[1]["DTSTART"].dt.hour == 9 and events[1]["DTSTART"].dt.minute == 30
    assert str(events[2]["STATUS"]) == "CANCELLED"


def test_an_invitation_link_is_personal_and_no_expert_sees_another(
    app: App, smtp_server: SmtpTestServer
) -> None:
    """Every invitation goes to one address and carries a link no other message carries."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.PLANNING)
    support.plan(app, pid)
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    support.recruit(app, pid)
    people.invite(app, pid, [], actor=ACTOR)
    send_due_blocking(app, smtp_settings(smtp_server))
    experts = {e for _, e, _ in INTERNAL + EXTERNAL}
    invitations = [r for r in smtp_server.received if r.rcpt_tos[0] in experts]
    assert len(invitations) == 6
    links = set()
    for received in invitations:
        raw = received.raw.decode("utf-8", "replace")
        assert not any(other in raw for other in experts - {received.rcpt_tos[0]})
        body = received.message.get_body(preferencelist=("plain",))
        assert body is not None
        links |= {w for w in body.get_content().split() if "/expert/" in w}
    assert len(links) == 6
