"""Guards of single steps outside `advance`: what the procedure allows, decided on plain data.

Each raises Refused naming its rule, the figures and what would satisfy it; the commands in
workflow/ only gather the data and call these.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from states.actions import Action, require_phase
from states.errors import Refused
from states.i18n import Text, format_date
from states.phases import Phase
from states.rules import Rule
from states.snapshot import ListStatus, Response


def require_open_list(status: ListStatus | None) -> None:
    """Advice and decision concern the latest list, and only while it is submitted."""
    if status is ListStatus.SUBMITTED:
        return
    shown = status.value if status else "-"
    raise Refused.one(
        Text(
            "Er ligt geen conceptlijst ter beoordeling",
            "No concept list is awaiting advice or decision",
        ),
        "decision.no_open_list",
        Text(
            "Advies en besluit gaan over een ingediende conceptlijst die nog niet is "
            "vastgesteld of teruggestuurd",
            "Advice and decision concern a submitted concept list that was not yet adopted "
            "or returned",
        ),
        Text(f"laatste lijst: {shown}", f"latest list: {shown}"),
    )


def require_no_advice_yet(number: int, advice_positive: bool | None, advice_by: str | None) -> None:
    """One advice per submitted list; a revised list gets a new one."""
    if advice_positive is None:
        return
    raise Refused.one(
        Text(
            "Het advies over deze lijst is al vastgelegd",
            "The advice on this list is already recorded",
        ),
        "decision.advice_recorded",
        Text(
            "Per ingediende lijst wordt één advies vastgelegd",
            "One advice is recorded per submitted list",
        ),
        Text(f"lijst {number}: advies van {advice_by}", f"list {number}: advice by {advice_by}"),
    )


def require_positive_advice(advice_positive: bool | None) -> None:
    """The governing body decides on a list the archivist advised on positively."""
    if advice_positive is True:
        return
    raise Refused.one(
        Text(
            "Het bestuursorgaan besluit pas na positief advies",
            "The governing body decides only after positive advice",
        ),
        "decision.advice_first",
        Text(
            "Eerst het advies van de archivaris vastleggen", "Record the archivist's advice first"
        ),
        Text("nog geen positief advies", "no positive advice yet"),
    )


def require_deviable(rule: Rule) -> None:
    """Only balance rules can be set aside; decisions, advice and data cannot."""
    if rule.deviable:
        return
    raise Refused.one(
        Text("Van deze regel kan niet worden afgeweken", "This rule cannot be deviated from"),
        "deviation.not_allowed",
        Text(
            f"Regel {rule.code} gaat over vastgelegde besluiten, adviezen of gegevens; "
            "daarvan kan niet worden afgeweken",
            f"Rule {rule.code} concerns recorded decisions, advice or data; it cannot be "
            "deviated from",
        ),
        Text(f"regel: {rule.code}", f"rule: {rule.code}"),
        rule=rule.code,
    )


def require_unpublished(existing_reference: str | None, reference: str) -> None:
    """A procedure is published once."""
    if existing_reference is None:
        return
    raise Refused.one(
        Text("De publicatie is al vastgelegd", "The publication is already recorded"),
        "publication.already_recorded",
        Text("Een procedure wordt één keer gepubliceerd", "A procedure is published once"),
        Text(
            f"vastgelegd: {existing_reference}; gevraagd: {reference}",
            f"recorded: {existing_reference}; requested: {reference}",
        ),
    )


@dataclass(frozen=True, slots=True)
class OpenProcedure:
    id: str
    period_start: int
    period_end: int
    phase: Phase


def refuse_overlap(start: int, end: int, others: Sequence[OpenProcedure]) -> None:
    """One open procedure per organisation may cover a given year."""
    clashes = [
        p for p in others if p.phase.is_open and p.period_start <= end and p.period_end >= start
    ]
    if not clashes:
        return
    names_nl = ", ".join(
        f"{p.id} ({p.period_start}-{p.period_end}, {p.phase.label.nl})" for p in clashes
    )
    names_en = ", ".join(
        f"{p.id} ({p.period_start}-{p.period_end}, {p.phase.label.en})" for p in clashes
    )
    raise Refused.one(
        Text(
            "Er loopt al een procedure voor deze organisatie over een overlappende periode",
            "An open procedure of this organisation already covers an overlapping period",
        ),
        "procedure.overlapping_period",
        Text(
            "Per organisatie mag maar één open procedure een periode dekken; sluit of "
            "annuleer de andere, of kies een andere periode",
            "Only one open procedure per organisation may cover a period; close or cancel "
            "the other one, or choose another period",
        ),
        Text(
            f"gevraagd {start}-{end}; overlapt met {names_nl}",
            f"requested {start}-{end}; overlaps {names_en}",
        ),
        overlapping=[p.id for p in clashes],
    )


def require_session_open(session_id: int, cancel_reason: str | None, attendees: int) -> None:
    """A session can be moved, cancelled or attended only while it is neither off nor held.

    `cancel_reason` is None for a session that was not cancelled; `attendees` counts the
    attendance already recorded (recording attendance itself passes -1: it may add to it).
    """
    if cancel_reason is not None:
        raise Refused.one(
            Text("Deze bijeenkomst is geannuleerd", "This session was cancelled"),
            "session.cancelled",
            Text(
                "Een geannuleerde bijeenkomst kan niet meer worden gehouden of gewijzigd; "
                "plan een nieuwe",
                "A cancelled session can no longer be held or changed; plan a new one",
            ),
            Text(
                f"bijeenkomst {session_id}, reden: {cancel_reason}",
                f"session {session_id}, reason: {cancel_reason}",
            ),
            session=session_id,
        )
    if attendees > 0:
        raise Refused.one(
            Text("Deze bijeenkomst is al gehouden", "This session has already been held"),
            "session.held",
            Text(
                "Een bijeenkomst met vastgelegde aanwezigheid kan niet worden verplaatst of "
                "geannuleerd",
                "A session with recorded attendance cannot be moved or cancelled",
            ),
            Text(
                f"bijeenkomst {session_id}: {attendees} aanwezigen vastgelegd",
                f"session {session_id}: {attendees} attendees recorded",
            ),
            session=session_id,
        )


def require_nomination_open(today: date, deadline: date | None) -> None:
    """Experts nominate until the end of the nomination deadline's day (Dutch date).

    Without a nomination deadline in the planning the window is the sessions phase itself,
    which the phase check of the step already guards.
    """
    if deadline is None or today <= deadline:
        return
    late = (today - deadline).days
    raise Refused.one(
        Text(
            "De termijn voor voordrachten is verstreken",
            "The nomination period has ended",
        ),
        "nomination.closed",
        Text(
            "Voordragen en voordrachten wijzigen kan tot en met de dag van de "
            "voordrachtstermijn; neem daarna contact op met de procesbegeleider",
            "Nominations can be submitted and changed up to and including the day of the "
            "nomination deadline; after that, contact the facilitator",
        ),
        Text(
            f"termijn tot en met {format_date(deadline, 'nl')}; vandaag is "
            f"{format_date(today, 'nl')} ({late} {'dag' if late == 1 else 'dagen'} te laat)",
            f"deadline {format_date(deadline, 'en')} inclusive; today is "
            f"{format_date(today, 'en')} ({late} {'day' if late == 1 else 'days'} late)",
        ),
        deadline=deadline.isoformat(),
        today=today.isoformat(),
    )


_ANSWERS = {
    Response.PENDING: Text("nog geen antwoord", "no answer yet"),
    Response.ACCEPTED: Text("toegezegd", "accepted"),
    Response.DECLINED: Text("afgezegd", "declined"),
}


def require_accepted_nominator(expert_id: int, response: Response) -> None:
    """Only an expert who accepted the invitation takes part, and so nominates."""
    if response is Response.ACCEPTED:
        return
    raise Refused.one(
        Text(
            "Alleen experts die hebben toegezegd kunnen voordragen",
            "Only experts who have accepted can nominate",
        ),
        "nomination.not_accepted",
        Text(
            "Zeg eerst deelname toe; daarna kunt u hotspots voordragen",
            "Accept the invitation first; then you can nominate hotspots",
        ),
        Text(
            f"expert {expert_id}: {_ANSWERS[response].nl}",
            f"expert {expert_id}: {_ANSWERS[response].en}",
        ),
        expert=expert_id,
    )


def require_unassessed_nomination(candidate_id: int, assessed: bool) -> None:
    """A nomination the sessions have assessed is theirs: its nominator can no longer edit it."""
    if not assessed:
        return
    raise Refused.one(
        Text(
            "Deze voordracht is al beoordeeld en kan niet meer worden gewijzigd",
            "This nomination has already been assessed and can no longer be changed",
        ),
        "nomination.assessed",
        Text(
            "Een voordracht kan worden gewijzigd zolang de expertbijeenkomst haar nog niet "
            "heeft beoordeeld",
            "A nomination can be changed as long as the expert session has not assessed it",
        ),
        Text(f"kandidaat {candidate_id}: beoordeeld", f"candidate {candidate_id}: assessed"),
        candidate=candidate_id,
    )


def require_may_nominate(
    phase: Phase, expert_id: int, response: Response, today: date, deadline: date | None
) -> None:
    """Every rule an expert's own nomination (new or edited) must pass, in this order."""
    require_phase(Action.ADD_CANDIDATE, phase)
    require_accepted_nominator(expert_id, response)
    require_nomination_open(today, deadline)
