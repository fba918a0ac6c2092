"""The outbox: rendered mails written in the same transaction as the step that caused them."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from sqlalchemy import Connection, insert

from notifications.kinds import MailKind
from notifications.render import RenderedMail
from notifications.schema import outbox
from notifications.sealed import Sealer
from states.i18n import Language

# The outbox table (notifications.schema), by the name the queries here and in workflow use.
OUTBOX = outbox


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Recipient:
    """One person a mail goes to; every message has exactly one."""

    name: str
    email: str
    language: Language = "nl"
    # heer, mevrouw or neutraal (states.salutation): how the letter greets this person.
    salutation: str = "neutraal"


@dataclass(frozen=True, slots=True)
class PersonRef:
    """Who in the procedure a mail is for: an expert or a workgroup member, by row id."""

    kind: Literal["expert", "member"]
    id: int


@dataclass(frozen=True, slots=True)
class CalendarPart:
    """An iTIP object to send along as `text/calendar; method=...`."""

    method: str
    content: str


def new_message_id(sender: str) -> str:
    """A globally unique Message-ID on the sender's domain, fixed when the row is written.

    A message sent again after a crashed sender keeps it, so receivers can drop the duplicate.
    """
    domain = sender.rpartition("@")[2] or "hotspot-monitor.invalid"
    return f"<{uuid.uuid4().hex}@{domain}>"


@dataclass(frozen=True, slots=True)
class PersonalLink:
    """A person's link for one purpose; the rendered mail holds `LINK_PLACEHOLDER` for it."""

    purpose: str
    subject_id: int
    url: str


@dataclass(frozen=True, slots=True)
class AttachmentRef:
    """A document version's file to send along; the sender reads (or renders) it when it
    builds the message, so queueing costs no rendering."""

    document_id: int
    format: str


@dataclass(frozen=True, slots=True)
class OutgoingMail:
    kind: MailKind
    recipient: Recipient
    rendered: RenderedMail
    calendar: CalendarPart | None = None
    link: PersonalLink | None = None
    person: PersonRef | None = None
    attachments: tuple[AttachmentRef, ...] = ()


def attachment_refs(stored: str | None) -> list[AttachmentRef]:
    """The attachments an outbox row names (its `attachments` column)."""
    if not stored:
        return []
    return [AttachmentRef(int(a["document_id"]), str(a["format"])) for a in json.loads(stored)]


def queue(
    connection: Connection,
    mails: list[OutgoingMail],
    *,
    procedure_id: str | None,
    sender: str,
    now: datetime,
    sealer: Sealer | None = None,
) -> list[str]:
    """Insert one pending row per mail in the caller's transaction; returns the Message-IDs.

    A mail with a personal link keeps it sealed with `sealer` beside bodies that only hold
    the placeholder; a link in the rendered text itself would be refused here.
    """
    if not mails:
        return []
    rows: list[dict[str, Any]] = []
    for mail in mails:
        link = mail.link
        if link is not None and (sealer is None or link.url in mail.rendered.text):
            raise ValueError("a personal link must be sealed, never stored in a mail body")
        rows.append(
            {
                "procedure_id": procedure_id,
                "kind": mail.kind.value,
                "message_id": new_message_id(sender),
                "sender": sender,
                "recipient_name": mail.recipient.name,
                "recipient_email": mail.recipient.email,
                "language": mail.recipient.language,
                "subject": mail.rendered.subject,
                "body_text": mail.rendered.text,
                "body_html": mail.rendered.html,
                "calendar": mail.calendar.content if mail.calendar else None,
                "calendar_method": mail.calendar.method if mail.calendar else None,
                "status": OutboxStatus.PENDING.value,
                "attempts": 0,
                "created_at": now,
                "next_attempt_at": now,
                "link_secret": sealer.seal(link.url) if link and sealer else None,
                "link_purpose": link.purpose if link else None,
                "link_subject_id": link.subject_id if link else None,
                "recipient_kind": mail.person.kind if mail.person else None,
                "recipient_id": mail.person.id if mail.person else None,
                "attachments": (
                    json.dumps(
                        [
                            {"document_id": a.document_id, "format": a.format}
                            for a in mail.attachments
                        ]
                    )
                    if mail.attachments
                    else None
                ),
            }
        )
    connection.execute(insert(OUTBOX), rows)
    return [row["message_id"] for row in rows]
