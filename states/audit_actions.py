"""Every action a procedure's audit trail records, with its label and a readable sentence.

The trail stores the action as its code ("session.move") and what the change did as JSON
(`data`). For a reader the code says little, so each action here carries a Dutch and an
English label and a sentence built from the actor and that data: "Sanne de Vries
verplaatste bijeenkomst 2 naar 3 april 2025 14.00 uur".

A sentence never raises: the data of old records, records written by an earlier version and
records with missing keys still render, as the label with the actor ("Bijeenkomst verplaatst
door Sanne de Vries"). The stored data stays the record; the sentence only reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from states.balance_report import rule_label
from states.config import MILESTONE_LABELS
from states.i18n import AMSTERDAM, Language, Text, format_date
from states.phases import PHASE_LABELS, Phase
from states.snapshot import Perspective, Response
from states.vocabulary import PERSPECTIVE_LABELS


class AuditAction(StrEnum):
    """What an audit record says happened; the value is the code stored in the trail."""

    PROCEDURE_INIT = "procedure.init"
    PHASE_ADVANCE = "phase.advance"
    PHASE_CANCEL = "phase.cancel"
    DEVIATION_RECORD = "deviation.record"
    MEMBER_ADD = "member.add"
    MEMBER_EMAIL = "member.email"
    MILESTONE_SET = "milestone.set"
    EXPERT_ADD = "expert.add"
    EXPERT_IMPORT = "expert.import"
    EXPERT_INVITE = "expert.invite"
    EXPERT_RESPOND = "expert.respond"
    EXPERT_EMAIL = "expert.email"
    SESSION_ADD = "session.add"
    SESSION_MOVE = "session.move"
    SESSION_CANCEL = "session.cancel"
    SESSION_ATTEND = "session.attend"
    CANDIDATE_ADD = "candidate.add"
    CANDIDATE_ASSESS = "candidate.assess"
    NOMINATION_SUBMIT = "nomination.submit"
    NOMINATION_EDIT = "nomination.edit"
    CONCEPT_LIST_EMPTY_REASON = "concept_list.empty_reason"
    ADVICE_RECORD = "advice.record"
    DECISION_RECORD = "decision.record"
    INVENTORY_SYSTEM = "inventory.system"
    INVENTORY_DOSSIER = "inventory.dossier"
    INVENTORY_NONE = "inventory.none"
    PUBLICATION_RECORD = "publication.record"
    LINK_REVOKE = "link.revoke"
    MAIL_RETRY = "mail.retry"
    MAIL_FAILURES_REPORTED = "mail.failures_reported"
    REMINDERS_SWEEP = "reminders.sweep"
    DEADLINES_PLAN = "deadlines.plan"

    @property
    def label(self) -> Text:
        """A short past-participle phrase: it reads on its own and before "door <naam>"."""
        return _LABELS[self]

    def sentence(self, actor_name: str, data: Mapping[str, Any], language: Language = "nl") -> str:
        """What the record says, as one sentence in `language`; never raises.

        Unusable data (a missing key, a value of the wrong type) gives the label with the
        actor instead of a wrong or half sentence.
        """
        who = _who(actor_name, language)
        try:
            said = _SENTENCES[self](who, _Data(data))
        except Exception:
            # Stored JSON of any shape must render; the label with the actor is still true.
            said = None
        text = said(language) if said is not None else _fallback(self.label, who, language)
        return _capitalised(text)


def parse_audit_action(value: str) -> AuditAction | None:
    """The action with this code, or None for a code this version does not know."""
    try:
        return AuditAction(value)
    except ValueError:
        return None


def action_label(action: str, language: Language = "nl") -> str:
    """The label of a stored action code; the code itself when it is unknown."""
    known = parse_audit_action(action)
    return known.label(language) if known is not None else action


def describe(
    action: str, actor_name: str, data: Mapping[str, Any], language: Language = "nl"
) -> str:
    """The sentence of a stored record; for an unknown code, the actor and the code."""
    known = parse_audit_action(action)
    if known is not None:
        return known.sentence(actor_name, data, language)
    return _capitalised(f"{_who(actor_name, language)}: {action}")


_LABELS: dict[AuditAction, Text] = {
    AuditAction.PROCEDURE_INIT: Text("Procedure geopend", "Procedure opened"),
    AuditAction.PHASE_ADVANCE: Text("Naar de volgende fase", "Moved to the next phase"),
    AuditAction.PHASE_CANCEL: Text("Procedure geannuleerd", "Procedure cancelled"),
    AuditAction.DEVIATION_RECORD: Text("Afwijking vastgelegd", "Deviation recorded"),
    AuditAction.MEMBER_ADD: Text("Werkgroeplid toegevoegd", "Workgroup member added"),
    AuditAction.MEMBER_EMAIL: Text(
        "E-mailadres van werkgroeplid gewijzigd", "Workgroup member's address changed"
    ),
    AuditAction.MILESTONE_SET: Text("Mijlpaal vastgesteld", "Milestone set"),
    AuditAction.EXPERT_ADD: Text("Expert toegevoegd", "Expert added"),
    AuditAction.EXPERT_IMPORT: Text("Experts geïmporteerd", "Experts imported"),
    AuditAction.EXPERT_INVITE: Text("Experts uitgenodigd", "Experts invited"),
    AuditAction.EXPERT_RESPOND: Text("Antwoord van expert vastgelegd", "Expert's answer recorded"),
    AuditAction.EXPERT_EMAIL: Text("E-mailadres van expert gewijzigd", "Expert's address changed"),
    AuditAction.SESSION_ADD: Text("Bijeenkomst gepland", "Session scheduled"),
    AuditAction.SESSION_MOVE: Text("Bijeenkomst verplaatst", "Session moved"),
    AuditAction.SESSION_CANCEL: Text("Bijeenkomst afgezegd", "Session cancelled"),
    AuditAction.SESSION_ATTEND: Text("Aanwezigheid vastgelegd", "Attendance recorded"),
    AuditAction.CANDIDATE_ADD: Text("Kandidaat toegevoegd", "Candidate added"),
    AuditAction.CANDIDATE_ASSESS: Text("Kandidaat beoordeeld", "Candidate assessed"),
    AuditAction.NOMINATION_SUBMIT: Text("Voordracht ingediend", "Nomination submitted"),
    AuditAction.NOMINATION_EDIT: Text("Voordracht gewijzigd", "Nomination changed"),
    AuditAction.CONCEPT_LIST_EMPTY_REASON: Text(
        "Reden voor een lege conceptlijst vastgelegd", "Reason for an empty concept list recorded"
    ),
    AuditAction.ADVICE_RECORD: Text("Advies archivaris vastgelegd", "Archivist's advice recorded"),
    AuditAction.DECISION_RECORD: Text("Besluit vastgelegd", "Decision recorded"),
    AuditAction.INVENTORY_SYSTEM: Text(
        "Systeem aan de inventarisatie toegevoegd", "System added to the inventory"
    ),
    AuditAction.INVENTORY_DOSSIER: Text(
        "Dossier op blijvend bewaren gezet", "File marked for permanent retention"
    ),
    AuditAction.INVENTORY_NONE: Text(
        "Geen dossiers gevonden vastgelegd", "No files found recorded"
    ),
    AuditAction.PUBLICATION_RECORD: Text("Publicatie vastgelegd", "Publication recorded"),
    AuditAction.LINK_REVOKE: Text("Persoonlijke links ingetrokken", "Personal links revoked"),
    AuditAction.MAIL_RETRY: Text("Mislukte mail opnieuw verstuurd", "Failed mail sent again"),
    AuditAction.MAIL_FAILURES_REPORTED: Text("Mislukte mail gemeld", "Failed mail reported"),
    AuditAction.REMINDERS_SWEEP: Text("Herinneringen verstuurd", "Reminders sent"),
    AuditAction.DEADLINES_PLAN: Text("Termijnen gepland", "Deadlines planned"),
}


# --- reading the data of a record, whatever it holds ---------------------------------------

# A value shown in a sentence is cut here: the full data is one click away on the page.
_SHOWN = 120
# Longer digit strings are no count or id a procedure has (and int() of a huge one is slow).
_MAX_DIGITS = 18


class _Data:
    """A record's data, read defensively: every getter gives None for what it cannot use."""

    def __init__(self, data: object) -> None:
        self._data: Mapping[Any, Any] = data if isinstance(data, Mapping) else {}

    def raw(self, key: str) -> Any:
        return self._data.get(key)

    def text(self, key: str) -> str | None:
        value = self.raw(key)
        if isinstance(value, str):
            shown = " ".join(value.split())
            if len(shown) > _SHOWN:
                shown = shown[: _SHOWN - 1] + "…"
            return shown or None
        number = _as_int(value)
        return str(number) if number is not None else None

    def number(self, key: str) -> int | None:
        return _as_int(self.raw(key))

    def flag(self, key: str) -> bool | None:
        value = self.raw(key)
        return value if isinstance(value, bool) else None

    def count(self, key: str) -> int | None:
        """A count stored as a number, or the length of a stored list."""
        value = self.raw(key)
        if isinstance(value, list | tuple):
            return len(value)
        return _as_int(value)

    def total(self, key: str) -> int | None:
        """The sum of a stored mapping of counts ({"rsvp": 2, "session": 1} is 3)."""
        value = self.raw(key)
        if not isinstance(value, Mapping):
            return self.count(key)
        counts = [_as_int(v) for v in value.values()]
        return sum(c for c in counts if c is not None)

    def numbers(self, key: str) -> list[int] | None:
        value = self.raw(key)
        if not isinstance(value, list | tuple):
            return None
        found = [_as_int(v) for v in value]
        return [n for n in found if n is not None]

    def moment(self, key: str) -> datetime | None:
        value = self.raw(key)
        if not isinstance(value, str) or len(value) > 40:
            return None
        try:
            moment = datetime.fromisoformat(value)
            # Stored with a zone; one without is read as Dutch time, as every other input is.
            return (
                moment.astimezone(AMSTERDAM)
                if moment.tzinfo is not None
                else moment.replace(tzinfo=AMSTERDAM)
            )
        except (ValueError, OverflowError):
            return None

    def day(self, key: str) -> date | None:
        value = self.raw(key)
        if not isinstance(value, str) or len(value) > 40:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None


