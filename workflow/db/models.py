"""The ORM classes: objects over the tables of workflow.db.tables, for the code that wants them.

Every column, its type and its meaning is declared once, in workflow.db.tables; a class here
maps its table (`__table__`) and repeats the columns only as typed attributes. Importing this
module loads the ORM and maps every class, which costs more than a whole short command: code
on a fast path (`hotspot status`) reads the Core tables instead.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import DeclarativeBase, Mapped

from workflow.db import tables


class Base(DeclarativeBase):
    metadata = tables.metadata


def table_of(model: type[Base]) -> Table:
    """The Core table of a mapped class, typed as a Table for prepared statements."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


class Organisation(Base):
    __table__ = tables.organisations

    id: Mapped[int]
    name: Mapped[str]
    name_key: Mapped[str]


class Procedure(Base):
    __table__ = tables.procedures
    # Optimistic locking (see the column): the mapper checks and bumps it too.
    __mapper_args__ = {"version_id_col": tables.procedures.c.version}  # noqa: RUF012

    id: Mapped[str]
    organisation_id: Mapped[int]
    governing_body: Mapped[str]
    period_start: Mapped[int]
    period_end: Mapped[int]
    legal_basis: Mapped[str]
    phase: Mapped[str]
    definition_version: Mapped[int]
    config: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    cancel_reason: Mapped[str | None]
    empty_list_reason: Mapped[str | None]
    invitation_intro: Mapped[str | None]
    audit_seq: Mapped[int]
    audit_head: Mapped[str]
    version: Mapped[int]


class Member(Base):
    __table__ = tables.members

    id: Mapped[int]
    procedure_id: Mapped[str]
    name: Mapped[str]
    email: Mapped[str]
    email_key: Mapped[str]
    role: Mapped[str]
    language: Mapped[str]
    salutation: Mapped[str]


class Milestone(Base):
    __table__ = tables.milestones

    procedure_id: Mapped[str]
    key: Mapped[str]
    due: Mapped[date]


class Expert(Base):
    __table__ = tables.experts

    id: Mapped[int]
    procedure_id: Mapped[str]
    name: Mapped[str]
    email: Mapped[str]
    email_key: Mapped[str]
    perspective: Mapped[str]
    profile: Mapped[str]
    response: Mapped[str]
    responded_at: Mapped[datetime | None]
    language: Mapped[str]
    invited_at: Mapped[datetime | None]
    salutation: Mapped[str]


class ExpertSession(Base):
    __table__ = tables.expert_sessions

    id: Mapped[int]
    procedure_id: Mapped[str]
    at: Mapped[datetime]
    location: Mapped[str | None]
    uid: Mapped[str]
    sequence: Mapped[int]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None]


class Attendance(Base):
    __table__ = tables.attendance

    session_id: Mapped[int]
    expert_id: Mapped[int]


class Candidate(Base):
    __table__ = tables.candidates

    id: Mapped[int]
    procedure_id: Mapped[str]
    title: Mapped[str]
    period_start: Mapped[date]
    period_end: Mapped[date | None]
    description: Mapped[str]
    nominated_by: Mapped[int]
    created_at: Mapped[datetime]
    proposed_criteria: Mapped[str]
    updated_at: Mapped[datetime | None]
    assessed: Mapped[bool]
    included: Mapped[bool]
    criteria: Mapped[str]
    motivation: Mapped[str]
    assessed_at: Mapped[datetime | None]


class ListVersion(Base):
    __table__ = tables.list_versions

    id: Mapped[int]
    procedure_id: Mapped[str]
    number: Mapped[int]
    status: Mapped[str]
    entries: Mapped[list[dict[str, Any]]]
    created_at: Mapped[datetime]
    advice_positive: Mapped[bool | None]
    advice_by: Mapped[str | None]
    advice_reason: Mapped[str | None]
    advice_at: Mapped[datetime | None]
    advice_ref: Mapped[str | None]
    advice_date: Mapped[date | None]
    decision_date: Mapped[date | None]
    decision_ref: Mapped[str | None]
    decision_reason: Mapped[str | None]
    decided_at: Mapped[datetime | None]


class InformationSystem(Base):
    __table__ = tables.information_systems

    id: Mapped[int]
    procedure_id: Mapped[str]
    name: Mapped[str]
    name_key: Mapped[str]
    owner: Mapped[str]
    owner_email: Mapped[str | None]
    created_at: Mapped[datetime]
    zaken_url: Mapped[str | None]
    catalogi_url: Mapped[str | None]
    client_id: Mapped[str | None]
    secret_env: Mapped[str | None]
    zaaktypen: Mapped[list[str] | None]


class InventorySystem(Base):
    __table__ = tables.inventory_systems

    id: Mapped[int]
    procedure_id: Mapped[str]
    candidate_id: Mapped[int]
    system: Mapped[str]
    query: Mapped[str]
    owner: Mapped[str]
    owner_email: Mapped[str | None]
    none_reason: Mapped[str | None]
    created_at: Mapped[datetime | None]
    searched_at: Mapped[datetime | None]


