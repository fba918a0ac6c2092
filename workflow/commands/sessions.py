"""Expert sessions, their attendance, the candidate hotspots and their assessment."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, TypeVar

from sqlalchemy import func, select

from states.actions import Action
from states.errors import InvalidInput, NotFound
from states.guards import (
    require_grounds_for_inclusion,
    require_plausible_session,
    require_session_begun,
    require_session_open,
)
from states.i18n import Text, format_date, local_date
from states.snapshot import Response
from workflow import validation
from workflow.app import App
from workflow.commands.base import Change, run_change
from workflow.commands.people import find_expert
from workflow.db import models as m
from workflow.events import SessionCancelled, SessionMoved, SessionScheduled


def add_session(
    app: App, procedure_id: str, *, at: str | datetime, actor: str, location: str | None = None
) -> dict[str, Any]:
    moment = validation.parse_datetime("at", at)
    place = validation.single_line("location", location) if location else None

    def body(change: Change) -> dict[str, Any]:
        change.require(Action.ADD_SESSION)
        require_plausible_session(moment, change.opened_at(), change.now)
        row = m.ExpertSession(
            procedure_id=change.procedure.id,
            at=moment,
            location=place,
            uid=f"session-{uuid.uuid4()}@hotspot-monitor",
            sequence=0,
        )
        change.session.add(row)
        change.session.flush()
        change.data = {"session": row.id, "at": moment.isoformat(), "location": place}
        change.record(SessionScheduled(row.id))
        return {
            "ok": True,
            "procedure": change.procedure.id,
            "session": row.id,
            "phase": change.procedure.phase,
        }

    return run_change(app, procedure_id, actor, "session.add", body)


Owned = TypeVar("Owned", m.ExpertSession, m.Candidate)


def _owned(change: Change, model: type[Owned], key: int | str, what: Text) -> Owned:
    """A session or candidate by its id, only if it belongs to this procedure.

    A key that cannot be an id (not a number, 0, beyond 64 bits) is not found, like an id
    that does not exist: it never reaches the database driver, which would overflow.
    """
    number = validation.id_or_none(key)
    row = change.session.get(model, number) if number is not None else None
    if row is None or row.procedure_id != change.procedure.id:
        raise NotFound(
            Text(
                f"{what.nl} {key} hoort niet bij deze procedure",
                f"{what.en} {key} does not belong to this procedure",
            )
        )
    return row


def _open_session(
    change: Change, session_id: int | str, *, for_attendance: bool = False
) -> m.ExpertSession:
    """A session of this procedure that is not cancelled (and, unless attending, not held)."""
    row = _owned(change, m.ExpertSession, session_id, Text("bijeenkomst", "session"))
    attendees = -1
    if not for_attendance:
        attendees = int(
            change.session.scalar(
                select(func.count())
                .select_from(m.Attendance)
                .where(m.Attendance.session_id == row.id)
            )
            or 0
        )
    require_session_open(row.id, row.cancel_reason if row.cancelled_at else None, attendees)
    return row


def move_session(
    app: App, procedure_id: str, session_id: int | str, *, at: str | datetime, actor: str
) -> dict[str, Any]:
    """A new moment for a session: the same calendar invitation, updated (higher SEQUENCE)."""
    moment = validation.parse_datetime("at", at)

    def body(change: Change) -> dict[str, Any]:
        change.require(Action.CHANGE_SESSION)
        row = _open_session(change, session_id)
        require_plausible_session(moment, change.opened_at(), change.now, session_id=row.id)
        if row.at == moment:
            raise InvalidInput(
                "at",
                Text(
                    f"bijeenkomst {row.id} staat al op dit tijdstip",
                    f"session {row.id} is already at this time",
                ),
            )
        previous = row.at
        row.at = moment
        row.sequence += 1
        change.data = {
            "session": row.id,
            "from": previous.isoformat(),
            "to": moment.isoformat(),
            "sequence": row.sequence,
        }
        change.record(SessionMoved(row.id, previous))
        return {
            "ok": True,
            "procedure": change.procedure.id,
            "session": row.id,
            "at": moment.isoformat(),
            "phase": change.procedure.phase,
        }

    return run_change(app, procedure_id, actor, "session.move", body)


def cancel_session(
    app: App, procedure_id: str, session_id: int | str, *, reason: str, actor: str
) -> dict[str, Any]:
    """Call a session off: attendees get METHOD:CANCEL for the same UID; the rules forget it."""
    why = validation.text("reason", reason, max_length=4000)

    def body(change: Change) -> dict[str, Any]:
        change.require(Action.CHANGE_SESSION)
        row = _open_session(change, session_id)
        row.cancelled_at = change.now
        row.cancel_reason = why
        row.sequence += 1
        change.data = {"session": row.id, "sequence": row.sequence}
        change.record(SessionCancelled(row.id, why))
        return {
            "ok": True,
            "procedure": change.procedure.id,
            "session": row.id,
            "cancelled": True,
            "phase": change.procedure.phase,
        }

    return run_change(app, procedure_id, actor, "session.cancel", body, reason=why)


def attend(
    app: App, procedure_id: str, session_id: int | str, emails: list[str], *, actor: str
) -> dict[str, Any]:
    if not emails:
        raise InvalidInput(
            "emails", Text("geef minstens één e-mailadres", "give at least one e-mail address")
        )

    def body(change: Change) -> dict[str, Any]:
        change.require(Action.RECORD_ATTENDANCE)
        row = _open_session(change, session_id, for_attendance=True)
        require_session_begun(row.id, row.at, change.now)
        present = set(
            change.session.scalars(
                select(m.Attendance.expert_id).where(m.Attendance.session_id == row.id)
            )
        )
        added: list[int] = []
        for address in emails:
            expert = find_expert(change, address, "emails")
            if expert.response != Response.ACCEPTED.value:
                raise InvalidInput(
                    "emails",
                    Text(
                        f"{expert.email} heeft niet toegezegd ({expert.response})",
                        f"{expert.email} has not accepted ({expert.response})",
                    ),
                )
            if expert.id in present or expert.id in added:
                raise InvalidInput(
                    "emails",
                    Text(
                        f"{expert.email} staat al op de presentielijst van bijeenkomst {row.id}",
                        f"{expert.email} is already on the attendance list of session {row.id}",
                    ),
                )
            added.append(expert.id)
        change.session.add_all(m.Attendance(session_id=row.id, expert_id=i) for i in added)
        change.data = {"session": row.id, "experts": added}
        return {
            "ok": True,
            "procedure": change.procedure.id,
            "session": row.id,
            "attendees": len(present) + len(added),
            "phase": change.procedure.phase,
        }

    return run_change(app, procedure_id, actor, "session.attend", body)


@dataclass(frozen=True, slots=True)
class CandidateFields:
    """A candidate hotspot's own fields, checked: a title, a period (open end) and a text."""

    title: str
    start: date
    end: date | None
    description: str