def _as_int(value: object) -> int | None:
    # bool is an int to Python, never a count to a reader.
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if abs(value) < 10**_MAX_DIGITS else None
    if isinstance(value, str) and value.isdecimal() and len(value) <= _MAX_DIGITS:
        return int(value)
    return None


# --- words ---------------------------------------------------------------------------------


def _who(actor_name: str, language: Language) -> str:
    shown = " ".join(str(actor_name or "").split())[:_SHOWN]
    return shown or Text("onbekend", "someone unknown")(language)


def _fallback(label: Text, who: str, language: Language) -> str:
    return f"{label(language)} {'by' if language == 'en' else 'door'} {who}"


def _capitalised(text: str) -> str:
    # A sentence starts with a capital, also when the actor is "het systeem" or "jan".
    return text[:1].upper() + text[1:]


def _day(day: date) -> Text:
    return Text(format_date(day, "nl"), format_date(day, "en"))


def _when(moment: datetime) -> Text:
    """A moment in Dutch time: "3 april 2025 14.00 uur", "3 April 2025 14:00"."""
    day = moment.date()
    return Text(
        f"{format_date(day, 'nl')} {moment:%H.%M} uur",
        f"{format_date(day, 'en')} {moment:%H:%M}",
    )


def _plural(count: int, one: Text, many: Text) -> Text:
    word = one if count == 1 else many
    return Text(f"{count} {word.nl}", f"{count} {word.en}")


