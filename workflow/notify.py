"""Who is told what after a step: recipients and contexts, queued in the step's transaction.

Every function here runs inside a command's transaction (a `Change`), renders one message per
recipient in that person's language and writes it to the outbox. A refused or rolled-back step
therefore never sends anything.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import BindParameter, bindparam, select, update

from notifications.calendar import Person, SessionEvent, invitation
from notifications.kinds import MailKind
from notifications.outbox import CalendarPart, OutgoingMail, Recipient, queue
from notifications.render import render_mail
from states.balance_report import BALANCE_CODES, balance_report, rule_label
from states.i18n import Language, Text, parse_language
from states.phases import Phase
from states.rules import RULES_BY_CODE
from states.snapshot import ListEntry, Part, Perspective, ProcedureSnapshot, Response
from states.vocabulary import CRITERIA, PERSPECTIVE_LABELS
from workflow import repository
from workflow.db import models as m
from workflow.db.models import table_of

if TYPE_CHECKING:
    from workflow.commands.base import Change

FACILITATOR_ROLE = "procesbegeleider"
ARCHIVIST_ROLE = "archivaris"
MANAGEMENT_ROLE = "management"


@dataclass(frozen=True, slots=True)
class Addressee:
    """A recipient, and for an expert the id and role the context and personal link need."""

    recipient: Recipient
    expert_id: int | None = None
    perspective: str = ""
    profile: str = ""


MT, ET, ST = table_of(m.Member), table_of(m.Expert), table_of(m.ExpertSession)
MST, OT = table_of(m.Milestone), table_of(m.Organisation)
PID: BindParameter[str] = bindparam("pid")
# Prepared once: a phase change runs these inside every `advance`.
_MEMBERS = (
    select(MT.c.name, MT.c.email, MT.c.email_key, MT.c.role, MT.c.language)
    .where(MT.c.procedure_id == PID)
    .order_by(MT.c.id)
)
_ORGANISATION = select(OT.c.name).where(OT.c.id == bindparam("org"))
_ACCEPTED = (
    select(ET.c.id, ET.c.name, ET.c.email, ET.c.language, ET.c.perspective, ET.c.profile)
    .where(ET.c.procedure_id == PID, ET.c.response == Response.ACCEPTED.value)
    .order_by(ET.c.id)
)
_LIVE_SESSIONS = (
    select(ST.c.at, ST.c.location)
    .where(ST.c.procedure_id == PID, ST.c.cancelled_at.is_(None))
    .order_by(ST.c.at, ST.c.id)
)
_MILESTONE = select(MST.c.due).where(MST.c.procedure_id == PID, MST.c.key == bindparam("key"))
_SET_LINK = (
    update(ET).where(ET.c.id == bindparam("b_id")).values(link_token_hash=bindparam("b_hash"))
)


# ---------------------------------------------------------------- recipients


@dataclass(frozen=True, slots=True)
class _Workgroup:
    """The workgroup and the letterhead, read once per command however many mails it sends."""

    members: tuple[tuple[Addressee, str, str], ...]  # (addressee, address key, role)
    organisation: str
    facilitator: dict[str, str] | None


def _workgroup(change: Change) -> _Workgroup:
    cached = change.memo.get("workgroup")
    if isinstance(cached, _Workgroup):
        return cached
    run = change.connection.execute
    rows = run(_MEMBERS, {"pid": change.procedure.id}).all()
    members = tuple(
        (Addressee(Recipient(r.name, r.email, parse_language(r.language))), r.email_key, r.role)
        for r in rows
    )
    facilitator = next(
        ({"name": r.name, "email": r.email} for r in rows if r.role == FACILITATOR_ROLE), None
    )
    name = run(_ORGANISATION, {"org": change.procedure.organisation_id}).scalar()
    found = _Workgroup(members, name or "", facilitator)
    change.memo["workgroup"] = found
    return found


def _members(change: Change, role: str | None = None) -> list[Addressee]:
    """Workgroup members (one message per address, however many roles a person holds)."""
    seen: dict[str, Addressee] = {}
    for person, key, member_role in _workgroup(change).members:
        if role is None or member_role == role:
            seen.setdefault(key, person)
    return list(seen.values())


def _experts(change: Change) -> list[Addressee]:
    """The experts who accepted, oldest first."""
    rows = change.connection.execute(_ACCEPTED, {"pid": change.procedure.id})
    return [
        Addressee(
            Recipient(r.name, r.email, parse_language(r.language)), r.id, r.perspective, r.profile
        )
        for r in rows
    ]


def _expert(expert: m.Expert) -> Addressee:
    return Addressee(
        Recipient(expert.name, expert.email, parse_language(expert.language)),
        expert.id,
        expert.perspective,
        expert.profile,
    )


def _merge(*groups: Iterable[Addressee]) -> list[Addressee]:
    merged: dict[str, Addressee] = {}
    for group in groups:
        for person in group:
            merged.setdefault(person.recipient.email.lower(), person)
    return list(merged.values())


# ---------------------------------------------------------------- context


def _common_context(change: Change, group: _Workgroup, person: Recipient) -> dict[str, Any]:
    proc = change.procedure
    return {
        "lang": person.language,
        "recipient": {"name": person.name, "email": person.email},
        "procedure": {
            "id": proc.id,
            "organisation": group.organisation,
            "governing_body": proc.governing_body,
            "period_start": proc.period_start,
            "period_end": proc.period_end,
            "phase_label": Phase(proc.phase).label(person.language),
        },
        "facilitator": group.facilitator,
    }


def _facilitator(change: Change) -> dict[str, str] | None:
    return _workgroup(change).facilitator


Extra = Callable[[Addressee, Language], dict[str, Any]]


def _send(
    change: Change,
    kind: MailKind,
    people: Iterable[Addressee],
    extra: Extra,
    calendar: Callable[[Addressee], CalendarPart] | None = None,
) -> int:
    group = _workgroup(change)
    mails = []
    for person in people:
        lang = person.recipient.language
        context = {**_common_context(change, group, person.recipient), **extra(person, lang)}
        rendered = render_mail(kind, lang, context)
        part = calendar(person) if calendar else None
        mails.append(OutgoingMail(kind, person.recipient, rendered, part))
    queue(
        change.connection,
        mails,
        procedure_id=change.procedure.id,
        sender=change.mail.sender,
        now=change.now,
    )
    if mails:
        change.queued[kind.value] = change.queued.get(kind.value, 0) + len(mails)
    return len(mails)


def _milestone(change: Change, key: str) -> date | None:
    due: date | None = change.connection.execute(
        _MILESTONE, {"pid": change.procedure.id, "key": key}
    ).scalar()
    return due


def _live_sessions(change: Change) -> list[dict[str, Any]]:
    """The sessions still planned or held (not cancelled), in time order."""
    rows = change.connection.execute(_LIVE_SESSIONS, {"pid": change.procedure.id})
    return [{"at": r.at, "location": r.location} for r in rows]


def _entry(entry: ListEntry, lang: Language) -> dict[str, Any]:
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


def _deviations(change: Change, lang: Language) -> list[dict[str, Any]]:
    rows = repository.deviation_rows(change.connection, change.procedure.id)
    return [
        {
            "rule": r.rule_code,
            "label": rule_label(r.rule_code)(lang),
            "reason": r.reason,
            "actor": r.actor,
            "at": r.recorded_at,
        }
        for r in rows
    ]


BALANCE_NEEDS: frozenset[Part] = frozenset().union(
    *(RULES_BY_CODE[code].needs for code in BALANCE_CODES)
)


def _balance(change: Change) -> Callable[[Language], list[dict[str, Any]]]:
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


# ---------------------------------------------------------------- personal links


def _links(change: Change, people: Iterable[Addressee]) -> dict[int, str]:
    """A fresh personal link per expert; storing its hash replaces (revokes) any earlier one.

    Only the SHA-256 of the secret is kept: the link itself exists in the mail alone.
    """
    links: dict[int, str] = {}
    updates: list[dict[str, Any]] = []
    for person in people:
        if person.expert_id is None:
            continue
        secret = secrets.token_urlsafe(32)
        links[person.expert_id] = f"{change.mail.base_url}/expert/{secret}"
        updates.append(
            {"b_id": person.expert_id, "b_hash": hashlib.sha256(secret.encode()).hexdigest()}
        )
    if updates:
        change.connection.execute(_SET_LINK, updates)
    return links


# ---------------------------------------------------------------- the messages


def expert_invitations(change: Change, experts: list[m.Expert]) -> int:
    rsvp = _milestone(change, "rsvp_deadline")
    sessions = _live_sessions(change)
    first = sessions[0]["at"] if sessions else None
    for expert in experts:
        expert.invited_at = change.now
    change.flush()
    people = [_expert(e) for e in experts]
    links = _links(change, people)

    def extra(person: Addressee, lang: Language) -> dict[str, Any]:
        assert person.expert_id is not None
        return {
            "expert": {
                "name": person.recipient.name,
                "perspective_label": PERSPECTIVE_LABELS[Perspective(person.perspective)](lang),
                "profile": person.profile,
            },
            "rsvp_deadline": rsvp,
            "first_session": first,
            "response_link": links[person.expert_id],
        }

    return _send(change, MailKind.EXPERT_INVITATION, people, extra)


def expert_response(change: Change, expert: m.Expert) -> int:
    """The confirmation, and for an acceptance the invitations to sessions already planned."""
    deadline = _milestone(change, "nomination_deadline")
    sessions = _live_sessions(change)
    accepted = expert.response == Response.ACCEPTED.value
    if accepted:
        upcoming = change.session.scalars(
            select(m.ExpertSession)
            .where(
                m.ExpertSession.procedure_id == change.procedure.id,
                m.ExpertSession.cancelled_at.is_(None),
                m.ExpertSession.at > change.now,
            )
            .order_by(m.ExpertSession.at, m.ExpertSession.id)
        )
        for row in upcoming:
            session_mails(change, row, MailKind.SESSION_INVITATION, only=expert)
    return _send(
        change,
        MailKind.EXPERT_RESPONSE,
        [_expert(expert)],
        lambda _p, _l: {
            "accepted": accepted,
            "nomination_deadline": deadline,
            "sessions": sessions,
        },
    )


def _session_event(change: Change, row: m.ExpertSession, person: Addressee) -> SessionEvent:
    facilitator = _facilitator(change)
    organizer = (
        Person(facilitator["name"], facilitator["email"])
        if facilitator
        else Person(change.mail.sender_name, change.mail.sender)
    )
    lang = person.recipient.language
    summary = Text("Expertbijeenkomst hotspotmonitor", "Hotspot monitor expert session")(lang)
    description = Text(
        f"Expertbijeenkomst van de hotspotmonitor {change.procedure.period_start}-"
        f"{change.procedure.period_end} ({change.procedure.governing_body}).",
        f"Expert session of the hotspot monitor {change.procedure.period_start}-"
        f"{change.procedure.period_end} ({change.procedure.governing_body}).",
    )(lang)
    return SessionEvent(
        uid=row.uid,
        sequence=row.sequence,
        start=row.at,
        summary=summary,
        description=description,
        location=row.location,
        organizer=organizer,
        attendee=Person(person.recipient.name, person.recipient.email),
    )


def session_mails(
    change: Change,
    row: m.ExpertSession,
    kind: MailKind,
    *,
    previous_at: datetime | None = None,
    reason: str | None = None,
    only: m.Expert | None = None,
) -> int:
    """Invitation, update or cancellation of one session to every accepted expert (or one)."""
    method = "CANCEL" if kind is MailKind.SESSION_CANCELLED else "REQUEST"
    session = {"id": row.id, "at": row.at, "location": row.location, "sequence": row.sequence}

    def extra(_person: Addressee, _lang: Language) -> dict[str, Any]:
        values: dict[str, Any] = {"session": session}
        if kind is MailKind.SESSION_UPDATE:
            values["previous_at"] = previous_at
        if kind is MailKind.SESSION_CANCELLED:
            values["reason"] = reason or ""
        return values

    def calendar(person: Addressee) -> CalendarPart:
        event = _session_event(change, row, person)
        return CalendarPart(method, invitation(event, method=method, stamp=change.now))

    people = [_expert(only)] if only is not None else _experts(change)
    return _send(change, kind, people, extra, calendar)


def _list_version(change: Change) -> m.ListVersion | None:
    return repository.latest_list_version(change.session, change.procedure.id)


def proposal(change: Change, row: m.ListVersion) -> int:
    """After positive advice: the proposal to the governing body's contacts."""
    entries = repository.list_entries(row)
    balance = _balance(change)
    deadline = _milestone(change, "decision")
    advice = {"by": row.advice_by or "", "reason": row.advice_reason, "at": row.advice_at}
    return _send(
        change,
        MailKind.PROPOSAL,
        _members(change, MANAGEMENT_ROLE),
        lambda _p, lang: {
            "list_version": row.number,
            "entries": [_entry(e, lang) for e in entries],
            "balance": balance(lang),
            "deviations": _deviations(change, lang),
            "advice": advice,
            "decision_deadline": deadline,
        },
    )


