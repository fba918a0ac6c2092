"""A real `hotspot mail send` process killed mid-send: its messages go out after the lease."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from notifications.kinds import MailKind
from notifications.outbox import OUTBOX, OutgoingMail, Recipient, queue
from notifications.render import RenderedMail
from notifications.sender import send_due_blocking
from notifications.settings import MailSettings, SmtpSettings
from tests.smtp_server import SmtpTestServer
from workflow.app import App
from workflow.testing import FrozenClock

SENDER = "hotspotmonitor@overijssel.example"
ADDRESSES = ("eerste@example.org", "tweede@example.org")


def statuses(app: App) -> list[str]:
    with app.read() as db:
        return list(db.scalars(select(OUTBOX.c.status).order_by(OUTBOX.c.id)))


def test_a_killed_sender_process_leaves_its_messages_to_the_next_after_the_lease(
    app: App, database_url: str, smtp_server: SmtpTestServer, clock: FrozenClock, tmp_path: Path
) -> None:
    """SIGKILL during DATA: nothing is lost, nothing goes twice, the Message-IDs stay."""
    mails = [
        OutgoingMail(
            MailKind.PHASE_CHANGED,
            Recipient(f"Expert {n}", address),
            RenderedMail("Fase gewijzigd", "Geachte expert,\n", "<p>Geachte expert,</p>"),
        )
        for n, address in enumerate(ADDRESSES)
    ]
    with app.transaction() as connection:
        ids = queue(connection, mails, procedure_id=None, sender=SENDER, now=clock())
    # The server holds its answer to the first DATA, so the process is killed mid-send.
    smtp_server.handler.slow = {ADDRESSES[0]: 60.0}
    env = {
        **os.environ,
        "HOTSPOT_DATABASE_URL": database_url,
        "HOTSPOT_NOW": clock().isoformat(),
        "HOTSPOT_MAIL_TRANSPORT": "smtp",
        "HOTSPOT_SMTP_HOST": smtp_server.host,
        "HOTSPOT_SMTP_PORT": str(smtp_server.port),
        "HOTSPOT_SMTP_TLS": "none",
    }
    sender = subprocess.Popen(
        [sys.executable, "-m", "workflow.cli.main", "mail", "send"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while ADDRESSES[0] not in smtp_server.rcpt_attempts and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ADDRESSES[0] in smtp_server.rcpt_attempts, "the sender never reached the server"
    finally:
        sender.kill()
        sender.wait(timeout=30)
    assert statuses(app) == ["sending", "sending"]
    assert smtp_server.received == []
    smtp_server.handler.slow = {}

    settings = MailSettings(
        transport="smtp",
        sender=SENDER,
        smtp=SmtpSettings(host=smtp_server.host, port=smtp_server.port, tls="none"),
    )
    early = send_due_blocking(app, settings, now=clock() + timedelta(seconds=10))
    assert early.sent == 0 and smtp_server.received == []
    late = send_due_blocking(
        app, settings, now=clock() + timedelta(seconds=settings.lease_seconds + 1)
    )
    assert late.sent == 2
    assert smtp_server.count_by_message_id() == dict.fromkeys(ids, 1)
    assert statuses(app) == ["sent", "sent"]
