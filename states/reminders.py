"""The reminder policy: when each reminder falls due, and whether its reason still holds.

Deadlines are dated obligations (a milestone, an expert's reply deadline, a session...).
Each rule of the policy derives reminders from one kind of deadline: at fixed offsets before
it, or repeatedly after it while it stays open. Whether a due reminder is still worth sending
is decided here from plain facts, at the moment it is due, never when it was planned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from states.config_error import ConfigError
from states.i18n import AMSTERDAM, Text
from states.phases import Phase
from states.workdays import add_working_days, next_working_day


class DeadlineKind(StrEnum):
    MILESTONE = "milestone"
    RSVP = "rsvp"
    NOMINATION = "nomination"
    SESSION = "session"
    ADVICE = "advice"
    DECISION = "decision"
    INVENTORY = "inventory"


DEADLINE_LABELS: dict[DeadlineKind, Text] = {
    DeadlineKind.MILESTONE: Text("mijlpaal", "milestone"),
    DeadlineKind.RSVP: Text("antwoord expert", "expert's reply"),
    DeadlineKind.NOMINATION: Text("voordrachten", "nominations"),
    DeadlineKind.SESSION: Text("expertbijeenkomst", "expert session"),
    DeadlineKind.ADVICE: Text("advies archivaris", "archivist's advice"),
    DeadlineKind.DECISION: Text("besluit bestuursorgaan", "decision by the governing body"),
    DeadlineKind.INVENTORY: Text("inventarisatie systeem", "inventory of a system"),
}


class Rule(StrEnum):
    """One line of the reminder policy, named after who it reminds of what."""

    RSVP = "rsvp"
    NOMINATION = "nomination"
    SESSION = "session"
    MILESTONE = "milestone"
    ESCALATION = "escalation"
    ADVICE = "advice"
    DECISION = "decision"
    INVENTORY = "inventory"


RULE_LABELS: dict[Rule, Text] = {
    Rule.RSVP: Text("herinnering antwoord expert", "expert reply reminder"),
    Rule.NOMINATION: Text("herinnering voordragen", "nomination reminder"),
    Rule.SESSION: Text("herinnering bijeenkomst", "session reminder"),
    Rule.MILESTONE: Text("mijlpaal nadert (procesbegeleider)", "milestone ahead (facilitator)"),
    Rule.ESCALATION: Text("escalatie mijlpaal over tijd", "overdue milestone escalation"),
    Rule.ADVICE: Text("herinnering advies archivaris", "archivist advice reminder"),
    Rule.DECISION: Text("herinnering besluit", "decision reminder"),
    Rule.INVENTORY: Text("herinnering inventarisatie", "inventory reminder"),
}

# The deadline each rule hangs from.
RULE_DEADLINE: dict[Rule, DeadlineKind] = {
    Rule.RSVP: DeadlineKind.RSVP,
    Rule.NOMINATION: DeadlineKind.NOMINATION,
    Rule.SESSION: DeadlineKind.SESSION,
    Rule.MILESTONE: DeadlineKind.MILESTONE,
    Rule.ESCALATION: DeadlineKind.MILESTONE,
    Rule.ADVICE: DeadlineKind.ADVICE,
    Rule.DECISION: DeadlineKind.DECISION,
    Rule.INVENTORY: DeadlineKind.INVENTORY,
}


@dataclass(frozen=True, slots=True, order=True)
class Offset:
    """Where a reminder sits relative to its deadline: `days` before (<0) or after (>0)."""

    days: int
    working: bool = False
    # Repeated every `repeat_days` after the first occurrence, while the deadline stays open.
    repeat_days: int = 0

    @property
    def label(self) -> str:
        unit = "wd" if self.working else "d"
        sign = "+" if self.days >= 0 else "-"
        repeat = f"/{self.repeat_days}d" if self.repeat_days else ""
        return f"{sign}{abs(self.days)}{unit}{repeat}"

    @property
    def recurring(self) -> bool:
        return self.repeat_days > 0

    def day(self, base: date, occurrence: int = 0) -> date:
        """The local day of the `occurrence`-th reminder for a deadline (or start) on `base`."""
        if self.working:
            first = add_working_days(base, self.days)
        else:
            first = base + timedelta(days=self.days)
        if not self.recurring:
            return first
        # A weekly repeat that lands on a public holiday goes out the next working day.
        return next_working_day(first + timedelta(days=self.repeat_days * occurrence))


@dataclass(frozen=True, slots=True)
class ReminderPolicy:
    """The `[reminders]` table of a procedure's configuration; an empty list switches a rule off."""

    send_time: time = time(9, 0)
    rsvp_days_before: tuple[int, ...] = (7, 2)
    nomination_days_before: tuple[int, ...] = (5,)
    session_days_before: tuple[int, ...] = (7, 1)
    milestone_working_days_before: tuple[int, ...] = (3,)
    escalation_working_days_after: int = 5
    escalation_repeat_days: int = 7
    advice_days_before: tuple[int, ...] = (5,)
    decision_days_before: tuple[int, ...] = (5,)
    inventory_repeat_days: int = 7
    # Not an init field: a copy made with dataclasses.replace computes its own offsets.
    _cache: dict[Rule, tuple[Offset, ...]] = field(
        default_factory=dict, compare=False, repr=False, init=False
    )

    def offsets(self, rule: Rule) -> tuple[Offset, ...]:
        cached = self._cache.get(rule)
        if cached is None:
            cached = self._cache[rule] = self._offsets(rule)
        return cached

    def _offsets(self, rule: Rule) -> tuple[Offset, ...]:
        before = {
            Rule.RSVP: self.rsvp_days_before,
            Rule.NOMINATION: self.nomination_days_before,
            Rule.SESSION: self.session_days_before,
            Rule.ADVICE: self.advice_days_before,
            Rule.DECISION: self.decision_days_before,
        }
        if rule in before:
            return tuple(Offset(-days) for days in sorted(set(before[rule]), reverse=True))
        if rule is Rule.MILESTONE:
            return tuple(
                Offset(-days, working=True)
                for days in sorted(set(self.milestone_working_days_before), reverse=True)
            )
        if rule is Rule.ESCALATION:
            if self.escalation_working_days_after <= 0:
                return ()
            return (
                Offset(
                    self.escalation_working_days_after,
                    working=True,
                    repeat_days=self.escalation_repeat_days,
                ),
            )
        # Inventory: the first reminder one repeat after the system was registered.
        if self.inventory_repeat_days <= 0:
            return ()
        weekly = self.inventory_repeat_days
        return (Offset(weekly, repeat_days=weekly),)

    def moment(self, day: date) -> datetime:
        """The moment (aware, in Amsterdam time) reminders of that day go out."""
        return datetime.combine(day, self.send_time, tzinfo=AMSTERDAM)

    def occurrence_moment(self, offset: Offset, base: date, occurrence: int = 0) -> datetime:
        return self.moment(offset.day(base, occurrence))

    def next_occurrence(self, offset: Offset, base: date, now: datetime, *, after: int) -> int:
        """The first occurrence after `after` whose moment has not passed.

        Missed occurrences are not made up for one by one: the series goes on from now.
        """
        occurrence = after + 1
        while self.occurrence_moment(offset, base, occurrence) < now:
            occurrence += 1
        return occurrence

    def first(self, offset: Offset, base: date, now: datetime) -> tuple[int, datetime]:
        """The occurrence to plan for a new deadline day, and its moment.

        A one-off reminder is occurrence 0 (even when its moment has passed: the planner
        records it as skipped); a repeating series starts at its next occurrence.
        """
        occurrence = self.next_occurrence(offset, base, now, after=-1) if offset.recurring else 0
        return occurrence, self.occurrence_moment(offset, base, occurrence)

    def to_dict(self) -> dict[str, Any]:
        return {
            "send_time": self.send_time.strftime("%H:%M"),
            "rsvp": {"days_before": list(self.rsvp_days_before)},
            "nomination": {"days_before": list(self.nomination_days_before)},
            "session": {"days_before": list(self.session_days_before)},
            "milestone": {"working_days_before": list(self.milestone_working_days_before)},
            "escalation": {
                "working_days_after": self.escalation_working_days_after,
                "repeat_days": self.escalation_repeat_days,
            },
            "advice": {"days_before": list(self.advice_days_before)},
            "decision": {"days_before": list(self.decision_days_before)},
            "inventory": {"repeat_days": self.inventory_repeat_days},
        }


