"""Reading what the reminder rules decide on: one procedure's experts, sessions, list, systems."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BindParameter, Connection, bindparam, exists, select

from states.i18n import local_date
from states.phases import Phase
from states.reminders import Facts, ListFact, SessionFact
from states.snapshot import Response
from workflow.db import tables
from workflow.procedure_store import ProcedureRecord

ET, CT, ST = tables.experts, tables.candidates, tables.expert_sessions
AT, LT = tables.attendance, tables.list_versions
IT, DT, MST = tables.inventory_systems, tables.dossiers, tables.milestones
PID: BindParameter[str] = bindparam("pid")

_EXPERTS = select(ET.c.id, ET.c.response, ET.c.invited_at).where(ET.c.procedure_id == PID)
_NOMINATORS = select(CT.c.nominated_by).where(CT.c.procedure_id == PID).distinct()
_SESSIONS = select(
    ST.c.id,
    ST.c.at,
    ST.c.cancelled_at,
    exists().where(AT.c.session_id == ST.c.id).label("held"),
).where(ST.c.procedure_id == PID)
_LATEST_LIST = (
    select(LT.c.id, LT.c.advice_at, LT.c.advice_positive, LT.c.decided_at)
    .where(LT.c.procedure_id == PID)
    .order_by(LT.c.number.desc())
    .limit(1)
)
_SYSTEMS = select(
    IT.c.id,
    IT.c.none_reason,
    exists().where(DT.c.inventory_system_id == IT.c.id).label("has_dossiers"),
).where(IT.c.procedure_id == PID)
_MILESTONES = select(MST.c.key, MST.c.due).where(MST.c.procedure_id == PID)


def load_facts(connection: Connection, procedure: ProcedureRecord, now: datetime) -> Facts:
    """Everything `states.reminders` needs about one procedure, in five small queries."""
    run = connection.execute
    params = {"pid": procedure.id}
    invited: set[int] = set()
    pending: set[int] = set()
    accepted: set[int] = set()
    uninvited = 0
    for row in run(_EXPERTS, params):
        if row.response == Response.ACCEPTED.value:
            accepted.add(row.id)
        if row.invited_at is None:
            uninvited += row.response == Response.PENDING.value
            continue
        invited.add(row.id)
        if row.response == Response.PENDING.value:
            pending.add(row.id)
    sessions = {
        r.id: SessionFact(r.at, r.cancelled_at is not None, bool(r.held))
        for r in run(_SESSIONS, params)
    }
    latest = run(_LATEST_LIST, params).first()
    return Facts(
        phase=Phase(procedure.phase),
        today=local_date(now),
        invited=frozenset(invited),
        pending=frozenset(pending),
        uninvited=uninvited,
        accepted=frozenset(accepted),
        nominators=frozenset(int(v) for v in run(_NOMINATORS, params).scalars()),
        sessions=sessions,
        held_sessions=sum(1 for s in sessions.values() if s.held and not s.cancelled),
        latest_list=ListFact(
            latest.id,
            advice_recorded=latest.advice_at is not None,
            advice_positive=bool(latest.advice_positive),
            decided=latest.decided_at is not None,
        )
        if latest is not None
        else None,
        open_systems=frozenset(
            r.id
            for r in run(_SYSTEMS, params)
            if not r.has_dossiers and not (r.none_reason or "").strip()
        ),
    )


def milestone_dates(connection: Connection, procedure_id: str) -> dict[str, date]:
    return {r.key: r.due for r in connection.execute(_MILESTONES, {"pid": procedure_id})}
