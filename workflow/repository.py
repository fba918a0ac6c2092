"""Loading procedures and building the snapshots the rules read, one query per needed part."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from states.config import RuleConfig, parse_config
from states.errors import NotFound
from states.i18n import Text
from states.phases import Phase
from states.snapshot import (
    Candidate,
    Dossier,
    Expert,
    ListEntry,
    ListStatus,
    ListVersion,
    Member,
    Part,
    Perspective,
    ProcedureSnapshot,
    Publication,
    Response,
    SearchedSystem,
)
from states.snapshot import (
    Session as SessionData,
)
from workflow.db import models as m


def get_procedure(session: Session, procedure_id: str) -> m.Procedure:
    procedure = session.get(m.Procedure, procedure_id.strip())
    if procedure is None:
        raise NotFound(
            Text(
                f"procedure {procedure_id!r} bestaat niet; zie 'hotspot list'",
                f"procedure {procedure_id!r} does not exist; see 'hotspot list'",
            )
        )
    return procedure


@lru_cache(maxsize=256)
def _parse_cached(config_json: str) -> RuleConfig:
    return parse_config(json.loads(config_json))


def rule_config(procedure: m.Procedure) -> RuleConfig:
    """The configuration the procedure was opened with (never today's defaults)."""
    return _parse_cached(json.dumps(procedure.config, sort_keys=True))


def latest_list_version(session: Session, procedure_id: str) -> m.ListVersion | None:
    query = (
        select(m.ListVersion)
        .where(m.ListVersion.procedure_id == procedure_id)
        .order_by(m.ListVersion.number.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def list_entries(row: m.ListVersion) -> tuple[ListEntry, ...]:
    return tuple(entry_from_json(e) for e in row.entries)


def entry_from_json(e: dict[str, Any]) -> ListEntry:
    return ListEntry(
        candidate_id=int(e["candidate_id"]),
        number=str(e["number"]),
        title=str(e["title"]),
        period_start=date.fromisoformat(e["period_start"]),
        period_end=date.fromisoformat(e["period_end"]) if e.get("period_end") else None,
        description=str(e["description"]),
        criteria=tuple(int(c) for c in e["criteria"]),
        motivation=str(e["motivation"]),
        nominated_by_perspective=Perspective(e["nominated_by_perspective"]),
    )


def entry_to_json(entry: ListEntry) -> dict[str, Any]:
    return {
        "candidate_id": entry.candidate_id,
        "number": entry.number,
        "title": entry.title,
        "period_start": entry.period_start.isoformat(),
        "period_end": entry.period_end.isoformat() if entry.period_end else None,
        "description": entry.description,
        "criteria": list(entry.criteria),
        "motivation": entry.motivation,
        "nominated_by_perspective": entry.nominated_by_perspective.value,
    }


def list_version_data(row: m.ListVersion | None) -> ListVersion | None:
    if row is None:
        return None
    return ListVersion(
        number=row.number,
        status=ListStatus(row.status),
        entries=list_entries(row),
        advice_positive=row.advice_positive,
        advice_by=row.advice_by,
        decision_date=row.decision_date,
        decision_ref=row.decision_ref,
    )


def criteria_of(text: str) -> tuple[int, ...]:
    return tuple(int(c) for c in text.split(",") if c)


def load_snapshot(
    session: Session, procedure: m.Procedure, parts: frozenset[Part]
) -> ProcedureSnapshot:
    """The procedure as plain data, with only `parts` (and the deviations) fetched."""
    pid = procedure.id
    values: dict[str, Any] = {}
    if Part.MEMBERS in parts:
        rows = session.scalars(select(m.Member).where(m.Member.procedure_id == pid))
        values["members"] = tuple(Member(r.name, r.email, r.role) for r in rows)
    if Part.MILESTONES in parts:
        rows_ms = session.scalars(select(m.Milestone).where(m.Milestone.procedure_id == pid))
        values["milestones"] = {r.key: r.due for r in rows_ms}
    if Part.EXPERTS in parts:
        rows_ex = session.scalars(
            select(m.Expert).where(m.Expert.procedure_id == pid).order_by(m.Expert.id)
        )
        values["experts"] = tuple(
            Expert(
                r.id, r.name, r.email, Perspective(r.perspective), r.profile, Response(r.response)
            )
            for r in rows_ex
        )
    if Part.SESSIONS in parts:
        values["sessions"] = _sessions(session, pid)
    if Part.CANDIDATES in parts:
        rows_c = session.scalars(
            select(m.Candidate).where(m.Candidate.procedure_id == pid).order_by(m.Candidate.id)
        )
        values["candidates"] = tuple(
            Candidate(
                r.id,
                r.title,
                r.period_start,
                r.period_end,
                r.nominated_by,
                r.assessed,
                r.included,
                criteria_of(r.criteria),
                r.motivation,
            )
            for r in rows_c
        )
    if Part.LIST_VERSION in parts:
        values["list_version"] = list_version_data(latest_list_version(session, pid))
    if Part.INVENTORY in parts:
        values["inventory"] = _inventory(session, pid)
    if Part.PUBLICATION in parts:
        pub = session.get(m.Publication, pid)
        values["publication"] = (
            Publication(pub.channel, pub.reference, pub.in_force, pub.objection_weeks)
            if pub
            else None
        )
    deviations = session.execute(
        select(m.Deviation.rule_code, m.Deviation.reason).where(m.Deviation.procedure_id == pid)
    )
    return ProcedureSnapshot(
        phase=Phase(procedure.phase),
        loaded=parts,
        empty_list_reason=procedure.empty_list_reason,
        deviations={code: reason for code, reason in deviations},
        **values,
    )


def _sessions(session: Session, pid: str) -> tuple[SessionData, ...]:
    rows = list(
        session.scalars(
            select(m.ExpertSession)
            .where(m.ExpertSession.procedure_id == pid)
            .order_by(m.ExpertSession.at, m.ExpertSession.id)
        )
    )
    attendees: dict[int, set[int]] = defaultdict(set)
    if rows:
        pairs = session.execute(
            select(m.Attendance.session_id, m.Attendance.expert_id)
            .join(m.ExpertSession, m.ExpertSession.id == m.Attendance.session_id)
            .where(m.ExpertSession.procedure_id == pid)
        )
        for session_id, expert_id in pairs:
            attendees[session_id].add(expert_id)
    return tuple(SessionData(r.id, r.at, frozenset(attendees[r.id])) for r in rows)


def _inventory(session: Session, pid: str) -> tuple[SearchedSystem, ...]:
    systems = list(
        session.scalars(
            select(m.InventorySystem)
            .where(m.InventorySystem.procedure_id == pid)
            .order_by(m.InventorySystem.id)
        )
    )
    dossiers: dict[int, list[Dossier]] = defaultdict(list)
    if systems:
        rows = session.scalars(
            select(m.Dossier)
            .join(m.InventorySystem, m.InventorySystem.id == m.Dossier.inventory_system_id)
            .where(m.InventorySystem.procedure_id == pid)
            .order_by(m.Dossier.id)
        )
        for d in rows:
            dossiers[d.inventory_system_id].append(
                Dossier(d.dossier_ref, d.archiefnominatie, d.reason)
            )
    return tuple(
        SearchedSystem(s.candidate_id, s.system, s.owner, tuple(dossiers[s.id]), s.none_reason)
        for s in systems
    )