def _quoted(value: str) -> Text:
    return Text(f"‘{value}’", f"‘{value}’")


def _phase(value: str | None) -> Text | None:
    if value is None:
        return None
    try:
        return PHASE_LABELS[Phase(value)]
    except ValueError:
        return Text(value, value)


def _milestone(value: str) -> Text:
    return MILESTONE_LABELS.get(value, Text(value, value))


def _with(base: Text, extra_nl: str, extra_en: str) -> Text:
    return Text(base.nl + extra_nl, base.en + extra_en)


# --- one sentence per action ---------------------------------------------------------------

# Each gets the actor's name and the data; None means "not enough to say more than the label".
_Sentence = Callable[[str, _Data], Text | None]
_SENTENCES: dict[AuditAction, _Sentence] = {}


def _says(action: AuditAction) -> Callable[[_Sentence], _Sentence]:
    def register(sentence: _Sentence) -> _Sentence:
        _SENTENCES[action] = sentence
        return sentence

    return register


@_says(AuditAction.PROCEDURE_INIT)
def _procedure_init(who: str, d: _Data) -> Text | None:
    organisation = d.text("organisation")
    period = d.numbers("period")
    said = (
        Text(
            f"{who} opende de procedure voor {organisation}",
            f"{who} opened the procedure for {organisation}",
        )
        if organisation
        else Text(f"{who} opende de procedure", f"{who} opened the procedure")
    )
    if period is not None and len(period) == 2:
        said = _with(said, f" over {period[0]}–{period[1]}", f" covering {period[0]}–{period[1]}")
    return said