def list_adopted(change: Change, row: m.ListVersion) -> int:
    entries = repository.list_entries(row)
    decision = {"ref": row.decision_ref or "", "date": row.decision_date}
    return _send(
        change,
        MailKind.LIST_ADOPTED,
        _experts(change),
        lambda _p, lang: {"entries": [_entry(e, lang) for e in entries], "decision": decision},
    )


def publication(change: Change, publication_row: m.Publication) -> int:
    row = _list_version(change)
    entries = repository.list_entries(row) if row else ()
    decision = {
        "ref": (row.decision_ref if row else None) or "",
        "date": row.decision_date if row else None,
    }
    details = {
        "channel": publication_row.channel,
        "reference": publication_row.reference,
        "in_force": publication_row.in_force,
        "objection_weeks": publication_row.objection_weeks,
    }
    people = _merge(_experts(change), _members(change))
    return _send(
        change,
        MailKind.PUBLICATION,
        people,
        lambda _p, lang: {
            "publication": details,
            "entries": [_entry(e, lang) for e in entries],
            "decision": decision,
        },
    )


def milestone_overdue(
    change: Change, key: str, label: Text, due: date, days: int, working_days: int
) -> int:
    """Escalation to management and the workgroup (queued by the deadline sweep)."""
    people = _merge(_members(change, MANAGEMENT_ROLE), _members(change))
    return _send(
        change,
        MailKind.MILESTONE_OVERDUE,
        people,
        lambda _p, lang: {
            "milestone": {"key": key, "label": label(lang), "due": due},
            "days_overdue": days,
            "working_days_overdue": working_days,
        },
    )


