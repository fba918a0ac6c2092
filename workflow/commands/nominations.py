"""Experts nominating candidate hotspots themselves, through their personal link.

The facilitator's `sessions.add_candidate` records a nomination on someone's behalf at any
time during the sessions; these commands are the expert's own, and therefore bound to the
nomination window, to the expert's acceptance and, for an edit, to the expert's own and not yet
assessed nominations.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from states.errors import InvalidInput, NotFound, Refused
from states.guards import require_may_nominate, require_unassessed_nomination
from states.i18n import Text, local_date
from states.phases import Phase
from states.snapshot import Response
from workflow import validation
from workflow.app import App
from workflow.commands.base import Change, run_change
from workflow.commands.sessions import CandidateFields, candidate_fields, require_within_period
from workflow.db import models as m

NOMINATION_DEADLINE = "nomination_deadline"

# How a refusal names the fields of the portal's form (the page labels them the same way).
FORM_FIELDS = {"title": "naam", "start": "begin", "end": "einde", "description": "beschrijving"}


def nomination_deadline(session: Session, procedure_id: str) -> date | None:
    """The planning's nomination deadline (a day), if the planning sets one."""
    due: date | None = session.scalar(
        select(m.Milestone.due).where(
            m.Milestone.procedure_id == procedure_id,
            m.Milestone.key == NOMINATION_DEADLINE,
        )
    )
    return due


def _criteria(value: str | Iterable[str | int]) -> str:
    """The proposed criteria as stored: "1,3" (checkboxes arrive as a list of numbers)."""
    raw = value if isinstance(value, str) else ",".join(str(v) for v in value)
    return ",".join(str(c) for c in validation.parse_criteria("criteria", raw))


def nomination_problem(
    phase: Phase, expert_id: int, response: Response, today: date, deadline: date | None
) -> Refused | None:
    """Why the expert cannot nominate now, or None: the portal shows it instead of a form."""
    try:
        require_may_nominate(phase, expert_id, response, today, deadline)
    except Refused as refusal:
        return refusal
    return None


def _nominator(change: Change, expert_id: int) -> m.Expert:
    """The procedure's expert, once the rules allow them to nominate now."""
    expert = change.session.get(m.Expert, expert_id)
    if expert is None or expert.procedure_id != change.procedure.id:
        raise NotFound(
            Text(
                f"expert {expert_id} hoort niet bij deze procedure",
                f"expert {expert_id} does not belong to this procedure",
            )
        )
    require_may_nominate(
        change.phase,
        expert.id,
        Response(expert.response),
        local_date(change.now),
        nomination_deadline(change.session, change.procedure.id),
    )
    return expert


def _own_nomination(change: Change, expert_id: int, candidate_id: int | str) -> m.Candidate:
    """The expert's own nomination; someone else's is reported as not found, never shown."""
    number = validation.id_or_none(candidate_id)
    row = change.session.get(m.Candidate, number) if number is not None else None
    if row is None or row.procedure_id != change.procedure.id or row.nominated_by != expert_id:
        raise NotFound(
            Text(
                f"voordracht {candidate_id} is niet gevonden bij uw voordrachten",
                f"nomination {candidate_id} is not among your nominations",
            )
        )
    return row


def _values(row: m.Candidate) -> dict[str, Any]:
    return {
        "title": row.title,
        "start": row.period_start.isoformat(),
        "end": row.period_end.isoformat() if row.period_end else None,
        "description": row.description,
        "criteria": [int(c) for c in row.proposed_criteria.split(",") if c],
    }


def _fill(row: m.Candidate, fields: CandidateFields, criteria: str) -> None:
    row.title, row.description = fields.title, fields.description
    row.period_start, row.period_end = fields.start, fields.end
    row.proposed_criteria = criteria


def submit_nomination(
    app: App,
    procedure_id: str,
    expert_id: int,
    *,
    title: str,
    start: str | date,
    end: str | date | None,
    description: str,
    criteria: str | Iterable[str | int],
    actor: str,
) -> dict[str, Any]:
    """A new candidate hotspot nominated by the expert, before the nomination deadline."""
    fields = candidate_fields(
        title=title, start=start, end=end, description=description, names=FORM_FIELDS
    )
    chosen = _criteria(criteria)

    def body(change: Change) -> dict[str, Any]:
        expert = _nominator(change, expert_id)
        require_within_period(change, fields, FORM_FIELDS)
        row = m.Candidate(
            procedure_id=change.procedure.id,
            nominated_by=expert.id,
            created_at=change.now,
            assessed=False,
            included=False,
            criteria="",
            motivation="",
        )
        _fill(row, fields, chosen)
        change.session.add(row)
        change.session.flush()
        change.data = {"candidate": row.id, "by_expert": expert.id, **_values(row)}
        return {
            "ok": True,
            "procedure": change.procedure.id,
            "candidate": row.id,
            "phase": change.procedure.phase,
        }

    return run_change(app, procedure_id, actor, "nomination.submit", body)


def edit_nomination(
    app: App,
    procedure_id: str,
    expert_id: int,
    candidate_id: int | str,
    *,
    title: str,
    start: str | date,
    end: str | date | None,
    description: str,
    criteria: str | Iterable[str | int],
    actor: str,
) -> dict[str, Any]:
    """Change the expert's own nomination while the window is open and it is not assessed."""
    fields = candidate_fields(
        title=title, start=start, end=end, description=description, names=FORM_FIELDS
    )
    chosen = _criteria(criteria)

    def body(change: Change) -> dict[str, Any]:
        row = _own_nomination(change, expert_id, candidate_id)
        expert = _nominator(change, expert_id)
        require_unassessed_nomination(row.id, row.assessed)
        require_within_period(change, fields, FORM_FIELDS)
        previous = _values(row)
        _fill(row, fields, chosen)
        if _values(row) == previous:
            raise InvalidInput(
                FORM_FIELDS["title"],
                Text(
                    f"voordracht {row.id} is niet gewijzigd: alle velden zijn gelijk gebleven",
                    f"nomination {row.id} was not changed: every field stayed the same",
                ),
            )
        row.updated_at = change.now
        change.data = {
            "candidate": row.id,
            "by_expert": expert.id,
            **_values(row),
            "previous": previous,
        }
        return {
            "ok": True,
            "procedure": change.procedure.id,
            "candidate": row.id,
            "phase": change.procedure.phase,
        }

    return run_change(app, procedure_id, actor, "nomination.edit", body)
