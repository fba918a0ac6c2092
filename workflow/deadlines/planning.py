"""Planning: the deadline rows of a procedure and the reminders the policy derives from them.

`refresh` runs inside the command that created or moved an obligation. It is idempotent: it
derives the deadlines from the current rows, adds what is new, moves what changed and leaves
every reminder that was already sent or skipped as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import BindParameter, Connection, bindparam, insert, select, update

from states.i18n import local_date
from states.reminders import (
    RULE_DEADLINE,
    DeadlineKind,
    Rule,
    SkipReason,
    reply_deadline,
)
from workflow.change import Change
from workflow.db import models as m
from workflow.db.models import table_of
from workflow.deadlines.facts import milestone_dates

DLT, RT = table_of(m.Deadline), table_of(m.Reminder)
ET, ST, LT, IT = (
    table_of(m.Expert),
    table_of(m.ExpertSession),
    table_of(m.ListVersion),
    table_of(m.InventorySystem),
)
PID: BindParameter[str] = bindparam("pid")

PENDING, SENT, SKIPPED = "pending", "sent", "skipped"
# The nomination deadline is one for the whole panel.
PANEL = "panel"

_INVITED = select(ET.c.id, ET.c.invited_at).where(
    ET.c.procedure_id == PID, ET.c.invited_at.is_not(None)
)
_SESSIONS = select(ST.c.id, ST.c.at, ST.c.cancelled_at).where(ST.c.procedure_id == PID)
_LATEST_LIST = select(LT.c.id).where(LT.c.procedure_id == PID).order_by(LT.c.number.desc()).limit(1)
_SYSTEMS = select(IT.c.id, IT.c.created_at).where(IT.c.procedure_id == PID)
_KINDS: BindParameter[Any] = bindparam("kinds", expanding=True)
_DEADLINES = select(DLT).where(DLT.c.procedure_id == PID, DLT.c.kind.in_(_KINDS))
_REMINDERS = (
    select(
        RT.c.id,
        RT.c.deadline_id,
        RT.c.rule,
        RT.c.offset_label,
        RT.c.planned_for,
        RT.c.status,
    )
    .join(DLT, DLT.c.id == RT.c.deadline_id)
    .where(RT.c.procedure_id == PID, DLT.c.kind.in_(_KINDS))
)
_UPDATE_DEADLINE = (
    update(DLT)
    .where(DLT.c.id == bindparam("b_id"))
    .values(
        due=bindparam("b_due"),
        at=bindparam("b_at"),
        since=bindparam("b_since"),
        updated_at=bindparam("b_now"),
    )
)
_SKIP = (
    update(RT)
    .where(RT.c.id == bindparam("b_id"), RT.c.status == PENDING)
    .values(status=SKIPPED, reason=bindparam("b_reason"), decided_at=bindparam("b_now"))
)

RULES_OF: dict[DeadlineKind, tuple[Rule, ...]] = {}
for _rule, _kind in RULE_DEADLINE.items():
    RULES_OF[_kind] = (*RULES_OF.get(_kind, ()), _rule)


@dataclass(frozen=True, slots=True)
class WantedDeadline:
    kind: DeadlineKind
    subject: str
    due: date | None
    at: datetime | None = None
    since: date | None = None
    cancelled: bool = False

    @property
    def base(self) -> date | None:
        """The day reminders count from: the start of a repeating obligation, else its due day."""
        return self.since if self.kind is DeadlineKind.INVENTORY else self.due


ALL_KINDS = frozenset(DeadlineKind)
# Entering the decision phase freezes a list: only its advice and decision get new dates.
LIST_KINDS = frozenset({DeadlineKind.ADVICE, DeadlineKind.DECISION})


def wanted_deadlines(change: Change, kinds: frozenset[DeadlineKind]) -> list[WantedDeadline]:
    """The procedure's dated obligations of `kinds` as its rows stand now."""
    run = change.connection.execute
    params = {"pid": change.procedure.id}
    milestones = milestone_dates(change.connection, change.procedure.id)
    wanted = []
    if DeadlineKind.MILESTONE in kinds:
        wanted = [
            WantedDeadline(DeadlineKind.MILESTONE, key, due) for key, due in milestones.items()
        ]
    rsvp = milestones.get("rsvp_deadline")
    reply_days = change.config.planning.min_days_invitations_to_rsvp
    for row in run(_INVITED, params) if DeadlineKind.RSVP in kinds else ():
        due = reply_deadline(rsvp, local_date(row.invited_at), reply_days)
        wanted.append(WantedDeadline(DeadlineKind.RSVP, str(row.id), due))
    if DeadlineKind.NOMINATION in kinds and "nomination_deadline" in milestones:
        wanted.append(
            WantedDeadline(DeadlineKind.NOMINATION, PANEL, milestones["nomination_deadline"])
        )
    for session in run(_SESSIONS, params) if DeadlineKind.SESSION in kinds else ():
        wanted.append(
            WantedDeadline(
                DeadlineKind.SESSION,
                str(session.id),
                local_date(session.at),
                at=session.at,
                cancelled=session.cancelled_at is not None,
            )
        )
    latest = run(_LATEST_LIST, params).scalar() if kinds & LIST_KINDS else None
    if latest is not None:
        for kind, key in (
            (DeadlineKind.ADVICE, "archivist_advice"),
            (DeadlineKind.DECISION, "decision"),
        ):
            if kind in kinds and key in milestones:
                wanted.append(WantedDeadline(kind, str(latest), milestones[key]))
    for system in run(_SYSTEMS, params) if DeadlineKind.INVENTORY in kinds else ():
        since = local_date(system.created_at or change.now)
        wanted.append(
            WantedDeadline(
                DeadlineKind.INVENTORY,
                str(system.id),
                milestones.get("inventory_done"),
                since=since,
            )
        )
    return wanted


