"""Delivering the outbox to a real SMTP server (aiosmtpd), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterable
from dataclasses import replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import SMTP
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import Row, select, update

from notifications.kinds import MailKind
from notifications.outbox import OUTBOX, CalendarPart, OutgoingMail, Recipient, queue
from notifications.render import RenderedMail
from notifications.sender import claim, list_messages, open_problem, send_due, send_due_blocking
from notifications.settings import MailSettings, SmtpSettings
from notifications.testing import RecordingTransport
from notifications.transports import Envelopes, Outcome, file_name
from tests.smtp_server import SmtpTestServer
from workflow.app import App, bootstrap
from workflow.settings import Settings
from workflow.testing import FrozenClock

SENDER = "hotspotmonitor@overijssel.example"
EVIL = "\r\nBcc: evil@example.org"
TEXT = (
    "Beste Jan,\n\nU bent uitgenodigd voor de expertbijeenkomst van de hotspotmonitor op "
    "donderdag 12 maart 2026 om 19.30 uur in het provinciehuis.\nWij zien u graag "
    "verschijnen; laat het ons weten als u verhinderd bent.\n\nMet vriendelijke groet,\n"
    "Sanne de Vries, procesbegeleider\n"
)
HTML = "<p>Beste Jan,</p><p>U bent uitgenodigd voor de expertbijeenkomst.</p>"
VCALENDAR = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Hotspotmonitor//NL\r\nMETHOD:REQUEST\r\n"
    "BEGIN:VEVENT\r\nUID:session-p1-1@hotspot-monitor\r\nSEQUENCE:0\r\n"
    "DTSTAMP:20250106T090000Z\r\nDTSTART:20260312T183000Z\r\nDTEND:20260312T203000Z\r\n"
    "SUMMARY:Expertbijeenkomst hotspotmonitor\r\nLOCATION:Provinciehuis\r\n"
    "ORGANIZER;CN=Hotspotmonitor:mailto:hotspotmonitor@overijssel.example\r\n"
    "ATTENDEE;CN=Jan Jansen;RSVP=TRUE:mailto:jan@example.org\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def mail(
    email: str,
    name: str = "Jan Jansen",
    subject: str = "Uitnodiging expertbijeenkomst",
    calendar: str | None = None,
) -> OutgoingMail:
    return OutgoingMail(
        kind=MailKind.SESSION_INVITATION,
        recipient=Recipient(name, email),
        rendered=RenderedMail(subject, TEXT, HTML),
        calendar=CalendarPart("REQUEST", calendar) if calendar else None,
    )


def put(app: App, mails: list[OutgoingMail]) -> list[str]:
    with app.transaction() as connection:
        return queue(connection, mails, procedure_id=None, sender=SENDER, now=app.now())


def settings_for(server: SmtpTestServer, **changes: Any) -> MailSettings:
    smtp = SmtpSettings(host=server.host, port=server.port, tls="none", timeout_seconds=10)
    base = MailSettings(transport="smtp", sender=SENDER, smtp=smtp, backoff_seconds=60)
    return replace(base, **changes)


def rows(app: App) -> list[Row[Any]]:
    with app.transaction() as connection:
        return list(connection.execute(select(OUTBOX).order_by(OUTBOX.c.id)))


def delivered_once(app: App, server: SmtpTestServer, settings: MailSettings) -> None:
    """One message goes through first: the server is known to work, so its absence later is
    an outage (a server that never worked counts as a set-up problem)."""
    put(app, [mail("eerder@example.org")])
    assert send_due_blocking(app, settings).sent == 1


def part(message: EmailMessage, content_type: str) -> EmailMessage:
    found = [p for p in message.walk() if p.get_content_type() == content_type]
    assert len(found) == 1, [p.get_content_type() for p in message.walk()]
    found_part = found[0]
    assert isinstance(found_part, EmailMessage)
    return found_part


def test_a_message_arrives_with_its_recipient_subject_text_and_invitation(
    app: App, smtp_server: SmtpTestServer
) -> None:
    """One queued invitation reaches the server for one recipient, with a parseable iTIP part."""
    [message_id] = put(app, [mail("jan@example.org", calendar=VCALENDAR)])

    report = send_due_blocking(app, settings_for(smtp_server))

    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    [got] = smtp_server.received
    assert got.rcpt_tos == ("jan@example.org",)
    assert got.mail_from == SENDER
    assert got.message_id == message_id
    assert got.message["Subject"] == "Uitnodiging expertbijeenkomst"
    assert got.message["Auto-Submitted"] == "auto-generated"
    assert part(got.message, "text/plain").get_content().replace("\r\n", "\n") == TEXT
    calendar = part(got.message, "text/calendar")
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_content_charset() == "utf-8"
    parsed = Calendar.from_ical(calendar.get_content())
    assert str(parsed["METHOD"]) == "REQUEST"
    [event] = parsed.walk("VEVENT")
    assert str(event["UID"]) == "session-p1-1@hotspot-monitor"
    [row] = rows(app)
    assert (row.status, row.attempts, row.sent_at, row.last_error) == ("sent", 1, app.now(), None)
    assert row.lease_until is None


def test_a_550_reply_fails_the_message_with_the_servers_reply(
    app: App, smtp_server: SmtpTestServer
) -> None:
    """A refused mailbox fails for good with the reply as the error; the batch carries on."""
    smtp_server.reject("gone@example.org", "550 5.1.1 Mailbox unavailable")
    put(app, [mail("gone@example.org"), mail("jan@example.org")])

    report = send_due_blocking(app, settings_for(smtp_server))

    assert (report.sent, report.retried, report.failed) == (1, 0, 1)
    gone, jan = rows(app)
    assert gone.status == "failed"
    assert gone.last_error == "550 5.1.1 Mailbox unavailable"
    assert jan.status == "sent"
    assert [r.rcpt_tos for r in smtp_server.received] == [("jan@example.org",)]
    [failure] = report.failures
    assert (failure.message_id, failure.final) == (gone.message_id, True)


def test_a_451_reply_is_tried_again_after_the_backoff(
    app: App, smtp_server: SmtpTestServer, clock: FrozenClock
) -> None:
    """A temporary refusal puts the message back with the first backoff and the reply."""
    smtp_server.tempfail("busy@example.org", "451 4.3.0 Try again later")
    put(app, [mail("busy@example.org")])

    report = send_due_blocking(app, settings_for(smtp_server))

    [row] = rows(app)
    assert (report.retried, row.status, row.attempts) == (1, "pending", 1)
    assert row.next_attempt_at == clock() + timedelta(seconds=60)
    assert row.last_error == "451 4.3.0 Try again later"


def test_a_server_that_is_down_then_up_gets_every_message_exactly_once(
    app: App, smtp_server: SmtpTestServer, clock: FrozenClock
) -> None:
    """Messages wait, untried and keeping their tries, while the server is down (an outage on
    record as a problem), then arrive once each."""
    settings = settings_for(smtp_server)
    delivered_once(app, smtp_server, settings)
    ids = put(app, [mail(f"expert{i}@example.org") for i in range(5)])
    smtp_server.stop()

    down = send_due_blocking(app, settings)

    assert (down.sent, down.retried, down.failed, down.held) == (0, 0, 0, 5)
    for row in rows(app)[1:]:
        assert (row.status, row.attempts, row.first_failed_at) == ("pending", 0, None)
        assert row.next_attempt_at == clock() + timedelta(seconds=60)
        assert "cannot connect" in (row.last_error or "")
    assert (open_problem(app) or {}).get("code") == "connection"
    # Not due again before the wait is over, even with the server back.
    smtp_server.start()
    assert send_due_blocking(app, settings).sent == 0
    assert len(smtp_server.received) == 1  # the one delivered before the outage

    clock.advance(seconds=61)
    up = send_due_blocking(app, settings)

    assert (up.sent, up.retried, up.failed) == (5, 0, 0)
    assert {k: v for k, v in smtp_server.count_by_message_id().items() if k in ids} == (
        dict.fromkeys(ids, 1)
    )
    assert {(r.status, r.attempts) for r in rows(app)[1:]} == {("sent", 1)}
    assert open_problem(app) is None


def test_a_message_fails_when_its_attempts_are_used_up(
    app: App, smtp_server: SmtpTestServer, clock: FrozenClock
) -> None:
    """After `max_attempts` transient failures the message is failed, not retried forever."""
    settings = settings_for(smtp_server, max_attempts=2)
    smtp_server.tempfail("jan@example.org", "451 4.3.0 Try again later")
    put(app, [mail("jan@example.org")])

    first = send_due_blocking(app, settings)
    clock.advance(seconds=61)
    second = send_due_blocking(app, settings)
    clock.advance(days=30)
    third = send_due_blocking(app, settings)

    assert (first.retried, first.failed) == (1, 0)
    assert (second.retried, second.failed) == (0, 1)
    assert second.failures[0].final
    assert (third.sent, third.retried, third.failed) == (0, 0, 0)
    [row] = rows(app)
    assert (row.status, row.attempts) == ("failed", 2)
    assert row.last_error == "451 4.3.0 Try again later"


def test_a_killed_senders_messages_go_out_after_its_lease_with_the_same_message_id(
    app: App, smtp_server: SmtpTestServer, clock: FrozenClock
) -> None:
    """A claim abandoned mid-way blocks others until its lease ends, then the mail goes once."""
    [message_id] = put(app, [mail("jan@example.org")])
    settings = settings_for(smtp_server, lease_seconds=300)
    claimed = claim(app, clock(), 10, settings.lease_seconds)  # ...and the sender dies
    # Tries are counted when the outcome is recorded; taking over the abandoned claim counts
    # the try the dead sender may have made.
    assert [r.attempts for r in claimed] == [0]

    clock.advance(seconds=299)
    before = send_due_blocking(app, settings)
    assert (before.sent, smtp_server.received) == (0, [])

    clock.advance(seconds=2)
    after = send_due_blocking(app, settings)

    assert after.sent == 1
    assert smtp_server.count_by_message_id() == {message_id: 1}
    [row] = rows(app)
    assert (row.status, row.attempts, row.message_id) == ("sent", 2, message_id)


def test_an_outcome_is_not_recorded_over_a_newer_claim(app: App, clock: FrozenClock) -> None:
    """A sender whose lease ran out mid-batch does not overwrite the row another one re-claimed."""
    put(app, [mail("jan@example.org")])
    taken: list[Row[Any]] = []

    class Slow(RecordingTransport):
        """Sends so slowly that the lease runs out and a second sender claims the message."""

        async def deliver(
            self, envelopes: Envelopes, *, deadline: float | None = None
        ) -> list[Outcome]:
            clock.advance(seconds=301)
            taken.extend(claim(app, clock(), 10, 300))
            assert isinstance(envelopes, AsyncIterable)
            return await super().deliver(envelopes, deadline=deadline)

    slow = Slow()
    report = asyncio.run(send_due(app, MailSettings(lease_seconds=300), transport=slow))

    assert report.sent == 1
    assert [str(message["To"]) for message in slow.sent] == ["Jan Jansen <jan@example.org>"]
    [second] = taken
    [row] = rows(app)
    assert (row.status, row.attempts, row.lease_until) == ("sending", 1, second.lease_until)
    assert row.sent_at is None


# PostgreSQL only: SQLite has one writer at a time, SKIP LOCKED is PostgreSQL's.
@pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_two_senders_at_once_deliver_every_message_exactly_once(
    app: App, database_url: str, smtp_server: SmtpTestServer
) -> None:
    """Two processes' worth of senders on PostgreSQL split the outbox without duplicates."""
    assert app.engine.dialect.name == "postgresql"
    ids = put(app, [mail(f"expert{i}@example.org") for i in range(300)])
    settings = settings_for(smtp_server, batch_size=7)
    apps = [bootstrap(Settings(database_url, "nl", None)) for _ in range(2)]
    start = threading.Barrier(2)
    reports: list[Any] = []

    def run(sender_app: App) -> None:
        start.wait()
        reports.append(send_due_blocking(sender_app, settings))

    threads = [threading.Thread(target=run, args=(a,)) for a in apps]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        for sender_app in apps:
            sender_app.dispose()

    assert sum(r.sent for r in reports) == 300
    assert all(r.sent > 0 for r in reports), [r.sent for r in reports]
    assert smtp_server.count_by_message_id() == dict.fromkeys(ids, 1)
    assert {r.status for r in rows(app)} == {"sent"}