@_says(AuditAction.PHASE_ADVANCE)
def _phase_advance(who: str, d: _Data) -> Text | None:
    before, after = _phase(d.text("from")), _phase(d.text("to"))
    if after is None:
        return None
    said = (
        Text(
            f"{who} zette de procedure door van {before.nl} naar {after.nl}",
            f"{who} moved the procedure on from {before.en} to {after.en}",
        )
        if before is not None
        else Text(
            f"{who} zette de procedure door naar {after.nl}",
            f"{who} moved the procedure on to {after.en}",
        )
    )
    version = d.number("list_version")
    if version is not None:
        said = _with(
            said,
            f"; conceptlijst versie {version} is vastgelegd",
            f"; concept list version {version} was frozen",
        )
    return said


@_says(AuditAction.PHASE_CANCEL)
def _phase_cancel(who: str, d: _Data) -> Text | None:
    return Text(f"{who} annuleerde de procedure", f"{who} cancelled the procedure")


@_says(AuditAction.DEVIATION_RECORD)
def _deviation(who: str, d: _Data) -> Text | None:
    code = d.text("rule")
    if code is None:
        return None
    rule = rule_label(code)
    return Text(
        f"{who} legde een bewuste afwijking vast van de regel ‘{rule.nl}’",
        f"{who} recorded a deliberate deviation from the rule ‘{rule.en}’",
    )


@_says(AuditAction.MEMBER_ADD)
def _member_add(who: str, d: _Data) -> Text | None:
    name, role = d.text("name"), d.text("role")
    if name is None:
        return None
    said = Text(f"{who} voegde {name}", f"{who} added {name}")
    if role is not None:
        said = _with(said, f" ({role})", f" ({role})")
    return _with(said, " toe aan de werkgroep", " to the workgroup")


def _readdressed(who: str, d: _Data, whose: Text) -> Text | None:
    before, after = d.text("from"), d.text("to")
    if after is None:
        return None
    if before is None:
        return Text(
            f"{who} wijzigde het e-mailadres van {whose.nl} in {after}",
            f"{who} changed the address of {whose.en} to {after}",
        )
    return Text(
        f"{who} wijzigde het e-mailadres van {whose.nl} van {before} in {after}",
        f"{who} changed the address of {whose.en} from {before} to {after}",
    )


@_says(AuditAction.MEMBER_EMAIL)
def _member_email(who: str, d: _Data) -> Text | None:
    count = d.count("members")
    whose = (
        Text("werkgroepleden", "workgroup members")
        if count is not None and count > 1
        else Text("een werkgroeplid", "a workgroup member")
    )
    return _readdressed(who, d, whose)


@_says(AuditAction.MILESTONE_SET)
def _milestone_set(who: str, d: _Data) -> Text | None:
    key, due = d.text("milestone"), d.day("due")
    if key is None or due is None:
        return None
    label, day = _milestone(key), _day(due)
    said = Text(
        f"{who} zette de mijlpaal ‘{label.nl}’ op {day.nl}",
        f"{who} set the milestone ‘{label.en}’ to {day.en}",
    )
    previous = d.day("previous")
    if previous is not None:
        before = _day(previous)
        said = _with(said, f" (was {before.nl})", f" (was {before.en})")
    return said


_SIDES = frozenset(p.value for p in Perspective)


@_says(AuditAction.EXPERT_ADD)
def _expert_add(who: str, d: _Data) -> Text | None:
    name = d.text("name")
    if name is None:
        return None
    said = Text(f"{who} voegde expert {name} toe", f"{who} added expert {name}")
    side = d.text("perspective")
    if side in _SIDES:
        label = PERSPECTIVE_LABELS[Perspective(side)]
        said = _with(said, f" ({label.nl})", f" ({label.en})")
    return said


