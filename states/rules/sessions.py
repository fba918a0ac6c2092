"""Rules for leaving the expert sessions: enough balanced sessions and a sound concept list."""

from __future__ import annotations

from dataclasses import dataclass

from states.concept_list import numbered_entries
from states.config import RuleConfig, SessionConfig
from states.i18n import Text, format_date, local_date, percent_text
from states.rules.base import rule
from states.snapshot import Expert, ListStatus, Part, Perspective, ProcedureSnapshot, Session
from states.verdicts import Verdict, check, not_applicable


@dataclass(frozen=True, slots=True)
class SessionCount:
    """Whether one session counts towards balance, and why not when it does not."""

    session: Session
    internal: int
    external: int
    problems: tuple[Text, ...]

    @property
    def counts(self) -> bool:
        return not self.problems


def count_session(session: Session, experts: dict[int, Expert], cfg: SessionConfig) -> SessionCount:
    present = [experts[i] for i in session.attendee_ids if i in experts]
    internal = sum(1 for e in present if e.perspective is Perspective.INTERNAL)
    external = len(present) - internal
    total = len(present)
    problems: list[Text] = []
    if total < cfg.min_attendees:
        problems.append(
            Text(
                f"{total} aanwezigen, minimaal {cfg.min_attendees}",
                f"{total} attended, at least {cfg.min_attendees}",
            )
        )
    limit = cfg.max_perspective_percent
    for count, nl, en in ((internal, "intern", "internal"), (external, "extern", "external")):
        if count < cfg.min_attendees_per_perspective:
            problems.append(
                Text(
                    f"{count} {nl}, minimaal {cfg.min_attendees_per_perspective} per perspectief",
                    f"{count} {en}, at least {cfg.min_attendees_per_perspective} per perspective",
                )
            )
        elif total and 100 * count > cfg.max_perspective_percent * total:
            problems.append(
                Text(
                    f"{count} van {total} {nl} ({percent_text(count, total, limit)}%), "
                    f"maximaal {cfg.max_perspective_percent}%",
                    f"{count} of {total} {en} ({percent_text(count, total, limit, 'en')}%), "
                    f"at most {cfg.max_perspective_percent}%",
                )
            )
    return SessionCount(session, internal, external, tuple(problems))


@rule("sessions.held", Part.EXPERTS, Part.SESSIONS, deviable=True)
def sessions_held(snapshot: ProcedureSnapshot, config: RuleConfig) -> Verdict:
    cfg = config.sessions
    experts = snapshot.expert_by_id()
    counts = [count_session(s, experts, cfg) for s in sorted(snapshot.sessions, key=lambda s: s.at)]
    held = sum(1 for c in counts if c.counts)
    reasons = [c for c in counts if not c.counts]
    detail_nl = "".join(
        f"; bijeenkomst {c.session.id} ({format_date(local_date(c.session.at))}) telt niet: "
        + ", ".join(p.nl for p in c.problems)
        for c in reasons
    )
    detail_en = "".join(
        f"; session {c.session.id} ({format_date(local_date(c.session.at), 'en')}) does not count: "
        + ", ".join(p.en for p in c.problems)
        for c in reasons
    )
    return check(
        held >= cfg.min_held,
        "",
        Text(
            f"Er zijn minstens {cfg.min_held} evenwichtig bezette expertbijeenkomsten gehouden",
            f"At least {cfg.min_held} expert sessions with balanced attendance were held",
        ),
        Text(
            f"{held} van {len(counts)} bijeenkomsten tellen mee, "
            f"minimaal {cfg.min_held}{detail_nl}",
            f"{held} of {len(counts)} sessions count, at least {cfg.min_held}{detail_en}",
        ),
        held=held,
        sessions=len(counts),
        not_counted={str(c.session.id): [p.nl for p in c.problems] for c in reasons},
    )


@rule("sessions.candidates_assessed", Part.CANDIDATES)
def candidates_assessed(snapshot: ProcedureSnapshot, config: RuleConfig) -> Verdict:
    open_ = [c for c in snapshot.candidates if not c.assessed]
    total = len(snapshot.candidates)
    names = ", ".join(f"{c.id} {c.title}" for c in open_)
    return check(
        not open_,
        "",
        Text("Elke kandidaat-hotspot is beoordeeld", "Every candidate hotspot has been assessed"),
        Text(
            f"{total - len(open_)} van {total} kandidaten beoordeeld"
            + (f"; open: {names}" if open_ else ""),
            f"{total - len(open_)} of {total} candidates assessed"
            + (f"; open: {names}" if open_ else ""),
        ),
        unassessed=[c.id for c in open_],
    )