def reply_deadline(rsvp_milestone: date | None, invited_on: date, min_days: int) -> date:
    """An invited expert's reply deadline: the planned one, else the minimum time to answer."""
    return rsvp_milestone or invited_on + timedelta(days=min_days)


def parse_policy(raw: Mapping[str, Any] | None) -> ReminderPolicy:
    """The policy from a `[reminders]` table; the built-in defaults when there is none.

    Procedures opened before reminders existed stored no such table: they get the defaults.
    """
    if raw is None:
        return ReminderPolicy()

    def table(name: str) -> Mapping[str, Any]:
        value = raw.get(name, {})
        if not isinstance(value, Mapping):
            raise ConfigError(f"reminders.{name}", "verwacht een tabel met instellingen")
        return value

    def days(name: str, key: str, default: tuple[int, ...]) -> tuple[int, ...]:
        value = table(name).get(key, list(default))
        if not isinstance(value, list) or not all(_whole(v) and 0 <= v <= 365 for v in value):
            raise ConfigError(
                f"reminders.{name}.{key}",
                f"verwacht een lijst met aantallen dagen van 0 tot en met 365, gevonden {value!r}",
            )
        return tuple(value)

    def number(name: str, key: str, default: int) -> int:
        value = table(name).get(key, default)
        if not _whole(value) or not 0 <= value <= 365:
            raise ConfigError(
                f"reminders.{name}.{key}",
                f"verwacht een aantal dagen van 0 tot en met 365, gevonden {value!r}",
            )
        return int(value)

    defaults = ReminderPolicy()
    return ReminderPolicy(
        send_time=_send_time(raw.get("send_time", "09:00")),
        rsvp_days_before=days("rsvp", "days_before", defaults.rsvp_days_before),
        nomination_days_before=days("nomination", "days_before", defaults.nomination_days_before),
        session_days_before=days("session", "days_before", defaults.session_days_before),
        milestone_working_days_before=days(
            "milestone", "working_days_before", defaults.milestone_working_days_before
        ),
        escalation_working_days_after=number(
            "escalation", "working_days_after", defaults.escalation_working_days_after
        ),
        escalation_repeat_days=number("escalation", "repeat_days", defaults.escalation_repeat_days),
        advice_days_before=days("advice", "days_before", defaults.advice_days_before),
        decision_days_before=days("decision", "days_before", defaults.decision_days_before),
        inventory_repeat_days=number("inventory", "repeat_days", defaults.inventory_repeat_days),
    )


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _send_time(value: Any) -> time:
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(
            "reminders.send_time", f'verwacht een tijd als "09:00", gevonden {value!r}'
        ) from None