_EXPERTS = (Text("expert", "expert"), Text("experts", "experts"))


@_says(AuditAction.EXPERT_IMPORT)
def _expert_import(who: str, d: _Data) -> Text | None:
    count = d.count("count") if d.count("count") is not None else d.count("experts")
    if count is None:
        return None
    many = _plural(count, *_EXPERTS)
    return Text(f"{who} importeerde {many.nl}", f"{who} imported {many.en}")


@_says(AuditAction.EXPERT_INVITE)
def _expert_invite(who: str, d: _Data) -> Text | None:
    count = d.count("count") if d.count("count") is not None else d.count("experts")
    if count is None:
        return None
    many = _plural(count, *_EXPERTS)
    return Text(f"{who} nodigde {many.nl} uit", f"{who} invited {many.en}")


_ANSWERS: dict[str, Text] = {
    Response.ACCEPTED: Text("neemt deel", "takes part"),
    Response.DECLINED: Text("neemt niet deel", "does not take part"),
    Response.PENDING: Text("nog geen antwoord", "no answer yet"),
}


@_says(AuditAction.EXPERT_RESPOND)
def _expert_respond(who: str, d: _Data) -> Text | None:
    expert, answer = d.number("expert"), _ANSWERS.get(d.text("response") or "")
    if answer is None:
        return None
    whose = Text(f"expert {expert}", f"expert {expert}") if expert is not None else _EXPERTS[0]
    return Text(
        f"{who} legde het antwoord van {whose.nl} vast: {answer.nl}",
        f"{who} recorded the answer of {whose.en}: {answer.en}",
    )


@_says(AuditAction.EXPERT_EMAIL)
def _expert_email(who: str, d: _Data) -> Text | None:
    expert = d.number("expert")
    whose = Text(f"expert {expert}", f"expert {expert}") if expert is not None else _EXPERTS[0]
    return _readdressed(who, d, whose)


@_says(AuditAction.SESSION_ADD)
def _session_add(who: str, d: _Data) -> Text | None:
    session, at = d.number("session"), d.moment("at")
    if session is None or at is None:
        return None
    when = _when(at)
    said = Text(
        f"{who} plande bijeenkomst {session} op {when.nl}",
        f"{who} scheduled session {session} for {when.en}",
    )
    place = d.text("location")
    if place is not None:
        said = _with(said, f" in {place}", f" at {place}")
    return said


@_says(AuditAction.SESSION_MOVE)
def _session_move(who: str, d: _Data) -> Text | None:
    session, to = d.number("session"), d.moment("to")
    if session is None or to is None:
        return None
    when = _when(to)
    return Text(
        f"{who} verplaatste bijeenkomst {session} naar {when.nl}",
        f"{who} moved session {session} to {when.en}",
    )


@_says(AuditAction.SESSION_CANCEL)
def _session_cancel(who: str, d: _Data) -> Text | None:
    session = d.number("session")
    if session is None:
        return None
    return Text(f"{who} zegde bijeenkomst {session} af", f"{who} cancelled session {session}")


@_says(AuditAction.SESSION_ATTEND)
def _session_attend(who: str, d: _Data) -> Text | None:
    session, count = d.number("session"), d.count("experts")
    if session is None or count is None:
        return None
    many = _plural(count, Text("aanwezige", "attendee"), Text("aanwezigen", "attendees"))
    return Text(
        f"{who} registreerde {many.nl} bij bijeenkomst {session}",
        f"{who} recorded {many.en} at session {session}",
    )


def _candidate(d: _Data) -> Text | None:
    number, title = d.number("candidate"), d.text("title")
    if number is None:
        return None
    if title is None:
        return Text(f"kandidaat {number}", f"candidate {number}")
    return Text(f"kandidaat {number} ‘{title}’", f"candidate {number} ‘{title}’")


@_says(AuditAction.CANDIDATE_ADD)
def _candidate_add(who: str, d: _Data) -> Text | None:
    candidate = _candidate(d)
    if candidate is None:
        return None
    return Text(f"{who} voegde {candidate.nl} toe", f"{who} added {candidate.en}")


