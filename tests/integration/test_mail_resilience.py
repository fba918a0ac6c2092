"""Mail that survives a bad day, against a real SMTP server on SQLite and PostgreSQL.

One recipient whose server hangs up fails alone; an outage of half an hour loses nothing;
retries wait a capped, doubling backoff counted from the failure, within a window of a day;
a wrong set-up (no STARTTLS, credentials asked for, a host that never worked) holds mail back
without using up its tries and tells the facilitator.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Row, select

from notifications.outbox import OUTBOX
from notifications.sender import open_problem, send_due, send_due_blocking
from notifications.settings import MailSettings, SmtpSettings
from notifications.transports import Envelopes, Outcome, TransientFailure
from states.phases import Phase
from tests import support
from tests.integration.test_mail_delivery import SENDER, delivered_once, mail, put
from tests.smtp_server import SmtpTestServer, free_port
from tests.support import ACTOR
from workflow.app import App
from workflow.commands import people
from workflow.testing import FrozenClock

BAD = "kapot@example.org"


def settings_for(server: SmtpTestServer, **changes: Any) -> MailSettings:
    smtp = SmtpSettings(host=server.host, port=server.port, tls="none", timeout_seconds=10)
    return replace(MailSettings(transport="smtp", sender=SENDER, smtp=smtp), **changes)


def outbox(app: App, kind: str | None = None) -> list[Row[Any]]:
    query = select(OUTBOX).order_by(OUTBOX.c.id)
    if kind is not None:
        query = query.where(OUTBOX.c.kind == kind)
    with app.read() as db:
        return list(db.execute(query))


def eight_invitations(app: App) -> str:
    """A procedure in expert selection with eight experts invited, one of them at BAD."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    support.recruit(app, pid)
    for name, email in (("Bea Kapot", BAD), ("Otto Ok", "otto@example.org")):
        people.add_expert(
            app,
            pid,
            name=name,
            email=email,
            perspective="external",
            profile="journalist",
            actor=ACTOR,
        )
    people.invite(app, pid, [], actor=ACTOR)
    return pid


def test_a_recipient_whose_server_hangs_up_fails_alone_and_the_rest_go_in_one_run(
    app: App, smtp_server: SmtpTestServer, clock: FrozenClock
) -> None:
    """8 invitations, one address that drops the connection: 7 arrive in the first run with
    one try each; the bad one is retried alone across a day, then fails for good."""
    pid = eight_invitations(app)
    smtp_server.handler.drop.add(BAD)
    settings = settings_for(smtp_server)

    first = send_due_blocking(app, settings)

    invitations = outbox(app, "expert_invitation")
    assert len(invitations) == 8
    good = [r for r in invitations if r.recipient_email != BAD]
    [bad] = [r for r in invitations if r.recipient_email == BAD]
    assert [(r.status, r.attempts) for r in good] == [("sent", 1)] * 7
    assert (bad.status, bad.attempts) == ("pending", 1)
    assert first.failed == 0 and first.retried == 1
    # A week of daily worker runs: the bad one is tried again, never the others.
    runs = []
    for _ in range(7):
        clock.advance(days=1)
        runs.append(send_due_blocking(app, settings))
    [bad] = [r for r in outbox(app, "expert_invitation") if r.recipient_email == BAD]
    assert bad.status == "failed"
    assert bad.first_failed_at is not None and bad.link_secret is None
    assert sum(r.failed for r in runs) == 1
    assert Counter(smtp_server.rcpt_attempts)[BAD] == bad.attempts == 2
    assert all(n == 1 for n in smtp_server.count_by_message_id().values())
    assert {r.attempts for r in outbox(app, "expert_invitation") if r.status == "sent"} == {1}
    assert [f.final for run in runs for f in run.failures] == [True]
    assert pid


def test_retries_are_spread_over_a_day_with_a_capped_backoff_from_the_failure(
    app: App, smtp_server: SmtpTestServer, clock: FrozenClock
) -> None:
    """A message that keeps failing is tried at 1, 2, 4 … minutes, then hourly, and fails
    for good only at the end of its 24-hour window."""
    smtp_server.tempfail("bezet@example.org", "451 4.3.0 Try again later")
    put(app, [mail("bezet@example.org")])
    settings = settings_for(smtp_server)
    started = clock()
    waits = []
    while True:
        send_due_blocking(app, settings)
        [row] = outbox(app)
        if row.status == "failed":
            break
        waits.append(row.next_attempt_at - clock())
        clock.set(row.next_attempt_at)
    minutes = [round(w.total_seconds() / 60) for w in waits]
    assert minutes[:7] == [1, 2, 4, 8, 16, 32, 60]
    assert max(minutes) == 60
    assert clock() - started == timedelta(hours=24)
    assert row.attempts == len(waits) + 1 == Counter(smtp_server.rcpt_attempts)["bezet@example.org"]
    assert row.last_error == "451 4.3.0 Try again later"