# ---------------------------------------------------------------------------------------------
# Whether a due reminder is still relevant.


class SkipReason(StrEnum):
    ANSWERED = "answered"
    NOMINATED = "nominated"
    NO_RECIPIENTS = "no_recipients"
    NOT_YET_OPEN = "not_yet_open"
    PHASE_MOVED_ON = "phase_moved_on"
    PROCEDURE_CLOSED = "procedure_closed"
    SESSION_CANCELLED = "session_cancelled"
    SESSION_HELD = "session_held"
    MILESTONE_DONE = "milestone_done"
    DEADLINE_PASSED = "deadline_passed"
    ADVICE_RECORDED = "advice_recorded"
    DECISION_RECORDED = "decision_recorded"
    LIST_REPLACED = "list_replaced"
    SYSTEM_SEARCHED = "system_searched"
    SUPERSEDED = "superseded"
    PLANNED_LATE = "planned_late"
    MOVED = "moved"


SKIP_LABELS: dict[SkipReason, Text] = {
    SkipReason.ANSWERED: Text("de expert heeft al geantwoord", "the expert has answered"),
    SkipReason.NOMINATED: Text(
        "alle experts die meedoen hebben al voorgedragen",
        "every taking-part expert has nominated",
    ),
    SkipReason.NO_RECIPIENTS: Text("er is niemand om te herinneren", "there is nobody to remind"),
    SkipReason.NOT_YET_OPEN: Text(
        "de procedure is nog niet in de fase waarin dit speelt",
        "the procedure has not yet reached the phase this is about",
    ),
    SkipReason.PHASE_MOVED_ON: Text(
        "de procedure is al in een volgende fase", "the procedure has moved on to a later phase"
    ),
    SkipReason.PROCEDURE_CLOSED: Text(
        "de procedure is afgesloten of geannuleerd", "the procedure is closed or cancelled"
    ),
    SkipReason.SESSION_CANCELLED: Text("de bijeenkomst is afgezegd", "the session was cancelled"),
    SkipReason.SESSION_HELD: Text(
        "de bijeenkomst is al gehouden", "the session has already taken place"
    ),
    SkipReason.MILESTONE_DONE: Text("de mijlpaal is bereikt", "the milestone has been reached"),
    SkipReason.DEADLINE_PASSED: Text(
        "de termijn was al verstreken", "the deadline had already passed"
    ),
    SkipReason.ADVICE_RECORDED: Text("het advies is uitgebracht", "the advice has been recorded"),
    SkipReason.DECISION_RECORDED: Text("het besluit is genomen", "the decision has been recorded"),
    SkipReason.LIST_REPLACED: Text(
        "deze conceptlijst is vervangen", "this concept list has been replaced"
    ),
    SkipReason.SYSTEM_SEARCHED: Text("het systeem is doorzocht", "the system has been searched"),
    SkipReason.SUPERSEDED: Text(
        "een latere herinnering voor dezelfde termijn was ook aan de beurt",
        "a later reminder for the same deadline was due as well",
    ),
    SkipReason.PLANNED_LATE: Text(
        "het moment lag al in het verleden toen de termijn werd vastgesteld",
        "its moment had already passed when the deadline was set",
    ),
    SkipReason.MOVED: Text("de termijn is verschoven", "the deadline was moved"),
}


