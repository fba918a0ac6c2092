"""One outbox row as an RFC 5322 message: one recipient, text + HTML (+ iTIP) alternatives."""

from __future__ import annotations

import base64
import functools
import re
import secrets
from collections.abc import Mapping
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.policy import SMTP
from typing import Any

from sqlalchemy import Row

from notifications.render import one_line

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
def _from(sender_name: str, sender: str) -> BaseHeader:
    return _header("From", str(Address(display_name=one_line(sender_name), addr_spec=sender)))


def build_message(row: OutboxRow, sender_name: str) -> EmailMessage:
    """The message for one outbox row; its Message-ID comes from the row, so retries keep it.

    The parts are put together directly instead of through `set_content`/`add_alternative`,
    which parse every Content-* header they write: building was then slower than sending.
    """
    values: Mapping[Any, Any] = row._mapping if isinstance(row, Row) else row
    text, html, calendar = values["body_text"], values["body_html"], values["calendar"]
    bodies = [_text_part("text/plain", text), _text_part("text/html", html)]
    if calendar:
        method = one_line(values["calendar_method"] or "")
        if not _METHOD.fullmatch(method):
            raise ValueError(f"not an iTIP method: {method!r}")
        # Inside the same multipart/alternative, not as an attachment: that is where mail
        # clients look for an invitation they can accept or decline. Last = preferred.
        bodies.append(_text_part(f"text/calendar; method={method.upper()}", calendar))

    message = EmailMessage(policy=POLICY)
    message["From"] = _from(sender_name, values["sender"])
    # An Address quotes or encodes the name; one_line keeps CR/LF out of it regardless.
    message["To"] = Address(
        display_name=one_line(values["recipient_name"]), addr_spec=values["recipient_email"]
    )
    message["Subject"] = one_line(values["subject"])
    message["Date"] = values["created_at"]
    message["Message-ID"] = values["message_id"]
    # RFC 3834: out-of-office robots must not answer a workflow notification.
    message["Auto-Submitted"] = _header("Auto-Submitted", "auto-generated")
    message["Content-Language"] = _header("Content-Language", one_line(values["language"]))
    message["MIME-Version"] = _header("MIME-Version", "1.0")
    if _BOUNDARY in text or _BOUNDARY in html or (calendar and _BOUNDARY in calendar):
        fresh = f'multipart/alternative; boundary="=_hotspot_{secrets.token_hex(16)}"'
        message["Content-Type"] = fresh
    else:
        message["Content-Type"] = _header("Content-Type", _MULTIPART)
    for part in bodies:
        message.attach(part)
    return message


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
