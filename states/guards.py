"""Guards of single steps outside `advance`: what the procedure allows, decided on plain data.

Each raises Refused naming its rule, the figures and what would satisfy it; the commands in
workflow/ only gather the data and call these.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NoReturn

from states.actions import Action, require_phase
from states.errors import Refused
from states.i18n import AMSTERDAM, Language, Text, format_date, local_date
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


# --- dates checked against what they mean ------------------------------------------------
#
# A date can be valid on the calendar and still impossible for the step it belongs to: a
# session in 1900 for a procedure opened this year, attendance for a session next month, a
# decision dated next week. Each rule below takes the moment "now" (or "today") as an argument,
# so it stays a pure function of its figures.

# Sessions are planned months ahead, never years: a session further ahead is a typing error.
SESSION_HORIZON_DAYS = 2 * 365
# An entry into force is announced weeks ahead; more than this is a typing error too.
IN_FORCE_HORIZON_DAYS = 2 * 365
# A planning covers the procedure (a year or so) with room to slip: three years at most.
MILESTONE_HORIZON_DAYS = 3 * 365
# A procedure may be entered after its work began (its invitations went out last month, say),
# so a milestone may lie before the day it was opened, but not by more than a year.
MILESTONE_MARGIN_DAYS = 365


def _days(count: int, language: Language) -> str:
    if language == "nl":
        return f"{count} {'dag' if count == 1 else 'dagen'}"
    return f"{count} {'day' if count == 1 else 'days'}"


_BARE = Text("", "")
_EARLIER = Text("eerder", "earlier")
_OPENED = Text("procedure geopend op", "procedure opened on")


def _gap(count: int, relation: Text) -> Text:
    """' (3 dagen eerder)': how far the day lies from the day it is measured against."""
    return Text(f" ({_days(count, 'nl')} {relation.nl})", f" ({_days(count, 'en')} {relation.en})")


def _refuse_day(
    code: str,
    title: Text,
    why: Text,
    day: date,
    reference: Text,
    reference_day: date,
    /,  # positional only: the refusal's data may name a `day` of its own
    *,
    prefix: Text = _BARE,
    note: Text = _BARE,
    tail: Text = _BARE,
    **data: object,
) -> NoReturn:
    """Refuse `day` under rule `code` for where it lies next to `reference_day`.

    Every date rule words its figures alike, in both languages:
    "<prefix><day><note>; <reference> <reference day><tail>"; `data` names the days (ISO).
    """

    def figures(language: Language) -> str:
        return (
            f"{prefix(language)}{format_date(day, language)}{note(language)}; "
            f"{reference(language)} {format_date(reference_day, language)}{tail(language)}"
        )

    raise Refused.one(title, code, why, Text(figures("nl"), figures("en")), **data)


def _too_far_ahead(
    code: str, title: Text, why: Text, prefix: Text, day: date, today: date, horizon: int
) -> None:
    """Refuse `day` when it lies more than `horizon` days after today."""
    ahead = (day - today).days
    if ahead <= horizon:
        return
    latest = today + timedelta(days=horizon)
    _refuse_day(
        code,
        title,
        why,
        day,
        Text("uiterlijk", "at the latest"),
        latest,
        prefix=prefix,
        note=Text(f", over {_days(ahead, 'nl')}", f", in {_days(ahead, 'en')}"),
        day=day.isoformat(),
        latest=latest.isoformat(),
    )


def require_plausible_session(
    session_at: datetime, opened_at: datetime, now: datetime, *, session_id: int | None = None
) -> None:
    """A session lies on or after the day its procedure was opened, and at most two years on.

    Days are Dutch days: a session at 09:00 on the day the procedure was opened at 14:00 is
    fine. Only sessions that really took place can count as held (see `require_session_begun`).
    """
    day, opened, today = local_date(session_at), local_date(opened_at), local_date(now)
    which = Text(f"bijeenkomst {session_id}: ", f"session {session_id}: ") if session_id else None
    prefix = which or _BARE
    if day < opened:
        _refuse_day(
            "session.before_opening",
            Text(
                "De bijeenkomst ligt voor de opening van de procedure",
                "The session lies before the procedure was opened",
            ),
            Text(
                "Een expertbijeenkomst hoort bij deze procedure en ligt dus op of na de dag "
                "waarop zij werd geopend; controleer het jaar",
                "An expert session belongs to this procedure, so it lies on or after the day "
                "it was opened; check the year",
            ),
            day,
            _OPENED,
            opened,
            prefix=prefix,
            tail=_gap((opened - day).days, _EARLIER),
            day=day.isoformat(),
            opened=opened.isoformat(),
        )
    _too_far_ahead(
        "session.too_far_ahead",
        Text("De bijeenkomst ligt te ver in de toekomst", "The session lies too far in the future"),
        Text(
            f"Een expertbijeenkomst wordt hooguit {SESSION_HORIZON_DAYS} dagen (twee jaar) "
            "vooruit gepland; controleer het jaar",
            f"An expert session is planned at most {SESSION_HORIZON_DAYS} days (two years) "
            "ahead; check the year",
        ),
        prefix,
        day,
        today,
        SESSION_HORIZON_DAYS,
    )


def require_plausible_milestone(
    key: str, label: Text, day: date, opened_at: datetime, now: datetime
) -> None:
    """A milestone lies at most a year before the procedure was opened and three years ahead."""
    opened, today = local_date(opened_at), local_date(now)
    prefix = Text(f"{label.nl}: ", f"{label.en}: ")
    earliest = opened - timedelta(days=MILESTONE_MARGIN_DAYS)
    if day < earliest:
        _refuse_day(
            "milestone.before_opening",
            Text(
                "De mijlpaal ligt ver voor de opening van de procedure",
                "The milestone lies long before the procedure was opened",
            ),
            Text(
                f"Een mijlpaal van deze procedure ligt hooguit {MILESTONE_MARGIN_DAYS} dagen "
                "(een jaar) voor de dag waarop zij werd geopend; controleer het jaar",
                f"A milestone of this procedure lies at most {MILESTONE_MARGIN_DAYS} days (a "
                "year) before the day it was opened; check the year",
            ),
            day,
            _OPENED,
            opened,
            prefix=prefix,
            tail=Text(
                f", dus op zijn vroegst {format_date(earliest, 'nl')}",
                f", so {format_date(earliest, 'en')} at the earliest",
            ),
            milestone=key,
            day=day.isoformat(),
            earliest=earliest.isoformat(),
        )
    _too_far_ahead(
        "milestone.too_far_ahead",
        Text("De mijlpaal ligt te ver in de toekomst", "The milestone lies too far in the future"),
        Text(
            f"Een planning reikt hooguit {MILESTONE_HORIZON_DAYS} dagen (drie jaar) vooruit; "
            "controleer het jaar",
            f"A planning reaches at most {MILESTONE_HORIZON_DAYS} days (three years) ahead; "
            "check the year",
        ),
        prefix,
        day,
        today,
        MILESTONE_HORIZON_DAYS,
    )


def require_session_begun(session_id: int, session_at: datetime, now: datetime) -> None:
    """Attendance is recorded for a session that has begun; before that nobody was there."""
    if session_at <= now:
        return
    local = session_at.astimezone(AMSTERDAM)
    wait = local_date(session_at) - local_date(now)
    raise Refused.one(
        Text("Deze bijeenkomst is nog niet begonnen", "This session has not begun yet"),
        "session.not_begun",
        Text(
            "Aanwezigheid wordt vastgelegd vanaf het begin van de bijeenkomst; is zij "
            "verplaatst, leg dan eerst het nieuwe tijdstip vast",
            "Attendance is recorded from the start of the session on; if it was moved, record "
            "the new time first",
        ),
        Text(
            f"bijeenkomst {session_id} begint {format_date(local.date(), 'nl')} om "
            f"{local:%H:%M}" + (f" (over {_days(wait.days, 'nl')})" if wait.days > 0 else ""),
            f"session {session_id} begins {format_date(local.date(), 'en')} at {local:%H:%M}"
            + (f" (in {_days(wait.days, 'en')})" if wait.days > 0 else ""),
        ),
        session=session_id,
        at=session_at.isoformat(),
    )


def _not_in_future(code: str, what: Text, day: date, today: date) -> None:
    if day <= today:
        return
    _refuse_day(
        code,
        Text(
            f"De datum van {what.nl} ligt in de toekomst", f"The date of {what.en} is in the future"
        ),
        Text(
            f"Leg {what.nl} vast op of na de dag waarop het is gegeven, met die datum; "
            "controleer de datum",
            f"Record {what.en} on or after the day it was given, with that date; check the date",
        ),
        day,
        Text("vandaag is", "today is"),
        today,
        tail=_gap((day - today).days, Text("te vroeg", "too early")),
        day=day.isoformat(),
        today=today.isoformat(),
    )


def _not_before_list(code: str, what: Text, day: date, frozen: date, number: int) -> None:
    if day >= frozen:
        return
    _refuse_day(
        code,
        Text(
            f"De datum van {what.nl} ligt voor de vaststelling van de conceptlijst",
            f"The date of {what.en} lies before the concept list was frozen",
        ),
        Text(
            f"{what.nl[0].upper()}{what.nl[1:]} gaat over conceptlijst {number}, die pas op "
            f"{format_date(frozen, 'nl')} ter beoordeling werd voorgelegd; een eerdere datum "
            "kan niet kloppen",
            f"{what.en[0].upper()}{what.en[1:]} concerns concept list {number}, which was "
            f"submitted only on {format_date(frozen, 'en')}; an earlier date cannot be right",
        ),
        day,
        Text(f"lijst {number} voorgelegd op", f"list {number} submitted on"),
        frozen,
        tail=_gap((frozen - day).days, _EARLIER),
        day=day.isoformat(),
        frozen=frozen.isoformat(),
    )


_ADVICE = Text("het advies", "the advice")
_DECISION = Text("het besluit", "the decision")


def require_plausible_advice_date(
    day: date, list_number: int, frozen_at: datetime, today: date
) -> None:
    """The advice letter is dated between the day the list was frozen and today."""
    _not_in_future("decision.advice_date_in_future", _ADVICE, day, today)
    _not_before_list(
        "decision.advice_date_before_list", _ADVICE, day, local_date(frozen_at), list_number
    )


@dataclass(frozen=True, slots=True)
class AdviceDay:
    """The day of the advice a decision follows: its letter's date, else the day it was
    recorded (an advice without a letter date was given by then at the latest)."""

    day: date
    from_letter: bool


def require_plausible_decision_date(
    day: date,
    list_number: int,
    frozen_at: datetime,
    today: date,
    advice: AdviceDay | None = None,
) -> None:
    """The decision is dated between the list's freezing (and its advice) and today."""
    _not_in_future("decision.date_in_future", _DECISION, day, today)
    _not_before_list(
        "decision.date_before_list", _DECISION, day, local_date(frozen_at), list_number
    )
    if advice is None or day >= advice.day:
        return
    _refuse_day(
        "decision.date_before_advice",
        Text(
            "Het besluit is gedateerd voor het advies van de archivaris",
            "The decision is dated before the archivist's advice",
        ),
        Text(
            "Het bestuursorgaan besluit na positief advies; het besluit kan niet eerder "
            "gedateerd zijn dan het advies",
            "The governing body decides after positive advice; the decision cannot be dated "
            "before the advice",
        ),
        day,
        (
            Text("advies", "advice")
            if advice.from_letter
            else Text("advies vastgelegd op", "advice recorded on")
        ),
        advice.day,
        prefix=Text("besluit ", "decision "),
        day=day.isoformat(),
        advice=advice.day.isoformat(),
    )