@dataclass(frozen=True, slots=True)
class SessionFact:
    at: datetime
    cancelled: bool
    held: bool


@dataclass(frozen=True, slots=True)
class ListFact:
    id: int
    advice_recorded: bool
    advice_positive: bool
    decided: bool


@dataclass(frozen=True, slots=True)
class Facts:
    """What the relevance of a procedure's reminders depends on, read at the moment of sending."""

    phase: Phase
    today: date
    invited: frozenset[int] = frozenset()
    pending: frozenset[int] = frozenset()
    uninvited: int = 0
    accepted: frozenset[int] = frozenset()
    nominators: frozenset[int] = frozenset()
    sessions: Mapping[int, SessionFact] = field(default_factory=dict)
    held_sessions: int = 0
    latest_list: ListFact | None = None
    open_systems: frozenset[int] = frozenset()

    @property
    def accepted_without_nomination(self) -> frozenset[int]:
        return self.accepted - self.nominators


def milestone_done(key: str, facts: Facts) -> bool:
    """Whether the work a milestone stands for is done, so it can no longer be overdue."""
    phase = facts.phase
    if key == "invitations_sent":
        return phase.is_past(Phase.EXPERT_SELECTION) or (
            bool(facts.invited) and facts.uninvited == 0
        )
    if key == "rsvp_deadline":
        return phase.is_past(Phase.EXPERT_SELECTION) or (bool(facts.invited) and not facts.pending)
    if key == "nomination_deadline":
        # A cut-off, not a piece of work: once its day has passed nominations are closed.
        return phase.is_past(Phase.SESSIONS)
    if key == "first_session":
        return facts.held_sessions > 0 or phase.is_past(Phase.SESSIONS)
    if key == "concept_list":
        return phase.is_past(Phase.SESSIONS)
    if key == "archivist_advice":
        latest = facts.latest_list
        return phase.is_past(Phase.DECISION) or (
            phase is Phase.DECISION and latest is not None and latest.advice_recorded
        )
    if key == "proposal_to_body":
        latest = facts.latest_list
        return phase.is_past(Phase.DECISION) or (
            phase is Phase.DECISION and latest is not None and latest.advice_positive
        )
    if key == "decision":
        return phase.is_past(Phase.DECISION)
    if key == "inventory_done":
        return phase.is_past(Phase.INVENTORY)
    if key == "publication":
        return phase.is_past(Phase.PUBLICATION)
    return False


