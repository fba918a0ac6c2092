"""One outbox row as an RFC 5322 message: one recipient, text + HTML (+ iTIP) alternatives,
and the documents it carries as attachments (multipart/mixed around the alternatives)."""

from __future__ import annotations

import base64
import functools
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import Any

from sqlalchemy import Row

from notifications import headers
from notifications.addresses import mailbox, sender_address
from notifications.headers import PrebuiltHeader
from notifications.render import LINK_PLACEHOLDER, one_line

OutboxRow = Row[Any] | Mapping[str, Any]

# An iTIP METHOD is a bare token (REQUEST, CANCEL, ...); anything else would reach the
# Content-Type header unchecked.
_METHOD = re.compile(r"[A-Za-z][A-Za-z-]{0,31}")
# RFC 5322 2.1.1: no line longer than 998 octets; longer ones go base64.
_MAX_LINE = 998


class _Registry(HeaderRegistry):
    """The standard header classes, created once each.

    The stock registry builds a new class on every lookup; with a dozen headers per message
    that was a fifth of the time it takes to build one.
    """

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        cls = self._classes.get(name)
        if cls is None:
            cls = self._classes[name] = super().__getitem__(name)
        return cls


POLICY = SMTP.clone(header_factory=_Registry())
# Fresh per process; a message whose body happens to contain it gets its own (see below).
_BOUNDARY = f"=_hotspot_{secrets.token_hex(16)}"
_MULTIPART = f'multipart/alternative; boundary="{_BOUNDARY}"'


@functools.lru_cache(maxsize=256)
def _header(name: str, value: str) -> BaseHeader:
    """A parsed constant header, shared by every message (header objects are never changed)."""
    header = POLICY.header_factory(name, value)
    assert isinstance(header, BaseHeader)
    return header


@functools.lru_cache(maxsize=64)
def _from(sender_name: str, sender: str) -> PrebuiltHeader:
    return headers.mailbox("From", sender_name, sender_address(sender))


# What a receiver may be told about the language: the two the engine writes in.
_LANGUAGES = {"nl": _header("Content-Language", "nl"), "en": _header("Content-Language", "en")}
# A Message-ID as `outbox.new_message_id` makes it: nothing else reaches the header.
_MESSAGE_ID = re.compile(r"<[A-Za-z0-9._-]{1,200}@[A-Za-z0-9.-]{1,200}>")


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent along: a document version's stored file."""

    filename: str
    media_type: str
    content: bytes


# A file name as notifications.document_store makes them: nothing else reaches the header.
_FILENAME = re.compile(r"[a-z0-9][a-z0-9.-]{0,199}")


