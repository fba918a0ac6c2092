"""Delivery ports: hand built messages to a mail server or a folder, one outcome per message."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

import aiosmtplib

from notifications.files import write_atomic
from notifications.settings import MailSettings, SmtpSettings


@dataclass(frozen=True, slots=True)
class Envelope:
    """A message with its SMTP envelope: always exactly one recipient."""

    mail_from: str
    rcpt_to: str
    message: EmailMessage


@dataclass(frozen=True, slots=True)
class Sent:
    # Recipients the server refused while accepting the message for others, as text.
    refusals: str | None = None


@dataclass(frozen=True, slots=True)
class TransientFailure:
    """Worth trying again later: 4xx replies, a server that is down, a timeout."""

    error: str


@dataclass(frozen=True, slots=True)
class PermanentFailure:
    """Trying again will not help; `error` is the server's reply, e.g. "550 5.1.1 ..."."""

    error: str


Outcome = Sent | TransientFailure | PermanentFailure


Envelopes = Iterable[Envelope] | AsyncIterable[Envelope]


class Transport(Protocol):
    async def deliver(
        self, envelopes: Envelopes, *, deadline: float | None = None
    ) -> list[Outcome]:
        """One outcome per envelope, in order; every envelope offered is taken.

        The envelopes may come from an async iterator, so the sender can build the next
        message while the transport waits for the server.

        `deadline` is a `time.monotonic()` moment after which no further message is started
        (the sender's claim on them runs out); those get a transient outcome.
        """
        ...


async def _each(envelopes: Envelopes) -> AsyncIterator[Envelope]:
    if isinstance(envelopes, AsyncIterable):
        async for envelope in envelopes:
            yield envelope
    else:
        for envelope in envelopes:
            yield envelope


def make_transport(settings: MailSettings) -> Transport:
    if settings.transport == "smtp":
        return SmtpTransport(settings.smtp)
    return FileTransport(settings.out_dir)


_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]")


def file_name(message_id: str) -> str:
    """`<abc@host>` as `abc@host.eml`: one file per Message-ID, nothing outside the folder."""
    stem = _UNSAFE.sub("_", message_id.strip().strip("<>")).lstrip(".")[:200]
    return f"{stem or 'message'}.eml"


class FileTransport:
    """Writes each message to `<out_dir>/<Message-ID>.eml`, for development and the demo."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir)

    async def deliver(
        self, envelopes: Envelopes, *, deadline: float | None = None
    ) -> list[Outcome]:
        outcomes: list[Outcome] = []
        made = False
        async for envelope in _each(envelopes):
            if deadline is not None and time.monotonic() > deadline:
                outcomes.append(TransientFailure(_NOT_STARTED))
                continue
            try:
                if not made:
                    self.out_dir.mkdir(parents=True, exist_ok=True)
                    made = True
                self._write(envelope.message)
            except OSError as error:
                outcomes.append(TransientFailure(f"cannot write: {error}"))
            else:
                outcomes.append(Sent())
        return outcomes

    def _write(self, message: EmailMessage) -> None:
        # Private to this user (0600): a message carries the recipient's personal link. A
        # reader never sees half a file, and a re-send replaces rather than duplicates.
        target = self.out_dir / file_name(str(message["Message-ID"]))
        write_atomic(target, message.as_bytes(), mode=0o600)


_NOT_STARTED = "not attempted: the claim on this message was about to run out"
# Errors that leave the connection unusable; the rest of the batch waits for the next run.
_CONNECTION_ERRORS = (OSError, aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPConnectError)


class SmtpTransport:
    """aiosmtplib over one connection per batch; TLS as configured, never less."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def _client(self) -> aiosmtplib.SMTP:
        s = self.settings
        return aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            username=s.username,
            password=s.password,
            timeout=s.timeout_seconds,
            use_tls=s.tls == "implicit",
            # Certificates are always verified; a CA file adds an internal CA to the system's.
            cert_bundle=s.ca_file,
            # True: STARTTLS or no conversation at all (aiosmtplib raises when the server
            # does not offer it). None would quietly carry on in plaintext.
            start_tls=s.tls == "starttls",
        )

    async def deliver(
        self, envelopes: Envelopes, *, deadline: float | None = None
    ) -> list[Outcome]:
        outcomes: list[Outcome] = []
        client: aiosmtplib.SMTP | None = None
        # Once set, every further message gets this outcome without being tried.
        skip: TransientFailure | None = None
        try:
            async for envelope in _each(envelopes):
                if skip is None and deadline is not None and time.monotonic() > deadline:
                    skip = TransientFailure(_NOT_STARTED)
                if skip is None and client is None:
                    # Connect on the first message: an empty batch costs no connection.
                    client = self._client()
                    skip = await self._connect(client)
                if skip is not None or client is None:
                    outcomes.append(skip or TransientFailure(_NOT_STARTED))
                    continue
                outcome = await self._send(client, envelope)
                outcomes.append(outcome)
                if not client.is_connected:
                    broken = outcome.error if isinstance(outcome, TransientFailure) else "closed"
                    skip = TransientFailure(f"not attempted: connection lost ({broken})")
        finally:
            if client is not None:
                await _quit(client)
        return outcomes

    async def _connect(self, client: aiosmtplib.SMTP) -> TransientFailure | None:
        try:
            async with asyncio.timeout(self.settings.timeout_seconds):
                await client.connect()
        except (TimeoutError, *_CONNECTION_ERRORS, aiosmtplib.SMTPException) as error:
            client.close()
            return TransientFailure(f"cannot connect: {_describe(error)}")
        return None

    async def _send(self, client: aiosmtplib.SMTP, envelope: Envelope) -> Outcome:
        timeout = self.settings.timeout_seconds
        try:
            async with asyncio.timeout(timeout):
                refused, _reply = await client.send_message(
                    envelope.message, sender=envelope.mail_from, recipients=[envelope.rcpt_to]
                )
        except aiosmtplib.SMTPRecipientsRefused as error:
            replies = [f"{r.code} {r.message}" for r in error.recipients]
            permanent = all(r.code >= 500 for r in error.recipients)
            text = "; ".join(replies)
            return PermanentFailure(text) if permanent else TransientFailure(text)
        except aiosmtplib.SMTPResponseException as error:
            text = f"{error.code} {error.message}"
            return PermanentFailure(text) if error.code >= 500 else TransientFailure(text)
        except TimeoutError:
            # The server may have the message or not: we cannot tell, so the connection goes
            # and the message is tried again (a receiver drops the duplicate by Message-ID).
            client.close()
            return TransientFailure(f"timed out after {timeout:g} s")
        except _CONNECTION_ERRORS as error:
            client.close()
            return TransientFailure(_describe(error))
        except (aiosmtplib.SMTPException, ValueError) as error:
            # SMTPNotSupported (e.g. an address needing SMTPUTF8), an unusable address.
            return PermanentFailure(_describe(error))
        if refused:
            return Sent("; ".join(f"{rcpt}: {r.code} {r.message}" for rcpt, r in refused.items()))
        return Sent()


async def _quit(client: aiosmtplib.SMTP) -> None:
    if not client.is_connected:
        return
    try:
        async with asyncio.timeout(5):
            await client.quit()
    except (TimeoutError, *_CONNECTION_ERRORS, aiosmtplib.SMTPException):
        client.close()


def _describe(error: BaseException) -> str:
    """The error without the exception's class noise; never carries credentials."""
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return f"{error.code} {error.message}"
    text = str(error) or type(error).__name__
    return " ".join(text.split())
