"""Where a procedure stands: its phase, what blocks the next one, deviations, milestones, counts.

Read through the Core tables on one reading connection, so `hotspot status` loads neither
the ORM nor the command machinery (mail, deadlines planning, documents): it imports only what
this module does. `workflow.commands.procedures` offers the same `status` to its callers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Connection, ScalarSelect, Table, bindparam, func, select

from states.i18n import Language
from states.machine import definition
from states.phases import Phase
from states.snapshot import Part
from states.verdicts import Verdict
from workflow import repository
from workflow.db import tables
from workflow.deadlines.listing import overdue_milestones
from workflow.procedure_store import ProcedureRecord, load_procedure

if TYPE_CHECKING:
    from workflow.app import App

_DV, _ORG = tables.deviations, tables.organisations
_DEVIATIONS = (
    select(_DV.c.rule_code, _DV.c.reason, _DV.c.actor, _DV.c.recorded_at)
    .where(_DV.c.procedure_id == bindparam("pid"))
    .order_by(_DV.c.id)
)
_ORGANISATION = select(_ORG.c.name).where(_ORG.c.id == bindparam("org"))


@dataclass(frozen=True, slots=True)
class RecordedDeviation:
    """A deliberate deviation from a balance rule, as recorded (`hotspot deviate`)."""

    rule_code: str
    reason: str
    actor: str
    recorded_at: datetime


@dataclass(frozen=True)
class Status:
    procedure: ProcedureRecord
    organisation: str
    phase: Phase
    verdicts: list[Verdict]
    deviations: list[RecordedDeviation]
    milestones: dict[str, date]
    counts: dict[str, int]
    # Milestones past their day with their work not done: key -> {days_overdue, ...}.
    overdue: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self, lang: Language = "nl") -> dict[str, Any]:
        nxt = self.phase.next
        return {
            "ok": True,
            "procedure": self.procedure.id,
            "organisation": self.organisation,
            "governing_body": self.procedure.governing_body,
            "period": f"{self.procedure.period_start}-{self.procedure.period_end}",
            "phase": self.phase.value,
            "next_phase": nxt.value if nxt and self.phase.is_open else None,
            "version": self.procedure.version,
            "cancel_reason": self.procedure.cancel_reason,
            "blockers": [v.to_json(lang) for v in self.verdicts if v.blocks],
            "verdicts": [v.to_json(lang) for v in self.verdicts],
            "deviations": [
                {
                    "rule": d.rule_code,
                    "reason": d.reason,
                    "actor": d.actor,
                    "recorded_at": d.recorded_at.isoformat(),
                }
                for d in self.deviations
            ],
            "milestones": {k: v.isoformat() for k, v in self.milestones.items()},
            "overdue_milestones": [
                {**o, "due": o["due"].isoformat()} for o in self.overdue.values()
            ],
            "counts": self.counts,
        }


def status(app: App, procedure_id: str) -> Status:
    with app.reading() as connection:
        procedure = load_procedure(connection, procedure_id)
        phase = Phase(procedure.phase)
        defn = definition(procedure.definition_version)
        snapshot = repository.load_snapshot(connection, procedure, defn.exit_needs(phase))
        verdicts = defn.evaluate(snapshot, procedure.config) if phase.is_open else []
        organisation = connection.scalar(_ORGANISATION, {"org": procedure.organisation_id})
        deviations = [
            RecordedDeviation(r.rule_code, r.reason, r.actor, r.recorded_at)
            for r in connection.execute(_DEVIATIONS, {"pid": procedure.id})
        ]
        milestones = repository.load_snapshot(
            connection, procedure, frozenset({Part.MILESTONES})
        ).milestones
        order = procedure.config.planning.milestones
        ordered = {k: milestones[k] for k in order if k in milestones}
        return Status(
            procedure,
            organisation or "",
            phase,
            verdicts,
            deviations,
            ordered,
            _counts(connection, procedure.id),
            {
                o["key"]: o
                for o in overdue_milestones(connection, procedure, app.now(), dates=ordered)
            },
        )


def _count(table: Table, *where: ColumnElement[bool]) -> ScalarSelect[int]:
    query = select(func.count()).select_from(table)
    return query.where(table.c.procedure_id == bindparam("pid"), *where).scalar_subquery()


_EX, _CA, _OUT = tables.experts, tables.candidates, tables.outbox
_ACCEPTED = _EX.c.response == "accepted"
# Every count in one statement: one round trip, and one statement to compile per process.
_COUNTS = select(
    _count(tables.members).label("members"),
    _count(_EX).label("experts"),
    _count(_EX, _ACCEPTED).label("experts_accepted"),
    _count(_EX, _ACCEPTED, _EX.c.perspective == "external").label("experts_external_accepted"),
    # A cancelled session was never held; it stays on record, not in the count.
    _count(tables.expert_sessions, tables.expert_sessions.c.cancelled_at.is_(None)).label(
        "sessions"
    ),
    _count(_CA).label("candidates"),
    _count(_CA, _CA.c.included.is_(True), _CA.c.assessed.is_(True)).label("concept_list"),
    _count(tables.audit_records).label("audit_records"),
    # Mail the facilitator must look at: waiting to go out, or given up on.
    _count(_OUT, _OUT.c.status.in_(["pending", "sending"])).label("mail_pending"),
    _count(_OUT, _OUT.c.status == "failed").label("mail_failed"),
)


def _counts(connection: Connection, pid: str) -> dict[str, int]:
    row = connection.execute(_COUNTS, {"pid": pid}).one()
    return {key: int(value or 0) for key, value in row._mapping.items()}