@_says(AuditAction.CANDIDATE_ASSESS)
def _candidate_assess(who: str, d: _Data) -> Text | None:
    number, included = d.number("candidate"), d.flag("included")
    if number is None or included is None:
        return None
    if not included:
        return Text(
            f"{who} beoordeelde kandidaat {number}: niet op de conceptlijst",
            f"{who} assessed candidate {number}: not on the concept list",
        )
    said = Text(
        f"{who} plaatste kandidaat {number} op de conceptlijst",
        f"{who} put candidate {number} on the concept list",
    )
    criteria = d.numbers("criteria")
    if criteria:
        shown = ", ".join(str(c) for c in criteria)
        said = _with(said, f" (criteria {shown})", f" (criteria {shown})")
    return said


@_says(AuditAction.NOMINATION_SUBMIT)
def _nomination_submit(who: str, d: _Data) -> Text | None:
    number, title = d.number("candidate"), d.text("title")
    if number is None or title is None:
        return None
    return Text(
        f"{who} droeg ‘{title}’ voor (kandidaat {number})",
        f"{who} nominated ‘{title}’ (candidate {number})",
    )


@_says(AuditAction.NOMINATION_EDIT)
def _nomination_edit(who: str, d: _Data) -> Text | None:
    candidate = _candidate(d)
    if candidate is None:
        return None
    return Text(
        f"{who} wijzigde de voordracht {candidate.nl.removeprefix('kandidaat ')}",
        f"{who} changed nomination {candidate.en.removeprefix('candidate ')}",
    )


@_says(AuditAction.CONCEPT_LIST_EMPTY_REASON)
def _empty_reason(who: str, d: _Data) -> Text | None:
    return Text(
        f"{who} legde vast waarom de conceptlijst leeg is",
        f"{who} recorded why the concept list is empty",
    )


def _list(d: _Data) -> Text:
    version = d.number("list_version")
    if version is None:
        return Text("de conceptlijst", "the concept list")
    return Text(f"conceptlijst versie {version}", f"concept list version {version}")


@_says(AuditAction.ADVICE_RECORD)
def _advice(who: str, d: _Data) -> Text | None:
    positive = d.flag("positive")
    if positive is None:
        return None
    kind = Text("positieve", "positive") if positive else Text("negatieve", "negative")
    adviser = d.text("by")
    source = (
        Text(f"van {adviser}", f"from {adviser}")
        if adviser
        else Text("van de archivaris", "from the archivist")
    )
    about = _list(d)
    return Text(
        f"{who} legde het {kind.nl} advies {source.nl} over {about.nl} vast",
        f"{who} recorded the {kind.en} advice {source.en} on {about.en}",
    )


@_says(AuditAction.DECISION_RECORD)
def _decision(who: str, d: _Data) -> Text | None:
    adopted = d.flag("adopted")
    if adopted is None:
        return None
    about = _list(d)
    if not adopted:
        return Text(
            f"{who} legde vast dat het bestuursorgaan {about.nl} niet vaststelde; de lijst "
            "gaat terug naar de expertbijeenkomsten",
            f"{who} recorded that the governing body did not adopt {about.en}; the list goes "
            "back to the expert sessions",
        )
    said = Text(
        f"{who} legde vast dat het bestuursorgaan {about.nl}",
        f"{who} recorded that the governing body adopted {about.en}",
    )
    on = d.day("date")
    if on is not None:
        day = _day(on)
        said = _with(said, f" op {day.nl}", f" on {day.en}")
    said = _with(said, " vaststelde", "")
    count = d.count("hotspots")
    if count is not None:
        many = _plural(count, Text("hotspot", "hotspot"), Text("hotspots", "hotspots"))
        said = _with(said, f" ({many.nl})", f" ({many.en})")
    return said


@_says(AuditAction.INVENTORY_SYSTEM)
def _inventory_system(who: str, d: _Data) -> Text | None:
    hotspot, system = d.text("hotspot"), d.text("system")
    if hotspot is None or system is None:
        return None
    said = Text(
        f"{who} voegde systeem ‘{system}’ toe aan de inventarisatie van hotspot {hotspot}",
        f"{who} added system ‘{system}’ to the inventory of hotspot {hotspot}",
    )
    owner = d.text("owner")
    if owner is not None:
        said = _with(said, f" (eigenaar {owner})", f" (owner {owner})")
    return said