def require_plausible_in_force(in_force: date, decision_day: date | None, today: date) -> None:
    """A publication takes effect on or after the decision it publishes, and not years on."""
    if decision_day is not None and in_force < decision_day:
        _refuse_day(
            "publication.before_decision",
            Text(
                "De publicatie treedt in werking voor het besluit",
                "The publication takes effect before the decision",
            ),
            Text(
                "De hotspotlijst kan pas in werking treden op of na de dag waarop het "
                "bestuursorgaan haar vaststelde; controleer de datum van inwerkingtreding",
                "The hotspot list can take effect only on or after the day the governing body "
                "adopted it; check the date it takes effect",
            ),
            in_force,
            Text("besluit", "decision"),
            decision_day,
            prefix=Text("inwerkingtreding ", "takes effect "),
            tail=_gap((decision_day - in_force).days, Text("later", "later")),
            day=in_force.isoformat(),
            decision=decision_day.isoformat(),
        )
    _too_far_ahead(
        "publication.too_far_ahead",
        Text(
            "De datum van inwerkingtreding ligt te ver in de toekomst",
            "The date it takes effect lies too far in the future",
        ),
        Text(
            f"Een publicatie treedt hooguit {IN_FORCE_HORIZON_DAYS} dagen (twee jaar) na "
            "vandaag in werking; controleer het jaar",
            f"A publication takes effect at most {IN_FORCE_HORIZON_DAYS} days (two years) "
            "from today; check the year",
        ),
        _BARE,
        in_force,
        today,
        IN_FORCE_HORIZON_DAYS,
    )


