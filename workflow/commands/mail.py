"""Sending failed mail again: one message, or every failed message of a procedure.

A retry puts a message back in the queue with a fresh retry window, to the address on record
now (an address corrected with `expert email` / `member email` already moved there), from the
sender configured now and under a fresh Message-ID. A message that carried a personal link
gets a fresh one (its old one was cleared when it failed); the messages of one person and step
retried together share that one link, since each new link replaces the person's earlier one.

Not everything goes again. Nothing does once the procedure has ended (`mail.procedure_ended`).
A message whose link serves a step that is over is refused (`mail.step_done`: no advice link
once the advice is recorded, no decision link once the decision is); so is one that a newer
message of the same kind to the same person, with its own link, replaced (`mail.superseded`).
Retrying a procedure's mail resends what may go and names what did not, and why; the retry is
audited on the procedure's trail (`mail.retry`), in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, Select, select, update

from notifications.outbox import OUTBOX, OutboxStatus, new_message_id
from states.errors import NotFound, Refused
from states.i18n import Text
from states.verdicts import Verdict, failed
from workflow import links, validation
from workflow.app import App
from workflow.commands.base import Change, run_change
from workflow.mail_labels import STATUS_LABELS
from workflow.notify.context import sealer
from workflow.notify.relink import StepOver, issue_links, step_over

_C = OUTBOX.c
FAILED = OutboxStatus.FAILED.value
_ROWS: Select[Any] = select(
    _C.id, _C.procedure_id, _C.status, _C.kind, _C.link_purpose, _C.link_subject_id
).order_by(_C.id)
_HEADLINE = Text("Deze mail kan niet opnieuw worden verstuurd", "This mail cannot be sent again")


def _not_found(outbox_id: int | str) -> NotFound:
    shown = str(outbox_id)[:40]
    return NotFound(
        Text(f"er is geen bericht nummer {shown}", f"there is no message number {shown}")
    )


@dataclass
class _Plan:
    """Which failed messages go again, the refusal of each that does not, the links issued."""

    resend: list[Row[Any]] = field(default_factory=list)
    refused: list[Verdict] = field(default_factory=list)
    links: int = 0


def retry_message(
    app: App, outbox_id: int | str, *, actor: str, procedure_id: str | None = None
) -> dict[str, Any]:
    """Queue one failed message again, or refuse it naming the rule.

    With `procedure_id`, a message of another procedure is not found (the web and API routes
    name the procedure in their path). Every message is made by a procedure's step.
    """
    number = validation.id_or_none(outbox_id)
    if number is None:
        raise _not_found(outbox_id)
    with app.read() as session:
        row = session.execute(_ROWS.where(_C.id == number)).first()
    if row is None or row.procedure_id is None:
        raise _not_found(outbox_id)
    if procedure_id is not None and row.procedure_id != procedure_id:
        raise _not_found(outbox_id)
    return _retry(app, str(row.procedure_id), actor, only=number)


def retry_procedure(app: App, procedure_id: str, *, actor: str) -> dict[str, Any]:
    """Queue every failed message of a procedure that may go again; refused when none may."""
    return _retry(app, procedure_id, actor, only=None)


def _retry(app: App, procedure_id: str, actor: str, *, only: int | None) -> dict[str, Any]:
    def body(change: Change) -> dict[str, Any]:
        pid = change.procedure.id
        rows = list(change.connection.execute(_ROWS.where(_C.procedure_id == pid)))
        if only is not None:
            candidates = [r for r in rows if r.id == only]
            if not candidates:
                raise _not_found(only)
            if candidates[0].status != FAILED:
                raise Refused(_HEADLINE, [_not_failed(candidates[0])])
        else:
            candidates = [r for r in rows if r.status == FAILED]
            if not candidates:
                raise Refused.one(
                    _HEADLINE,
                    "mail.nothing_failed",
                    Text(
                        "er is geen mislukte mail van deze procedure om opnieuw te versturen",
                        "there is no failed mail of this procedure to send again",
                    ),
                    Text("mislukt: 0", "failed: 0"),
                    failed=0,
                )
        plan = _plan(change, rows, candidates)
        if not plan.resend:
            raise Refused(_HEADLINE, plan.refused)
        _requeue(change, plan)
        resent = [int(r.id) for r in plan.resend]
        change.data = {
            "messages": resent,
            "count": len(resent),
            "links": plan.links,
            "skipped": {str(v.data["outbox_id"]): v.code for v in plan.refused},
        }
        return {
            "ok": True,
            "procedure": change.procedure.id,
            "messages": resent,
            "count": len(resent),
            "links": plan.links,
            "skipped": [
                {
                    "message": v.data["outbox_id"],
                    "code": v.code,
                    "reason": v.explain("nl"),
                    "reason_en": v.explain("en"),
                }
                for v in plan.refused
            ],
            "phase": change.procedure.phase,
        }

    return run_change(app, procedure_id, actor, "mail.retry", body)


def _not_failed(row: Row[Any]) -> Verdict:
    label = STATUS_LABELS.get(row.status, Text(row.status, row.status))
    return failed(
        "mail.not_failed",
        Text(
            f"bericht {row.id} is niet mislukt ({label.nl}); alleen mislukte mail kan opnieuw",
            f"message {row.id} has not failed ({label.en}); only failed mail can be sent again",
        ),
        Text(f"status: {label.nl}", f"status: {label.en}"),
        outbox_id=int(row.id),
        status=row.status,
    )


def _plan(change: Change, rows: Sequence[Row[Any]], candidates: Sequence[Row[Any]]) -> _Plan:
    """Sort the candidates into what goes again and what is refused, with the rule of each."""
    plan = _Plan()
    ended = step_over(change.connection, change.procedure.id, change.phase, None)
    # The newest message of each kind carrying a link for one person and step: it replaced
    # the older ones (its link revoked theirs), so only it may go again.
    newest: dict[tuple[str, str, int], int] = {}
    for row in rows:
        key = _link_key(row)
        if key is not None:
            newest[key] = max(newest.get(key, 0), int(row.id))
    steps: dict[str, StepOver | None] = {}
    for row in candidates:
        key = _link_key(row)
        if ended is not None:
            plan.refused.append(_refusal(row, ended.code, ended.message, ended.figures))
            continue
        if key is not None and newest[key] != row.id:
            plan.refused.append(
                _refusal(
                    row,
                    "mail.superseded",
                    Text(
                        f"bericht {newest[key]} (nieuwer, dezelfde soort aan dezelfde persoon) "
                        "verving dit bericht en zijn link",
                        f"message {newest[key]} (newer, the same kind to the same person) "
                        "replaced this message and its link",
                    ),
                    Text(f"vervangen door: {newest[key]}", f"replaced by: {newest[key]}"),
                )
            )
            continue
        if key is not None:
            purpose = key[1]
            if purpose not in steps:
                steps[purpose] = step_over(
                    change.connection, change.procedure.id, change.phase, links.Purpose(purpose)
                )
            over = steps[purpose]
            if over is not None:
                plan.refused.append(_refusal(row, over.code, over.message, over.figures))
                continue
        plan.resend.append(row)
    return plan


def _link_key(row: Row[Any]) -> tuple[str, str, int] | None:
    if row.link_purpose is None or row.link_subject_id is None:
        return None
    return (str(row.kind), str(row.link_purpose), int(row.link_subject_id))


def _refusal(row: Row[Any], code: str, message: Text, figures: Text) -> Verdict:
    return failed(
        code,
        Text(f"bericht {row.id}: {message.nl}", f"message {row.id}: {message.en}"),
        figures,
        outbox_id=int(row.id),
    )


def _requeue(change: Change, plan: _Plan) -> None:
    """Put the planned messages back in the queue; one fresh link per person and step."""
    wanted: dict[str, set[int]] = {}
    for row in plan.resend:
        if row.link_purpose is not None and row.link_subject_id is not None:
            wanted.setdefault(str(row.link_purpose), set()).add(int(row.link_subject_id))
    fresh = {
        (purpose, subject): link.url
        for purpose, subjects in wanted.items()
        for subject, link in issue_links(
            change.connection,
            keys=change.keys,
            mail=change.mail,
            procedure_id=change.procedure.id,
            purpose=links.Purpose(purpose),
            subjects=sorted(subjects),
            now=change.now,
        ).items()
    }
    plan.links = len(fresh)
    for row in plan.resend:
        url = fresh.get((str(row.link_purpose), int(row.link_subject_id or 0)))
        _queue_again(change, int(row.id), sealer(change).seal(url) if url else None)


def _queue_again(change: Change, outbox_id: int, sealed: str | None) -> None:
    sender = change.mail.sender
    change.connection.execute(
        update(OUTBOX)
        .where(_C.id == outbox_id, _C.status == FAILED)
        .values(
            status=OutboxStatus.PENDING.value,
            attempts=0,
            first_failed_at=None,
            next_attempt_at=change.now,
            last_error=None,
            reported_at=None,
            link_secret=sealed,
            # What is configured now: a sender put right since, and a Message-ID of its own
            # (a receiver never saw this message, and the old one may name a wrong domain).
            sender=sender,
            message_id=new_message_id(sender),
        )
    )