def test_a_header_injection_in_name_and_subject_is_inert(
    app: App, smtp_server: SmtpTestServer
) -> None:
    """CR/LF in a recipient name or subject adds no header and no recipient."""
    put(
        app,
        [mail("jan@example.org", name=f"Jan Jansen{EVIL}", subject=f"Uitnodiging{EVIL}")],
    )

    report = send_due_blocking(app, settings_for(smtp_server))

    assert report.sent == 1
    assert smtp_server.rcpt_attempts == ["jan@example.org"]
    [got] = smtp_server.received
    assert got.message["Bcc"] is None
    assert b"\nBcc:" not in got.raw
    assert got.message["Subject"] == "Uitnodiging Bcc: evil@example.org"
    [to] = got.message["To"].addresses
    assert (to.display_name, to.addr_spec) == (
        "Jan Jansen Bcc: evil@example.org",
        "jan@example.org",
    )


def test_a_row_that_cannot_become_a_message_fails_alone(
    app: App, smtp_server: SmtpTestServer
) -> None:
    """An address smuggling a second recipient fails that row; the rest of the batch goes."""
    put(app, [mail("jan@example.org>, evil@example.org"), mail("piet@example.org")])

    report = send_due_blocking(app, settings_for(smtp_server))

    assert (report.sent, report.failed) == (1, 1)
    bad, good = rows(app)
    assert bad.status == "failed"
    assert (bad.last_error or "").startswith("cannot build the message")
    assert good.status == "sent"
    assert smtp_server.rcpt_attempts == ["piet@example.org"]