@rule("sessions.concept_list_criteria", Part.CANDIDATES)
def concept_list_criteria(snapshot: ProcedureSnapshot, config: RuleConfig) -> Verdict:
    listed = snapshot.concept_list()
    weak = [c for c in listed if not c.criteria or not c.motivation.strip()]
    names = ", ".join(f"{c.id} {c.title}" for c in weak)
    return check(
        not weak,
        "",
        Text(
            "Elke hotspot op de conceptlijst voldoet aan minstens één criterium, met motivering",
            "Every hotspot on the concept list meets at least one criterion, with a motivation",
        ),
        Text(
            f"{len(listed) - len(weak)} van {len(listed)} in orde"
            + (f"; zonder criterium of motivering: {names}" if weak else ""),
            f"{len(listed) - len(weak)} of {len(listed)} in order"
            + (f"; without criterion or motivation: {names}" if weak else ""),
        ),
        insufficient=[c.id for c in weak],
    )


@rule("sessions.nomination_balance", Part.CANDIDATES, Part.EXPERTS, deviable=True)
def nomination_balance(snapshot: ProcedureSnapshot, config: RuleConfig) -> Verdict:
    cfg = config.sessions
    listed = snapshot.concept_list()
    experts = snapshot.expert_by_id()
    sides = [experts[c.nominated_by].perspective for c in listed if c.nominated_by in experts]
    internal = sides.count(Perspective.INTERNAL)
    external = sides.count(Perspective.EXTERNAL)
    message = Text(
        f"Geen perspectief heeft meer dan {cfg.max_nomination_percent}% "
        "van de conceptlijst voorgedragen",
        f"Neither perspective nominated more than {cfg.max_nomination_percent}% "
        "of the concept list",
    )
    total = len(listed)
    if total < cfg.nomination_balance_min_entries:
        return not_applicable(
            "",
            message,
            Text(
                f"{total} hotspots op de lijst; de regel geldt vanaf "
                f"{cfg.nomination_balance_min_entries}",
                f"{total} hotspots on the list; the rule applies from "
                f"{cfg.nomination_balance_min_entries}",
            ),
        )
    larger, name_nl, name_en = max(
        (internal, "intern", "internal"), (external, "extern", "external")
    )
    return check(
        100 * larger <= cfg.max_nomination_percent * total,
        "",
        message,
        Text(
            f"{larger} van {total} voorgedragen door {name_nl} perspectief "
            f"({percent_text(larger, total, cfg.max_nomination_percent)}%), "
            f"maximaal {cfg.max_nomination_percent}%",
            f"{larger} of {total} nominated by the {name_en} perspective "
            f"({percent_text(larger, total, cfg.max_nomination_percent, 'en')}%), "
            f"at most {cfg.max_nomination_percent}%",
        ),
        internal=internal,
        external=external,
    )


@rule("sessions.concept_list_not_empty", Part.CANDIDATES)
def concept_list_not_empty(snapshot: ProcedureSnapshot, config: RuleConfig) -> Verdict:
    size = len(snapshot.concept_list())
    reason = (snapshot.empty_list_reason or "").strip()
    if size == 0 and reason:
        figures = Text(f"lege lijst, reden vastgelegd: {reason}", f"empty list, reason: {reason}")
    else:
        figures = Text(
            f"{size} hotspots op de conceptlijst", f"{size} hotspots on the concept list"
        )
    return check(
        size > 0 or bool(reason),
        "",
        Text(
            "De conceptlijst is niet leeg, of de reden daarvoor is vastgelegd",
            "The concept list is not empty, or the reason is recorded",
        ),
        figures,
        size=size,
    )


@rule(
    "sessions.list_changed_after_return",
    Part.CANDIDATES,
    Part.EXPERTS,
    Part.LIST_VERSION,
    deviable=True,
)
def list_changed_after_return(snapshot: ProcedureSnapshot, config: RuleConfig) -> Verdict:
    """A list sent back must not go out again unchanged; a recorded deviation says why it may."""
    returned = snapshot.list_version
    message = Text(
        "Een teruggestuurde lijst gaat pas opnieuw naar de archivaris als hij is gewijzigd, "
        "of als een afwijking vastlegt waarom niet",
        "A list sent back goes to the archivist again only once it has changed, or when a "
        "deviation records why not",
    )
    if returned is None or returned.status is not ListStatus.RETURNED:
        return not_applicable(
            "", message, Text("geen teruggestuurde lijst", "no list was sent back")
        )
    if returned.advice_positive is False:
        who = returned.advice_by or "?"
        why = returned.advice_reason or "-"
        sent_back = Text(
            f"negatief advies van {who} op versie {returned.number}: {why}",
            f"negative advice by {who} on version {returned.number}: {why}",
        )
    else:
        sent_back = Text(
            f"versie {returned.number} teruggestuurd door het bestuursorgaan",
            f"version {returned.number} sent back by the governing body",
        )
    unchanged = tuple(numbered_entries(snapshot)) == tuple(returned.entries)
    changed = Text(
        "; de lijst is sindsdien gewijzigd" if not unchanged else "; de lijst is nog ongewijzigd",
        "; the list has changed since" if not unchanged else "; the list is still unchanged",
    )
    return check(
        not unchanged,
        "",
        message,
        Text(sent_back.nl + changed.nl, sent_back.en + changed.en),
        returned_version=returned.number,
    )


RULES = [
    sessions_held,
    candidates_assessed,
    concept_list_criteria,
    nomination_balance,
    concept_list_not_empty,
    list_changed_after_return,
]
