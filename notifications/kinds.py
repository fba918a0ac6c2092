"""Every kind of mail the engine sends, with the template context each one receives.

A kind names a template triple under `templates/mail/{nl,en}/`: `KIND.subject.txt`,
`KIND.txt` and `KIND.html`. The context keys listed per kind are all present (templates use
StrictUndefined); dates are `datetime.date`, moments timezone-aware `datetime.datetime`.

Every context also has the common keys:
    lang          "nl" or "en"
    recipient     {"name": str, "email": str}
    procedure     {"id", "organisation", "governing_body", "period_start": int,
                   "period_end": int, "phase_label": str (in lang)}
    facilitator   {"name": str, "email": str} or None (the procedure's procesbegeleider)
"""

from __future__ import annotations

from enum import StrEnum


class MailKind(StrEnum):
    # expert {"name", "perspective_label", "profile"}; rsvp_deadline: date | None;
    # first_session: datetime | None; response_link: str (personal, secret)
    EXPERT_INVITATION = "expert_invitation"
    # accepted: bool; nomination_deadline: date | None;
    # sessions: [{"at": datetime, "location": str | None}]
    EXPERT_RESPONSE = "expert_response"
    # session {"id", "at": datetime, "location": str | None, "sequence": int}
    SESSION_INVITATION = "session_invitation"
    # session as above; previous_at: datetime
    SESSION_UPDATE = "session_update"
    # session as above; reason: str
    SESSION_CANCELLED = "session_cancelled"
    # nomination_deadline: date | None; sessions: [{"at", "location"}]; portal_link: str;
    # criteria: [str] (the four criteria, in lang)
    CALL_FOR_NOMINATIONS = "call_for_nominations"
    # entries: [ENTRY]; decision {"ref": str, "date": date}
    LIST_ADOPTED = "list_adopted"
    # list_version: int; entries: [ENTRY]; balance: [BALANCE]; deviations: [DEVIATION];
    # empty_list_reason: str | None; advice_deadline: date | None
    ADVICE_REQUEST = "advice_request"
    # list_version: int; entries: [ENTRY]; balance: [BALANCE]; deviations: [DEVIATION];
    # advice {"by": str, "reason": str | None, "at": datetime}; decision_deadline: date | None
    PROPOSAL = "proposal"
    # milestone {"key", "label": str, "due": date}; days_overdue: int; working_days_overdue: int
    MILESTONE_OVERDUE = "milestone_overdue"
    # Reminders. days_left / working_days_left count (calendar / working) days from today to
    # the deadline, >= 0 (0: it is today). None carries a personal or portal link: they refer
    # to the earlier mail, and name the facilitator (or, if None, the organisation) as contact.
    # expert {"name": str} (the letter itself greets `recipient`); rsvp_deadline: date;
    # days_left: int (to an invited expert who has not answered yet)
    REMINDER_RSVP = "reminder_rsvp"
    # nomination_deadline: date; days_left: int; criteria: [str] (the four criteria, in lang);
    # sessions: [{"at", "location"}] (the upcoming ones, may be empty)
    # (to an accepted expert who has not nominated a hotspot yet)
    REMINDER_NOMINATION = "reminder_nomination"
    # session as above; days_left: int (1: tomorrow, 0: today) (to the accepted experts)
    REMINDER_SESSION = "reminder_session"
    # milestone {"key", "label": str, "due": date}; working_days_left: int
    # (to the facilitator, some working days before the milestone is due)
    REMINDER_MILESTONE = "reminder_milestone"
    # advice_deadline: date; days_left: int; list_version: int
    # (to the archivist(s) whose advice on the concept list is pending)
    REMINDER_ADVICE = "reminder_advice"
    # decision_deadline: date; days_left: int; list_version: int
    # (to management: the governing body has not decided on the proposed list yet)
    REMINDER_DECISION = "reminder_decision"
    # system {"name", "query", "owner": str}; hotspot {"number", "title": str};
    # inventory_deadline: date | None; weeks_open: int (>= 1)
    # (weekly, to the owner of a system not yet searched for an adopted hotspot's records)
    REMINDER_INVENTORY = "reminder_inventory"
    # publication {"channel", "reference", "in_force": date, "objection_weeks": int};
    # entries: [ENTRY]; decision {"ref", "date"}
    PUBLICATION = "publication"
    # from_label: str; to_label: str; actor: str; reason: str | None; cancelled: bool;
    # returned: bool (sent back to the sessions)
    PHASE_CHANGED = "phase_changed"
    # failures: [{"kind_label": str, "recipient": "Name <address>", "subject", "error": str}]
    # (may be empty); problem: {"code", "label": str, "detail": str, "since": datetime} | None;
    # mail_page: str (the procedure page's mail list); retry_command: str
    # (daily at most, to the procesbegeleider(s): mail that failed for good, a set-up problem)
    MAIL_FAILURES = "mail_failures"
    # subject: str; text: str; actor: str (to every workgroup member)
    WORKGROUP_NOTICE = "workgroup_notice"
    # cases: [{"hotspot", "case", "url", "system", "check_label", "drifted": str,
    # "status": int | None, "error": str}]; cases_page: str; check_command: str
    # (the drift guard, to the informatiebeheerder(s) and management: kept cases it could not
    # restore, that are gone, or whose case system it could not reach)
    CASES_NOT_KEPT = "cases_not_kept"