def test_starttls_required_but_not_offered_sends_nothing_and_costs_no_try(
    app: App, smtp_server: SmtpTestServer, clock: FrozenClock
) -> None:
    """A server without STARTTLS gets nothing in plaintext; the mail waits, tries untouched."""
    put(app, [mail("jan@example.org")])
    settings = settings_for(smtp_server)
    settings = replace(settings, smtp=replace(settings.smtp, tls="starttls"))

    reports = [send_due_blocking(app, settings)]
    for _ in range(10):  # ten more runs, as a worker would make them
        clock.advance(seconds=settings.max_backoff_seconds + 1)
        reports.append(send_due_blocking(app, settings))

    assert all((r.sent, r.retried, r.failed, r.held) == (0, 0, 0, 1) for r in reports)
    assert reports[0].problem is not None and "STARTTLS" in reports[0].problem
    assert smtp_server.rcpt_attempts == []
    assert smtp_server.received == []
    [row] = rows(app)
    assert (row.status, row.attempts, row.first_failed_at) == ("pending", 0, None)
    assert "STARTTLS" in (row.last_error or "")
    assert (open_problem(app) or {}).get("code") == "starttls"


def test_a_dropped_connection_fails_only_that_message_and_the_batch_goes_on(
    app: App, smtp_server: SmtpTestServer, clock: FrozenClock
) -> None:
    """When the server hangs up on one recipient, the sender reconnects for the others."""
    smtp_server.handler.drop.add("drop@example.org")
    ids = put(app, [mail("a@example.org"), mail("drop@example.org"), mail("c@example.org")])
    settings = settings_for(smtp_server)

    first = send_due_blocking(app, settings)

    assert (first.sent, first.retried) == (2, 1)
    a, dropped, c = rows(app)
    assert (a.status, dropped.status, c.status) == ("sent", "pending", "sent")
    assert (a.attempts, dropped.attempts, c.attempts) == (1, 1, 1)
    assert smtp_server.rcpt_attempts == ["a@example.org", "drop@example.org", "c@example.org"]

    smtp_server.handler.drop.clear()
    clock.advance(seconds=61)
    second = send_due_blocking(app, settings)

    assert second.sent == 1
    assert smtp_server.count_by_message_id() == dict.fromkeys(ids, 1)


