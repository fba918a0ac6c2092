"""The tables. Plain rows: the rules never see these, only snapshots built from them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from workflow.db.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def table_of(model: type[Base]) -> Table:
    """The Core table of a mapped class, typed as a Table for prepared statements."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _procedure_fk() -> Mapped[str]:
    return mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"), index=True)


class Organisation(Base):
    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Case- and space-insensitive key, so "provincie overijssel " is the same organisation.
    name_key: Mapped[str] = mapped_column(String(200), unique=True)


class Procedure(Base):
    __tablename__ = "procedures"
    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    governing_body: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[int] = mapped_column(Integer)
    period_end: Mapped[int] = mapped_column(Integer)
    legal_basis: Mapped[str] = mapped_column(Text)
    phase: Mapped[str] = mapped_column(String(32), index=True)
    definition_version: Mapped[int] = mapped_column(Integer)
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    empty_list_reason: Mapped[str | None] = mapped_column(Text)
    audit_seq: Mapped[int] = mapped_column(Integer, default=0)
    audit_head: Mapped[str] = mapped_column(String(64))
    # Optimistic locking: workflow.procedure_store checks and bumps it on every command, so a
    # concurrent writer fails cleanly; the mapper would do the same if the ORM wrote a row.
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it once)
    # The dashboard pages through procedures oldest first.
    __table_args__ = (Index("ix_procedures_created_at_id", "created_at", "id"),)


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("procedure_id", "email_key", "role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[str] = _procedure_fk()
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    email_key: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(64))
    # The language this person gets mail in ("nl" or "en").
    language: Mapped[str] = mapped_column(String(2), default="nl", server_default="nl")


