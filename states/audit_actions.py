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
from string import Formatter
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
    MILESTONES_PLAN = "milestones.plan"
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
    INVENTORY_SYSTEM_DEFINE = "inventory.system_define"
    INVENTORY_DOSSIER = "inventory.dossier"
    INVENTORY_NONE = "inventory.none"
    INVENTORY_CASES_FOUND = "inventory.cases_found"
    INVENTORY_CASE_SELECT = "inventory.case_select"
    INVENTORY_CASE_APPLY = "inventory.case_apply"
    INVENTORY_CASE_EXPLAIN = "inventory.case_explain"
    CASES_CHECK = "cases.check"
    CASES_DRIFT = "cases.drift"
    PUBLICATION_RECORD = "publication.record"
    LINK_REVOKE = "link.revoke"
    MAIL_RETRY = "mail.retry"
    WORKGROUP_NOTICE = "workgroup.notice"
    INVITATION_INTRO = "invitation.intro"
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
    AuditAction.MILESTONES_PLAN: Text("Planning vastgesteld", "Planning set"),
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
    AuditAction.INVENTORY_SYSTEM_DEFINE: Text(
        "Informatiesysteem van de procedure vastgelegd", "Information system of the procedure set"
    ),
    AuditAction.INVENTORY_DOSSIER: Text(
        "Dossier op blijvend bewaren gezet", "File marked for permanent retention"
    ),
    AuditAction.INVENTORY_NONE: Text(
        "Geen dossiers gevonden vastgelegd", "No files found recorded"
    ),
    AuditAction.INVENTORY_CASES_FOUND: Text(
        "Zaken in een zaaksysteem gezocht", "Cases searched in a case system"
    ),
    AuditAction.INVENTORY_CASE_SELECT: Text(
        "Zaak wel of niet bij een hotspot gekozen", "Case chosen for a hotspot or not"
    ),
    AuditAction.INVENTORY_CASE_APPLY: Text(
        "Zaak in het zaaksysteem op blijvend bewaren gezet", "Case kept in the case system"
    ),
    AuditAction.INVENTORY_CASE_EXPLAIN: Text(
        "Uitleg bij een niet bewaarde zaak vastgelegd", "Explanation for a case not kept recorded"
    ),
    AuditAction.CASES_CHECK: Text(
        "Bewaarde zaken in de zaaksystemen gecontroleerd", "Kept cases checked in the case systems"
    ),
    AuditAction.CASES_DRIFT: Text(
        "Afwijking bij een bewaarde zaak gevonden", "Drift found in a kept case"
    ),
    AuditAction.PUBLICATION_RECORD: Text("Publicatie vastgelegd", "Publication recorded"),
    AuditAction.LINK_REVOKE: Text("Persoonlijke links ingetrokken", "Personal links revoked"),
    AuditAction.MAIL_RETRY: Text("Mislukte mail opnieuw verstuurd", "Failed mail sent again"),
    AuditAction.MAIL_FAILURES_REPORTED: Text("Mislukte mail gemeld", "Failed mail reported"),
    AuditAction.REMINDERS_SWEEP: Text("Herinneringen verstuurd", "Reminders sent"),
    AuditAction.DEADLINES_PLAN: Text("Termijnen gepland", "Deadlines planned"),
    AuditAction.WORKGROUP_NOTICE: Text("Bericht aan de werkgroep", "Message to the workgroup"),
    AuditAction.INVITATION_INTRO: Text(
        "Inleiding van de uitnodiging vastgelegd", "Introduction of the invitation set"
    ),
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


def _milestone(value: str) -> Text:
    return MILESTONE_LABELS.get(value, Text(value, value))


def _phase(value: str) -> Text:
    try:
        return PHASE_LABELS[Phase(value)]
    except ValueError:
        return Text(value, value)


# --- one sentence per action ---------------------------------------------------------------

# A sentence is a template per language whose named parts are read from the data; a part is
# a `_Reader`. A reader that gives None means "not in this record", and a sentence missing a
# part it needs says no more than the label. Optional wording ("in Stadhuis") is a part that
# never gives None: its words, or nothing.
_Part = Text | str | int
_Reader = Callable[[_Data], _Part | None]
# Each gets the actor's name and the data; None means "not enough to say more than the label".
_Sentence = Callable[[str, _Data], Text | None]

