"""Loading procedures and building the snapshots the rules read, one query per needed part."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, bindparam, select

from states.errors import NotFound
from states.i18n import Text
from states.phases import Phase
from states.snapshot import (
    Candidate,
    CaseProgress,
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
from workflow.db import tables
from workflow.procedure_store import ProcedureRecord

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from workflow.db import models as m

# The snapshot loaders read the Core tables: a command that only reads (`hotspot status`)
# never loads the ORM. The two functions on an ORM session import the classes when called.
MT, MST, ET = tables.members, tables.milestones, tables.experts
ST, AT, CT = tables.expert_sessions, tables.attendance, tables.candidates
LT, IT, DT = tables.list_versions, tables.inventory_systems, tables.dossiers
PT, DVT = tables.publications, tables.deviations
IST, ZT = tables.information_systems, tables.zgw_cases
# The apply results that leave a case kept in its case system (workflow.zgw.apply.Result).
KEPT_RESULTS = ("changed", "unchanged")


def get_procedure(session: Session, procedure_id: str) -> m.Procedure:
    from workflow.db import models as m

    procedure = session.get(m.Procedure, procedure_id.strip())
    if procedure is None:
        raise NotFound(
            Text(
                f"procedure {procedure_id!r} bestaat niet",
                f"procedure {procedure_id!r} does not exist",
            )
        )
    return procedure


def latest_list_version(session: Session, procedure_id: str) -> m.ListVersion | None:
    from workflow.db import models as m

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


def criteria_of(text: str) -> tuple[int, ...]:
    return tuple(int(c) for c in text.split(",") if c)


def _by_procedure(*columns: Any, order: Any = None) -> Any:
    """A prepared SELECT of `columns` for one procedure (bound as :pid)."""
    table = columns[0].table
    query = select(*columns).where(table.c.procedure_id == bindparam("pid"))
    return query.order_by(order) if order is not None else query


_MEMBERS = _by_procedure(MT.c.name, MT.c.email, MT.c.role)
_MILESTONES = _by_procedure(MST.c.key, MST.c.due)
_EXPERTS = _by_procedure(
    ET.c.id, ET.c.name, ET.c.email, ET.c.perspective, ET.c.profile, ET.c.response, order=ET.c.id
)
# One row per attendee (or one row for a session nobody attended yet). A cancelled session
# was never held, so the rules do not see it.
_SESSIONS = (
    select(ST.c.id, ST.c.at, AT.c.expert_id)
    .outerjoin(AT, AT.c.session_id == ST.c.id)
    .where(ST.c.procedure_id == bindparam("pid"), ST.c.cancelled_at.is_(None))
    .order_by(ST.c.at, ST.c.id)
)
_CANDIDATES = _by_procedure(
    CT.c.id,
    CT.c.title,
    CT.c.period_start,
    CT.c.period_end,
    CT.c.nominated_by,
    CT.c.assessed,
    CT.c.included,
    CT.c.criteria,
    CT.c.motivation,
    CT.c.description,
    CT.c.proposed_criteria,
    order=CT.c.id,
)
_LIST_VERSION = _by_procedure(
    LT.c.number,
    LT.c.status,
    LT.c.entries,
    LT.c.advice_positive,
    LT.c.advice_by,
    LT.c.decision_date,
    LT.c.decision_ref,
    LT.c.advice_reason,
    order=LT.c.number.desc(),
).limit(1)
# One row per dossier (or one row for a system where nothing was marked yet).
_SYSTEMS = (
    select(
        IT.c.id,
        IT.c.candidate_id,
        IT.c.system,
        IT.c.owner,
        IT.c.none_reason,
        DT.c.dossier_ref,
        DT.c.archiefnominatie,
        DT.c.reason,
    )
    .outerjoin(DT, DT.c.inventory_system_id == IT.c.id)
    .where(IT.c.procedure_id == bindparam("pid"))
    .order_by(IT.c.id, DT.c.id)
)
# The case systems among the procedure's information systems, and every case found in one.
_CASE_SYSTEMS = select(IST.c.name).where(
    IST.c.procedure_id == bindparam("pid"), IST.c.zaken_url.is_not(None)
)
_CASES = (
    select(
        ZT.c.candidate_id,
        IST.c.name,
        ZT.c.identificatie,
        ZT.c.selected,
        ZT.c.result,
        ZT.c.outcome,
        ZT.c.explanation,
        ZT.c.check_result,
        ZT.c.check,
    )
    .join(IST, IST.c.id == ZT.c.system_id)
    .where(ZT.c.procedure_id == bindparam("pid"))
    .order_by(ZT.c.id)
)
_DECISION_REF = (
    select(LT.c.decision_ref)
    .where(LT.c.procedure_id == bindparam("pid"))
    .order_by(LT.c.number.desc())
    .limit(1)
)
# What the drift guard found that means a case no longer holds what keeping it requires.
LOST_CHECKS = ("not_restored", "gone")
_SEARCHED = select(IT.c.candidate_id, IT.c.system, IT.c.searched_at).where(
    IT.c.procedure_id == bindparam("pid")
)
_PUBLICATION = _by_procedure(PT.c.channel, PT.c.reference, PT.c.in_force, PT.c.objection_weeks)


def load_snapshot(
    connection: Connection,
    procedure: ProcedureRecord,
    parts: frozenset[Part],
) -> ProcedureSnapshot:
    """The procedure as plain data, with only `parts` fetched; deviations come with the record."""
    pid = {"pid": procedure.id}
    run = connection.execute
    values: dict[str, Any] = {}
    if Part.MEMBERS in parts:
        values["members"] = tuple(Member(*r) for r in run(_MEMBERS, pid))
    if Part.MILESTONES in parts:
        values["milestones"] = {key: due for key, due in run(_MILESTONES, pid)}
    if Part.EXPERTS in parts:
        values["experts"] = tuple(
            Expert(
                r.id, r.name, r.email, Perspective(r.perspective), r.profile, Response(r.response)
            )
            for r in run(_EXPERTS, pid)
        )
    if Part.SESSIONS in parts:
        attendees: dict[int, set[int]] = {}
        moments: dict[int, Any] = {}
        for session_id, at, expert_id in run(_SESSIONS, pid):
            moments[session_id] = at
            present = attendees.setdefault(session_id, set())
            if expert_id is not None:
                present.add(expert_id)
        values["sessions"] = tuple(
            SessionData(sid, moments[sid], frozenset(attendees[sid])) for sid in moments
        )
    if Part.CANDIDATES in parts:
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
                r.description,
                criteria_of(r.proposed_criteria),
            )
            for r in run(_CANDIDATES, pid)
        )
    if Part.LIST_VERSION in parts:
        row = run(_LIST_VERSION, pid).first()
        values["list_version"] = (
            ListVersion(
                row.number,
                ListStatus(row.status),
                tuple(entry_from_json(e) for e in row.entries),
                row.advice_positive,
                row.advice_by,
                row.decision_date,
                row.decision_ref,
                row.advice_reason,
            )
            if row
            else None
        )
    if Part.INVENTORY in parts:
        systems: dict[int, Any] = {}
        found: dict[int, list[Dossier]] = defaultdict(list)
        for r in run(_SYSTEMS, pid):
            systems.setdefault(r.id, r)
            if r.dossier_ref is not None:
                found[r.id].append(Dossier(r.dossier_ref, r.archiefnominatie, r.reason))
        cases = case_progress(connection, pid)
        values["inventory"] = tuple(
            SearchedSystem(
                r.candidate_id,
                r.system,
                r.owner,
                tuple(found[sid]) + cases.get((r.candidate_id, r.system), ((), None))[0],
                r.none_reason,
                cases.get((r.candidate_id, r.system), ((), None))[1],
            )
            for sid, r in systems.items()
        )
    if Part.PUBLICATION in parts:
        pub = run(_PUBLICATION, pid).first()
        values["publication"] = Publication(*pub) if pub else None
    return ProcedureSnapshot(
        phase=Phase(procedure.phase),
        loaded=parts,
        empty_list_reason=procedure.empty_list_reason,
        deviations=procedure.deviations,
        **values,
    )


_DEVIATIONS = (
    select(DVT.c.rule_code, DVT.c.reason, DVT.c.actor, DVT.c.recorded_at)
    .where(DVT.c.procedure_id == bindparam("pid"))
    .order_by(DVT.c.recorded_at, DVT.c.id)
)


def deviation_rows(connection: Connection, procedure_id: str) -> list[Row[Any]]:
    """Every recorded deviation with its reason, who recorded it and when, oldest first."""
    return list(connection.execute(_DEVIATIONS, {"pid": procedure_id}))


def case_progress(
    connection: Connection, pid: dict[str, str]
) -> dict[tuple[int, str], tuple[tuple[Dossier, ...], CaseProgress]]:
    """Per hotspot and case system: the cases kept there, as dossiers whose reason is the
    kenmerk the case system now carries (it names the decision), and the progress. A case the
    drift guard found lost (not restored, gone) is no dossier and, unexplained, still open."""
    names = set(connection.execute(_CASE_SYSTEMS, pid).scalars())
    if not names:
        return {}
    ref = connection.execute(_DECISION_REF, pid).scalar() or ""
    # The kenmerk's source (workflow.zgw.marking) is cut to the API's 40 characters: a source
    # that is the start of the decision's own names the decision, and is cited whole.
    whole = f"hotspotlijst {ref}"
    kept: dict[tuple[int, str], list[Dossier]] = defaultdict(list)
    counts: dict[tuple[int, str], dict[str, int]] = defaultdict(
        lambda: {"undecided": 0, "unapplied": 0, "unresolved": 0}
    )
    for r in connection.execute(_CASES, pid):
        key = (r.candidate_id, r.name)
        tally = counts[key]
        if r.selected is None:
            tally["undecided"] += 1
        elif not r.selected:
            continue
        elif r.result is None:
            tally["unapplied"] += 1
        elif r.result in KEPT_RESULTS and r.check_result not in LOST_CHECKS:
            restored = (r.check or {}).get("after") if r.check_result == "restored" else None
            after = restored or (r.outcome or {}).get("after") or {}
            found = [
                str(k.get("bron", "")) for k in after.get("kenmerken") or () if isinstance(k, dict)
            ]
            if ref and any(len(f) > len("hotspotlijst ") and whole.startswith(f) for f in found):
                found.append(whole)
            nomination = after.get("archiefnominatie") or ""
            kept[key].append(Dossier(r.identificatie, nomination, "; ".join(found)))
        elif not (r.explanation or "").strip():
            tally["unresolved"] += 1
    progress: dict[tuple[int, str], tuple[tuple[Dossier, ...], CaseProgress]] = {}
    for candidate_id, system, searched_at in connection.execute(_SEARCHED, pid):
        if system not in names:
            continue
        key = (candidate_id, system)
        tally = counts.get(key, {})
        progress[key] = (
            tuple(kept.get(key, ())),
            CaseProgress(searched_at is not None, **tally),
        )
    return progress