class Milestone(Base):
    __tablename__ = "milestones"
    procedure_id: Mapped[str] = mapped_column(
        ForeignKey("procedures.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    due: Mapped[date] = mapped_column(Date)


class Expert(Base):
    __tablename__ = "experts"
    __table_args__ = (UniqueConstraint("procedure_id", "email_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[str] = _procedure_fk()
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    email_key: Mapped[str] = mapped_column(String(320))
    perspective: Mapped[str] = mapped_column(String(16))
    profile: Mapped[str] = mapped_column(String(64))
    response: Mapped[str] = mapped_column(String(16))
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    language: Mapped[str] = mapped_column(String(2), default="nl", server_default="nl")
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ExpertSession(Base):
    __tablename__ = "expert_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[str] = _procedure_fk()
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str | None] = mapped_column(String(300))
    # iTIP: one UID for the life of the session, SEQUENCE raised on every change.
    uid: Mapped[str] = mapped_column(String(120), unique=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)


class Attendance(Base):
    __tablename__ = "attendance"
    session_id: Mapped[int] = mapped_column(
        ForeignKey("expert_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    expert_id: Mapped[int] = mapped_column(
        ForeignKey("experts.id", ondelete="CASCADE"), primary_key=True
    )


class Candidate(Base):
    __tablename__ = "candidates"
    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[str] = _procedure_fk()
    title: Mapped[str] = mapped_column(String(300))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    nominated_by: Mapped[int] = mapped_column(ForeignKey("experts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The criteria the nominating expert thinks apply ("1,3"); the session decides `criteria`.
    proposed_criteria: Mapped[str] = mapped_column(String(16), default="", server_default="")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assessed: Mapped[bool] = mapped_column(Boolean, default=False)
    included: Mapped[bool] = mapped_column(Boolean, default=False)
    criteria: Mapped[str] = mapped_column(String(16), default="")
    motivation: Mapped[str] = mapped_column(Text, default="")
    assessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ListVersion(Base):
    """A concept list frozen when it went to the decision phase; never edited afterwards."""

    __tablename__ = "list_versions"
    __table_args__ = (UniqueConstraint("procedure_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[str] = _procedure_fk()
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    entries: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    advice_positive: Mapped[bool | None] = mapped_column(Boolean)
    advice_by: Mapped[str | None] = mapped_column(String(200))
    advice_reason: Mapped[str | None] = mapped_column(Text)
    advice_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The advice letter's reference and date, when the archivist gives them.
    advice_ref: Mapped[str | None] = mapped_column(String(200))
    advice_date: Mapped[date | None] = mapped_column(Date)
    decision_date: Mapped[date | None] = mapped_column(Date)
    decision_ref: Mapped[str | None] = mapped_column(String(200))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class InventorySystem(Base):
    __tablename__ = "inventory_systems"
    __table_args__ = (UniqueConstraint("procedure_id", "candidate_id", "system"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[str] = _procedure_fk()
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"))
    system: Mapped[str] = mapped_column(String(200))
    query: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    # Where the weekly reminder goes; without it, to the informatiebeheerder of the workgroup.
    owner_email: Mapped[str | None] = mapped_column(String(320))
    none_reason: Mapped[str | None] = mapped_column(Text)
    # When the system was listed: its weekly reminders count from here.
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Dossier(Base):
    __tablename__ = "dossiers"
    __table_args__ = (UniqueConstraint("inventory_system_id", "dossier_ref"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    inventory_system_id: Mapped[int] = mapped_column(
        ForeignKey("inventory_systems.id", ondelete="CASCADE"), index=True
    )
    dossier_ref: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(300))
    archiefnominatie: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Publication(Base):
    __tablename__ = "publications"
    procedure_id: Mapped[str] = mapped_column(
        ForeignKey("procedures.id", ondelete="CASCADE"), primary_key=True
    )
    channel: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str] = mapped_column(String(200))
    in_force: Mapped[date] = mapped_column(Date)
    objection_weeks: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Deviation(Base):
    __tablename__ = "deviations"
    __table_args__ = (UniqueConstraint("procedure_id", "rule_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[str] = _procedure_fk()
    rule_code: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditRecord(Base):
    """One hash-chained line of the audit trail; appended, never updated."""

    __tablename__ = "audit_records"
    __table_args__ = (UniqueConstraint("procedure_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[str] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    phase_before: Mapped[str | None] = mapped_column(String(32))
    phase_after: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class OutboxMessage(Base):
    """One rendered mail to one recipient, written in the transaction of the step that caused it.

    A sender claims due rows (status `pending`, or `sending` with an expired lease), delivers
    them and marks them `sent` or `failed`; a transient failure puts the row back to `pending`
    with a later `next_attempt_at`.
    """

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[str | None] = mapped_column(
        ForeignKey("procedures.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(250), unique=True)
    sender: Mapped[str] = mapped_column(String(320))
    recipient_name: Mapped[str] = mapped_column(String(200))
    recipient_email: Mapped[str] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(2))
    subject: Mapped[str] = mapped_column(String(500))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # An iTIP calendar object (text/calendar) and its METHOD, for session invitations.
    calendar: Mapped[str | None] = mapped_column(Text)
    calendar_method: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    # The retry window counts from a message's first failed try.
    first_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When a failed message was summarised to the facilitators (once, never again).
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The personal link of the message, encrypted with the installation's outbox key: the
    # stored bodies hold `LINK_PLACEHOLDER`. Cleared once the message is sent or failed.
    link_secret: Mapped[str | None] = mapped_column(Text)
    # What the link was for ("expert", "advice", "decision") and whose: a retry issues anew.
    link_purpose: Mapped[str | None] = mapped_column(String(16))
    link_subject_id: Mapped[int | None] = mapped_column(Integer)
    # Who in the procedure the message is for ("expert" or "member", and that row's id):
    # an address correction moves that person's mail, not everyone's at the same address.
    # None for someone outside the procedure (a system's owner).
    recipient_kind: Mapped[str | None] = mapped_column(String(8))
    recipient_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        # The sender's claim query walks this index: what is due, oldest first.
        Index("ix_outbox_due", "status", "next_attempt_at"),
    )


class MailProblem(Base):
    """A problem with the mail set-up (no STARTTLS, credentials refused, an untrusted
    certificate): mail waits without using up its tries until a message gets through again.
    """

    __tablename__ = "mail_problems"
    id: Mapped[int] = mapped_column(primary_key=True)
    # "starttls", "authentication", "certificate", "tls", "unreachable", "connection",
    # "sender", "relay", "keys", "environment" (workflow.mail_labels says what each means).
    code: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when a message was delivered again after it.
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the daily summary first told the facilitators.
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Deadline(Base):
    """One dated obligation of a procedure: a milestone, a reply deadline, a session...

    `kind` and `subject` name it (`milestone`/`rsvp_deadline`, `rsvp`/expert id, `session`/
    session id); `due` is its day in Amsterdam time, `at` its moment when it has one.
    """

    __tablename__ = "deadlines"
    __table_args__ = (UniqueConstraint("procedure_id", "kind", "subject"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[str] = _procedure_fk()
    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(80))
    due: Mapped[date | None] = mapped_column(Date)
    at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The start of a repeating obligation (an inventory system: when it was listed).
    since: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Reminder(Base):
    """One reminder derived from a deadline by the policy; queued at most once.

    Its key is the deadline, the policy rule and offset, the deadline day it was planned for
    and the occurrence of a repeating rule. A worker moves it from `pending` to `sent` (mails
    in the outbox, same transaction) or to `skipped` with the reason; never back.
    """

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("deadline_id", "rule", "offset_label", "planned_for", "occurrence"),
        # The sweep walks this index: pending reminders by the moment they fall due.
        Index("ix_reminders_due", "status", "due_at"),
        # The sweep's "is a later reminder of this deadline due too?" reads only a window.
        Index("ix_reminders_deadline_due", "deadline_id", "due_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[str] = _procedure_fk()
    deadline_id: Mapped[int] = mapped_column(ForeignKey("deadlines.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(16))
    offset_label: Mapped[str] = mapped_column(String(24))
    planned_for: Mapped[date] = mapped_column(Date)
    occurrence: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(32))
    mails: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class User(Base):
    """A facilitator who logs in to the web app; the password is kept only as an argon2 hash."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Failed logins in a row: each one makes the next answer slower.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set while the account is disabled (`hotspot user disable`): no login, no session.
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AccessLink(Base):
    """A personal link: signed and expiring in itself, revocable through this row.

    Only the SHA-256 of the link's nonce is stored; the link exists in the mail alone. A new
    link for the same person and purpose revokes the previous one.
    """

    __tablename__ = "access_links"
    __table_args__ = (Index("ix_access_links_subject", "procedure_id", "purpose", "subject_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[str] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"))
    # "expert" (an expert's portal), "advice" (an archivist), "decision" (management).
    purpose: Mapped[str] = mapped_column(String(16))
    # The expert's or the member's id, by purpose.
    subject_id: Mapped[int] = mapped_column(Integer)
    nonce_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(32))


class WebSession(Base):
    """A web session, kept on the server: the browser's cookie holds only a random id.

    Only the SHA-256 of that id is stored, so the table alone opens no session. Logging out
    deletes the row; a password change or a disabled account deletes all rows of the user.
    """

    __tablename__ = "web_sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    # A facilitator's account, or the personal link a link holder came in with; neither for
    # a visitor who has only chosen a language or opened the login form.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    link_id: Mapped[int | None] = mapped_column(
        ForeignKey("access_links.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(2))
    # Who the session belongs to (role, actor, name, procedure) and pending flash messages.
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The absolute end (login plus the session lifetime); the idle end follows last_seen_at.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class KeyCheck(Base):
    """A check value of each master key this installation accepts (never the key itself).

    The HMAC-SHA256 of a fixed text under the key derived for links: a process whose keys
    have no check value here (a key file made afresh in another folder, another machine's
    variable) is refused instead of signing links nobody else can open (workflow.key_checks).
    """

    __tablename__ = "key_checks"
    id: Mapped[int] = mapped_column(primary_key=True)
    check_value: Mapped[str] = mapped_column(String(64), unique=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
