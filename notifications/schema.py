"""The mail side's tables (the outbox, the mail set-up problems) and what every table shares.

notifications is the lowest layer that stores anything, so the database's MetaData (with its
naming convention) and the UTC time column start here; workflow.db.tables adds the
procedure's tables to the same MetaData, and Alembic compares the migrations with all of it.
The outbox names its procedure by key only ("procedures.id"): this package imports nothing of
workflow.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC; always hands back an aware UTC datetime (SQLite keeps no time zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# One rendered mail to one recipient, written in the transaction of the step that caused it.
# A sender claims due rows (status `pending`, or `sending` with an expired lease), delivers
# them and marks them `sent` or `failed`; a transient failure puts the row back to `pending`
# with a later `next_attempt_at`.
outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("procedure_id", String(80), ForeignKey("procedures.id", ondelete="CASCADE"), index=True),
    Column("kind", String(64), nullable=False),
    Column("message_id", String(250), nullable=False, unique=True),
    Column("sender", String(320), nullable=False),
    Column("recipient_name", String(200), nullable=False),
    Column("recipient_email", String(320), nullable=False),
    Column("language", String(2), nullable=False),
    Column("subject", String(500), nullable=False),
    Column("body_text", Text, nullable=False),
    Column("body_html", Text, nullable=False),
    # An iTIP calendar object (text/calendar) and its METHOD, for session invitations.
    Column("calendar", Text),
    Column("calendar_method", String(16)),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0, server_default="0"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("lease_until", UTCDateTime),
    Column("sent_at", UTCDateTime),
    Column("last_error", Text),
    # The retry window counts from a message's first failed try.
    Column("first_failed_at", UTCDateTime),
    # When a failed message was summarised to the facilitators (once, never again).
    Column("reported_at", UTCDateTime),
    # The personal link of the message, encrypted with the installation's outbox key: the
    # stored bodies hold `LINK_PLACEHOLDER`. Cleared once the message is sent or failed.
    Column("link_secret", Text),
    # What the link was for ("expert", "advice", "decision") and whose: a retry issues anew.
    Column("link_purpose", String(16)),
    Column("link_subject_id", Integer),
    # Who in the procedure the message is for ("expert" or "member", and that row's id):
    # an address correction moves that person's mail, not everyone's at the same address.
    # None for someone outside the procedure (a system's owner).
    Column("recipient_kind", String(8)),
    Column("recipient_id", Integer),
    # The documents sent along, as JSON: [{"document_id": int, "format": "pdf"}]; the sender
    # reads their stored files when it builds the message.
    Column("attachments", Text),
    # The sender's claim query walks this index: what is due, oldest first.
    Index("ix_outbox_due", "status", "next_attempt_at"),
)

# A problem with the mail set-up (no STARTTLS, credentials refused, an untrusted
# certificate): mail waits without using up its tries until a message gets through again.
mail_problems = Table(
    "mail_problems",
    metadata,
    Column("id", Integer, primary_key=True),
    # "starttls", "authentication", "certificate", "tls", "unreachable", "connection",
    # "sender", "relay", "keys", "environment" (workflow.mail_labels says what each means).
    Column("code", String(32), nullable=False),
    Column("detail", Text, nullable=False),
    Column("first_seen_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    # Set when a message was delivered again after it.
    Column("resolved_at", UTCDateTime),
    # When the daily summary first told the facilitators.
    Column("reported_at", UTCDateTime),
)

# Every document a procedure produced (the advice request, the proposal, the public list), one
# row per version: what it says, frozen as JSON (notifications.document_store), and the
# SHA-256 of that JSON, which the audit record of the step that made it carries. Never updated.
documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "procedure_id",
        String(80),
        ForeignKey("procedures.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("kind", String(32), nullable=False),
    Column("version", Integer, nullable=False),
    # The list version the document is about (every kind so far is about one).
    Column("list_version", Integer),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(200), nullable=False),
    # Without the moment it was made (that is `created_at`): unchanged content hashes alike.
    Column("content", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    UniqueConstraint("procedure_id", "kind", "version"),
)

# A version's files (docx, PDF/A, HTML, CSV, JSON), rendered from its content the first time
# they are asked for and kept from then on: every later download is the same bytes.
document_files = Table(
    "document_files",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "document_id",
        Integer,
        ForeignKey("documents.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("format", String(8), nullable=False),
    Column("filename", String(200), nullable=False),
    Column("media_type", String(120), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("document_id", "format"),
)
