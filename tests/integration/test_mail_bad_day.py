"""What a bad day with the mail set-up must not do, against a real SMTP server, on SQLite and
PostgreSQL: our sender refused, relaying refused, a server that will not talk, keys that will
not open, recipients that hang up, settings with a few zeros too many.

Each of these once failed mail for good, used up tries, sent a mail without its link, or kept
good mail waiting behind bad; here each holds mail back without a try used (and says why), or
lets the good mail through.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP as Server
from aiosmtpd.smtp import Envelope, Session
from sqlalchemy import update

from notifications.outbox import OUTBOX
from notifications.sender import open_problem, send_due, send_due_blocking
from notifications.settings import MailSettings, SmtpSettings
from notifications.testing import RecordingTransport
from notifications.transports import Sent, Unreachable
from states.phases import Phase
from tests import support
from tests.integration.test_mail_delivery import mail, put
from tests.integration.test_mail_resilience import BAD, eight_invitations, outbox, settings_for
from tests.integration.test_mail_retry import link_in, portal_accepts
from tests.smtp_server import SmtpTestServer, free_port
from tests.support import ACTOR
from workflow import keys
from workflow.app import App, bootstrap
from workflow.commands import people
from workflow.testing import FrozenClock


@pytest.fixture
def listener() -> Iterator[tuple[socket.socket, int]]:
    """A port that takes connections (the kernel completes them) and never says a word."""
    port = free_port()
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(50)
    yield sock, port
    sock.close()


def greeter(reply: bytes) -> tuple[socket.socket, int, list[int]]:
    """A server that answers every connection with `reply` and hangs up; counts connections."""
    port = free_port()
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(50)
    connections: list[int] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            connections.append(1)
            try:
                conn.sendall(reply)
            finally:
                conn.close()

    threading.Thread(target=serve, daemon=True).start()
    return sock, port, connections


def smtp_at(port: int, timeout: float = 2, **changes: Any) -> MailSettings:
    smtp = SmtpSettings(host="127.0.0.1", port=port, tls="none", timeout_seconds=timeout)
    return replace(
        MailSettings(transport="smtp", sender="hotspotmonitor@overijssel.example", smtp=smtp),
        **changes,
    )


def statuses(app: App) -> Counter[tuple[str, int]]:
    return Counter((r.status, r.attempts) for r in outbox(app))


# --- H1: settings with a few zeros too many ------------------------------------------------


def test_huge_retry_settings_never_leave_a_batch_sending_nor_send_it_twice(
    app: App, smtp_server: SmtpTestServer, clock: FrozenClock
) -> None:
    """Made in code (past the settings' own bounds), a window of 10**9 hours and a backoff of
    10**12 s still record every outcome: nothing stays `sending`, each message goes once."""
    eight_invitations(app)
    smtp_server.tempfail(BAD)
    huge = settings_for(smtp_server, retry_window_hours=10**9, max_backoff_seconds=10**12)

    for _ in range(3):
        send_due_blocking(app, huge)
        clock.advance(minutes=10)

    assert "sending" not in {r.status for r in outbox(app)}
    assert set(smtp_server.count_by_message_id().values()) == {1}
    [bad] = [r for r in outbox(app, "expert_invitation") if r.recipient_email == BAD]
    assert (bad.status, bad.attempts) == ("pending", 3)  # one try a run, still in its window


# --- H3: our sender refused, relaying refused ----------------------------------------------


def test_the_server_refusing_our_sender_holds_mail_as_a_set_up_problem(
    app: App, clock: FrozenClock
) -> None:
    """553 at MAIL FROM: no message fails or loses a try; the problem `sender` is on record."""
    server = SmtpTestServer().start()

    async def handle_MAIL(
        srv: Server, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        return f"553 5.7.1 <{address}>: Sender address rejected: not owned by user"

    server.handler.handle_MAIL = handle_MAIL  # type: ignore[attr-defined]
    try:
        eight_invitations(app)
        report = send_due_blocking(app, settings_for(server))
    finally:
        server.stop()

    assert (report.sent, report.retried, report.failed) == (0, 0, 0)
    assert set(statuses(app)) == {("pending", 0)}
    assert (open_problem(app) or {}).get("code") == "sender"
    assert "553 5.7.1" in (report.problem or "")


def test_relaying_refused_for_every_recipient_is_a_set_up_problem(
    app: App, clock: FrozenClock
) -> None:
    """554 Relay access denied for everyone: nothing fails for good, the problem is `relay`;
    once the server relays again, every message goes."""
    server = SmtpTestServer().start()
    relaying = {"on": False}
    original = server.handler.handle_RCPT

    async def handle_RCPT(
        srv: Server, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if not relaying["on"]:
            return f"554 5.7.1 <{address}>: Relay access denied"
        return await original(srv, session, envelope, address, options)

    server.handler.handle_RCPT = handle_RCPT  # type: ignore[method-assign]
    try:
        eight_invitations(app)
        denied = send_due_blocking(app, settings_for(server))
        problem = open_problem(app)
        relaying["on"] = True
        clock.advance(minutes=2)
        allowed = send_due_blocking(app, settings_for(server))
    finally:
        server.stop()

    assert (denied.sent, denied.failed, denied.retried) == (0, 0, 0)
    assert (problem or {}).get("code") == "relay"
    assert allowed.sent == len(outbox(app)) and allowed.failed == 0
    assert open_problem(app) is None


# --- M2: a server that will not talk -------------------------------------------------------


def test_a_421_greeting_costs_no_message_a_try_and_ends_the_run(
    app: App, smtp_server: SmtpTestServer, clock: FrozenClock
) -> None:
    """After mail went out before, a 421 greeting holds every message untried (problem
    `connection`) with one connection for the run, however many batches were due."""
    eight_invitations(app)
    first = outbox(app)[0]
    # The first message goes alone through the working server: mail has gone out before.
    with app.transaction() as connection:
        connection.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id != first.id)
            .values(next_attempt_at=clock() + timedelta(minutes=1))
        )
    assert send_due_blocking(app, settings_for(smtp_server)).sent == 1
    clock.advance(minutes=2)
    sock, port, connections = greeter(b"421 4.3.2 Service not available, too busy\r\n")
    try:
        report = send_due_blocking(app, smtp_at(port, batch_size=3))
    finally:
        sock.close()

    waiting = len(outbox(app)) - 1
    assert (report.sent, report.retried, report.failed, report.held) == (0, 0, 0, 3)
    assert statuses(app) == Counter({("sent", 1): 1, ("pending", 0): waiting})
    assert {r.first_failed_at for r in outbox(app)} == {None}
    assert len(connections) == 1
    assert (open_problem(app) or {}).get("code") == "connection"


def test_a_connect_timeout_costs_no_message_a_try(
    app: App, clock: FrozenClock, listener: tuple[socket.socket, int]
) -> None:
    """A server that accepts the connection and never greets: every message waits untried."""
    put(app, [mail(f"jan{i}@example.org") for i in range(3)])
    _, port = listener

    report = send_due_blocking(app, smtp_at(port, timeout=0.5))

    assert (report.retried, report.failed, report.held) == (0, 0, 3)
    assert statuses(app) == Counter({("pending", 0): 3})
    assert (open_problem(app) or {}).get("code") == "unreachable"


# --- M1: bad recipients at the front -------------------------------------------------------


def test_three_recipients_that_hang_up_do_not_hold_back_the_six_behind_them(
    app: App, smtp_server: SmtpTestServer
) -> None:
    """Three dropping addresses queued first and six good ones: the six go in the first run."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    bad = [f"kapot{i}@example.org" for i in range(3)]
    for i, address in enumerate(bad):
        people.add_expert(
            app,
            pid,
            name=f"Kapot {i}",
            email=address,
            perspective="external",
            profile="journalist",
            actor=ACTOR,
        )
    support.recruit(app, pid)
    smtp_server.handler.drop.update(bad)
    # The workgroup's mail went earlier: only the nine invitations are in this run.
    send_due_blocking(app, settings_for(smtp_server))
    people.invite(app, pid, [], actor=ACTOR)

    report = send_due_blocking(app, settings_for(smtp_server))

    invitations = outbox(app, "expert_invitation")
    assert [r.recipient_email for r in invitations[:3]] == bad
    assert [r.status for r in invitations[3:]] == ["sent"] * 6
    assert [(r.status, r.attempts) for r in invitations[:3]] == [("pending", 1)] * 3
    assert (report.sent, report.retried, report.held) == (6, 3, 0)


def test_never_tried_mail_is_claimed_before_mail_that_failed_before(
    app: App, smtp_server: SmtpTestServer, clock: FrozenClock
) -> None:
    """Of two due messages, the one never tried goes first, whatever their age."""
    smtp_server.tempfail("traag@example.org")
    put(app, [mail("traag@example.org")])
    send_due_blocking(app, settings_for(smtp_server))
    clock.advance(minutes=2)
    put(app, [mail("nieuw@example.org")])
    smtp_server.handler.tempfail.clear()

    send_due_blocking(app, settings_for(smtp_server))

    assert smtp_server.rcpt_attempts == [
        "traag@example.org",
        "nieuw@example.org",
        "traag@example.org",
    ]


# --- L3 and L4: set-up problems --------------------------------------------------------------


def test_a_server_without_auth_is_an_authentication_problem_and_ends_the_run(
    app: App, smtp_server: SmtpTestServer
) -> None:
    """Credentials set, no AUTH offered: the problem is `authentication` (not STARTTLS), and
    the run stops at the first batch instead of reconnecting for every batch."""
    put(app, [mail(f"jan{i}@example.org") for i in range(6)])
    settings = settings_for(smtp_server, batch_size=2)
    settings = replace(settings, smtp=replace(settings.smtp, username="u", password="p"))

    report = send_due_blocking(app, settings)

    assert (report.sent, report.retried, report.failed, report.held) == (0, 0, 0, 2)
    assert (open_problem(app) or {}).get("code") == "authentication"
    assert statuses(app) == Counter({("pending", 0): 6})


def test_a_problem_met_in_a_batch_that_also_delivered_stays_open(
    app: App, clock: FrozenClock
) -> None:
    """The server took the first message and could not be reached for the second: the
    delivery does not close the problem the same batch ran into."""
    put(app, [mail("jan@example.org"), mail("piet@example.org")])

    # Delivers the first message; the reconnect for the second fails.
    half_way = RecordingTransport([Sent(), Unreachable("cannot connect: refused")])
    report = asyncio.run(send_due(app, smtp_at(free_port()), transport=half_way))

    assert (report.sent, report.held) == (1, 1)
    assert [str(message["To"]) for message in half_way.sent] == ["Jan Jansen <jan@example.org>"]
    assert (open_problem(app) or {}).get("code") == "connection"


# --- H5 and L3: keys that cannot be read ---------------------------------------------------


def test_a_key_file_others_may_read_holds_linked_mail_and_keeps_its_links(
    app: App, smtp_server: SmtpTestServer, clock: FrozenClock, tmp_path: Path
) -> None:
    """A key file made 0644 is a machine problem: the invitations wait untried with their
    sealed links (problem `keys`, not resolved by the mail that did go); made 0600 again,
    they arrive with links the portal accepts."""
    path = tmp_path / "sleutels" / "hotspot.key"
    keys.create_key_file(path)
    own = bootstrap(replace(app.settings, key_file=str(path)), clock=app.clock)
    try:
        pid = support.open_procedure(own)
        support.drive_to(own, pid, Phase.EXPERT_SELECTION)
        support.recruit(own, pid)
        people.invite(own, pid, [], actor=ACTOR)
    finally:
        own.dispose()
    os.chmod(path, 0o644)
    worker = bootstrap(replace(app.settings, key_file=str(path)), clock=app.clock)
    try:
        held = send_due_blocking(worker, settings_for(smtp_server))
    finally:
        worker.dispose()
    invitations = outbox(app, "expert_invitation")
    problem = open_problem(app) or {}

    assert held.failed == 0 and held.held == 6 and held.sent > 0
    assert {(r.status, r.attempts, r.link_secret is not None) for r in invitations} == {
        ("pending", 0, True)
    }
    assert problem.get("code") == "keys" and str(path) in problem.get("detail", "")

    os.chmod(path, 0o600)
    clock.advance(minutes=2)
    worker = bootstrap(replace(app.settings, key_file=str(path)), clock=app.clock)
    try:
        sent = send_due_blocking(worker, settings_for(smtp_server))
        delivered = [r for r in smtp_server.received if "/expert/" in r.raw.decode()]
        assert sent.sent == 6 and len(delivered) == 6
        assert all(portal_accepts(worker, link_in(r)) for r in delivered)
    finally:
        worker.dispose()
    assert open_problem(app) is None