_NOTHING = Text("", "")


def _word(part: _Part, language: Language) -> str:
    return part(language) if isinstance(part, Text) else str(part)


def _fill(nl: str, en: str, parts: Mapping[str, _Part]) -> Text:
    # str.format puts the values in as they are: braces in stored data are never a field.
    return Text(
        nl.format(**{name: _word(part, "nl") for name, part in parts.items()}),
        en.format(**{name: _word(part, "en") for name, part in parts.items()}),
    )


def _checked(nl: str, en: str, names: set[str]) -> None:
    # A misspelt field would make every record of the action fall back to its label, quietly
    # (a sentence never raises); found at import, it cannot ship.
    fields = {field for _, field, _, _ in Formatter().parse(nl + en) if field is not None}
    if not fields <= names:
        raise ValueError(f"template fields {sorted(fields - names)} have no reader: {nl!r}")


def _say(nl: str, en: str, **readers: _Reader) -> _Sentence:
    """The sentence `nl`/`en` with `{who}` and each reader's part; None if a part is missing."""
    _checked(nl, en, {"who", *readers})

    def sentence(who: str, d: _Data) -> Text | None:
        parts: dict[str, _Part] = {"who": who}
        for name, read in readers.items():
            part = read(d)
            if part is None:
                return None
            parts[name] = part
        return _fill(nl, en, parts)

    return sentence


def _first(*sentences: _Sentence) -> _Sentence:
    """The first of `sentences` the data is enough for: the fullest wording goes first."""

    def sentence(who: str, d: _Data) -> Text | None:
        for candidate in sentences:
            said = candidate(who, d)
            if said is not None:
                return said
        return None

    return sentence


def _text(key: str) -> _Reader:
    return lambda d: d.text(key)


def _number(key: str) -> _Reader:
    return lambda d: d.number(key)


_Count = Callable[[_Data], int | None]


def _count(*counts: _Count) -> _Count:
    """The first figure one of `counts` finds: records store it under more than one key."""

    def count(d: _Data) -> int | None:
        for read in counts:
            found = read(d)
            if found is not None:
                return found
        return None

    return count


def _is(key: str, value: bool) -> _Reader:
    """An empty part when the flag `key` is `value`: it picks a wording, it shows no words."""
    return lambda d: "" if d.flag(key) is value else None


def _moment(key: str) -> _Reader:
    return lambda d: _when(moment) if (moment := d.moment(key)) is not None else None


def _on(key: str) -> _Reader:
    return lambda d: _day(day) if (day := d.day(key)) is not None else None


def _looked_up(key: str, words: Callable[[str], Text | None]) -> _Reader:
    return lambda d: words(value) if (value := d.text(key)) is not None else None


def _counted(count: _Count, one: Text, many: Text) -> _Reader:
    return lambda d: _plural(number, one, many) if (number := count(d)) is not None else None


def _optional(read: _Reader, nl: str, en: str, otherwise: Text = _NOTHING) -> _Reader:
    """`nl`/`en` with the part as `{v}` when the data has it, else `otherwise`; never None."""
    _checked(nl, en, {"v"})

    def part(d: _Data) -> Text:
        found = read(d)
        return _fill(nl, en, {"v": found}) if found is not None else otherwise

    return part


def _apply_result(value: str) -> Text | None:
    return {
        "changed": Text("gewijzigd", "changed"),
        "unchanged": Text("stond al zo", "already so"),
        "refused": Text("geweigerd door het zaaksysteem", "refused by the case system"),
        "failed": Text("mislukt", "failed"),
    }.get(value)


def _check_result(value: str) -> Text | None:
    return {
        "restored": Text("hersteld", "restored"),
        "not_restored": Text("niet hersteld", "not restored"),
        "gone": Text("de zaak is er niet meer", "the case is gone"),
    }.get(value)


def _period(d: _Data) -> str | None:
    period = d.numbers("period")
    return f"{period[0]}–{period[1]}" if period is not None and len(period) == 2 else None


def _verdict(key: str, yes: Text, no: Text) -> _Reader:
    return lambda d: None if (flag := d.flag(key)) is None else yes if flag else no


def _side(d: _Data) -> Text | None:
    side = d.text("perspective")
    return PERSPECTIVE_LABELS[Perspective(side)] if side in _SIDES else None