class ZgwCase(Base):
    __table__ = tables.zgw_cases

    id: Mapped[int]
    procedure_id: Mapped[str]
    candidate_id: Mapped[int]
    system_id: Mapped[int]
    url: Mapped[str]
    identificatie: Mapped[str]
    omschrijving: Mapped[str]
    zaaktype: Mapped[str]
    zaaktype_omschrijving: Mapped[str | None]
    startdatum: Mapped[date | None]
    einddatum: Mapped[date | None]
    found: Mapped[dict[str, Any]]
    found_at: Mapped[datetime]
    selected: Mapped[bool | None]
    reason: Mapped[str | None]
    selected_by: Mapped[str | None]
    selected_at: Mapped[datetime | None]
    applied_at: Mapped[datetime | None]
    result: Mapped[str | None]
    outcome: Mapped[dict[str, Any] | None]
    checked_at: Mapped[datetime | None]
    check_result: Mapped[str | None]
    check: Mapped[dict[str, Any] | None]
    explanation: Mapped[str | None]


class Dossier(Base):
    __table__ = tables.dossiers

    id: Mapped[int]
    inventory_system_id: Mapped[int]
    dossier_ref: Mapped[str]
    title: Mapped[str | None]
    archiefnominatie: Mapped[str]
    reason: Mapped[str]
    marked_at: Mapped[datetime]


class Publication(Base):
    __table__ = tables.publications

    procedure_id: Mapped[str]
    channel: Mapped[str]
    reference: Mapped[str]
    in_force: Mapped[date]
    objection_weeks: Mapped[int]
    recorded_at: Mapped[datetime]


class Deviation(Base):
    __table__ = tables.deviations

    id: Mapped[int]
    procedure_id: Mapped[str]
    rule_code: Mapped[str]
    reason: Mapped[str]
    actor: Mapped[str]
    recorded_at: Mapped[datetime]


class AuditRecord(Base):
    __table__ = tables.audit_records

    id: Mapped[int]
    procedure_id: Mapped[str]
    seq: Mapped[int]
    recorded_at: Mapped[datetime]
    actor: Mapped[str]
    action: Mapped[str]
    phase_before: Mapped[str | None]
    phase_after: Mapped[str]
    data: Mapped[dict[str, Any]]
    reason: Mapped[str | None]
    prev_hash: Mapped[str]
    hash: Mapped[str]


class OutboxMessage(Base):
    __table__ = tables.outbox

    id: Mapped[int]
    procedure_id: Mapped[str | None]
    kind: Mapped[str]
    message_id: Mapped[str]
    sender: Mapped[str]
    recipient_name: Mapped[str]
    recipient_email: Mapped[str]
    language: Mapped[str]
    subject: Mapped[str]
    body_text: Mapped[str]
    body_html: Mapped[str]
    calendar: Mapped[str | None]
    calendar_method: Mapped[str | None]
    status: Mapped[str]
    attempts: Mapped[int]
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None]
    first_failed_at: Mapped[datetime | None]
    reported_at: Mapped[datetime | None]
    link_secret: Mapped[str | None]
    link_purpose: Mapped[str | None]
    link_subject_id: Mapped[int | None]
    recipient_kind: Mapped[str | None]
    recipient_id: Mapped[int | None]


class MailProblem(Base):
    __table__ = tables.mail_problems

    id: Mapped[int]
    code: Mapped[str]
    detail: Mapped[str]
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    reported_at: Mapped[datetime | None]


class Deadline(Base):
    __table__ = tables.deadlines

    id: Mapped[int]
    procedure_id: Mapped[str]
    kind: Mapped[str]
    subject: Mapped[str]
    due: Mapped[date | None]
    at: Mapped[datetime | None]
    since: Mapped[date | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Reminder(Base):
    __table__ = tables.reminders

    id: Mapped[int]
    procedure_id: Mapped[str]
    deadline_id: Mapped[int]
    rule: Mapped[str]
    offset_label: Mapped[str]
    planned_for: Mapped[date]
    occurrence: Mapped[int]
    due_at: Mapped[datetime]
    status: Mapped[str]
    reason: Mapped[str | None]
    mails: Mapped[int]
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]


class User(Base):
    __table__ = tables.users

    id: Mapped[int]
    username: Mapped[str]
    name: Mapped[str]
    password_hash: Mapped[str]
    created_at: Mapped[datetime]
    failed_logins: Mapped[int]
    last_failed_at: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]
    role: Mapped[str]
    oidc_issuer: Mapped[str | None]
    oidc_subject: Mapped[str | None]


class AccessLink(Base):
    __table__ = tables.access_links

    id: Mapped[int]
    procedure_id: Mapped[str]
    purpose: Mapped[str]
    subject_id: Mapped[int]
    nonce_hash: Mapped[str]
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None]


class WebSession(Base):
    __table__ = tables.web_sessions

    id_hash: Mapped[str]
    user_id: Mapped[int | None]
    link_id: Mapped[int | None]
    csrf_token: Mapped[str | None]
    language: Mapped[str | None]
    data: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class KeyCheck(Base):
    __table__ = tables.key_checks

    id: Mapped[int]
    check_value: Mapped[str]
    added_at: Mapped[datetime]
