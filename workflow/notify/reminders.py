"""The reminder mails: who a due reminder goes to and what it says, queued by the sweep."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import bindparam, select

from notifications.kinds import MailKind
from notifications.outbox import Recipient
from states.config import MILESTONE_LABELS
from states.i18n import Language, parse_language
from states.reminders import Facts, Rule
from states.vocabulary import CRITERIA
from states.workdays import working_days_between
from workflow import repository
from workflow.change import Change
from workflow.db import models as m
from workflow.db.models import table_of
from workflow.notify.context import live_sessions, milestone, send
from workflow.notify.messages import milestone_overdue
from workflow.notify.recipients import (
    ARCHIVIST_ROLE,
    FACILITATOR_ROLE,
    MANAGEMENT_ROLE,
    Addressee,
    members,
)

INFORMATION_MANAGER_ROLE = "informatiebeheerder"
ET, ST, IT, LT = (
    table_of(m.Expert),
    table_of(m.ExpertSession),
    table_of(m.InventorySystem),
    table_of(m.ListVersion),
)
_EXPERTS = select(ET.c.id, ET.c.name, ET.c.email, ET.c.language, ET.c.salutation).where(
    ET.c.id.in_(bindparam("ids", expanding=True))
)
_SESSION = select(ST.c.id, ST.c.at, ST.c.location, ST.c.sequence).where(ST.c.id == bindparam("id"))
_SYSTEM = select(IT.c.system, IT.c.query, IT.c.owner, IT.c.owner_email, IT.c.candidate_id).where(
    IT.c.id == bindparam("id")
)
_LIST_NUMBER = select(LT.c.number).where(LT.c.id == bindparam("id"))


def _experts(change: Change, ids: frozenset[int] | set[int]) -> list[Addressee]:
    rows = change.connection.execute(_EXPERTS, {"ids": sorted(ids)})
    return [
        Addressee(Recipient(r.name, r.email, parse_language(r.language), r.salutation), r.id)
        for r in sorted(rows, key=lambda r: r.id)
    ]


def send_reminder(
    change: Change, rule: Rule, subject: str, due: date, since: date | None, facts: Facts
) -> int:
    """Queue the mails of one due reminder; the number of mails (0: nobody to tell)."""
    today = facts.today
    days_left = max((due - today).days, 0)
    if rule is Rule.RSVP:
        return send(
            change,
            MailKind.REMINDER_RSVP,
            _experts(change, {int(subject)}),
            lambda p, _l: {
                "expert": {"name": p.recipient.name},
                "rsvp_deadline": due,
                "days_left": days_left,
            },
        )
    if rule is Rule.NOMINATION:
        sessions = [s for s in live_sessions(change) if s["at"] > change.now]
        return send(
            change,
            MailKind.REMINDER_NOMINATION,
            _experts(change, facts.accepted_without_nomination),
            lambda _p, lang: {
                "nomination_deadline": due,
                "days_left": days_left,
                "criteria": [text(lang) for text in CRITERIA.values()],
                "sessions": sessions,
            },
        )
    if rule is Rule.SESSION:
        row = change.connection.execute(_SESSION, {"id": int(subject)}).one()
        session = {"id": row.id, "at": row.at, "location": row.location, "sequence": row.sequence}
        return send(
            change,
            MailKind.REMINDER_SESSION,
            _experts(change, facts.accepted),
            lambda _p, _l: {"session": session, "days_left": days_left},
        )
    if rule is Rule.MILESTONE:
        label = MILESTONE_LABELS[subject]
        return send(
            change,
            MailKind.REMINDER_MILESTONE,
            members(change, FACILITATOR_ROLE),
            lambda _p, lang: {
                "milestone": {"key": subject, "label": label(lang), "due": due},
                "working_days_left": working_days_between(today, due),
            },
        )
    if rule is Rule.ESCALATION:
        return milestone_overdue(
            change,
            subject,
            MILESTONE_LABELS[subject],
            due,
            (today - due).days,
            working_days_between(due, today),
        )
    if rule in (Rule.ADVICE, Rule.DECISION):
        number = change.connection.execute(_LIST_NUMBER, {"id": int(subject)}).scalar_one()
        advice = rule is Rule.ADVICE
        return send(
            change,
            MailKind.REMINDER_ADVICE if advice else MailKind.REMINDER_DECISION,
            members(change, ARCHIVIST_ROLE if advice else MANAGEMENT_ROLE),
            lambda _p, _l: {
                "advice_deadline" if advice else "decision_deadline": due,
                "days_left": days_left,
                "list_version": number,
            },
        )
    return _inventory(change, int(subject), since or today, facts)


def _inventory(change: Change, system_id: int, since: date, facts: Facts) -> int:
    row = change.connection.execute(_SYSTEM, {"id": system_id}).one()
    if row.owner_email:
        people = [Addressee(Recipient(row.owner, row.owner_email, "nl"))]
    else:
        # No address for the owner: the information manager who leads the inventory is told.
        people = members(change, INFORMATION_MANAGER_ROLE)
    hotspot = _hotspot(change, row.candidate_id)
    deadline = milestone(change, "inventory_done")
    weeks = max((facts.today - since).days // 7, 1)
    system = {"name": row.system, "query": row.query, "owner": row.owner}

    def extra(_p: Addressee, _lang: Language) -> dict[str, Any]:
        return {
            "system": system,
            "hotspot": hotspot,
            "inventory_deadline": deadline,
            "weeks_open": weeks,
        }

    return send(change, MailKind.REMINDER_INVENTORY, people, extra)


def _hotspot(change: Change, candidate_id: int) -> dict[str, str]:
    latest = repository.latest_list_version(change.session, change.procedure.id)
    if latest is not None:
        for entry in repository.list_entries(latest):
            if entry.candidate_id == candidate_id:
                return {"number": entry.number, "title": entry.title}
    # Systems are only listed for hotspots on the adopted list; this is a safe fall-back.
    return {"number": str(candidate_id), "title": ""}