def _several(d: _Data) -> str | None:
    count = d.count("members")
    return "" if count is not None and count > 1 else None


def _criteria(d: _Data) -> str | None:
    criteria = d.numbers("criteria")
    return ", ".join(str(c) for c in criteria) if criteria else None


_SIDES = frozenset(p.value for p in Perspective)
_EXPERTS = (Text("expert", "expert"), Text("experts", "experts"))
_MESSAGES = (Text("bericht", "message"), Text("berichten", "messages"))
_ANSWERS: dict[str, Text] = {
    Response.ACCEPTED: Text("neemt deel", "takes part"),
    Response.DECLINED: Text("neemt niet deel", "does not take part"),
    Response.PENDING: Text("nog geen antwoord", "no answer yet"),
}

_PERIOD = _optional(_period, " over {v}", " covering {v}")
_FROZEN = _optional(
    _number("list_version"),
    "; conceptlijst versie {v} is vastgelegd",
    "; concept list version {v} was frozen",
)
_LIST = _optional(
    _number("list_version"),
    "conceptlijst versie {v}",
    "concept list version {v}",
    otherwise=Text("de conceptlijst", "the concept list"),
)
_EXPERT = _optional(_number("expert"), "expert {v}", "expert {v}", otherwise=_EXPERTS[0])
_TITLE = _optional(_text("title"), " ‘{v}’", " ‘{v}’")


def _readdressed(whose: _Reader) -> _Sentence:
    return _first(
        _say(
            "{who} wijzigde het e-mailadres van {whose} van {before} in {after}",
            "{who} changed the address of {whose} from {before} to {after}",
            whose=whose,
            before=_text("from"),
            after=_text("to"),
        ),
        _say(
            "{who} wijzigde het e-mailadres van {whose} in {after}",
            "{who} changed the address of {whose} to {after}",
            whose=whose,
            after=_text("to"),
        ),
    )


_EXPERT_COUNT = _counted(
    _count(lambda d: d.count("count"), lambda d: d.count("experts")), *_EXPERTS
)
# The planning form's record holds the changed milestones as a mapping by key.
_MILESTONE_COUNT = _counted(
    lambda d: len(v) if isinstance(v := d.raw("milestones"), Mapping) else None,
    Text("mijlpaal gewijzigd", "milestone changed"),
    Text("mijlpalen gewijzigd", "milestones changed"),
)