def _call_for_nominations(change: Change) -> int:
    deadline = _milestone(change, "nomination_deadline")
    sessions = _live_sessions(change)
    people = _experts(change)
    links = _links(change, people)

    def extra(person: Addressee, lang: Language) -> dict[str, Any]:
        assert person.expert_id is not None
        return {
            "nomination_deadline": deadline,
            "sessions": sessions,
            "portal_link": links[person.expert_id],
            "criteria": [text(lang) for text in CRITERIA.values()],
        }

    return _send(change, MailKind.CALL_FOR_NOMINATIONS, people, extra)


def _advice_request(change: Change) -> int:
    row = _list_version(change)
    if row is None:
        return 0
    entries = repository.list_entries(row)
    balance = _balance(change)
    deadline = _milestone(change, "archivist_advice")
    return _send(
        change,
        MailKind.ADVICE_REQUEST,
        _members(change, ARCHIVIST_ROLE),
        lambda _p, lang: {
            "list_version": row.number,
            "entries": [_entry(e, lang) for e in entries],
            "balance": balance(lang),
            "deviations": _deviations(change, lang),
            "empty_list_reason": change.procedure.empty_list_reason,
            "advice_deadline": deadline,
        },
    )


def _phase_changed(change: Change, before: Phase, after: Phase) -> int:
    returned = before is Phase.DECISION and after is Phase.SESSIONS
    return _send(
        change,
        MailKind.PHASE_CHANGED,
        _members(change),
        lambda _p, lang: {
            "from_label": before.label(lang),
            "to_label": after.label(lang),
            "actor": change.actor,
            "reason": change.reason,
            "cancelled": after is Phase.CANCELLED,
            "returned": returned,
        },
    )


def after_change(change: Change) -> None:
    """The mails every phase change causes, whichever command caused it."""
    before, after = change.phase_before, change.phase
    if before is after:
        return
    _phase_changed(change, before, after)
    if after is Phase.SESSIONS and before is not Phase.DECISION:
        _call_for_nominations(change)
    if after is Phase.DECISION:
        _advice_request(change)
