"""TLS to a real aiosmtpd server: STARTTLS and implicit TLS work, an untrusted one does not."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from notifications.kinds import MailKind
from notifications.outbox import OUTBOX, OutgoingMail, Recipient, queue
from notifications.render import RenderedMail
from notifications.sender import send_due_blocking
from notifications.settings import MailSettings, SmtpSettings, TlsMode
from tests.smtp_server import SmtpTestServer
from workflow.app import App

SENDER = "hotspotmonitor@overijssel.example"
ADDRESS = "hanna@universiteit.example"


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def server_context(authority: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    return context


@pytest.fixture(scope="module")
def ca_file(authority: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    authority.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture
def starttls_server(server_context: ssl.SSLContext) -> Iterator[SmtpTestServer]:
    """A server that refuses MAIL FROM until the client has switched to TLS."""
    server = SmtpTestServer(tls_context=server_context, require_starttls=True).start()
    yield server
    server.stop()


@pytest.fixture
def implicit_tls_server(server_context: ssl.SSLContext) -> Iterator[SmtpTestServer]:
    """A server that speaks TLS from the first byte (SMTPS)."""
    server = SmtpTestServer(ssl_context=server_context).start()
    yield server
    server.stop()


def queue_one(app: App) -> str:
    mail = OutgoingMail(
        MailKind.EXPERT_INVITATION,
        Recipient("Hanna Historica", ADDRESS),
        RenderedMail("Uitnodiging", "Geachte Hanna Historica,\n", "<p>Geachte</p>"),
    )
    with app.transaction() as connection:
        return queue(connection, [mail], procedure_id=None, sender=SENDER, now=app.now())[0]


def settings(server: SmtpTestServer, tls: TlsMode, ca_file: Path | None) -> MailSettings:
    smtp = SmtpSettings(
        host=server.host,
        port=server.port,
        tls=tls,
        ca_file=str(ca_file) if ca_file else None,
        timeout_seconds=10,
    )
    return MailSettings(transport="smtp", sender=SENDER, smtp=smtp)


def test_starttls_delivers_to_a_server_that_requires_it(
    app: App, starttls_server: SmtpTestServer, ca_file: Path
) -> None:
    """The server takes mail only over TLS, and the message arrives: STARTTLS was used."""
    message_id = queue_one(app)
    report = send_due_blocking(app, settings(starttls_server, "starttls", ca_file))
    assert report.sent == 1
    assert starttls_server.count_by_message_id() == {message_id: 1}


def test_plain_text_is_refused_by_a_server_that_requires_starttls(
    app: App, starttls_server: SmtpTestServer
) -> None:
    """Configured without TLS, the message does not get through: a set-up problem, no try."""
    queue_one(app)
    report = send_due_blocking(app, settings(starttls_server, "none", None))
    assert report.sent == 0 and starttls_server.received == []
    assert (report.retried, report.failed, report.held) == (0, 0, 1)
    assert report.problem is not None and report.problem.startswith("starttls: 530")


def test_implicit_tls_delivers(
    app: App, implicit_tls_server: SmtpTestServer, ca_file: Path
) -> None:
    """With `implicit` the conversation is TLS from the start and the message arrives."""
    message_id = queue_one(app)
    report = send_due_blocking(app, settings(implicit_tls_server, "implicit", ca_file))
    assert report.sent == 1
    assert implicit_tls_server.count_by_message_id() == {message_id: 1}


def test_an_untrusted_certificate_sends_nothing(app: App, starttls_server: SmtpTestServer) -> None:
    """Without the CA the certificate fails verification: nothing is sent, the error says so."""
    queue_one(app)
    report = send_due_blocking(app, settings(starttls_server, "starttls", None))
    assert report.sent == 0 and starttls_server.received == []
    assert "certificate" in report.failures[0].error.lower()
    assert report.problem is not None and report.problem.startswith("certificate:")
    with app.read() as db:
        [(status, attempts)] = db.execute(
            OUTBOX.select().with_only_columns(OUTBOX.c.status, OUTBOX.c.attempts)
        ).all()
    # A certificate that does not verify is the set-up's problem: no try is used up.
    assert (status, attempts) == ("pending", 0)
