"""The messages: which step mails what to whom, each function inside the step's transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from notifications.calendar import Person, SessionEvent, invitation
from notifications.document_store import DocumentKind
from notifications.kinds import MailKind
from notifications.outbox import CalendarPart
from notifications.render import LINK_PLACEHOLDER, RenderedMail, render_mail
from notifications.settings import MailSettings
from states.i18n import Language, Text
from states.phases import Phase
from states.snapshot import Perspective, Response
from states.vocabulary import CRITERIA, PERSPECTIVE_LABELS
from workflow import document_versions, links, repository
from workflow.actors import person_name
from workflow.change import Change
from workflow.db import models as m
from workflow.db.models import table_of
from workflow.notify.context import (
    balance_lines,
    common_context,
    deviations,
    entry_context,
    facilitator_of,
    live_sessions,
    milestone,
    send,
)
from workflow.notify.recipients import (
    ARCHIVIST_ROLE,
    MANAGEMENT_ROLE,
    Addressee,
    expert_addressee,
    experts,
    facilitator,
    link_of,
    members,
    merge,
    personal_links,
    workgroup,
)

if TYPE_CHECKING:
    from workflow.procedure_store import ProcedureRecord


def _invitation_extra(change: Change) -> Callable[[Addressee, Language], dict[str, Any]]:
    """What an invitation says beyond the letterhead: the same for the mail and its preview."""
    rsvp = milestone(change, "rsvp_deadline")
    sessions = live_sessions(change)
    first = sessions[0]["at"] if sessions else None
    procedures = table_of(m.Procedure)
    intro = change.connection.execute(
        select(procedures.c.invitation_intro).where(procedures.c.id == change.procedure.id)
    ).scalar()

    def extra(person: Addressee, lang: Language) -> dict[str, Any]:
        assert person.expert_id is not None
        return {
            "expert": {
                "name": person.recipient.name,
                "perspective_label": PERSPECTIVE_LABELS[Perspective(person.perspective)](lang),
                "profile": person.profile,
            },
            "intro": intro or "",
            "rsvp_deadline": rsvp,
            "first_session": first,
            "response_link": LINK_PLACEHOLDER,
        }

    return extra


def expert_invitations(change: Change, experts: list[m.Expert]) -> int:
    extra = _invitation_extra(change)
    # The body marked them invited; the links below are issued through the connection.
    change.flush()
    people = [expert_addressee(e) for e in experts]
    links = personal_links(change, people)
    return send(change, MailKind.EXPERT_INVITATION, people, extra, link=link_of(links))


def render_invitation(change: Change, expert: m.Expert) -> RenderedMail:
    """The invitation `expert` would get, rendered and not queued (the facilitator's preview);
    where the personal link goes it says so."""
    person = expert_addressee(expert)
    lang = person.recipient.language
    context = {
        **common_context(change, workgroup(change), person.recipient),
        **_invitation_extra(change)(person, lang),
    }
    return render_mail(MailKind.EXPERT_INVITATION, lang, context)


def expert_response(change: Change, expert: m.Expert) -> int:
    """The confirmation, and for an acceptance the invitations to sessions already planned."""
    deadline = milestone(change, "nomination_deadline")
    sessions = live_sessions(change)
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
    return send(
        change,
        MailKind.EXPERT_RESPONSE,
        [expert_addressee(expert)],
        lambda _p, _l: {
            "accepted": accepted,
            "nomination_deadline": deadline,
            "sessions": sessions,
        },
    )


def session_event(
    procedure: ProcedureRecord, row: m.ExpertSession, person: Addressee, organizer: Person
) -> SessionEvent:
    """One expert's calendar event for a session: the mails and the portal's download share it."""
    lang = person.recipient.language
    summary = Text("Expertbijeenkomst hotspotmonitor", "Hotspot monitor expert session")(lang)
    description = Text(
        f"Expertbijeenkomst van de hotspotmonitor {procedure.period_start}-"
        f"{procedure.period_end} ({procedure.governing_body}).",
        f"Expert session of the hotspot monitor {procedure.period_start}-"
        f"{procedure.period_end} ({procedure.governing_body}).",
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


def _organizer(facilitator: dict[str, str] | None, mail: MailSettings) -> Person:
    if facilitator:
        return Person(facilitator["name"], facilitator["email"])
    return Person(mail.sender_name, mail.sender)


def _session_event(change: Change, row: m.ExpertSession, person: Addressee) -> SessionEvent:
    organizer = _organizer(facilitator_of(change), change.mail)
    return session_event(change.procedure, row, person, organizer)


def session_calendar(
    connection: Connection,
    procedure: ProcedureRecord,
    row: m.ExpertSession,
    expert: m.Expert,
    mail: MailSettings,
    now: datetime,
) -> str:
    """The invitation (METHOD:REQUEST, same UID and SEQUENCE) the session mails carried."""
    organizer = _organizer(facilitator(connection, procedure.id), mail)
    event = session_event(procedure, row, expert_addressee(expert), organizer)
    return invitation(event, method="REQUEST", stamp=now)


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

    people = [expert_addressee(only)] if only is not None else experts(change)
    return send(change, kind, people, extra, calendar)


def _list_version(change: Change) -> m.ListVersion | None:
    return repository.latest_list_version(change.session, change.procedure.id)


def proposal(change: Change, row: m.ListVersion) -> int:
    """After positive advice: the proposal to the governing body's contacts."""
    entries = repository.list_entries(row)
    balance = balance_lines(change)
    deadline = milestone(change, "decision")
    advice = {"by": row.advice_by or "", "reason": row.advice_reason, "at": row.advice_at}
    people = members(change, MANAGEMENT_ROLE)
    decision_links = personal_links(change, people, links.Purpose.DECISION)
    return send(
        change,
        MailKind.PROPOSAL,
        people,
        lambda person, lang: {
            "decision_link": LINK_PLACEHOLDER if (person.member_id or 0) in decision_links else "",
            "list_version": row.number,
            "entries": [entry_context(e, lang) for e in entries],
            "balance": balance(lang),
            "deviations": deviations(change, lang),
            "advice": advice,
            "decision_deadline": deadline,
        },
        link=link_of(decision_links, member=True),
        attachments=document_versions.attachments(change, DocumentKind.PROPOSAL),
    )


def list_adopted(change: Change, row: m.ListVersion) -> int:
    entries = repository.list_entries(row)
    decision = {"ref": row.decision_ref or "", "date": row.decision_date}
    return send(
        change,
        MailKind.LIST_ADOPTED,
        experts(change),
        lambda _p, lang: {
            "entries": [entry_context(e, lang) for e in entries],
            "decision": decision,
        },
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
    people = merge(experts(change), members(change))
    return send(
        change,
        MailKind.PUBLICATION,
        people,
        lambda _p, lang: {
            "publication": details,
            "entries": [entry_context(e, lang) for e in entries],
            "decision": decision,
        },
        attachments=document_versions.attachments(change, DocumentKind.PUBLIC_LIST),
    )


def milestone_overdue(
    change: Change, key: str, label: Text, due: date, days: int, working_days: int
) -> int:
    """Escalation to management and the workgroup (queued by the deadline sweep)."""
    people = merge(members(change, MANAGEMENT_ROLE), members(change))
    return send(
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
    deadline = milestone(change, "nomination_deadline")
    sessions = live_sessions(change)
    people = experts(change)
    links = personal_links(change, people)

    def extra(person: Addressee, lang: Language) -> dict[str, Any]:
        assert person.expert_id is not None
        return {
            "nomination_deadline": deadline,
            "sessions": sessions,
            "portal_link": LINK_PLACEHOLDER,
            "criteria": [text(lang) for text in CRITERIA.values()],
        }

    return send(change, MailKind.CALL_FOR_NOMINATIONS, people, extra, link=link_of(links))


def advice_request(change: Change) -> int:
    """A frozen list goes to the archivist for advice."""
    row = _list_version(change)
    if row is None:
        return 0
    entries = repository.list_entries(row)
    balance = balance_lines(change)
    deadline = milestone(change, "archivist_advice")
    people = members(change, ARCHIVIST_ROLE)
    advice_links = personal_links(change, people, links.Purpose.ADVICE)
    return send(
        change,
        MailKind.ADVICE_REQUEST,
        people,
        lambda person, lang: {
            "advice_link": LINK_PLACEHOLDER if (person.member_id or 0) in advice_links else "",
            "list_version": row.number,
            "entries": [entry_context(e, lang) for e in entries],
            "balance": balance(lang),
            "deviations": deviations(change, lang),
            "empty_list_reason": change.procedure.empty_list_reason,
            "advice_deadline": deadline,
        },
        link=link_of(advice_links, member=True),
        attachments=document_versions.attachments(change, DocumentKind.ADVICE_REQUEST),
    )


def _phase_mail(change: Change, before: Phase, after: Phase) -> int:
    returned = before is Phase.DECISION and after is Phase.SESSIONS
    return send(
        change,
        MailKind.PHASE_CHANGED,
        members(change),
        lambda _p, lang: {
            "from_label": before.label(lang),
            "to_label": after.label(lang),
            "actor": person_name(change.connection, change.procedure.id, change.actor, lang),
            "reason": change.reason,
            "cancelled": after is Phase.CANCELLED,
            "returned": returned,
        },
    )


def phase_changed(change: Change, before: Phase, after: Phase) -> None:
    """The mails every phase change causes, whichever command caused it.

    The advice request that entering the decision phase causes follows the list's freezing
    (advice_request).
    """
    _phase_mail(change, before, after)
    if after is Phase.SESSIONS and before is not Phase.DECISION:
        _call_for_nominations(change)