_SENTENCES: dict[AuditAction, _Sentence] = {
    AuditAction.PROCEDURE_INIT: _first(
        _say(
            "{who} opende de procedure voor {organisation}{period}",
            "{who} opened the procedure for {organisation}{period}",
            organisation=_text("organisation"),
            period=_PERIOD,
        ),
        _say(
            "{who} opende de procedure{period}",
            "{who} opened the procedure{period}",
            period=_PERIOD,
        ),
    ),
    AuditAction.PHASE_ADVANCE: _first(
        _say(
            "{who} zette de procedure door van {before} naar {after}{frozen}",
            "{who} moved the procedure on from {before} to {after}{frozen}",
            before=_looked_up("from", _phase),
            after=_looked_up("to", _phase),
            frozen=_FROZEN,
        ),
        _say(
            "{who} zette de procedure door naar {after}{frozen}",
            "{who} moved the procedure on to {after}{frozen}",
            after=_looked_up("to", _phase),
            frozen=_FROZEN,
        ),
    ),
    AuditAction.PHASE_CANCEL: _say(
        "{who} annuleerde de procedure", "{who} cancelled the procedure"
    ),
    AuditAction.DEVIATION_RECORD: _say(
        "{who} legde een bewuste afwijking vast van de regel ‘{rule}’",
        "{who} recorded a deliberate deviation from the rule ‘{rule}’",
        rule=_looked_up("rule", rule_label),
    ),
    AuditAction.MEMBER_ADD: _say(
        "{who} voegde {name}{role} toe aan de werkgroep",
        "{who} added {name}{role} to the workgroup",
        name=_text("name"),
        role=_optional(_text("role"), " ({v})", " ({v})"),
    ),
    AuditAction.MEMBER_EMAIL: _readdressed(
        _optional(
            _several,
            "werkgroepleden",
            "workgroup members",
            otherwise=Text("een werkgroeplid", "a workgroup member"),
        )
    ),
    AuditAction.MILESTONE_SET: _say(
        "{who} zette de mijlpaal ‘{label}’ op {due}{previous}",
        "{who} set the milestone ‘{label}’ to {due}{previous}",
        label=_looked_up("milestone", _milestone),
        due=_on("due"),
        previous=_optional(_on("previous"), " (was {v})", " (was {v})"),
    ),
    AuditAction.MILESTONES_PLAN: _say(
        "{who} stelde de planning vast: {count}",
        "{who} set the planning: {count}",
        count=_MILESTONE_COUNT,
    ),
    AuditAction.EXPERT_ADD: _say(
        "{who} voegde expert {name} toe{side}",
        "{who} added expert {name}{side}",
        name=_text("name"),
        side=_optional(_side, " ({v})", " ({v})"),
    ),
    AuditAction.EXPERT_IMPORT: _say(
        "{who} importeerde {many}", "{who} imported {many}", many=_EXPERT_COUNT
    ),
    AuditAction.EXPERT_INVITE: _say(
        "{who} nodigde {many} uit", "{who} invited {many}", many=_EXPERT_COUNT
    ),
    AuditAction.EXPERT_RESPOND: _say(
        "{who} legde het antwoord van {whose} vast: {answer}",
        "{who} recorded the answer of {whose}: {answer}",
        whose=_EXPERT,
        answer=_looked_up("response", _ANSWERS.get),
    ),
    AuditAction.EXPERT_EMAIL: _readdressed(_EXPERT),
    AuditAction.WORKGROUP_NOTICE: _say(
        "{who} stuurde de werkgroep een bericht: {subject}",
        "{who} sent the workgroup a message: {subject}",
        subject=_text("subject"),
    ),
    AuditAction.INVITATION_INTRO: _say(
        "{who} legde de inleiding van de uitnodiging aan de experts vast",
        "{who} set the introduction of the experts' invitation",
    ),
    AuditAction.SESSION_ADD: _say(
        "{who} plande bijeenkomst {session} op {when}{place}",
        "{who} scheduled session {session} for {when}{place}",
        session=_number("session"),
        when=_moment("at"),
        place=_optional(_text("location"), " in {v}", " at {v}"),
    ),
    AuditAction.SESSION_MOVE: _say(
        "{who} verplaatste bijeenkomst {session} naar {when}",
        "{who} moved session {session} to {when}",
        session=_number("session"),
        when=_moment("to"),
    ),
    AuditAction.SESSION_CANCEL: _say(
        "{who} zegde bijeenkomst {session} af",
        "{who} cancelled session {session}",
        session=_number("session"),
    ),
    AuditAction.SESSION_ATTEND: _say(
        "{who} registreerde {many} bij bijeenkomst {session}",
        "{who} recorded {many} at session {session}",
        session=_number("session"),
        many=_counted(
            lambda d: d.count("experts"),
            Text("aanwezige", "attendee"),
            Text("aanwezigen", "attendees"),
        ),
    ),
    AuditAction.CANDIDATE_ADD: _say(
        "{who} voegde kandidaat {candidate}{title} toe",
        "{who} added candidate {candidate}{title}",
        candidate=_number("candidate"),
        title=_TITLE,
    ),
    AuditAction.CANDIDATE_ASSESS: _first(
        _say(
            "{who} beoordeelde kandidaat {candidate}: niet op de conceptlijst",
            "{who} assessed candidate {candidate}: not on the concept list",
            candidate=_number("candidate"),
            excluded=_is("included", False),
        ),
        _say(
            "{who} plaatste kandidaat {candidate} op de conceptlijst{criteria}",
            "{who} put candidate {candidate} on the concept list{criteria}",
            candidate=_number("candidate"),
            included=_is("included", True),
            criteria=_optional(_criteria, " (criteria {v})", " (criteria {v})"),
        ),
    ),
    AuditAction.NOMINATION_SUBMIT: _say(
        "{who} droeg ‘{title}’ voor (kandidaat {candidate})",
        "{who} nominated ‘{title}’ (candidate {candidate})",
        candidate=_number("candidate"),
        title=_text("title"),
    ),
    AuditAction.NOMINATION_EDIT: _say(
        "{who} wijzigde de voordracht {candidate}{title}",
        "{who} changed nomination {candidate}{title}",
        candidate=_number("candidate"),
        title=_TITLE,
    ),
    AuditAction.CONCEPT_LIST_EMPTY_REASON: _say(
        "{who} legde vast waarom de conceptlijst leeg is",
        "{who} recorded why the concept list is empty",
    ),
    AuditAction.ADVICE_RECORD: _say(
        "{who} legde het {kind} advies {source} over {about} vast",
        "{who} recorded the {kind} advice {source} on {about}",
        kind=_verdict("positive", Text("positieve", "positive"), Text("negatieve", "negative")),
        source=_optional(
            _text("by"),
            "van {v}",
            "from {v}",
            otherwise=Text("van de archivaris", "from the archivist"),
        ),
        about=_LIST,
    ),
    AuditAction.DECISION_RECORD: _first(
        _say(
            "{who} legde vast dat het bestuursorgaan {about} niet vaststelde; de lijst gaat terug "
            "naar de expertbijeenkomsten",
            "{who} recorded that the governing body did not adopt {about}; the list goes back to "
            "the expert sessions",
            rejected=_is("adopted", False),
            about=_LIST,
        ),
        _say(
            "{who} legde vast dat het bestuursorgaan {about}{on} vaststelde{hotspots}",
            "{who} recorded that the governing body adopted {about}{on}{hotspots}",
            adopted=_is("adopted", True),
            about=_LIST,
            on=_optional(_on("date"), " op {v}", " on {v}"),
            hotspots=_optional(
                _counted(
                    lambda d: d.count("hotspots"),
                    Text("hotspot", "hotspot"),
                    Text("hotspots", "hotspots"),
                ),
                " ({v})",
                " ({v})",
            ),
        ),
    ),
    AuditAction.INVENTORY_SYSTEM: _say(
        "{who} voegde systeem ‘{system}’ toe aan de inventarisatie van hotspot {hotspot}{owner}",
        "{who} added system ‘{system}’ to the inventory of hotspot {hotspot}{owner}",
        hotspot=_text("hotspot"),
        system=_text("system"),
        owner=_optional(_text("owner"), " (eigenaar {v})", " (owner {v})"),
    ),
    AuditAction.INVENTORY_SYSTEM_DEFINE: _say(
        "{who} legde informatiesysteem ‘{system}’ van de procedure vast{owner}",
        "{who} set information system ‘{system}’ of the procedure{owner}",
        system=_text("system"),
        owner=_optional(_text("owner"), " (eigenaar {v})", " (owner {v})"),
    ),
    AuditAction.INVENTORY_DOSSIER: _say(
        "{who} zette dossier {dossier}{where} van hotspot {hotspot} op blijvend bewaren",
        "{who} marked file {dossier}{where} of hotspot {hotspot} for permanent retention",
        hotspot=_text("hotspot"),
        dossier=_text("dossier"),
        where=_optional(_text("system"), " in ‘{v}’", " in ‘{v}’"),
    ),
    AuditAction.INVENTORY_NONE: _say(
        "{who} legde vast dat ‘{system}’ geen dossiers over hotspot {hotspot} bevat",
        "{who} recorded that ‘{system}’ holds no files on hotspot {hotspot}",
        hotspot=_text("hotspot"),
        system=_text("system"),
    ),
    AuditAction.INVENTORY_CASES_FOUND: _say(
        "{who} zocht in ‘{system}’ de zaken van hotspot {hotspot}: {found}",
        "{who} searched ‘{system}’ for the cases of hotspot {hotspot}: {found}",
        hotspot=_text("hotspot"),
        system=_text("system"),
        found=_counted(lambda d: d.count("found"), Text("zaak", "case"), Text("zaken", "cases")),
    ),
    AuditAction.INVENTORY_CASE_SELECT: _say(
        "{who} besloot over zaak {case} bij hotspot {hotspot}: {choice}{reason}",
        "{who} decided on case {case} for hotspot {hotspot}: {choice}{reason}",
        hotspot=_text("hotspot"),
        case=_text("case"),
        choice=_verdict(
            "include", Text("blijvend bewaren", "keep"), Text("niet bewaren", "do not keep")
        ),
        reason=_optional(_text("reason"), " ({v})", " ({v})"),
    ),
    AuditAction.INVENTORY_CASE_APPLY: _say(
        "{who} zette zaak {case} van hotspot {hotspot} op blijvend bewaren: {result}",
        "{who} kept case {case} of hotspot {hotspot}: {result}",
        hotspot=_text("hotspot"),
        case=_text("case"),
        result=_looked_up("result", _apply_result),
    ),
    AuditAction.INVENTORY_CASE_EXPLAIN: _say(
        "{who} legde uit waarom zaak {case} van hotspot {hotspot} niet verder wordt bijgewerkt: "
        "{explanation}",
        "{who} explained why case {case} of hotspot {hotspot} is not updated further: "
        "{explanation}",
        hotspot=_text("hotspot"),
        case=_text("case"),
        explanation=_text("explanation"),
    ),
    AuditAction.CASES_CHECK: _say(
        "{who} controleerde {many}: {kept} bewaard, {restored} hersteld, {attention}",
        "{who} checked {many}: {kept} kept, {restored} restored, {attention}",
        many=_counted(
            lambda d: d.number("checked"),
            Text("bewaarde zaak", "kept case"),
            Text("bewaarde zaken", "kept cases"),
        ),
        kept=_number("kept"),
        restored=_number("restored"),
        attention=_counted(
            lambda d: sum(d.number(k) or 0 for k in ("not_restored", "gone", "unreachable")),
            Text("vraagt aandacht", "needs attention"),
            Text("vragen aandacht", "need attention"),
        ),
    ),
    AuditAction.CASES_DRIFT: _say(
        "{who} vond dat zaak {case} van hotspot {hotspot} niet meer op blijvend bewaren stond: "
        "{check}",
        "{who} found that case {case} of hotspot {hotspot} was no longer kept: {check}",
        hotspot=_text("hotspot"),
        case=_text("case"),
        check=_looked_up("check", _check_result),
    ),
    AuditAction.PUBLICATION_RECORD: _say(
        "{who} legde de publicatie in {channel} vast{ref}{in_force}",
        "{who} recorded the publication in {channel}{ref}{in_force}",
        channel=_text("channel"),
        ref=_optional(_text("ref"), " (kenmerk {v})", " (reference {v})"),
        in_force=_optional(_on("in_force"), ", in werking op {v}", ", in force on {v}"),
    ),
    AuditAction.LINK_REVOKE: _say(
        "{who} trok {many} in",
        "{who} revoked {many}",
        many=_counted(
            _count(lambda d: d.number("revoked"), lambda d: d.total("purposes")),
            Text("persoonlijke link", "personal link"),
            Text("persoonlijke links", "personal links"),
        ),
    ),
    AuditAction.MAIL_RETRY: _say(
        "{who} zette {many} opnieuw klaar voor verzending",
        "{who} queued {many} again",
        many=_counted(
            _count(lambda d: d.number("count"), lambda d: d.count("messages")), *_MESSAGES
        ),
    ),
    AuditAction.MAIL_FAILURES_REPORTED: _say(
        "{who} meldde {many}{told}",
        "{who} reported {many}{told}",
        many=_counted(
            lambda d: d.count("failed"),
            Text("mislukt bericht", "failed message"),
            Text("mislukte berichten", "failed messages"),
        ),
        told=_optional(
            _counted(
                lambda d: d.number("to"),
                Text("procesbegeleider", "facilitator"),
                Text("procesbegeleiders", "facilitators"),
            ),
            " aan {v}",
            " to {v}",
        ),
    ),
    AuditAction.REMINDERS_SWEEP: _say(
        "{who} verstuurde {many}{skipped}",
        "{who} sent {many}{skipped}",
        many=_counted(
            lambda d: d.total("sent"),
            Text("herinnering", "reminder"),
            Text("herinneringen", "reminders"),
        ),
        # Nothing skipped is not worth saying.
        skipped=_optional(
            lambda d: d.total("skipped") or None, " ({v} overgeslagen)", " ({v} skipped)"
        ),
    ),
    AuditAction.DEADLINES_PLAN: _say(
        "{who} plande de termijnen en herinneringen van de procedure",
        "{who} planned the procedure's deadlines and reminders",
    ),
}
