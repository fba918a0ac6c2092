"""What every mail's template gets: the letterhead, dates, sessions, entries, balance."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from sqlalchemy import bindparam, select

from notifications.kinds import MailKind
from notifications.outbox import (
    AttachmentRef,
    CalendarPart,
    OutgoingMail,
    PersonalLink,
    Recipient,
    queue,
)
from notifications.render import render_mail
from notifications.sealed import Sealer
from states.balance_report import BALANCE_CODES, balance_report, rule_label
from states.i18n import Language
from states.phases import Phase
from states.rules import RULES_BY_CODE
from states.snapshot import ListEntry, Part, ProcedureSnapshot
from states.vocabulary import PERSPECTIVE_LABELS
from workflow import repository
from workflow.actors import person_name
from workflow.change import Change
from workflow.db import models as m
from workflow.db.models import table_of
from workflow.keys import KeyUse
from workflow.notify.recipients import PID, Addressee, Workgroup, workgroup

ST, MST = table_of(m.ExpertSession), table_of(m.Milestone)
_LIVE_SESSIONS = (
    select(ST.c.at, ST.c.location)
    .where(ST.c.procedure_id == PID, ST.c.cancelled_at.is_(None))
    .order_by(ST.c.at, ST.c.id)
)
_MILESTONE = select(MST.c.due).where(MST.c.procedure_id == PID, MST.c.key == bindparam("key"))


def common_context(change: Change, group: Workgroup, person: Recipient) -> dict[str, Any]:
    proc = change.procedure
    return {
        "lang": person.language,
        "recipient": {
            "name": person.name,
            "email": person.email,
            "salutation": person.salutation,
        },
        "procedure": {
            "id": proc.id,
            "organisation": group.organisation,
            "governing_body": proc.governing_body,
            # The configured kind decides the wording ("Gedeputeerde Staten van ..."); empty:
            # the renderer works it out from the typed name and the organisation.
            "governing_body_kind": kind.value if (kind := proc.config.governing_body_kind) else "",
            "period_start": proc.period_start,
            "period_end": proc.period_end,
            "phase_label": Phase(proc.phase).label(person.language),
        },
        "facilitator": group.facilitator,
    }


def facilitator_of(change: Change) -> dict[str, str] | None:
    return workgroup(change).facilitator


Extra = Callable[[Addressee, Language], dict[str, Any]]


def sealer(change: Change) -> Sealer:
    """Seals the personal links of this command's mails with the outbox keys (read once)."""
    found = change.memo.get("sealer")
    if not isinstance(found, Sealer):
        found = change.memo["sealer"] = Sealer(change.keys.derive(KeyUse.OUTBOX))
    return found


def send(
    change: Change,
    kind: MailKind,
    people: Iterable[Addressee],
    extra: Extra,
    calendar: Callable[[Addressee], CalendarPart] | None = None,
    link: Callable[[Addressee], PersonalLink | None] | None = None,
    attachments: tuple[AttachmentRef, ...] = (),
) -> int:
    """Render and queue one mail per person; `link` gives a person's personal link, which the
    template only sees as `LINK_PLACEHOLDER` and the row keeps sealed."""
    group = workgroup(change)
    mails = []
    for person in people:
        lang = person.recipient.language
        context = {**common_context(change, group, person.recipient), **extra(person, lang)}
        rendered = render_mail(kind, lang, context)
        part = calendar(person) if calendar else None
        mails.append(
            OutgoingMail(
                kind,
                person.recipient,
                rendered,
                part,
                link(person) if link else None,
                person.ref,
                attachments,
            )
        )
    queue(
        change.connection,
        mails,
        procedure_id=change.procedure.id,
        sender=change.mail.sender,
        now=change.now,
        sealer=sealer(change) if any(m.link for m in mails) else None,
    )
    if mails:
        change.queued[kind.value] = change.queued.get(kind.value, 0) + len(mails)
    return len(mails)


def milestone(change: Change, key: str) -> date | None:
    due: date | None = change.connection.execute(
        _MILESTONE, {"pid": change.procedure.id, "key": key}
    ).scalar()
    return due


def live_sessions(change: Change) -> list[dict[str, Any]]:
    """The sessions still planned or held (not cancelled), in time order."""
    rows = change.connection.execute(_LIVE_SESSIONS, {"pid": change.procedure.id})
    return [{"at": r.at, "location": r.location} for r in rows]


def entry_context(entry: ListEntry, lang: Language) -> dict[str, Any]:
    return {
        "number": entry.number,
        "title": entry.title,
        "period_start": entry.period_start,
        "period_end": entry.period_end,
        "description": entry.description,
        "criteria": list(entry.criteria),
        "motivation": entry.motivation,
        "perspective_label": PERSPECTIVE_LABELS[entry.nominated_by_perspective](lang),
    }


def deviations(change: Change, lang: Language) -> list[dict[str, Any]]:
    rows = repository.deviation_rows(change.connection, change.procedure.id)
    return [
        {
            "rule": r.rule_code,
            "label": rule_label(r.rule_code)(lang),
            "reason": r.reason,
            "actor": person_name(change.connection, change.procedure.id, r.actor, lang),
            "at": r.recorded_at,
        }
        for r in rows
    ]


BALANCE_NEEDS: frozenset[Part] = frozenset().union(
    *(RULES_BY_CODE[code].needs for code in BALANCE_CODES)
)


def balance_lines(change: Change) -> Callable[[Language], list[dict[str, Any]]]:
    # `advance` has just read what the sessions' exit rules need: reuse it when it covers
    # the balance rules, rather than reading the same rows twice in one transaction.
    snapshot = change.memo.get("snapshot")
    if not isinstance(snapshot, ProcedureSnapshot) or not snapshot.loaded >= BALANCE_NEEDS:
        snapshot = repository.load_snapshot(change.connection, change.procedure, BALANCE_NEEDS)
    lines = balance_report(snapshot, change.config)

    def localised(lang: Language) -> list[dict[str, Any]]:
        return [
            {
                "label": line.label(lang),
                "message": line.message(lang),
                "ok": line.ok,
                "deviated": line.deviated,
            }
            for line in lines
        ]

    return localised