def require_grounds_for_inclusion(
    include: bool, criteria: tuple[int, ...], motivation: str | None
) -> None:
    """A candidate put on the concept list meets a criterion and says why, at once.

    The same rule (`sessions.concept_list_criteria`) holds the phase at `advance`; refusing
    here keeps a weak inclusion from being recorded in the first place.
    """
    if not include or (criteria and (motivation or "").strip()):
        return
    missing = [
        part
        for part, absent in (
            (Text("criterium", "criterion"), not criteria),
            (Text("motivering", "motivation"), not (motivation or "").strip()),
        )
        if absent
    ]
    raise Refused.one(
        Text(
            "Een kandidaat op de conceptlijst heeft een criterium en een motivering nodig",
            "A candidate on the concept list needs a criterion and a motivation",
        ),
        "sessions.concept_list_criteria",
        Text(
            "Elke hotspot op de conceptlijst voldoet aan minstens één criterium (1 tot en met "
            "4), met motivering; kies de criteria en schrijf waarom, of neem de kandidaat niet op",
            "Every hotspot on the concept list meets at least one criterion (1 to 4), with a "
            "motivation; choose the criteria and say why, or do not include the candidate",
        ),
        Text(
            f"opnemen zonder {' en '.join(m.nl for m in missing)}; gekozen criteria: "
            f"{', '.join(map(str, criteria)) or 'geen'}",
            f"include without {' and '.join(m.en for m in missing)}; criteria chosen: "
            f"{', '.join(map(str, criteria)) or 'none'}",
        ),
        criteria=list(criteria),
    )
