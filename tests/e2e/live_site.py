"""A real server for browser tests: uvicorn in a thread over a real database, a real SMTP server."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import uvicorn

from notifications.sender import send_due_blocking
from notifications.settings import MailSettings, SmtpSettings
from tests.smtp_server import SmtpTestServer, free_port
from workflow.app import App, bootstrap
from workflow.settings import Settings
from workflow.testing import FrozenClock
from workflow.web import create_app

_LINK = re.compile(r"https?://[^\s<>\"]+/(?:expert|advies|besluit)/[A-Za-z0-9._-]+")


@dataclass
class LiveSite:
    """The app served on a free port; mail goes by SMTP to the test's server."""

    app: App
    clock: FrozenClock
    smtp: SmtpTestServer
    url: str
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    def deliver(self) -> int:
        """What the worker does: send the outbox, here to the test's SMTP server.

        In a thread of its own: Playwright's sync API keeps an event loop in the test's thread.
        """
        sent: list[int] = []

        def send() -> None:
            sent.append(send_due_blocking(self.app, self.app.settings.mail, now=self.clock()).sent)

        worker = threading.Thread(target=send, name="deliver")
        worker.start()
        worker.join(timeout=60)
        assert sent, "delivery did not finish"
        return sent[0]

    def links_to(self, address: str, path: str = "/expert/") -> list[str]:
        """The personal links in the mails the SMTP server received for `address`, in order."""
        found: list[str] = []
        for got in self.smtp.received:
            if address not in got.rcpt_tos:
                continue
            for part in got.message.walk():
                if part.get_content_type() == "text/plain":
                    text = str(part.get_content())
                    found += [u for u in _LINK.findall(text) if path in u]
        return found

    def attachments_to(self, address: str) -> list[bytes]:
        """The files attached to the mails the SMTP server received for `address`."""
        return [
            bytes(part.get_payload(decode=True))
            for got in self.smtp.received
            if address in got.rcpt_tos
            for part in got.message.walk()
            if part.get_content_disposition() == "attachment"
        ]

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self.smtp.stop()
        self.app.dispose()


def start_live_site(database_url: str, clock: FrozenClock) -> LiveSite:
    smtp = SmtpTestServer().start()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    mail = replace(
        MailSettings(),
        transport="smtp",
        sender="hotspotmonitor@overijssel.example",
        base_url=url,
        smtp=SmtpSettings(host=smtp.host, port=smtp.port, tls="none", timeout_seconds=10),
    )
    app = bootstrap(Settings(database_url, "nl", None, mail=mail), clock=clock)
    server = uvicorn.Server(
        uvicorn.Config(create_app(app), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="live-site", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    return LiveSite(app, clock, smtp, url, server, thread)


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'browser.db'}"
