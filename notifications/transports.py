"""Delivery ports: hand built messages to a mail server or a folder, one outcome per message."""

from __future__ import annotations

import asyncio
import re
import ssl
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
    """Tried, worth trying again later: 4xx replies, a dropped connection, a timeout."""

    error: str


@dataclass(frozen=True, slots=True)
class Unreachable:
    """Not offered: no conversation with the server came about (connection refused or timed
    out, an unknown host, a 421 greeting). The message keeps its tries; the sender records
    the outage as a problem of the set-up and ends its run."""

    error: str


@dataclass(frozen=True, slots=True)
class PermanentFailure:
    """Trying again will not help; `error` is the server's reply, e.g. "550 5.1.1 ..."."""

    error: str


@dataclass(frozen=True, slots=True)
class RelayDenied(PermanentFailure):
    """The server refused to relay to this recipient ("554 5.7.1 Relay access denied"). When
    it refuses every recipient of a batch, the set-up is at fault, not the addresses."""


@dataclass(frozen=True, slots=True)
class NotAttempted:
    """Not offered to the server (its claim was running out, or the server hung up on the
    messages before it several times in a row: `after_drops`). The message keeps its tries
    and is due again at once, in a new batch."""

    reason: str
    after_drops: bool = False


@dataclass(frozen=True, slots=True)
class SetupProblem:
    """The mail set-up is wrong, not the message: no STARTTLS where it is required,
    credentials refused, a certificate that does not verify. Messages wait untried."""

    code: str
    error: str


Outcome = Sent | TransientFailure | PermanentFailure | NotAttempted | SetupProblem | Unreachable


Envelopes = Iterable[Envelope] | AsyncIterable[Envelope]


class Transport(Protocol):
    async def deliver(
        self, envelopes: Envelopes, *, deadline: float | None = None
    ) -> list[Outcome]:
        """One outcome per envelope, in order; every envelope offered is taken.

        The envelopes may come from an async iterator, so the sender can build the next
        message while the transport waits for the server.

        `deadline` is a `time.monotonic()` moment after which no further message is started
        (the sender's claim on them runs out); those are handed back untried (NotAttempted).
        """
        ...


async def each(envelopes: Envelopes) -> AsyncIterator[Envelope]:
    """The envelopes one by one, whether they come as a list or from the sender's builder."""
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
        async for envelope in each(envelopes):
            if deadline is not None and time.monotonic() > deadline:
                outcomes.append(NotAttempted(_NOT_STARTED))
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
# Errors that leave the connection unusable; the next message opens a new one.
_CONNECTION_ERRORS = (OSError, aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPConnectError)
# Replies that say the server wants (other) credentials or TLS: the set-up, not the message.
_AUTH_CODES = frozenset({530, 534, 535, 538})
# "Service not available, closing transmission channel".
_CLOSING = 421
# A server that hangs up on this many messages in a row (none answered between) may not be
# having bad recipients: the rest of the batch is handed back untried, for a new batch (the
# sender decides whether that is still in this run).
MAX_DROPS = 3
# A refusal of our MAIL FROM that is about this one message (its size), not the sender.
_MESSAGE_TOO_BIG = 552


def setup_problem(error: BaseException) -> SetupProblem | None:
    """The set-up problem an error of connecting (or of MAIL FROM) shows, if it is one."""
    cause = error.__cause__ or error.__context__
    if isinstance(error, ssl.SSLCertVerificationError) or isinstance(
        cause, ssl.SSLCertVerificationError
    ):
        return SetupProblem("certificate", _describe(error))
    if isinstance(error, aiosmtplib.SMTPAuthenticationError) or (
        isinstance(error, aiosmtplib.SMTPResponseException) and error.code in _AUTH_CODES
    ):
        # "530 Must issue a STARTTLS command first": TLS is what the server wants.
        code = "starttls" if "starttls" in str(error).lower() else "authentication"
        return SetupProblem(code, _describe(error))
    if isinstance(error, ssl.SSLError) or isinstance(cause, ssl.SSLError):
        return SetupProblem("tls", _describe(error))
    # Our MAIL FROM refused for good ("553 5.7.1 Sender address rejected: not owned by user"):
    # every message would be refused alike. Unless the message's size was the reason.
    if (
        isinstance(error, aiosmtplib.SMTPSenderRefused)
        and error.code >= 500
        and error.code != _MESSAGE_TOO_BIG
    ):
        return SetupProblem("sender", _describe(error))
    if isinstance(error, aiosmtplib.SMTPException) and not isinstance(
        error, aiosmtplib.SMTPResponseException | aiosmtplib.SMTPServerDisconnected
    ):
        text = str(error).lower()
        # "The SMTP AUTH extension is not supported by this server. Try connecting via TLS
        # (or STARTTLS)": credentials are set and the server offers no login; the hint at
        # STARTTLS does not make it a STARTTLS problem.
        if "auth" in text:
            return SetupProblem("authentication", _describe(error))
        if "starttls" in text:
            return SetupProblem("starttls", _describe(error))
    return None