# Milestones that close something by passing (nothing to escalate once the day is over).
CUT_OFFS = frozenset({"nomination_deadline"})


def milestone_overdue(key: str, due: date, facts: Facts) -> bool:
    return (
        facts.phase.is_open
        and key not in CUT_OFFS
        and facts.today > due
        and not milestone_done(key, facts)
    )


@dataclass(frozen=True, slots=True)
class Due:
    """A reminder that fell due: its rule, the deadline's subject and planned day."""

    rule: Rule
    subject: str
    deadline_day: date


def skip_reason(reminder: Due, facts: Facts) -> SkipReason | None:
    """None when the reminder should go out now; else why it should not."""
    if not facts.phase.is_open:
        return SkipReason.PROCEDURE_CLOSED
    checks = {
        Rule.RSVP: _rsvp,
        Rule.NOMINATION: _nomination,
        Rule.SESSION: _session,
        Rule.MILESTONE: _milestone_ahead,
        Rule.ESCALATION: _escalation,
        Rule.ADVICE: _advice,
        Rule.DECISION: _decision,
        Rule.INVENTORY: _inventory,
    }
    return checks[reminder.rule](reminder, facts)


def _before_deadline(reminder: Due, facts: Facts) -> SkipReason | None:
    return SkipReason.DEADLINE_PASSED if facts.today > reminder.deadline_day else None


def _rsvp(reminder: Due, facts: Facts) -> SkipReason | None:
    expert = int(reminder.subject)
    if expert not in facts.pending:
        return SkipReason.ANSWERED
    if facts.phase not in (Phase.PLANNING, Phase.EXPERT_SELECTION):
        return SkipReason.PHASE_MOVED_ON
    return _before_deadline(reminder, facts)


def _nomination(reminder: Due, facts: Facts) -> SkipReason | None:
    if facts.phase.is_past(Phase.SESSIONS):
        return SkipReason.PHASE_MOVED_ON
    if facts.phase is not Phase.SESSIONS:
        return SkipReason.NOT_YET_OPEN
    if not facts.accepted:
        return SkipReason.NO_RECIPIENTS
    if not facts.accepted_without_nomination:
        return SkipReason.NOMINATED
    return _before_deadline(reminder, facts)


def _session(reminder: Due, facts: Facts) -> SkipReason | None:
    session = facts.sessions.get(int(reminder.subject))
    if session is None or session.cancelled:
        return SkipReason.SESSION_CANCELLED
    if session.held or facts.today > reminder.deadline_day:
        return SkipReason.SESSION_HELD
    if facts.phase.is_past(Phase.SESSIONS):
        return SkipReason.PHASE_MOVED_ON
    if not facts.accepted:
        return SkipReason.NO_RECIPIENTS
    return None


def _milestone_ahead(reminder: Due, facts: Facts) -> SkipReason | None:
    if milestone_done(reminder.subject, facts):
        return SkipReason.MILESTONE_DONE
    return _before_deadline(reminder, facts)


def _escalation(reminder: Due, facts: Facts) -> SkipReason | None:
    if reminder.subject in CUT_OFFS or milestone_done(reminder.subject, facts):
        return SkipReason.MILESTONE_DONE
    return None


def _list_step(reminder: Due, facts: Facts) -> SkipReason | None:
    if facts.phase.is_past(Phase.DECISION):
        return SkipReason.PHASE_MOVED_ON
    if facts.phase is not Phase.DECISION:
        return SkipReason.LIST_REPLACED
    latest = facts.latest_list
    if latest is None or str(latest.id) != reminder.subject:
        return SkipReason.LIST_REPLACED
    return None


def _advice(reminder: Due, facts: Facts) -> SkipReason | None:
    reason = _list_step(reminder, facts)
    if reason is None and facts.latest_list is not None and facts.latest_list.advice_recorded:
        reason = SkipReason.ADVICE_RECORDED
    return reason or _before_deadline(reminder, facts)


