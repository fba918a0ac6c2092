"""A real SMTP server for tests (aiosmtpd in a thread) that records what it receives."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as Server
from aiosmtpd.smtp import Envelope, Session

ACCEPTED = "250 OK"


def free_port() -> int:
    """A port nobody listens on right now (aiosmtpd's own port=0 fails its readiness check)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Received:
    """One message as the server got it: the envelope and the bytes, and those parsed."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    message: EmailMessage

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass
class RecordingHandler:
    """Accepts everything except the addresses given per-address behaviour.

    `reject` and `tempfail` map an address to the reply its RCPT gets; at an address in
    `drop` the server hangs up mid-conversation; `slow` delays the reply to DATA by seconds.
    """

    reject: dict[str, str] = field(default_factory=dict)
    tempfail: dict[str, str] = field(default_factory=dict)
    drop: set[str] = field(default_factory=set)
    slow: dict[str, float] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    # Every RCPT TO the server saw, refused ones included.
    rcpt_attempts: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self,
        server: Server,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        with self.lock:
            self.rcpt_attempts.append(address)
        if address in self.drop:
            assert server.transport is not None
            server.transport.close()
            return "421 4.4.2 Closing connection"
        reply = self.reject.get(address) or self.tempfail.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return ACCEPTED

    async def handle_DATA(self, server: Server, session: Session, envelope: Envelope) -> str:
        delay = max((self.slow.get(rcpt, 0.0) for rcpt in envelope.rcpt_tos), default=0.0)
        if delay:
            await asyncio.sleep(delay)
        raw = envelope.original_content or b""
        parsed = email.message_from_bytes(raw, policy=SMTP)
        assert isinstance(parsed, EmailMessage)
        got = Received(str(envelope.mail_from), tuple(envelope.rcpt_tos), raw, parsed)
        with self.lock:
            self.received.append(got)
        return ACCEPTED


class SmtpTestServer:
    """aiosmtpd on a fixed local port that a test can stop and start again."""

    def __init__(
        self,
        reject: Mapping[str, str] | None = None,
        tempfail: Mapping[str, str] | None = None,
        **server_options: Any,
    ) -> None:
        self.handler = RecordingHandler(dict(reject or {}), dict(tempfail or {}))
        self.host = "127.0.0.1"
        self.port = free_port()
        self._options = server_options
        self._controller: Controller | None = None

    def start(self) -> SmtpTestServer:
        if self._controller is None:
            # A stopped controller has closed its loop, so every start gets a new one.
            controller = Controller(
                self.handler, hostname=self.host, port=self.port, **self._options
            )
            controller.start()
            self._controller = controller
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    @property
    def rcpt_attempts(self) -> list[str]:
        with self.handler.lock:
            return list(self.handler.rcpt_attempts)

    def count_by_message_id(self) -> Counter[str]:
        return Counter(got.message_id for got in self.received)

    def reject(self, address: str, reply: str = "550 5.1.1 Mailbox unavailable") -> None:
        self.handler.reject[address] = reply

    def tempfail(self, address: str, reply: str = "451 4.3.0 Try again later") -> None:
        self.handler.tempfail[address] = reply
