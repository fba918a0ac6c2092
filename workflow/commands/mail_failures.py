"""The daily summary of failed mail: to a procedure's procesbegeleider(s), at most once a day.

The worker calls `summarise` every round. A procedure gets a summary when it has mail that
failed for good and was not reported yet, or (once per problem) when its mail is held back by
a problem with the mail set-up, and no summary went to it in the last 24 hours. A summary is
never about summaries: one that fails itself is not reported again, so a facilitator whose
own address is wrong gets at most one failed summary a day. Each summary is audited on the
procedure's trail (`mail.failures_reported`) and marks what it told (the failed messages, the
problem) in its own transaction: nothing counts as reported unless a summary said it. A
procedure without a procesbegeleider is passed over when reading, without a write.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import structlog
from sqlalchemy import func, select, update

from notifications.kinds import MailKind, kind_label
from notifications.outbox import OUTBOX, OutboxStatus
from notifications.sender import PROBLEMS
from states.errors import Conflict, HotspotError
from states.i18n import Language, Text
from workflow.app import App
from workflow.change import Change
from workflow.commands.base import changing
from workflow.db import models as m
from workflow.db.models import table_of
from workflow.mail_labels import problem_label
from workflow.notify.context import send
from workflow.notify.recipients import FACILITATOR_ROLE, Addressee, members

log = structlog.get_logger("hotspot")

ACTION = "mail.failures_reported"
ACTOR = "system"
EVERY = timedelta(hours=24)
SUMMARY = MailKind.MAIL_FAILURES.value
_C, _P = OUTBOX.c, PROBLEMS.c
_M = table_of(m.Member).c
_UNREPORTED = (
    _C.status == OutboxStatus.FAILED.value,
    _C.reported_at.is_(None),
    _C.kind != SUMMARY,
    _C.procedure_id.is_not(None),
)
_WAITING = (OutboxStatus.PENDING.value, OutboxStatus.SENDING.value)


@dataclass(frozen=True, slots=True)
class _Problem:
    """The set-up problem not told yet."""

    id: int
    code: str
    detail: str
    since: datetime


class _NothingToReport(HotspotError):
    """Raised inside the summary's transaction to leave no audit record behind."""

    kind = "nothing_to_report"


def summarise(app: App, now: datetime) -> int:
    """Queue the summaries that are due; how many procedures got one."""
    with app.read() as session:
        run = session.connection().execute
        failing = set(run(select(_C.procedure_id).where(*_UNREPORTED).distinct()).scalars())
        found = run(
            select(_P.id, _P.code, _P.detail, _P.first_seen_at)
            .where(_P.resolved_at.is_(None), _P.reported_at.is_(None))
            .order_by(_P.id)
            .limit(1)
        ).first()
        problem = (
            _Problem(int(found.id), found.code, found.detail, found.first_seen_at)
            if found
            else None
        )
        waiting: set[str] = set()
        if problem is not None:
            waiting = set(
                run(
                    select(_C.procedure_id)
                    .where(_C.status.in_(_WAITING), _C.procedure_id.is_not(None))
                    .distinct()
                ).scalars()
            )
        recent = set(
            run(
                select(_C.procedure_id)
                .where(_C.kind == SUMMARY, _C.created_at > now - EVERY)
                .distinct()
            ).scalars()
        )
        candidates = (failing | waiting) - recent
        told = (
            set(
                run(
                    select(_M.procedure_id)
                    .where(_M.procedure_id.in_(sorted(candidates)), _M.role == FACILITATOR_ROLE)
                    .distinct()
                ).scalars()
            )
            if candidates
            else set()
        )
    done = 0
    for procedure_id in sorted(candidates & told):
        try:
            with changing(app, procedure_id, ACTOR, ACTION) as change:
                _summary(change, procedure_id in waiting, problem)
        except (_NothingToReport, Conflict):
            # Told already, or another worker got there first: the next round sees.
            continue
        done += 1
    if done:
        log.info("mail.failures_reported", procedures=done)
    return done


def _summary(change: Change, held: bool, problem: _Problem | None) -> None:
    pid = change.procedure.id
    run = change.connection.execute
    if run(
        select(func.count())
        .select_from(OUTBOX)
        .where(_C.procedure_id == pid, _C.kind == SUMMARY, _C.created_at > change.now - EVERY)
    ).scalar():
        raise _NothingToReport(Text("al gemeld", "already reported"))
    rows = run(
        select(_C.id, _C.kind, _C.recipient_name, _C.recipient_email, _C.subject, _C.last_error)
        .where(*_UNREPORTED, _C.procedure_id == pid)
        .order_by(_C.id)
    ).all()
    told = members(change, FACILITATOR_ROLE)
    if not told or not (rows or (held and problem is not None)):
        raise _NothingToReport(Text("niemand of niets te melden", "nobody or nothing to tell"))

    def extra(_person: Addressee, lang: Language) -> dict[str, Any]:
        return {
            "failures": [
                {
                    "kind_label": kind_label(r.kind, lang),
                    "recipient": f"{r.recipient_name} <{r.recipient_email}>",
                    "subject": r.subject,
                    "error": r.last_error or "",
                }
                for r in rows
            ],
            "problem": (
                {
                    "code": problem.code,
                    "label": problem_label(problem.code, lang),
                    "detail": problem.detail,
                    "since": problem.since,
                }
                if held and problem is not None
                else None
            ),
            "mail_page": f"{change.mail.base_url}/procedures/{quote(pid, safe='')}#mail",
            "retry_command": f"hotspot mail retry --procedure {pid}",
        }

    sent = send(change, MailKind.MAIL_FAILURES, told, extra)
    ids = [int(r.id) for r in rows]
    if ids:
        run(update(OUTBOX).where(_C.id.in_(ids)).values(reported_at=change.now))
    if held and problem is not None:
        # Told, in the same transaction as the telling.
        run(
            update(PROBLEMS)
            .where(_P.id == problem.id, _P.reported_at.is_(None))
            .values(reported_at=change.now)
        )
    change.data = {
        "failed": ids,
        "problem": problem.code if held and problem is not None else None,
        "to": sent,
    }