# How the facilitators see each kind in lists and summaries.
KIND_LABELS: dict[MailKind, tuple[str, str]] = {
    MailKind.EXPERT_INVITATION: ("uitnodiging expert", "expert invitation"),
    MailKind.EXPERT_RESPONSE: ("bevestiging antwoord", "answer confirmed"),
    MailKind.SESSION_INVITATION: ("uitnodiging bijeenkomst", "session invitation"),
    MailKind.SESSION_UPDATE: ("bijeenkomst gewijzigd", "session changed"),
    MailKind.SESSION_CANCELLED: ("bijeenkomst vervallen", "session cancelled"),
    MailKind.CALL_FOR_NOMINATIONS: ("oproep tot voordragen", "call for nominations"),
    MailKind.LIST_ADOPTED: ("lijst vastgesteld", "list adopted"),
    MailKind.ADVICE_REQUEST: ("adviesaanvraag", "request for advice"),
    MailKind.PROPOSAL: ("voorstel aan het bestuur", "proposal to the body"),
    MailKind.MILESTONE_OVERDUE: ("mijlpaal over tijd", "milestone overdue"),
    MailKind.REMINDER_RSVP: ("herinnering antwoord", "reply reminder"),
    MailKind.REMINDER_NOMINATION: ("herinnering voordragen", "nomination reminder"),
    MailKind.REMINDER_SESSION: ("herinnering bijeenkomst", "session reminder"),
    MailKind.REMINDER_MILESTONE: ("herinnering mijlpaal", "milestone reminder"),
    MailKind.REMINDER_ADVICE: ("herinnering advies", "advice reminder"),
    MailKind.REMINDER_DECISION: ("herinnering besluit", "decision reminder"),
    MailKind.REMINDER_INVENTORY: ("herinnering inventarisatie", "inventory reminder"),
    MailKind.PUBLICATION: ("publicatie", "publication"),
    MailKind.PHASE_CHANGED: ("fase gewijzigd", "phase changed"),
    MailKind.MAIL_FAILURES: ("overzicht mislukte mail", "failed mail summary"),
    MailKind.WORKGROUP_NOTICE: ("bericht aan de werkgroep", "message to the workgroup"),
    MailKind.CASES_NOT_KEPT: ("bewaarde zaken vragen aandacht", "kept cases need attention"),
}


def kind_label(kind: str, lang: str) -> str:
    """A kind's name for people; an unknown code is shown as it is."""
    try:
        nl, en = KIND_LABELS[MailKind(kind)]
    except ValueError:
        return kind
    return en if lang == "en" else nl


# ENTRY:     {"number": "2020-1", "title", "period_start": date, "period_end": date | None,
#             "description", "criteria": [int], "motivation", "perspective_label": str}
# BALANCE:   {"label": str, "message": str, "ok": bool, "deviated": bool}
# DEVIATION: {"rule": str, "label": str, "reason": str, "actor": str, "at": datetime}