def test_an_outage_of_half_an_hour_loses_nothing(
    app: App, smtp_server: SmtpTestServer, clock: FrozenClock
) -> None:
    """The server is away for 30 minutes while a worker runs every minute: all arrive after."""
    settings = settings_for(smtp_server)
    delivered_once(app, smtp_server, settings)
    ids = put(app, [mail(f"expert{i}@example.org") for i in range(5)])
    smtp_server.stop()
    for _ in range(30):
        assert send_due_blocking(app, settings).failed == 0
        clock.advance(minutes=1)
    smtp_server.start()
    for _ in range(40):
        send_due_blocking(app, settings)
        clock.advance(minutes=1)

    assert {
        k: v for k, v in smtp_server.count_by_message_id().items() if k in ids
    } == dict.fromkeys(ids, 1)
    assert {r.status for r in outbox(app)} == {"sent"}


def test_the_backoff_counts_from_the_failure_not_from_the_claim(
    app: App, clock: FrozenClock
) -> None:
    """A batch that took ten minutes to fail waits its backoff from the end, not the start."""
    put(app, [mail("traag@example.org")])

    class Slow:
        """Fails after ten minutes of trying."""

        async def deliver(
            self, envelopes: Envelopes, *, deadline: float | None = None
        ) -> list[Outcome]:
            assert isinstance(envelopes, AsyncIterable)
            taken = [e async for e in envelopes]
            clock.advance(minutes=10)
            return [TransientFailure("timed out") for _ in taken]

    settings = MailSettings(sender=SENDER, lease_seconds=3600)
    asyncio.run(send_due(app, settings, transport=Slow()))

    [row] = outbox(app)
    assert row.next_attempt_at == clock() + timedelta(seconds=settings.backoff_seconds)
    assert row.first_failed_at == clock()


def test_a_server_that_asks_for_credentials_holds_mail_back_without_using_tries(
    app: App, clock: FrozenClock
) -> None:
    """530 authentication required: no try is counted, the problem is on record until a
    message gets through again."""
    server = SmtpTestServer(auth_required=True, auth_require_tls=False).start()
    try:
        put(app, [mail("jan@example.org")])
        settings = settings_for(server)
        reports = []
        for _ in range(5):
            reports.append(send_due_blocking(app, settings))
            clock.advance(hours=2)
    finally:
        server.stop()
    [row] = outbox(app)
    assert (row.status, row.attempts, row.first_failed_at) == ("pending", 0, None)
    assert {(r.held, r.retried, r.failed) for r in reports} == {(1, 0, 0)}
    problem = open_problem(app)
    assert problem is not None and problem["code"] == "authentication"
    assert "530" in problem["detail"]

    working = SmtpTestServer().start()
    try:
        assert send_due_blocking(app, settings_for(working)).sent == 1
    finally:
        working.stop()
    assert open_problem(app) is None


def test_a_host_that_never_took_mail_is_a_set_up_problem_not_an_outage(
    app: App, clock: FrozenClock
) -> None:
    """Connection refused by a server that never delivered anything: the mail waits, tries
    untouched, and the problem is reported."""
    put(app, [mail("jan@example.org")])
    nobody = SmtpSettings(host="127.0.0.1", port=free_port(), tls="none", timeout_seconds=5)
    settings = MailSettings(transport="smtp", sender=SENDER, smtp=nobody)

    report = send_due_blocking(app, settings)

    [row] = outbox(app)
    assert (report.held, row.status, row.attempts) == (1, "pending", 0)
    assert (open_problem(app) or {}).get("code") == "unreachable"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_server_that_hangs_up_on_everyone_does_not_use_up_the_batch(
    app: App, smtp_server: SmtpTestServer
) -> None:
    """Three hang-ups in a row hand the rest of the batch back for a new batch; when that one
    too is hung up on three times before anything got through, the rest waits untried for
    the next run."""
    addresses = [f"weg{i}@example.org" for i in range(9)]
    smtp_server.handler.drop.update(addresses)
    put(app, [mail(a) for a in addresses])

    report = send_due_blocking(app, settings_for(smtp_server))

    assert (report.retried, report.held) == (6, 3)
    assert [r.attempts for r in outbox(app)] == [1] * 6 + [0] * 3
    assert smtp_server.rcpt_attempts == addresses[:6]