def _relay_denied(code: int, message: str) -> bool:
    """ "554 5.7.1 <x>: Relay access denied", "550 5.7.1 Unable to relay": not the address."""
    return code >= 500 and "relay" in message.lower()


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
        """Each message over the connection; a dropped connection is opened again.

        Only the message the server hung up on fails (and loses a try); the next one gets a
        new connection. A set-up problem, a server that cannot be reached (nothing is offered,
        nothing loses a try) or a server that keeps hanging up holds the rest of the batch
        back untried.
        """
        outcomes: list[Outcome] = []
        client: aiosmtplib.SMTP | None = None
        # Once set, every further message gets this outcome without being offered.
        held: Outcome | None = None
        drops = 0
        try:
            async for envelope in each(envelopes):
                if held is None and deadline is not None and time.monotonic() > deadline:
                    held = NotAttempted(_NOT_STARTED)
                if held is not None:
                    outcomes.append(held)
                    continue
                if client is None or not client.is_connected:
                    # Connect on the first message (an empty batch costs no connection) and
                    # again after the server hung up.
                    client = self._client()
                    problem = await self._connect(client)
                    if problem is not None:
                        client = None
                        held = problem
                        outcomes.append(problem)
                        continue
                outcome = await self._send(client, envelope)
                outcomes.append(outcome)
                if isinstance(outcome, SetupProblem):
                    held = outcome
                elif isinstance(outcome, Sent) or client.is_connected:
                    # The server answered (took it, or refused it by a reply): it works.
                    drops = 0
                elif not isinstance(outcome, NotAttempted):
                    drops += 1
                    if drops >= MAX_DROPS:
                        held = NotAttempted(
                            f"not attempted: the server hung up {drops} times in a row "
                            f"({outcome.error})",
                            after_drops=True,
                        )
        finally:
            if client is not None:
                await _quit(client)
        return outcomes

    async def _connect(self, client: aiosmtplib.SMTP) -> Outcome | None:
        try:
            async with asyncio.timeout(self.settings.timeout_seconds):
                await client.connect()
        except (TimeoutError, *_CONNECTION_ERRORS, aiosmtplib.SMTPException) as error:
            client.close()
            problem = setup_problem(error)
            if problem is not None:
                return problem
            # Refused, timed out, unknown host, a 421 greeting: no message was offered.
            return Unreachable(f"cannot connect: {_describe(error)}")
        return None

    async def _send(self, client: aiosmtplib.SMTP, envelope: Envelope) -> Outcome:
        timeout = self.settings.timeout_seconds
        try:
            async with asyncio.timeout(timeout):
                refused, _reply = await client.send_message(
                    envelope.message, sender=envelope.mail_from, recipients=[envelope.rcpt_to]
                )
        except aiosmtplib.SMTPRecipientsRefused as error:
            if any(r.code == _CLOSING for r in error.recipients):
                client.close()  # 421: the server closes the channel; the next one reconnects
            replies = [f"{r.code} {r.message}" for r in error.recipients]
            text = "; ".join(replies)
            if all(_relay_denied(r.code, r.message) for r in error.recipients):
                return RelayDenied(text)
            permanent = all(r.code >= 500 for r in error.recipients)
            return PermanentFailure(text) if permanent else TransientFailure(text)
        except aiosmtplib.SMTPResponseException as error:
            problem = setup_problem(error)
            if problem is not None:
                return problem
            if error.code == _CLOSING:
                client.close()
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
