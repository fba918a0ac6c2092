"""The sweep: due reminders into the outbox, each exactly once, whatever the restarts.

One batch is one transaction: claim the oldest due reminders (on PostgreSQL with `FOR UPDATE
SKIP LOCKED`, so two workers never take the same row), decide for each whether its reason
still holds, record it as an event (ReminderDue, MilestoneOverdue) whose mail handler queues
its mails, mark it sent or skipped, plan the next one of a repeating rule, and close each
procedure's change as a command's unit of work is closed (workflow.dispatch.finish: events
handled, rows written, one audit record). A crash anywhere rolls the whole batch back.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import Connection, bindparam, func, insert, select, update

from states.errors import Conflict
from states.phases import Phase
from states.reminders import Due, Facts, Offset, Rule, SkipReason, series_open, skip_reason
from workflow.app import App
from workflow.change import Change
from workflow.db import models as m
from workflow.db.models import table_of
from workflow.deadlines.facts import load_facts
from workflow.deadlines.planning import PENDING, SENT, SKIPPED
from workflow.dispatch import dispatch, finish
from workflow.events import MilestoneOverdue, ReminderDue
from workflow.procedure_store import load_procedure

log = structlog.get_logger("hotspot.worker")

RT, DLT = table_of(m.Reminder), table_of(m.Deadline)
SYSTEM_ACTOR = "system"
SWEEP_ACTION = "reminders.sweep"
# A batch that collides with a person's command on the same procedure is tried again.
MAX_CONFLICT_RETRIES = 3

_CLAIM = (
    select(
        RT.c.id,
        RT.c.procedure_id,
        RT.c.deadline_id,
        RT.c.rule,
        RT.c.offset_label,
        RT.c.planned_for,
        RT.c.occurrence,
        RT.c.due_at,
        DLT.c.subject,
        DLT.c.due,
        DLT.c.since,
    )
    .join(DLT, DLT.c.id == RT.c.deadline_id)
    .where(RT.c.status == PENDING, RT.c.due_at <= bindparam("now"))
    .order_by(RT.c.due_at, RT.c.id)
    .limit(bindparam("limit"))
    .with_for_update(of=RT, skip_locked=True)
)
_DECIDE = (
    update(RT)
    .where(RT.c.id == bindparam("b_id"), RT.c.status == PENDING)
    .values(
        status=bindparam("b_status"),
        reason=bindparam("b_reason"),
        mails=bindparam("b_mails"),
        decided_at=bindparam("b_now"),
    )
)
_SERIES_EXISTS = select(RT.c.id).where(
    RT.c.deadline_id == bindparam("deadline_id"),
    RT.c.rule == bindparam("rule"),
    RT.c.offset_label == bindparam("offset_label"),
    RT.c.planned_for == bindparam("planned_for"),
    RT.c.occurrence == bindparam("occurrence"),
)

# Repeating rules go on by occurrence; the others are one-off reminders before a deadline.
_REPEATING = (Rule.ESCALATION.value, Rule.INVENTORY.value)
_LATEST_DUE = (
    select(RT.c.deadline_id, RT.c.rule, func.max(RT.c.due_at).label("latest"))
    .where(
        RT.c.deadline_id.in_(bindparam("ids", expanding=True)),
        RT.c.status.in_((PENDING, SENT)),
        # Only a later reminder can supersede a claimed one: read just that window.
        RT.c.due_at > bindparam("oldest"),
        RT.c.due_at <= bindparam("now"),
        RT.c.rule.not_in(_REPEATING),
    )
    .group_by(RT.c.deadline_id, RT.c.rule)
)


@dataclass
class SweepReport:
    sent: int = 0
    skipped: int = 0
    mails: int = 0
    procedures: int = 0
    conflicts: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)

    def add(self, other: SweepReport) -> None:
        self.sent += other.sent
        self.skipped += other.skipped
        self.mails += other.mails
        self.procedures += other.procedures
        self.conflicts += other.conflicts
        self.by_rule.update(other.by_rule)
        self.reasons.update(other.reasons)


def sweep(
    app: App,
    now: datetime | None = None,
    *,
    batch_size: int = 200,
    should_stop: Callable[[], bool] = lambda: False,
) -> SweepReport:
    """Queue every reminder due at `now`, batch by batch, until none is left or told to stop."""
    moment = now or app.now()
    total = SweepReport()
    conflicts = 0
    while not should_stop():
        try:
            with app.transaction() as connection:
                batch = _sweep_batch(app, connection, moment, batch_size)
        except Conflict:
            conflicts += 1
            total.conflicts += 1
            log.info("sweep.conflict", attempt=conflicts)
            if conflicts >= MAX_CONFLICT_RETRIES:
                break
            continue
        total.add(batch)
        if batch.sent + batch.skipped < batch_size:
            break
    if total.sent or total.skipped:
        log.info(
            "sweep.done",
            sent=total.sent,
            skipped=total.skipped,
            mails=total.mails,
            procedures=total.procedures,
        )
    return total


def _sweep_batch(app: App, connection: Connection, now: datetime, limit: int) -> SweepReport:
    claimed = connection.execute(_CLAIM, {"now": now, "limit": limit}).all()
    report = SweepReport()
    by_procedure: dict[str, list[Any]] = defaultdict(list)
    for row in claimed:
        by_procedure[row.procedure_id].append(row)
    for procedure_id, rows in by_procedure.items():
        _sweep_procedure(app, connection, procedure_id, rows, now, report)
        report.procedures += 1
    return report


def _sweep_procedure(
    app: App,
    connection: Connection,
    procedure_id: str,
    rows: list[Any],
    now: datetime,
    report: SweepReport,
) -> None:
    procedure = load_procedure(connection, procedure_id)
    phase = Phase(procedure.phase)
    change = Change(connection, procedure, phase, now, SYSTEM_ACTOR, mail=app.settings.mail)
    facts = load_facts(connection, procedure, now)
    policy = procedure.config.reminders
    superseded = _superseded(connection, rows, now)
    decisions: list[dict[str, Any]] = []
    next_ones: list[dict[str, Any]] = []
    sent: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    decided: list[tuple[Any, SkipReason | None]] = []
    try:
        for row in rows:
            rule = Rule(row.rule)
            due = Due(rule, row.subject, row.planned_for)
            reason = SkipReason.SUPERSEDED if row.id in superseded else skip_reason(due, facts)
            if reason is None:
                change.record(_due_event(row, rule, facts))
            decided.append((row, reason))
            offset = _offset_of(policy.offsets(rule), row.offset_label)
            if offset is not None and offset.recurring and series_open(due, facts):
                following = policy.next_occurrence(
                    offset, row.planned_for, now, after=row.occurrence
                )
                moment = policy.occurrence_moment(offset, row.planned_for, following)
                next_ones.append(_next_row(row, following, moment, now))
        # The reminders' mails, in the order of the reminders; how many each one queued.
        dispatch(change)
        for row, reason in decided:
            mails = change.reminder_mails.get(row.id, 0) if reason is None else 0
            if reason is None and mails == 0:
                reason = SkipReason.NO_RECIPIENTS
            decisions.append(
                {
                    "b_id": row.id,
                    "b_status": SKIPPED if reason else SENT,
                    "b_reason": reason.value if reason else None,
                    "b_mails": mails,
                    "b_now": now,
                }
            )
            if reason:
                skipped[reason.value] += 1
                report.reasons[reason.value] += 1
            else:
                sent[row.rule] += 1
                report.by_rule[row.rule] += 1
                report.mails += mails
        connection.execute(_DECIDE, decisions)
        for values in next_ones:
            key = {
                k: values[k]
                for k in ("deadline_id", "rule", "offset_label", "planned_for", "occurrence")
            }
            if connection.execute(_SERIES_EXISTS, key).first() is None:
                connection.execute(insert(RT), values)
        report.sent += sum(sent.values())
        report.skipped += sum(skipped.values())
        change.data = {"sent": dict(sorted(sent.items())), "skipped": dict(sorted(skipped.items()))}
        finish(change, SWEEP_ACTION)
    finally:
        change.close()


def _due_event(row: Any, rule: Rule, facts: Facts) -> ReminderDue | MilestoneOverdue:
    due = row.due or row.planned_for
    if rule is Rule.ESCALATION:
        return MilestoneOverdue(row.id, row.subject, due, facts)
    return ReminderDue(row.id, rule, row.subject, due, row.since, facts)


def _superseded(connection: Connection, rows: list[Any], now: datetime) -> set[int]:
    """One-off reminders with a later reminder of the same deadline and rule also due.

    After an outage the 7-day and the 2-day reminder can both be due: only the later one
    goes out. It may sit in another batch or another worker's claim, so the database says.
    """
    one_off = [r for r in rows if r.rule not in _REPEATING]
    if not one_off:
        return set()
    latest = {
        (r.deadline_id, r.rule): r.latest
        for r in connection.execute(
            _LATEST_DUE,
            {
                "ids": sorted({r.deadline_id for r in one_off}),
                "oldest": min(r.due_at for r in one_off),
                "now": now,
            },
        )
    }
    return {r.id for r in one_off if latest.get((r.deadline_id, r.rule), r.due_at) > r.due_at}


def _offset_of(offsets: tuple[Offset, ...], label: str) -> Offset | None:
    return next((o for o in offsets if o.label == label), None)


def _next_row(row: Any, occurrence: int, due_at: datetime, now: datetime) -> dict[str, Any]:
    return {
        "procedure_id": row.procedure_id,
        "deadline_id": row.deadline_id,
        "rule": row.rule,
        "offset_label": row.offset_label,
        "planned_for": row.planned_for,
        "occurrence": occurrence,
        "due_at": due_at,
        "status": PENDING,
        "reason": None,
        "mails": 0,
        "created_at": now,
        "decided_at": None,
    }