def _decision(reminder: Due, facts: Facts) -> SkipReason | None:
    reason = _list_step(reminder, facts)
    latest = facts.latest_list
    if reason is None and latest is not None:
        if latest.decided:
            reason = SkipReason.DECISION_RECORDED
        elif not latest.advice_positive:
            reason = SkipReason.NOT_YET_OPEN
    return reason or _before_deadline(reminder, facts)


def _inventory(reminder: Due, facts: Facts) -> SkipReason | None:
    if facts.phase.is_past(Phase.INVENTORY):
        return SkipReason.PHASE_MOVED_ON
    if int(reminder.subject) not in facts.open_systems:
        return SkipReason.SYSTEM_SEARCHED
    return None


def series_open(reminder: Due, facts: Facts) -> bool:
    """Whether a repeating reminder should be planned again after this occurrence."""
    if not facts.phase.is_open:
        return False
    if reminder.rule is Rule.ESCALATION:
        return reminder.subject not in CUT_OFFS and not milestone_done(reminder.subject, facts)
    if reminder.rule is Rule.INVENTORY:
        return not facts.phase.is_past(Phase.INVENTORY) and (
            int(reminder.subject) in facts.open_systems
        )
    return False


class DeadlineState(StrEnum):
    UPCOMING = "upcoming"
    OVERDUE = "overdue"
    DONE = "done"
    PASSED = "passed"
    CANCELLED = "cancelled"


DEADLINE_STATE_LABELS: dict[DeadlineState, Text] = {
    DeadlineState.UPCOMING: Text("komt nog", "upcoming"),
    DeadlineState.OVERDUE: Text("over tijd", "overdue"),
    DeadlineState.DONE: Text("afgerond", "done"),
    DeadlineState.PASSED: Text("verstreken", "passed"),
    DeadlineState.CANCELLED: Text("vervallen", "cancelled"),
}


def deadline_state(
    kind: DeadlineKind, subject: str, due: date | None, facts: Facts
) -> DeadlineState:
    """Where a deadline stands today: still ahead, overdue, done, or simply past."""
    past = due is not None and facts.today > due
    if facts.phase is Phase.CANCELLED:
        return DeadlineState.CANCELLED
    if kind is DeadlineKind.NOMINATION:
        # A cut-off: ahead until its day, then simply passed; done early if all nominated.
        if past or facts.phase.is_past(Phase.SESSIONS):
            return DeadlineState.PASSED
        everyone = bool(facts.accepted) and not facts.accepted_without_nomination
        done = facts.phase is Phase.SESSIONS and everyone
        return DeadlineState.DONE if done else DeadlineState.UPCOMING
    if kind is DeadlineKind.MILESTONE:
        if due is not None and milestone_overdue(subject, due, facts):
            return DeadlineState.OVERDUE
        if milestone_done(subject, facts):
            return DeadlineState.DONE
        return DeadlineState.PASSED if past else DeadlineState.UPCOMING
    if kind is DeadlineKind.SESSION:
        session = facts.sessions.get(int(subject))
        if session is None or session.cancelled:
            return DeadlineState.CANCELLED
        if session.held:
            return DeadlineState.DONE
        return DeadlineState.PASSED if past else DeadlineState.UPCOMING
    if not _still_open(kind, subject, facts):
        return DeadlineState.DONE
    return DeadlineState.OVERDUE if past else DeadlineState.UPCOMING


def _still_open(kind: DeadlineKind, subject: str, facts: Facts) -> bool:
    """Whether the obligation behind a (non-milestone, non-session) deadline is still to do."""
    latest = facts.latest_list
    if kind is DeadlineKind.RSVP:
        return int(subject) in facts.pending and facts.phase in (
            Phase.PLANNING,
            Phase.EXPERT_SELECTION,
        )
    if kind in (DeadlineKind.ADVICE, DeadlineKind.DECISION):
        current = _list_step(Due(Rule.ADVICE, subject, facts.today), facts) is None
        if not current or latest is None:
            return False
        return not (latest.advice_recorded if kind is DeadlineKind.ADVICE else latest.decided)
    return not facts.phase.is_past(Phase.INVENTORY) and int(subject) in facts.open_systems