def refresh(change: Change, kinds: frozenset[DeadlineKind] = ALL_KINDS) -> dict[str, int]:
    """Bring the deadline and reminder rows (of `kinds`) in line with the procedure.

    Returns the counts of what changed, for the command's audit record.
    """
    connection = change.connection
    params: dict[str, Any] = {"pid": change.procedure.id, "kinds": sorted(kinds)}
    policy = change.config.reminders
    now = change.now
    existing = {(r.kind, r.subject): r for r in connection.execute(_DEADLINES, params)}
    reminders: dict[int, list[Any]] = {}
    if existing:
        for row in connection.execute(_REMINDERS, params):
            reminders.setdefault(row.deadline_id, []).append(row)

    counts = {"planned": 0, "moved": 0, "late": 0, "cancelled": 0}
    new_reminders: list[dict[str, Any]] = []
    skips: list[dict[str, Any]] = []
    for wanted in wanted_deadlines(change, kinds):
        deadline_id = _store_deadline(connection, existing, wanted, change)
        rows = reminders.get(deadline_id, [])
        if wanted.cancelled:
            for row in rows:
                if row.status == PENDING:
                    skips.append(_skip(row.id, SkipReason.SESSION_CANCELLED, now))
                    counts["cancelled"] += 1
            continue
        base = wanted.base
        if base is None:
            continue
        for rule in RULES_OF[wanted.kind]:
            for offset in policy.offsets(rule):
                series = [
                    r for r in rows if r.rule == rule.value and r.offset_label == offset.label
                ]
                for row in series:
                    if row.status == PENDING and row.planned_for != base:
                        skips.append(_skip(row.id, SkipReason.MOVED, now))
                        counts["moved"] += 1
                if any(r.planned_for == base for r in series):
                    continue
                occurrence, due_at = policy.first(offset, base, now)
                late = due_at < now
                counts["late" if late else "planned"] += 1
                new_reminders.append(
                    {
                        "procedure_id": change.procedure.id,
                        "deadline_id": deadline_id,
                        "rule": rule.value,
                        "offset_label": offset.label,
                        "planned_for": base,
                        "occurrence": occurrence,
                        "due_at": due_at,
                        "status": SKIPPED if late else PENDING,
                        "reason": SkipReason.PLANNED_LATE.value if late else None,
                        "mails": 0,
                        "created_at": now,
                        "decided_at": now if late else None,
                    }
                )
    if skips:
        connection.execute(_SKIP, skips)
    if new_reminders:
        connection.execute(insert(RT), new_reminders)
    return {key: value for key, value in counts.items() if value}


def _skip(reminder_id: int, reason: SkipReason, now: datetime) -> dict[str, Any]:
    return {"b_id": reminder_id, "b_reason": reason.value, "b_now": now}


def _store_deadline(
    connection: Connection,
    existing: dict[tuple[str, str], Any],
    wanted: WantedDeadline,
    change: Change,
) -> int:
    row = existing.get((wanted.kind.value, wanted.subject))
    if row is None:
        result = connection.execute(
            insert(DLT).returning(DLT.c.id),
            {
                "procedure_id": change.procedure.id,
                "kind": wanted.kind.value,
                "subject": wanted.subject,
                "due": wanted.due,
                "at": wanted.at,
                "since": wanted.since,
                "created_at": change.now,
                "updated_at": change.now,
            },
        )
        return int(result.scalar_one())
    if (row.due, row.at, row.since) != (wanted.due, wanted.at, wanted.since):
        connection.execute(
            _UPDATE_DEADLINE,
            {
                "b_id": row.id,
                "b_due": wanted.due,
                "b_at": wanted.at,
                "b_since": wanted.since,
                "b_now": change.now,
            },
        )
    return int(row.id)


PT, MST = table_of(m.Procedure), table_of(m.Milestone)
_UNPLANNED = select(PT.c.id).where(
    PT.c.phase.not_in(("closed", "cancelled")),
    select(MST.c.key).where(MST.c.procedure_id == PT.c.id).exists(),
    ~select(DLT.c.id).where(DLT.c.procedure_id == PT.c.id).exists(),
)


def unplanned_procedures(connection: Connection) -> list[str]:
    """Open procedures with a planning but no deadline rows: opened before reminders existed."""
    return [str(pid) for pid in connection.execute(_UNPLANNED).scalars()]
