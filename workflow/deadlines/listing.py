"""What `hotspot deadlines` and `hotspot status` show: deadlines, their state and reminders."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import BindParameter, Connection, bindparam, select

from states.config import MILESTONE_LABELS, MILESTONE_ORDER
from states.i18n import AMSTERDAM, Language, format_date, local_date
from states.reminders import (
    DEADLINE_LABELS,
    DEADLINE_STATE_LABELS,
    RULE_LABELS,
    SKIP_LABELS,
    DeadlineKind,
    DeadlineState,
    Facts,
    Rule,
    SkipReason,
    deadline_state,
    milestone_overdue,
)
from states.workdays import working_days_between
from workflow.app import App
from workflow.db import tables
from workflow.deadlines.facts import load_facts, milestone_dates
from workflow.procedure_store import ProcedureRecord, load_procedure

DLT, RT = tables.deadlines, tables.reminders
ET, ST, IT, LT = (
    tables.experts,
    tables.expert_sessions,
    tables.inventory_systems,
    tables.list_versions,
)
PID: BindParameter[str] = bindparam("pid")
_DEADLINES = select(DLT).where(DLT.c.procedure_id == PID)
_REMINDERS = (
    select(RT).where(RT.c.procedure_id == PID).order_by(RT.c.deadline_id, RT.c.due_at, RT.c.id)
)
_EXPERT_NAMES = select(ET.c.id, ET.c.name).where(ET.c.procedure_id == PID)
_SYSTEM_NAMES = select(IT.c.id, IT.c.system).where(IT.c.procedure_id == PID)
_SESSION_TIMES = select(ST.c.id, ST.c.at).where(ST.c.procedure_id == PID)
_LIST_NUMBERS = select(LT.c.id, LT.c.number).where(LT.c.procedure_id == PID)
_STATUS_LABELS = {
    "pending": ("gepland", "pending"),
    "sent": ("verstuurd", "sent"),
    "skipped": ("overgeslagen", "skipped"),
}


def overdue_milestones(
    connection: Connection,
    procedure: ProcedureRecord,
    now: datetime,
    *,
    facts: Facts | None = None,
    dates: Mapping[str, date] | None = None,
) -> list[dict[str, Any]]:
    """The milestones whose day has passed while their work is not done, in planning order.

    `facts` and `dates` save a second read when the caller has them already.
    """
    facts = facts or load_facts(connection, procedure, now)
    dates = milestone_dates(connection, procedure.id) if dates is None else dates
    today = local_date(now)
    return [
        {
            "key": key,
            "due": dates[key],
            "days_overdue": (today - dates[key]).days,
            "working_days_overdue": working_days_between(dates[key], today),
        }
        for key in MILESTONE_ORDER
        if key in dates and milestone_overdue(key, dates[key], facts)
    ]


def deadline_overview(app: App, procedure_id: str, language: Language) -> dict[str, Any]:
    """Every deadline of a procedure with its state and its reminders, soonest first."""
    now = app.now()
    with app.reading() as connection:
        procedure = load_procedure(connection, procedure_id)
        facts = load_facts(connection, procedure, now)
        params = {"pid": procedure.id}
        names = _subject_names(connection, params, language)
        reminders: dict[int, list[dict[str, Any]]] = {}
        for r in connection.execute(_REMINDERS, params):
            reminders.setdefault(r.deadline_id, []).append(_reminder(r, language))
        deadlines = []
        for row in connection.execute(_DEADLINES, params):
            kind = DeadlineKind(row.kind)
            state = deadline_state(kind, row.subject, row.due, facts)
            deadlines.append(
                {
                    "kind": kind.value,
                    "kind_label": DEADLINE_LABELS[kind](language),
                    "subject": row.subject,
                    "subject_label": names.get((kind, row.subject), row.subject),
                    "due": row.due.isoformat() if row.due else None,
                    "at": row.at.isoformat() if row.at else None,
                    "state": state.value,
                    "state_label": DEADLINE_STATE_LABELS[state](language),
                    "reminders": reminders.get(row.id, []),
                }
            )
        overdue = overdue_milestones(connection, procedure, now, facts=facts)
    deadlines.sort(key=_order)
    return {
        "ok": True,
        "procedure": procedure.id,
        "today": local_date(now).isoformat(),
        "phase": procedure.phase,
        "overdue_milestones": [{**o, "due": o["due"].isoformat()} for o in overdue],
        "deadlines": deadlines,
    }


def _order(deadline: dict[str, Any]) -> tuple[int, str, str]:
    # Open ones first (overdue, then upcoming), each by date; the finished ones after them.
    rank = {
        DeadlineState.OVERDUE.value: 0,
        DeadlineState.UPCOMING.value: 1,
    }.get(deadline["state"], 2)
    return rank, deadline["due"] or "9999-12-31", deadline["kind"]


def _reminder(row: Any, language: Language) -> dict[str, Any]:
    reason = SkipReason(row.reason) if row.reason else None
    nl, en = _STATUS_LABELS.get(row.status, (row.status, row.status))
    return {
        "id": row.id,
        "rule": row.rule,
        "rule_label": RULE_LABELS[Rule(row.rule)](language),
        "offset": row.offset_label,
        "occurrence": row.occurrence,
        "planned_for": row.planned_for.isoformat(),
        "due_at": row.due_at.isoformat(),
        "status": row.status,
        "status_label": nl if language == "nl" else en,
        "reason": reason.value if reason else None,
        "reason_label": SKIP_LABELS[reason](language) if reason else None,
        "mails": row.mails,
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
    }


def _subject_names(
    connection: Connection, params: dict[str, str], language: Language
) -> dict[tuple[DeadlineKind, str], str]:
    """Readable names of what each deadline is about (the facilitator's own procedure)."""
    names: dict[tuple[DeadlineKind, str], str] = {
        (DeadlineKind.MILESTONE, key): label(language) for key, label in MILESTONE_LABELS.items()
    }
    names[(DeadlineKind.NOMINATION, "panel")] = "panel" if language == "en" else "expertpanel"
    for r in connection.execute(_EXPERT_NAMES, params):
        names[(DeadlineKind.RSVP, str(r.id))] = r.name
    for r in connection.execute(_SYSTEM_NAMES, params):
        names[(DeadlineKind.INVENTORY, str(r.id))] = r.system
    for r in connection.execute(_LIST_NUMBERS, params):
        label = f"conceptlijst {r.number}" if language == "nl" else f"concept list {r.number}"
        names[(DeadlineKind.ADVICE, str(r.id))] = label
        names[(DeadlineKind.DECISION, str(r.id))] = label
    for r in connection.execute(_SESSION_TIMES, params):
        local = r.at.astimezone(AMSTERDAM)
        names[(DeadlineKind.SESSION, str(r.id))] = (
            f"#{r.id} {format_date(local.date(), language)} {local:%H:%M}"
        )
    return names