def test_a_send_that_takes_too_long_times_out_and_is_retried(
    app: App, smtp_server: SmtpTestServer
) -> None:
    """A server that does not answer within the timeout costs one retry, not a hung sender."""
    smtp_server.handler.slow["slow@example.org"] = 3.0
    put(app, [mail("slow@example.org")])
    settings = settings_for(smtp_server)
    settings = replace(settings, smtp=replace(settings.smtp, timeout_seconds=0.5))

    report = send_due_blocking(app, settings)

    assert report.retried == 1
    [row] = rows(app)
    assert row.status == "pending"
    assert "timed out" in (row.last_error or "")


def test_the_file_transport_writes_one_file_per_message_and_overwrites_on_resend(
    app: App, tmp_path: Path
) -> None:
    """Each message becomes `<Message-ID>.eml`; sending it again replaces that file."""
    out = tmp_path / "mail"
    ids = put(app, [mail(f"expert{i}@example.org", calendar=VCALENDAR) for i in range(3)])
    settings = MailSettings(transport="file", sender=SENDER, out_dir=out)

    first = send_due_blocking(app, settings)
    inodes = {p.name: p.stat().st_ino for p in out.iterdir()}
    # As if every message had to go again (a sender that died after writing the files).
    with app.transaction() as connection:
        connection.execute(update(OUTBOX).values(status="pending"))
    second = send_due_blocking(app, settings)

    assert (first.sent, second.sent) == (3, 3)
    assert sorted(p.name for p in out.iterdir()) == sorted(file_name(i) for i in ids)
    assert all(p.stat().st_ino != inodes[p.name] for p in out.iterdir())
    for message_id in ids:
        with (out / file_name(message_id)).open("rb") as handle:
            parsed = BytesParser(policy=SMTP).parse(handle)
        assert parsed["Message-ID"] == message_id
        assert len(parsed["To"].addresses) == 1
        assert part(parsed, "text/calendar").get_param("method") == "REQUEST"


def test_the_list_shows_recipients_and_filters_failures(
    app: App, smtp_server: SmtpTestServer
) -> None:
    """`mail list` shows name and address, newest first; `--failed` only the failed ones."""
    smtp_server.reject("gone@example.org")
    put(app, [mail("gone@example.org", name="Greet Weg"), mail("jan@example.org")])
    send_due_blocking(app, settings_for(smtp_server))

    listed = list_messages(app)
    failed = list_messages(app, failed_only=True)

    assert [m["recipient"] for m in listed] == [
        "Jan Jansen <jan@example.org>",
        "Greet Weg <gone@example.org>",
    ]
    assert [m["status"] for m in listed] == ["sent", "failed"]
    assert [m["recipient_email"] for m in failed] == ["gone@example.org"]
    assert failed[0]["last_error"].startswith("550")
    assert isinstance(datetime.fromisoformat(listed[0]["sent_at"]), datetime)