@_says(AuditAction.INVENTORY_DOSSIER)
def _inventory_dossier(who: str, d: _Data) -> Text | None:
    hotspot, dossier = d.text("hotspot"), d.text("dossier")
    if hotspot is None or dossier is None:
        return None
    system = d.text("system")
    where = Text(f" in ‘{system}’", f" in ‘{system}’") if system else Text("", "")
    return Text(
        f"{who} zette dossier {dossier}{where.nl} van hotspot {hotspot} op blijvend bewaren",
        f"{who} marked file {dossier}{where.en} of hotspot {hotspot} for permanent retention",
    )


@_says(AuditAction.INVENTORY_NONE)
def _inventory_none(who: str, d: _Data) -> Text | None:
    hotspot, system = d.text("hotspot"), d.text("system")
    if hotspot is None or system is None:
        return None
    return Text(
        f"{who} legde vast dat ‘{system}’ geen dossiers over hotspot {hotspot} bevat",
        f"{who} recorded that ‘{system}’ holds no files on hotspot {hotspot}",
    )


@_says(AuditAction.PUBLICATION_RECORD)
def _publication(who: str, d: _Data) -> Text | None:
    channel = d.text("channel")
    if channel is None:
        return None
    said = Text(
        f"{who} legde de publicatie in {channel} vast",
        f"{who} recorded the publication in {channel}",
    )
    reference, in_force = d.text("ref"), d.day("in_force")
    if reference is not None:
        said = _with(said, f" (kenmerk {reference})", f" (reference {reference})")
    if in_force is not None:
        day = _day(in_force)
        said = _with(said, f", in werking op {day.nl}", f", in force on {day.en}")
    return said


@_says(AuditAction.LINK_REVOKE)
def _link_revoke(who: str, d: _Data) -> Text | None:
    count = d.number("revoked")
    if count is None:
        count = d.total("purposes")
    if count is None:
        return None
    many = _plural(
        count,
        Text("persoonlijke link", "personal link"),
        Text("persoonlijke links", "personal links"),
    )
    return Text(f"{who} trok {many.nl} in", f"{who} revoked {many.en}")


_MESSAGES = (Text("bericht", "message"), Text("berichten", "messages"))


@_says(AuditAction.MAIL_RETRY)
def _mail_retry(who: str, d: _Data) -> Text | None:
    count = d.number("count")
    if count is None:
        count = d.count("messages")
    if count is None:
        return None
    many = _plural(count, *_MESSAGES)
    return Text(
        f"{who} zette {many.nl} opnieuw klaar voor verzending",
        f"{who} queued {many.en} again",
    )


@_says(AuditAction.MAIL_FAILURES_REPORTED)
def _failures_reported(who: str, d: _Data) -> Text | None:
    failed = d.count("failed")
    if failed is None:
        return None
    many = _plural(
        failed,
        Text("mislukt bericht", "failed message"),
        Text("mislukte berichten", "failed messages"),
    )
    said = Text(f"{who} meldde {many.nl}", f"{who} reported {many.en}")
    told = d.number("to")
    if told is not None:
        people = _plural(
            told, Text("procesbegeleider", "facilitator"), Text("procesbegeleiders", "facilitators")
        )
        said = _with(said, f" aan {people.nl}", f" to {people.en}")
    return said


@_says(AuditAction.REMINDERS_SWEEP)
def _reminders_sweep(who: str, d: _Data) -> Text | None:
    sent, skipped = d.total("sent"), d.total("skipped")
    if sent is None:
        return None
    many = _plural(sent, Text("herinnering", "reminder"), Text("herinneringen", "reminders"))
    said = Text(f"{who} verstuurde {many.nl}", f"{who} sent {many.en}")
    if skipped:
        said = _with(said, f" ({skipped} overgeslagen)", f" ({skipped} skipped)")
    return said


@_says(AuditAction.DEADLINES_PLAN)
def _deadlines_plan(who: str, d: _Data) -> Text | None:
    return Text(
        f"{who} plande de termijnen en herinneringen van de procedure",
        f"{who} planned the procedure's deadlines and reminders",
    )