def build_message(
    row: OutboxRow,
    sender_name: str,
    link: str | None = None,
    *,
    to: str | None = None,
    attachments: Sequence[Attachment] = (),
) -> EmailMessage:
    """The message for one outbox row; its Message-ID comes from the row, so retries keep it.

    `link` is the personal link (decrypted by the sender) that takes the place of
    `LINK_PLACEHOLDER` in the stored bodies; a body that holds the placeholder is never built
    without it (ValueError). Every header that carries a person's text (From, To, Subject) is
    built by `notifications.headers`, never parsed; the recipient's address must pass the same
    check as input does, or the message is not built (AddressRefused). `to` is that address
    when the caller has just checked it.

    The parts are put together directly instead of through `set_content`/`add_alternative`,
    which parse every Content-* header they write: building was then slower than sending.
    """
    values: Mapping[Any, Any] = row._mapping if isinstance(row, Row) else row
    text, html, calendar = values["body_text"], values["body_html"], values["calendar"]
    language = values["language"] if values["language"] in _LANGUAGES else "nl"
    if LINK_PLACEHOLDER in text or LINK_PLACEHOLDER in html:
        if not link:
            # A mail that promises a personal link and has none would leave its reader stuck.
            raise ValueError("the personal link of this message is missing")
        text, html = text.replace(LINK_PLACEHOLDER, link), html.replace(LINK_PLACEHOLDER, link)
    bodies = [_text_part("text/plain", text), _text_part("text/html", html)]
    if calendar:
        method = one_line(values["calendar_method"] or "")
        if not _METHOD.fullmatch(method):
            raise ValueError(f"not an iTIP method: {method!r}")
        # Inside the same multipart/alternative, not as an attachment: that is where mail
        # clients look for an invitation they can accept or decline. Last = preferred.
        bodies.append(_text_part(f"text/calendar; method={method.upper()}", calendar))
    message_id = str(values["message_id"])
    if not _MESSAGE_ID.fullmatch(message_id):
        raise ValueError(f"not a Message-ID this program made: {message_id!r}")
    recipient = to if to is not None else mailbox(values["recipient_email"])

    message = EmailMessage(policy=POLICY)
    message["From"] = _from(sender_name, values["sender"])
    message["To"] = headers.mailbox("To", values["recipient_name"], recipient)
    message["Subject"] = headers.unstructured("Subject", values["subject"])
    message["Date"] = headers.plain("Date", format_datetime(values["created_at"]))
    message["Message-ID"] = headers.plain("Message-ID", message_id)
    # RFC 3834: out-of-office robots must not answer a workflow notification.
    message["Auto-Submitted"] = _header("Auto-Submitted", "auto-generated")
    message["Content-Language"] = _LANGUAGES[language]
    message["MIME-Version"] = _header("MIME-Version", "1.0")
    if _BOUNDARY in text or _BOUNDARY in html or (calendar and _BOUNDARY in calendar):
        alternative_type = f'multipart/alternative; boundary="=_hotspot_{secrets.token_hex(16)}"'
    else:
        alternative_type = _MULTIPART
    if not attachments:
        message["Content-Type"] = _content_type(alternative_type)
        for part in bodies:
            message.attach(part)
        return message
    # The attachments are base64, whose alphabet has no "=_", so only the bodies can clash.
    message["Content-Type"] = f'multipart/mixed; boundary="=_hotspot_mixed_{secrets.token_hex(16)}"'
    alternative = EmailMessage(policy=POLICY)
    alternative["Content-Type"] = _content_type(alternative_type)
    for part in bodies:
        alternative.attach(part)
    message.attach(alternative)
    for attachment in attachments:
        message.attach(_file_part(attachment))
    return message


def _content_type(value: str) -> BaseHeader | str:
    # The shared boundary's header is parsed once per process; a fresh one per message.
    return _header("Content-Type", value) if value == _MULTIPART else value


def _file_part(attachment: Attachment) -> EmailMessage:
    if not _FILENAME.fullmatch(attachment.filename):
        raise ValueError(f"not a document file name: {attachment.filename!r}")
    media_type = attachment.media_type.split(";", 1)[0].strip()
    if not re.fullmatch(r"[a-z]+/[a-z0-9.+-]+", media_type):
        raise ValueError(f"not a media type: {attachment.media_type!r}")
    part = EmailMessage(policy=POLICY)
    # Checked above: neither the name nor the type can carry anything into the headers.
    part["Content-Type"] = f'{media_type}; name="{attachment.filename}"'
    part["Content-Disposition"] = f'attachment; filename="{attachment.filename}"'
    part["Content-Transfer-Encoding"] = _header("Content-Transfer-Encoding", "base64")
    part.set_payload(base64.encodebytes(attachment.content).decode("ascii"))
    return part


def _text_part(content_type: str, text: str) -> EmailMessage:
    data = text.encode("utf-8")
    if max(map(len, data.splitlines()), default=0) > _MAX_LINE:
        cte = "base64"
        payload = base64.encodebytes(data).decode("ascii")
    else:
        cte = "7bit" if data.isascii() else "8bit"
        # How the email package keeps 8-bit text it is to send as is: undecodable bytes as
        # surrogates. A server without 8BITMIME gets it re-encoded by the generator.
        payload = data.decode("ascii", "surrogateescape")
    part = EmailMessage(policy=POLICY)
    part["Content-Type"] = _header("Content-Type", f"{content_type}; charset=utf-8")
    part["Content-Transfer-Encoding"] = _header("Content-Transfer-Encoding", cte)
    part.set_payload(payload)
    return part
