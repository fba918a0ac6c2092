"""The people a link session stands for, and what the expert's portal shows them.

Each function takes the caller's connection (one read transaction per page) and answers
frozen dataclasses; a row of another procedure counts as not found.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from notifications.settings import MailSettings
from states.snapshot import ListStatus
from workflow import notify
from workflow.db.models import (
    Candidate,
    Expert,
    ExpertSession,
    ListVersion,
    Member,
    Organisation,
    Publication,
    table_of,
)
from workflow.procedure_store import ProcedureRecord

ET, MT, ST = table_of(Expert), table_of(Member), table_of(ExpertSession)
CT, OT = table_of(Candidate), table_of(Organisation)


@dataclass(frozen=True, slots=True)
class ExpertRef:
    id: int
    procedure_id: str
    name: str
    email: str
    response: str


@dataclass(frozen=True, slots=True)
class MemberRef:
    id: int
    procedure_id: str
    name: str


@dataclass(frozen=True, slots=True)
class SessionRef:
    """A planned (not cancelled) expert session."""

    id: int
    at: datetime
    location: str | None


@dataclass(frozen=True, slots=True)
class Nomination:
    """A candidate as the expert who nominated it sees it."""

    id: int
    title: str
    period_start: date
    period_end: date | None
    description: str
    proposed_criteria: str
    assessed: bool
    created_at: datetime
    updated_at: datetime | None


def expert(connection: Connection, expert_id: int, procedure_id: str) -> ExpertRef | None:
    query = select(ET.c.id, ET.c.procedure_id, ET.c.name, ET.c.email, ET.c.response).where(
        ET.c.id == expert_id, ET.c.procedure_id == procedure_id
    )
    row = connection.execute(query).first()
    return None if row is None else ExpertRef(**row._asdict())


def member(connection: Connection, member_id: int, procedure_id: str) -> MemberRef | None:
    query = select(MT.c.id, MT.c.procedure_id, MT.c.name).where(
        MT.c.id == member_id, MT.c.procedure_id == procedure_id
    )
    row = connection.execute(query).first()
    return None if row is None else MemberRef(**row._asdict())


def organisation_name(connection: Connection, organisation_id: int | None) -> str:
    if organisation_id is None:
        return ""
    found = connection.execute(select(OT.c.name).where(OT.c.id == organisation_id)).scalar()
    return found or ""


def open_sessions(connection: Connection, procedure_id: str) -> tuple[SessionRef, ...]:
    query = (
        select(ST.c.id, ST.c.at, ST.c.location)
        .where(ST.c.procedure_id == procedure_id, ST.c.cancelled_at.is_(None))
        .order_by(ST.c.at, ST.c.id)
    )
    return tuple(SessionRef(**row._asdict()) for row in connection.execute(query))


def open_session(connection: Connection, procedure_id: str, session_id: int) -> SessionRef | None:
    return next((s for s in open_sessions(connection, procedure_id) if s.id == session_id), None)


def nominations_by(
    connection: Connection, procedure_id: str, expert_id: int
) -> tuple[Nomination, ...]:
    query = (
        select(
            CT.c.id,
            CT.c.title,
            CT.c.period_start,
            CT.c.period_end,
            CT.c.description,
            CT.c.proposed_criteria,
            CT.c.assessed,
            CT.c.created_at,
            CT.c.updated_at,
        )
        .where(CT.c.procedure_id == procedure_id, CT.c.nominated_by == expert_id)
        .order_by(CT.c.id)
    )
    return tuple(Nomination(**row._asdict()) for row in connection.execute(query))


def session_calendar(
    db: Session,
    procedure: ProcedureRecord,
    session_id: int,
    expert_id: int,
    mail: MailSettings,
    now: datetime,
) -> tuple[str, datetime] | None:
    """The calendar invitation of one planned session for one expert, and the session's time;
    None when the session is not a planned one of the procedure."""
    row = db.get(ExpertSession, session_id)
    person = db.get(Expert, expert_id)
    if row is None or row.procedure_id != procedure.id or row.cancelled_at is not None:
        return None
    if person is None or person.procedure_id != procedure.id:
        return None
    text = notify.session_calendar(db.connection(), procedure, row, person, mail, now)
    return text, row.at


# --- what became of an expert's nominations ----------------------------------------------------

LT, PT = table_of(ListVersion), table_of(Publication)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The adopted list as the portal reports it: each candidate's number on it, and whether
    the list has been published."""

    numbers: dict[int, str]
    published: bool


def list_outcome(connection: Connection, procedure_id: str) -> Outcome | None:
    """The adopted list's numbers by candidate id; None while no list has been adopted."""
    row = connection.execute(
        select(LT.c.status, LT.c.entries)
        .where(LT.c.procedure_id == procedure_id)
        .order_by(LT.c.number.desc())
        .limit(1)
    ).first()
    if row is None or row.status != ListStatus.ADOPTED.value:
        return None
    published = connection.execute(
        select(PT.c.procedure_id).where(PT.c.procedure_id == procedure_id)
    ).first()
    numbers = {int(e["candidate_id"]): str(e["number"]) for e in row.entries}
    return Outcome(numbers, published is not None)