# The names a refusal gives each field: the handler's keywords by default (each face says them
# in its own words); the portal's form passes its own.
KEYWORDS: Mapping[str, str] = MappingProxyType(
    {"title": "title", "start": "start", "end": "end", "description": "description"}
)


def candidate_fields(
    *,
    title: str,
    start: str | date,
    end: str | date | None,
    description: str,
    names: Mapping[str, str] = KEYWORDS,
) -> CandidateFields:
    """Check what a facilitator or an expert typed for a candidate; `names` label the fields."""
    clean_title = validation.single_line(names["title"], title)
    first = validation.parse_date(names["start"], start)
    last = validation.parse_date(names["end"], end) if end else None
    if last is not None and last < first:
        raise InvalidInput(
            names["end"],
            Text(
                f"het einde {format_date(last, 'nl')} ligt voor het begin "
                f"{format_date(first, 'nl')}",
                f"the end {format_date(last, 'en')} lies before the start "
                f"{format_date(first, 'en')}",
            ),
        )
    text = validation.text(names["description"], description, max_length=10_000)
    return CandidateFields(clean_title, first, last, text)


def require_within_period(
    change: Change, fields: CandidateFields, names: Mapping[str, str] = KEYWORDS
) -> None:
    """A hotspot overlaps the procedure's reference period and has not ended after today.

    A hotspot that is still going on has an open end (no end date): an end date in the future
    would be a guess, and a typing error more often than not.
    """
    proc = change.procedure
    if fields.start.year > proc.period_end or (
        fields.end is not None and fields.end.year < proc.period_start
    ):
        raise InvalidInput(
            names["start"],
            Text(
                "de hotspot valt buiten de referentieperiode "
                f"{proc.period_start}-{proc.period_end}",
                f"the hotspot lies outside the reference period "
                f"{proc.period_start}-{proc.period_end}",
            ),
        )
    today = local_date(change.now)
    if fields.end is not None and fields.end > today:
        raise InvalidInput(
            names["end"],
            Text(
                f"het einde {format_date(fields.end, 'nl')} ligt na vandaag "
                f"({format_date(today, 'nl')}); laat het einde open voor een hotspot die nog "
                "gaande is",
                f"the end {format_date(fields.end, 'en')} lies after today "
                f"({format_date(today, 'en')}); leave the end open for a hotspot that is "
                "still going on",
            ),
        )


def add_candidate(
    app: App,
    procedure_id: str,
    *,
    title: str,
    start: str | date,
    description: str,
    nominated_by: str,
    actor: str,
    end: str | date | None = None,
) -> dict[str, Any]:
    fields = candidate_fields(title=title, start=start, end=end, description=description)

    def body(change: Change) -> dict[str, Any]:
        change.require(Action.ADD_CANDIDATE)
        proc = change.procedure
        require_within_period(change, fields)
        expert = find_expert(change, nominated_by, "nominated_by")
        if expert.response != Response.ACCEPTED.value:
            raise InvalidInput(
                "nominated_by",
                Text(
                    f"{expert.email} heeft niet toegezegd en kan niet voordragen",
                    f"{expert.email} has not accepted and cannot nominate",
                ),
            )
        row = m.Candidate(
            procedure_id=proc.id,
            title=fields.title,
            period_start=fields.start,
            period_end=fields.end,
            description=fields.description,
            nominated_by=expert.id,
            created_at=change.now,
            assessed=False,
            included=False,
            criteria="",
            motivation="",
        )
        change.session.add(row)
        change.session.flush()
        change.data = {
            "candidate": row.id,
            "title": fields.title,
            "start": fields.start.isoformat(),
            "end": fields.end.isoformat() if fields.end else None,
            "nominated_by": expert.id,
        }
        return {"ok": True, "procedure": proc.id, "candidate": row.id, "phase": proc.phase}

    return run_change(app, procedure_id, actor, "candidate.add", body)


def assess(
    app: App,
    procedure_id: str,
    candidate_id: int | str,
    *,
    criteria: str,
    motivation: str,
    include: bool,
    actor: str,
) -> dict[str, Any]:
    chosen = validation.parse_criteria("criteria", criteria)
    why = validation.text("motivation", motivation, max_length=10_000, required=False)

    def body(change: Change) -> dict[str, Any]:
        change.require(Action.ASSESS_CANDIDATE)
        row = _owned(change, m.Candidate, candidate_id, Text("kandidaat", "candidate"))
        require_grounds_for_inclusion(include, chosen, why)
        previous = {
            "assessed": row.assessed,
            "included": row.included,
            "criteria": row.criteria,
            "motivation": row.motivation,
        }
        row.assessed, row.included = True, include
        row.criteria = ",".join(str(c) for c in chosen)
        row.motivation = why
        row.assessed_at = change.now
        change.data = {
            "candidate": row.id,
            "included": include,
            "criteria": list(chosen),
            "motivation": why,
            "previous": previous,
        }
        return {
            "ok": True,
            "procedure": change.procedure.id,
            "candidate": row.id,
            "included": include,
            "phase": change.procedure.phase,
        }

    return run_change(app, procedure_id, actor, "candidate.assess", body)


def empty_list_reason(app: App, procedure_id: str, *, reason: str, actor: str) -> dict[str, Any]:
    why = validation.text("reason", reason, max_length=4000)

    def body(change: Change) -> dict[str, Any]:
        change.require(Action.EMPTY_LIST_REASON)
        change.procedure.empty_list_reason = why
        change.data = {"reason": why}
        return {"ok": True, "procedure": change.procedure.id, "phase": change.procedure.phase}

    return run_change(app, procedure_id, actor, "concept_list.empty_reason", body, reason=why)
