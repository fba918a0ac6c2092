"""The reminder policy: parsing [reminders], reminder days, and whether a due reminder holds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from states.config import MILESTONE_ORDER, ConfigError, RuleConfig, merge, parse_config
from states.phases import Phase
from states.reminders import (
    DeadlineKind,
    DeadlineState,
    Due,
    Facts,
    ListFact,
    Offset,
    ReminderPolicy,
    Rule,
    SessionFact,
    SkipReason,
    deadline_state,
    milestone_done,
    milestone_overdue,
    parse_policy,
    reply_deadline,
    series_open,
    skip_reason,
)

TODAY = date(2026, 3, 12)  # a Thursday
SOON = TODAY + timedelta(days=5)
YESTERDAY = TODAY - timedelta(days=1)
SESSION_AT = datetime(2026, 3, 17, 19, 30, tzinfo=UTC)
CLOSED_PHASES = (Phase.CLOSED, Phase.CANCELLED)


def _refused(raw: Mapping[str, Any]) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        parse_config(raw)
    return caught.value


def _reminders(raw: dict[str, Any], table: str, key: str, value: Any) -> dict[str, Any]:
    """`raw` with reminders.<table>.<key> set to `value` (reminders.<key> when table is empty)."""
    node = raw["reminders"][table] if table else raw["reminders"]
    node[key] = value
    return raw


def _list(
    list_id: int = 3,
    *,
    advice_recorded: bool = False,
    advice_positive: bool = False,
    decided: bool = False,
) -> ListFact:
    return ListFact(list_id, advice_recorded, advice_positive, decided)


def _session(*, cancelled: bool = False, held: bool = False) -> SessionFact:
    return SessionFact(at=SESSION_AT, cancelled=cancelled, held=held)


# -- parsing the [reminders] table ------------------------------------------------------------


def test_default_toml_gives_the_built_in_policy(config: RuleConfig) -> None:
    """config/default.toml's [reminders] tables equal the ReminderPolicy defaults."""
    assert config.reminders == ReminderPolicy()
    assert config.reminders.send_time == time(9, 0)
    assert config.reminders.rsvp_days_before == (7, 2)
    assert config.reminders.milestone_working_days_before == (3,)
    assert config.reminders.escalation_working_days_after == 5
    assert config.reminders.escalation_repeat_days == 7


def test_default_policy_stores_as_the_toml_table(raw_config: dict[str, Any]) -> None:
    """ReminderPolicy().to_dict() is exactly the [reminders] table of the default file."""
    assert ReminderPolicy().to_dict() == raw_config["reminders"]


def test_a_procedure_without_reminders_gets_the_defaults(raw_config: dict[str, Any]) -> None:
    """parse_policy(None), and a stored config without [reminders], give the defaults."""
    assert parse_policy(None) == ReminderPolicy()
    del raw_config["reminders"]
    assert parse_config(raw_config).reminders == ReminderPolicy()


def test_an_empty_reminders_table_gives_the_defaults() -> None:
    """Every setting left out of [reminders] keeps its default."""
    assert parse_policy({}) == ReminderPolicy()
    assert parse_policy({"rsvp": {}}) == ReminderPolicy()


def test_an_organisation_override_changes_only_that_setting(raw_config: dict[str, Any]) -> None:
    """Overriding reminders.rsvp.days_before = [10, 3] leaves every other setting as it was."""
    merged = merge(raw_config, {"reminders": {"rsvp": {"days_before": [10, 3]}}})
    policy = parse_config(merged).reminders
    assert policy.rsvp_days_before == (10, 3)
    assert policy == ReminderPolicy(rsvp_days_before=(10, 3))
    assert policy != ReminderPolicy()
    assert policy.offsets(Rule.RSVP) == (Offset(-10), Offset(-3))
    assert policy.offsets(Rule.SESSION) == (Offset(-7), Offset(-1))


def test_a_changed_policy_round_trips_through_to_dict(raw_config: dict[str, Any]) -> None:
    """A policy with overrides stores and parses back to an equal policy, inside RuleConfig too."""
    merged = merge(
        raw_config,
        {
            "reminders": {
                "send_time": "07:30",
                "session": {"days_before": [14, 3, 1]},
                "escalation": {"working_days_after": 2, "repeat_days": 0},
                "inventory": {"repeat_days": 14},
            }
        },
    )
    parsed = parse_config(merged)
    assert parsed.reminders.send_time == time(7, 30)
    assert parse_policy(parsed.reminders.to_dict()) == parsed.reminders
    assert parse_config(parsed.to_dict()) == parsed
    assert parsed.to_dict()["reminders"]["session"] == {"days_before": [14, 3, 1]}


def test_unknown_reminder_settings_are_refused_by_merge(raw_config: dict[str, Any]) -> None:
    """An organisation file with a misspelt reminder key is refused, naming the key."""
    with pytest.raises(ConfigError) as caught:
        merge(raw_config, {"reminders": {"rsvp": {"day_before": [3]}}})
    assert caught.value.key == "reminders.rsvp.day_before"


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ("rsvp", "days_before"),
        ("nomination", "days_before"),
        ("session", "days_before"),
        ("milestone", "working_days_before"),
        ("advice", "days_before"),
        ("decision", "days_before"),
    ],
)
@pytest.mark.parametrize(
    "value",
    [[-1], [7, -2], [True], ["7"], [2.5], [366], 7, "7", True, None, {"days": 7}],
    ids=repr,
)
def test_bad_day_lists_are_refused_naming_the_key(
    raw_config: dict[str, Any], table: str, key: str, value: Any
) -> None:
    """Negative, boolean, text, fractional, > 365 or non-list days: ConfigError on that key."""
    error = _refused(_reminders(raw_config, table, key, value))
    assert error.key == f"reminders.{table}.{key}"
    assert str(error).startswith(f"reminders.{table}.{key}: ")


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ("escalation", "working_days_after"),
        ("escalation", "repeat_days"),
        ("inventory", "repeat_days"),
    ],
)
@pytest.mark.parametrize("value", [-1, 366, True, False, "5", 2.0, [5], None], ids=repr)
def test_bad_day_counts_are_refused_naming_the_key(
    raw_config: dict[str, Any], table: str, key: str, value: Any
) -> None:
    """Negative, > 365, boolean, text, fractional or list counts: ConfigError on that key."""
    error = _refused(_reminders(raw_config, table, key, value))
    assert error.key == f"reminders.{table}.{key}"


@pytest.mark.parametrize("value", ["25:99", "9", "", "nine", "24:00", 9, True])
def test_a_bad_send_time_is_refused(raw_config: dict[str, Any], value: Any) -> None:
    """send_time must be a time of day like "09:00"."""
    error = _refused(_reminders(raw_config, "", "send_time", value))
    assert error.key == "reminders.send_time"


def test_boundary_values_are_accepted() -> None:
    """0 and 365 days are allowed, in lists and as counts."""
    policy = parse_policy(
        {"rsvp": {"days_before": [0, 365]}, "inventory": {"repeat_days": 365}, "send_time": "23:59"}
    )
    assert policy.rsvp_days_before == (0, 365)
    assert policy.inventory_repeat_days == 365
    assert policy.send_time == time(23, 59)


@pytest.mark.parametrize("table", ["rsvp", "escalation", "inventory"])
def test_a_reminder_setting_that_is_no_table_is_refused(
    raw_config: dict[str, Any], table: str
) -> None:
    """reminders.<rule> must be a table of settings."""
    raw_config["reminders"][table] = [7, 2]
    assert _refused(raw_config).key == f"reminders.{table}"


def test_a_reminders_value_that_is_no_table_is_refused(raw_config: dict[str, Any]) -> None:
    """[reminders] itself must be a table."""
    raw_config["reminders"] = "7 dagen"
    assert _refused(raw_config).key == "reminders"


@pytest.mark.parametrize(
    ("table", "key", "rule"),
    [
        ("rsvp", "days_before", Rule.RSVP),
        ("nomination", "days_before", Rule.NOMINATION),
        ("session", "days_before", Rule.SESSION),
        ("milestone", "working_days_before", Rule.MILESTONE),
        ("advice", "days_before", Rule.ADVICE),
        ("decision", "days_before", Rule.DECISION),
    ],
)
def test_an_empty_list_switches_a_rule_off(table: str, key: str, rule: Rule) -> None:
    """days_before = [] gives no offsets for that rule and leaves the others alone."""
    policy = parse_policy({table: {key: []}})
    assert ReminderPolicy().offsets(rule) != ()
    assert policy.offsets(rule) == ()
    others = [r for r in Rule if r is not rule]
    assert all(policy.offsets(r) == ReminderPolicy().offsets(r) for r in others)


def test_zero_counts_switch_escalation_and_inventory_off() -> None:
    """escalation.working_days_after = 0 and inventory.repeat_days = 0 give no offsets."""
    policy = parse_policy(
        {"escalation": {"working_days_after": 0}, "inventory": {"repeat_days": 0}}
    )
    assert policy.offsets(Rule.ESCALATION) == ()
    assert policy.offsets(Rule.INVENTORY) == ()


def test_zero_escalation_repeat_gives_one_escalation() -> None:
    """escalation.repeat_days = 0 keeps the escalation but does not repeat it."""
    (offset,) = parse_policy({"escalation": {"repeat_days": 0}}).offsets(Rule.ESCALATION)
    assert offset == Offset(5, working=True)
    assert not offset.recurring


def test_default_offsets_per_rule() -> None:
    """The default policy's offsets, earliest first, with working days only where documented."""
    policy = ReminderPolicy()
    assert policy.offsets(Rule.RSVP) == (Offset(-7), Offset(-2))
    assert policy.offsets(Rule.NOMINATION) == (Offset(-5),)
    assert policy.offsets(Rule.SESSION) == (Offset(-7), Offset(-1))
    assert policy.offsets(Rule.MILESTONE) == (Offset(-3, working=True),)
    assert policy.offsets(Rule.ESCALATION) == (Offset(5, working=True, repeat_days=7),)
    assert policy.offsets(Rule.ADVICE) == (Offset(-5),)
    assert policy.offsets(Rule.DECISION) == (Offset(-5),)
    assert policy.offsets(Rule.INVENTORY) == (Offset(7, repeat_days=7),)


def test_offsets_are_deduplicated_and_ordered_earliest_first() -> None:
    """days_before = [2, 7, 7] gives one -7d and one -2d reminder, in that order."""
    policy = parse_policy({"rsvp": {"days_before": [2, 7, 7]}})
    assert policy.offsets(Rule.RSVP) == (Offset(-7), Offset(-2))


def test_two_policies_keep_their_own_offsets() -> None:
    """Offsets asked of one policy never leak into another policy's answer."""
    first = ReminderPolicy()
    second = ReminderPolicy(rsvp_days_before=(10, 3))
    assert first.offsets(Rule.RSVP) == (Offset(-7), Offset(-2))
    assert second.offsets(Rule.RSVP) == (Offset(-10), Offset(-3))
    assert first.offsets(Rule.RSVP) == (Offset(-7), Offset(-2))


def test_a_replaced_policy_computes_its_own_offsets() -> None:
    """A policy derived with dataclasses.replace answers with its own settings."""
    base = ReminderPolicy()
    changed = replace(base, rsvp_days_before=(10, 3))
    assert base.offsets(Rule.RSVP) == (Offset(-7), Offset(-2))
    assert changed.offsets(Rule.RSVP) == (Offset(-10), Offset(-3))


# -- Offset ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "label"),
    [
        (Offset(-7), "-7d"),
        (Offset(-3, working=True), "-3wd"),
        (Offset(5, working=True, repeat_days=7), "+5wd/7d"),
        (Offset(7, repeat_days=7), "+7d/7d"),
        (Offset(-1), "-1d"),
    ],
)
def test_offset_labels(offset: Offset, label: str) -> None:
    """Labels give sign, size, unit (d or wd) and the repeat."""
    assert offset.label == label


def test_calendar_offset_counts_calendar_days() -> None:
    """-7d from Thu 12 March 2026 is Thu 5 March, whatever lies in between."""
    assert Offset(-7).day(date(2026, 3, 12)) == date(2026, 3, 5)
    # A one-off calendar reminder is not moved off a weekend or holiday.
    assert Offset(-7).day(date(2026, 5, 4)) == date(2026, 4, 27)


def test_working_offset_skips_easter_2025() -> None:
    """-3wd from Thu 24 April 2025 skips Easter Monday and Good Friday: Thu 17 April."""
    assert Offset(-3, working=True).day(date(2025, 4, 24)) == date(2025, 4, 17)


def test_escalation_then_repeats_weekly() -> None:
    """+5wd/7d from Mon 2 March 2026: Mon 9 March, then each following Monday."""
    offset = Offset(5, working=True, repeat_days=7)
    base = date(2026, 3, 2)
    assert [offset.day(base, n) for n in range(3)] == [
        date(2026, 3, 9),
        date(2026, 3, 16),
        date(2026, 3, 23),
    ]


def test_weekly_repeat_on_kings_day_moves_to_the_next_working_day() -> None:
    """+5wd/7d from Mon 13 April 2026: 20 April, King's Day 27 April -> Tue 28, then 4 May."""
    offset = Offset(5, working=True, repeat_days=7)
    base = date(2026, 4, 13)
    assert offset.day(base, 0) == date(2026, 4, 20)
    assert offset.day(base, 1) == date(2026, 4, 28)
    # The shift does not carry over: the next repeat is a week after 27 April again.
    assert offset.day(base, 2) == date(2026, 5, 4)


def test_weekly_repeat_on_ascension_day_moves_to_the_friday() -> None:
    """+5wd/7d with its first escalation on Thu 7 May 2026: Ascension 14 May -> Fri 15 May."""
    offset = Offset(5, working=True, repeat_days=7)
    base = date(2026, 4, 30)  # Thu 30 April + 5 working days = Thu 7 May
    assert offset.day(base, 0) == date(2026, 5, 7)
    assert offset.day(base, 1) == date(2026, 5, 15)


def test_inventory_reminder_landing_on_a_holiday_moves() -> None:
    """+7d/7d from Mon 20 April 2026 would fall on King's Day: it goes out Tue 28 April."""
    offset = Offset(7, repeat_days=7)
    assert offset.day(date(2026, 4, 20), 0) == date(2026, 4, 28)
    assert offset.day(date(2026, 4, 20), 1) == date(2026, 5, 4)


# -- the moment of sending ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        (date(2026, 1, 15), 8),  # winter time, UTC+1
        (date(2026, 7, 15), 7),  # summer time, UTC+2
        (date(2026, 3, 29), 7),  # the day summer time starts (at 02:00)
        (date(2026, 10, 25), 8),  # the day summer time ends (at 03:00)
    ],
)
def test_reminders_go_out_at_nine_amsterdam_time(day: date, utc_hour: int) -> None:
    """09:00 in Amsterdam is 08:00 UTC in winter and 07:00 UTC in summer."""
    moment = ReminderPolicy().moment(day)
    assert moment.tzinfo is not None
    assert (moment.date(), moment.hour, moment.minute) == (day, 9, 0)
    assert moment.astimezone(UTC) == datetime(day.year, day.month, day.day, utc_hour, tzinfo=UTC)


def test_a_configured_send_time_is_used() -> None:
    """send_time = "07:30" sends at 07:30 Amsterdam time."""
    moment = parse_policy({"send_time": "07:30"}).moment(date(2026, 1, 15))
    assert moment.astimezone(UTC) == datetime(2026, 1, 15, 6, 30, tzinfo=UTC)


# -- skip_reason: expert replies --------------------------------------------------------------


def test_rsvp_skipped_once_the_expert_answered() -> None:
    """An expert who is no longer pending gets no reply reminder; a pending one does."""
    facts = Facts(Phase.EXPERT_SELECTION, TODAY, invited=frozenset({1, 2}), pending=frozenset({2}))
    assert skip_reason(Due(Rule.RSVP, "1", SOON), facts) is SkipReason.ANSWERED
    assert skip_reason(Due(Rule.RSVP, "2", SOON), facts) is None


@pytest.mark.parametrize("phase", [Phase.PLANNING, Phase.EXPERT_SELECTION])
def test_rsvp_sent_while_experts_are_being_selected(phase: Phase) -> None:
    """A pending expert is reminded in the planning and expert-selection phases."""
    facts = Facts(phase, TODAY, invited=frozenset({2}), pending=frozenset({2}))
    assert skip_reason(Due(Rule.RSVP, "2", SOON), facts) is None


@pytest.mark.parametrize("phase", [Phase.SESSIONS, Phase.DECISION, Phase.PUBLICATION])
def test_rsvp_skipped_once_the_phase_moved_on(phase: Phase) -> None:
    """A still-pending expert is not reminded once the sessions phase has begun."""
    facts = Facts(phase, TODAY, invited=frozenset({2}), pending=frozenset({2}))
    assert skip_reason(Due(Rule.RSVP, "2", SOON), facts) is SkipReason.PHASE_MOVED_ON


def test_rsvp_skipped_after_the_deadline_day() -> None:
    """On the deadline day itself the reminder goes out; the day after it does not."""
    facts = Facts(Phase.EXPERT_SELECTION, TODAY, invited=frozenset({2}), pending=frozenset({2}))
    assert skip_reason(Due(Rule.RSVP, "2", TODAY), facts) is None
    assert skip_reason(Due(Rule.RSVP, "2", YESTERDAY), facts) is SkipReason.DEADLINE_PASSED


# -- skip_reason: nominations ---------------------------------------------------------------


def _nominating(phase: Phase = Phase.SESSIONS, **changes: Any) -> Facts:
    base: dict[str, Any] = {"accepted": frozenset({1, 2, 3}), "nominators": frozenset({1})}
    return Facts(phase, TODAY, **{**base, **changes})


@pytest.mark.parametrize(
    "phase", [Phase.PREPARATION, Phase.WORKGROUP, Phase.PLANNING, Phase.EXPERT_SELECTION]
)
def test_nomination_not_yet_open_before_the_sessions_phase(phase: Phase) -> None:
    """Before the sessions phase nobody is reminded to nominate."""
    reason = skip_reason(Due(Rule.NOMINATION, "panel", SOON), _nominating(phase))
    assert reason is SkipReason.NOT_YET_OPEN


def test_nomination_sent_while_some_accepted_expert_has_not_nominated() -> None:
    """Accepted experts 2 and 3 have not nominated yet: the reminder goes out."""
    assert skip_reason(Due(Rule.NOMINATION, "panel", SOON), _nominating()) is None


def test_nomination_skipped_when_every_accepted_expert_nominated() -> None:
    """Nominations by every accepted expert (and by others) make the reminder moot."""
    facts = _nominating(nominators=frozenset({1, 2, 3, 9}))
    assert skip_reason(Due(Rule.NOMINATION, "panel", SOON), facts) is SkipReason.NOMINATED


def test_nomination_skipped_without_accepted_experts() -> None:
    """With no accepted experts there is nobody to remind."""
    facts = _nominating(accepted=frozenset(), nominators=frozenset())
    reason = skip_reason(Due(Rule.NOMINATION, "panel", SOON), facts)
    assert reason is SkipReason.NO_RECIPIENTS


@pytest.mark.parametrize("phase", [Phase.DECISION, Phase.INVENTORY, Phase.PUBLICATION])
def test_nomination_skipped_after_the_sessions_phase(phase: Phase) -> None:
    """Once past the sessions phase nominations are closed."""
    reason = skip_reason(Due(Rule.NOMINATION, "panel", SOON), _nominating(phase))
    assert reason is SkipReason.PHASE_MOVED_ON


def test_nomination_skipped_after_its_deadline() -> None:
    """A nomination reminder that comes due after the nomination deadline is dropped."""
    reason = skip_reason(Due(Rule.NOMINATION, "panel", YESTERDAY), _nominating())
    assert reason is SkipReason.DEADLINE_PASSED


# -- skip_reason: sessions ------------------------------------------------------------------


def _with_session(session: SessionFact | None, phase: Phase = Phase.SESSIONS) -> Facts:
    sessions = {} if session is None else {5: session}
    return Facts(phase, TODAY, accepted=frozenset({1, 2}), sessions=sessions)


def test_session_reminder_sent_before_a_planned_session() -> None:
    """A planned session with accepted experts gets its reminder."""
    assert skip_reason(Due(Rule.SESSION, "5", SOON), _with_session(_session())) is None


@pytest.mark.parametrize("session", [_session(cancelled=True), None], ids=["cancelled", "gone"])
def test_session_reminder_skipped_for_a_cancelled_session(session: SessionFact | None) -> None:
    """A cancelled (or deleted) session gets no reminder."""
    reason = skip_reason(Due(Rule.SESSION, "5", SOON), _with_session(session))
    assert reason is SkipReason.SESSION_CANCELLED


def test_session_reminder_skipped_for_a_held_session() -> None:
    """A session recorded as held, or whose day has passed, gets no reminder."""
    held = _with_session(_session(held=True))
    assert skip_reason(Due(Rule.SESSION, "5", SOON), held) is SkipReason.SESSION_HELD
    planned = _with_session(_session())
    assert skip_reason(Due(Rule.SESSION, "5", YESTERDAY), planned) is SkipReason.SESSION_HELD


def test_session_reminder_skipped_without_accepted_experts_or_after_the_phase() -> None:
    """Nobody accepted: no recipients; procedure past the sessions phase: moved on."""
    nobody = Facts(Phase.SESSIONS, TODAY, sessions={5: _session()})
    assert skip_reason(Due(Rule.SESSION, "5", SOON), nobody) is SkipReason.NO_RECIPIENTS
    later = _with_session(_session(), Phase.DECISION)
    assert skip_reason(Due(Rule.SESSION, "5", SOON), later) is SkipReason.PHASE_MOVED_ON


# -- skip_reason: milestones (ahead and escalation) -------------------------------------------

RECORDED = _list(advice_recorded=True)
POSITIVE = _list(advice_recorded=True, advice_positive=True)

# (milestone, facts, whether its work is done)
MILESTONE_CASES: list[tuple[str, Facts, bool]] = [
    ("invitations_sent", Facts(Phase.PLANNING, TODAY), False),
    ("invitations_sent", Facts(Phase.PLANNING, TODAY, invited=frozenset({1}), uninvited=2), False),
    ("invitations_sent", Facts(Phase.PLANNING, TODAY, invited=frozenset({1})), True),
    ("invitations_sent", Facts(Phase.SESSIONS, TODAY), True),
    ("rsvp_deadline", Facts(Phase.EXPERT_SELECTION, TODAY), False),
    (
        "rsvp_deadline",
        Facts(Phase.EXPERT_SELECTION, TODAY, invited=frozenset({1, 2}), pending=frozenset({2})),
        False,
    ),
    ("rsvp_deadline", Facts(Phase.EXPERT_SELECTION, TODAY, invited=frozenset({1, 2})), True),
    ("rsvp_deadline", Facts(Phase.SESSIONS, TODAY, pending=frozenset({2})), True),
    ("first_session", Facts(Phase.SESSIONS, TODAY), False),
    ("first_session", Facts(Phase.SESSIONS, TODAY, held_sessions=1), True),
    ("first_session", Facts(Phase.DECISION, TODAY), True),
    ("concept_list", Facts(Phase.SESSIONS, TODAY, held_sessions=2), False),
    ("concept_list", Facts(Phase.DECISION, TODAY), True),
    ("archivist_advice", Facts(Phase.DECISION, TODAY, latest_list=_list()), False),
    ("archivist_advice", Facts(Phase.DECISION, TODAY, latest_list=RECORDED), True),
    ("archivist_advice", Facts(Phase.INVENTORY, TODAY), True),
    ("proposal_to_body", Facts(Phase.DECISION, TODAY, latest_list=RECORDED), False),
    ("proposal_to_body", Facts(Phase.DECISION, TODAY, latest_list=POSITIVE), True),
    ("decision", Facts(Phase.DECISION, TODAY, latest_list=POSITIVE), False),
    ("decision", Facts(Phase.INVENTORY, TODAY), True),
    ("inventory_done", Facts(Phase.INVENTORY, TODAY), False),
    ("inventory_done", Facts(Phase.PUBLICATION, TODAY), True),
    ("publication", Facts(Phase.PUBLICATION, TODAY), False),
]


@pytest.mark.parametrize(("key", "facts", "done"), MILESTONE_CASES)
def test_milestone_done_per_key(key: str, facts: Facts, done: bool) -> None:
    """Each milestone is done exactly when the work it stands for is done."""
    assert milestone_done(key, facts) is done


@pytest.mark.parametrize("rule", [Rule.MILESTONE, Rule.ESCALATION])
@pytest.mark.parametrize(("key", "facts", "done"), MILESTONE_CASES)
def test_milestone_reminders_skip_exactly_when_done(
    rule: Rule, key: str, facts: Facts, done: bool
) -> None:
    """Reminder ahead and escalation are skipped with milestone_done, else sent."""
    expected = SkipReason.MILESTONE_DONE if done else None
    assert skip_reason(Due(rule, key, SOON), facts) is expected


def test_milestone_reminder_ahead_is_skipped_after_the_day_but_escalation_is_not() -> None:
    """An open milestone past its day: no 'ahead' reminder any more, but the escalation goes."""
    facts = Facts(Phase.SESSIONS, TODAY)
    ahead = skip_reason(Due(Rule.MILESTONE, "first_session", YESTERDAY), facts)
    assert ahead is SkipReason.DEADLINE_PASSED
    assert skip_reason(Due(Rule.ESCALATION, "first_session", YESTERDAY), facts) is None


def test_nomination_deadline_is_never_escalated() -> None:
    """The nomination deadline is a cut-off: reminded ahead, never escalated."""
    facts = _nominating()
    assert not milestone_done("nomination_deadline", facts)
    assert skip_reason(Due(Rule.MILESTONE, "nomination_deadline", SOON), facts) is None
    escalation = Due(Rule.ESCALATION, "nomination_deadline", YESTERDAY)
    assert skip_reason(escalation, facts) is SkipReason.MILESTONE_DONE
    assert not series_open(escalation, facts)


# -- skip_reason: advice, decision and inventory ----------------------------------------------


def test_advice_reminder_sent_for_the_latest_list_without_advice() -> None:
    """The archivaris is reminded about the current list while no advice is recorded."""
    facts = Facts(Phase.DECISION, TODAY, latest_list=_list(3))
    assert skip_reason(Due(Rule.ADVICE, "3", SOON), facts) is None


@pytest.mark.parametrize("rule", [Rule.ADVICE, Rule.DECISION])
def test_list_reminders_skipped_for_a_replaced_list(rule: Rule) -> None:
    """A reminder about list 2 is dropped once list 3 is the latest (or there is none)."""
    # List 3 awaits exactly the step `rule` reminds of.
    latest = (
        _list(3) if rule is Rule.ADVICE else _list(3, advice_recorded=True, advice_positive=True)
    )
    facts = Facts(Phase.DECISION, TODAY, latest_list=latest)
    assert skip_reason(Due(rule, "2", SOON), facts) is SkipReason.LIST_REPLACED
    assert skip_reason(Due(rule, "3", SOON), facts) is None
    empty = Facts(Phase.DECISION, TODAY)
    assert skip_reason(Due(rule, "3", SOON), empty) is SkipReason.LIST_REPLACED


@pytest.mark.parametrize("rule", [Rule.ADVICE, Rule.DECISION])
def test_list_reminders_skipped_outside_the_decision_phase(rule: Rule) -> None:
    """Back in the sessions phase the list is being replaced; past decision it has moved on."""
    positive = _list(3, advice_recorded=True, advice_positive=True)
    back = Facts(Phase.SESSIONS, TODAY, latest_list=positive)
    assert skip_reason(Due(rule, "3", SOON), back) is SkipReason.LIST_REPLACED
    later = Facts(Phase.INVENTORY, TODAY, latest_list=positive)
    assert skip_reason(Due(rule, "3", SOON), later) is SkipReason.PHASE_MOVED_ON


def test_advice_reminder_skipped_once_advice_is_recorded() -> None:
    """Recorded advice, positive or not, ends the advice reminders."""
    for latest in (_list(3, advice_recorded=True), _list(3, advice_recorded=True, decided=True)):
        facts = Facts(Phase.DECISION, TODAY, latest_list=latest)
        assert skip_reason(Due(Rule.ADVICE, "3", SOON), facts) is SkipReason.ADVICE_RECORDED


def test_decision_reminder_not_yet_open_without_positive_advice() -> None:
    """No decision reminder while the advice is missing or negative."""
    for latest in (_list(3), _list(3, advice_recorded=True)):
        facts = Facts(Phase.DECISION, TODAY, latest_list=latest)
        assert skip_reason(Due(Rule.DECISION, "3", SOON), facts) is SkipReason.NOT_YET_OPEN


def test_decision_reminder_skipped_once_decided() -> None:
    """A recorded decision ends the decision reminders."""
    latest = _list(3, advice_recorded=True, advice_positive=True, decided=True)
    facts = Facts(Phase.DECISION, TODAY, latest_list=latest)
    assert skip_reason(Due(Rule.DECISION, "3", SOON), facts) is SkipReason.DECISION_RECORDED


@pytest.mark.parametrize("rule", [Rule.ADVICE, Rule.DECISION])
def test_list_reminders_skipped_after_their_deadline(rule: Rule) -> None:
    """A still-relevant advice or decision reminder is dropped after its deadline day."""
    latest = _list(3, advice_recorded=False, advice_positive=True)
    facts = Facts(Phase.DECISION, TODAY, latest_list=latest)
    assert skip_reason(Due(rule, "3", YESTERDAY), facts) is SkipReason.DEADLINE_PASSED


def test_inventory_reminder_while_the_system_is_open() -> None:
    """An open system is reminded of, also long after any deadline; a searched one is not."""
    facts = Facts(Phase.INVENTORY, TODAY, open_systems=frozenset({4}))
    assert skip_reason(Due(Rule.INVENTORY, "4", TODAY - timedelta(days=60)), facts) is None
    assert skip_reason(Due(Rule.INVENTORY, "5", SOON), facts) is SkipReason.SYSTEM_SEARCHED
    later = Facts(Phase.PUBLICATION, TODAY, open_systems=frozenset({4}))
    assert skip_reason(Due(Rule.INVENTORY, "4", SOON), later) is SkipReason.PHASE_MOVED_ON


def _would_send(phase: Phase) -> Facts:
    """Facts under which every rule's reminder below would otherwise go out."""
    return Facts(
        phase,
        TODAY,
        invited=frozenset({1}),
        pending=frozenset({1}),
        accepted=frozenset({1}),
        sessions={1: _session()},
        latest_list=_list(1, advice_recorded=False, advice_positive=True),
        open_systems=frozenset({1}),
    )


SENDABLE = [
    Due(Rule.RSVP, "1", SOON),
    Due(Rule.NOMINATION, "panel", SOON),
    Due(Rule.SESSION, "1", SOON),
    Due(Rule.MILESTONE, "publication", SOON),
    Due(Rule.ESCALATION, "publication", YESTERDAY),
    Due(Rule.ADVICE, "1", SOON),
    Due(Rule.DECISION, "1", SOON),
    Due(Rule.INVENTORY, "1", SOON),
]


@pytest.mark.parametrize("phase", CLOSED_PHASES)
@pytest.mark.parametrize("due", SENDABLE, ids=lambda d: d.rule.value)
def test_every_rule_is_skipped_once_the_procedure_is_closed(phase: Phase, due: Due) -> None:
    """A closed or cancelled procedure sends no reminder of any kind."""
    assert skip_reason(due, _would_send(phase)) is SkipReason.PROCEDURE_CLOSED
    assert not series_open(due, _would_send(phase))


def test_the_closed_check_is_not_vacuous() -> None:
    """The same reminders as above do go out in some open phase."""
    phases = {
        Rule.RSVP: Phase.EXPERT_SELECTION,
        Rule.NOMINATION: Phase.SESSIONS,
        Rule.SESSION: Phase.SESSIONS,
        Rule.MILESTONE: Phase.PUBLICATION,
        Rule.ESCALATION: Phase.PUBLICATION,
        Rule.ADVICE: Phase.DECISION,
        Rule.DECISION: Phase.DECISION,
        Rule.INVENTORY: Phase.INVENTORY,
    }
    for due in SENDABLE:
        assert skip_reason(due, _would_send(phases[due.rule])) is None, due.rule


# -- properties -----------------------------------------------------------------------------

IDS = st.frozensets(st.integers(min_value=1, max_value=5), max_size=5)
DATES = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))
LISTS = st.none() | st.builds(
    ListFact,
    id=st.integers(min_value=1, max_value=3),
    advice_recorded=st.booleans(),
    advice_positive=st.booleans(),
    decided=st.booleans(),
)
SESSIONS = st.dictionaries(
    st.integers(min_value=1, max_value=3),
    st.builds(SessionFact, at=st.just(SESSION_AT), cancelled=st.booleans(), held=st.booleans()),
    max_size=3,
)


@st.composite
def facts_in(draw: st.DrawFn, phases: st.SearchStrategy[Phase]) -> Facts:
    invited = draw(IDS)
    accepted = draw(IDS)
    return Facts(
        phase=draw(phases),
        today=draw(DATES),
        invited=invited,
        pending=invited & draw(IDS),
        uninvited=draw(st.integers(min_value=0, max_value=3)),
        accepted=accepted,
        nominators=draw(IDS),
        sessions=draw(SESSIONS),
        held_sessions=draw(st.integers(min_value=0, max_value=3)),
        latest_list=draw(LISTS),
        open_systems=draw(IDS),
    )


ANY_FACTS = facts_in(st.sampled_from(list(Phase)))


ALL_RULES = st.sampled_from(list(Rule))


@st.composite
def dues(draw: st.DrawFn, rules: st.SearchStrategy[Rule] = ALL_RULES) -> Due:
    rule = draw(rules)
    if rule in (Rule.MILESTONE, Rule.ESCALATION):
        subject = draw(st.sampled_from(MILESTONE_ORDER))
    elif rule is Rule.NOMINATION:
        subject = "panel"
    else:
        subject = str(draw(st.integers(min_value=1, max_value=5)))
    return Due(rule, subject, draw(DATES))


@given(dues(), facts_in(st.sampled_from(CLOSED_PHASES)))
def test_property_closed_procedures_skip_every_rule(due: Due, facts: Facts) -> None:
    """For any facts with a closed or cancelled phase, every reminder is procedure_closed."""
    assert skip_reason(due, facts) is SkipReason.PROCEDURE_CLOSED
    assert not series_open(due, facts)


@given(dues(st.sampled_from([Rule.ESCALATION, Rule.INVENTORY])), ANY_FACTS)
def test_property_a_series_continues_exactly_while_its_reminder_is_sent(
    due: Due, facts: Facts
) -> None:
    """series_open is False when the escalation is milestone_done, and True only when sent."""
    reason = skip_reason(due, facts)
    if reason is SkipReason.MILESTONE_DONE:
        assert not series_open(due, facts)
    assert series_open(due, facts) == (reason is None)


@given(dues(st.sampled_from([r for r in Rule if r not in (Rule.ESCALATION, Rule.INVENTORY)])))
def test_property_one_off_rules_never_form_a_series(due: Due) -> None:
    """Only escalations and inventory reminders repeat."""
    assert not series_open(due, _would_send(Phase.SESSIONS))


@given(
    dues(st.sampled_from([r for r in Rule if r not in (Rule.ESCALATION, Rule.INVENTORY)])),
    ANY_FACTS,
)
def test_property_no_reminder_ahead_goes_out_after_its_deadline(due: Due, facts: Facts) -> None:
    """A reminder ahead of a deadline is never sent after the deadline's day."""
    late = replace(facts, today=due.deadline_day + timedelta(days=1))
    assert skip_reason(due, late) is not None


@given(st.sampled_from(MILESTONE_ORDER), DATES, ANY_FACTS)
def test_property_overdue_means_open_not_done_and_past(key: str, due: date, facts: Facts) -> None:
    """milestone_overdue implies an open procedure, an undone milestone and today > due."""
    if milestone_overdue(key, due, facts):
        assert facts.phase.is_open
        assert not milestone_done(key, facts)
        assert facts.today > due
    # And the other way round: an undone milestone in an open procedure is overdue once past.
    if facts.phase.is_open and not milestone_done(key, facts) and facts.today > due:
        assert milestone_overdue(key, due, facts) is (key != "nomination_deadline")


@given(DATES, ANY_FACTS)
def test_property_nomination_deadline_is_never_overdue(due: date, facts: Facts) -> None:
    """The nomination deadline is a cut-off and never shows up as overdue."""
    assert not milestone_overdue("nomination_deadline", due, facts)
    assert deadline_state(DeadlineKind.MILESTONE, "nomination_deadline", due, facts) is not (
        DeadlineState.OVERDUE
    )


@given(st.sampled_from(MILESTONE_ORDER), DATES, ANY_FACTS)
def test_property_milestone_state_is_overdue_exactly_when_overdue(
    key: str, due: date, facts: Facts
) -> None:
    """deadline_state of a milestone is OVERDUE exactly when milestone_overdue says so."""
    state = deadline_state(DeadlineKind.MILESTONE, key, due, facts)
    assert (state is DeadlineState.OVERDUE) == milestone_overdue(key, due, facts)


@given(st.sampled_from(MILESTONE_ORDER), facts_in(st.just(Phase.CLOSED)))
def test_property_every_milestone_is_done_in_a_closed_procedure(key: str, facts: Facts) -> None:
    """After closing, every milestone counts as done (nothing left to escalate)."""
    assert milestone_done(key, facts)


# -- deadline_state -------------------------------------------------------------------------


def test_deadline_state_of_a_milestone() -> None:
    """first_session: overdue when past and not held, done once held, upcoming before."""
    waiting = Facts(Phase.SESSIONS, TODAY)
    milestone = DeadlineKind.MILESTONE
    assert deadline_state(milestone, "first_session", YESTERDAY, waiting) is DeadlineState.OVERDUE
    assert deadline_state(milestone, "first_session", SOON, waiting) is DeadlineState.UPCOMING
    held = Facts(Phase.SESSIONS, TODAY, held_sessions=1)
    assert deadline_state(milestone, "first_session", YESTERDAY, held) is DeadlineState.DONE


def test_deadline_state_of_the_nomination_cut_off_milestone() -> None:
    """A past nomination_deadline in the sessions phase is passed, not overdue."""
    facts = _nominating()
    state = deadline_state(DeadlineKind.MILESTONE, "nomination_deadline", YESTERDAY, facts)
    assert state is DeadlineState.PASSED


@pytest.mark.parametrize(
    ("session", "due", "expected"),
    [
        (_session(cancelled=True), SOON, DeadlineState.CANCELLED),
        (_session(cancelled=True, held=True), YESTERDAY, DeadlineState.CANCELLED),
        (None, SOON, DeadlineState.CANCELLED),
        (_session(held=True), YESTERDAY, DeadlineState.DONE),
        (_session(), YESTERDAY, DeadlineState.PASSED),
        (_session(), SOON, DeadlineState.UPCOMING),
    ],
)
def test_deadline_state_of_a_session(
    session: SessionFact | None, due: date, expected: DeadlineState
) -> None:
    """A cancelled session is CANCELLED, a held one DONE, else passed or upcoming by date."""
    state = deadline_state(DeadlineKind.SESSION, "5", due, _with_session(session))
    assert state is expected


def test_deadline_state_of_an_expert_reply() -> None:
    """An answered RSVP is DONE; a pending one upcoming, or overdue once its day passed."""
    facts = Facts(Phase.EXPERT_SELECTION, TODAY, invited=frozenset({1, 2}), pending=frozenset({2}))
    assert deadline_state(DeadlineKind.RSVP, "1", SOON, facts) is DeadlineState.DONE
    assert deadline_state(DeadlineKind.RSVP, "1", YESTERDAY, facts) is DeadlineState.DONE
    assert deadline_state(DeadlineKind.RSVP, "2", SOON, facts) is DeadlineState.UPCOMING
    assert deadline_state(DeadlineKind.RSVP, "2", YESTERDAY, facts) is DeadlineState.OVERDUE


@pytest.mark.parametrize("phase", CLOSED_PHASES)
@pytest.mark.parametrize(
    "kind", [k for k in DeadlineKind if k not in (DeadlineKind.MILESTONE, DeadlineKind.SESSION)]
)
def test_deadline_state_in_a_closed_procedure_is_cancelled(
    phase: Phase, kind: DeadlineKind
) -> None:
    """A cancelled procedure's obligations lapse; a closed (finished) one's are over."""
    state = deadline_state(kind, "1", SOON, _would_send(phase))
    if phase is Phase.CANCELLED:
        assert state is DeadlineState.CANCELLED
    elif kind is DeadlineKind.NOMINATION:
        assert state is DeadlineState.PASSED
    else:
        assert state is DeadlineState.DONE


def test_deadline_state_of_advice_and_decision() -> None:
    """Advice and decision deadlines are done once recorded, else upcoming or overdue."""
    open_list = Facts(Phase.DECISION, TODAY, latest_list=_list(3))
    assert deadline_state(DeadlineKind.ADVICE, "3", SOON, open_list) is DeadlineState.UPCOMING
    assert deadline_state(DeadlineKind.DECISION, "3", YESTERDAY, open_list) is (
        DeadlineState.OVERDUE
    )
    advised = Facts(Phase.DECISION, TODAY, latest_list=_list(3, advice_recorded=True))
    assert deadline_state(DeadlineKind.ADVICE, "3", YESTERDAY, advised) is DeadlineState.DONE
    decided = Facts(Phase.DECISION, TODAY, latest_list=_list(3, decided=True))
    assert deadline_state(DeadlineKind.DECISION, "3", YESTERDAY, decided) is DeadlineState.DONE


def test_deadline_state_of_an_inventory_system() -> None:
    """An open system's deadline is upcoming (also without a due day); a searched one done."""
    facts = Facts(Phase.INVENTORY, TODAY, open_systems=frozenset({4}))
    assert deadline_state(DeadlineKind.INVENTORY, "4", None, facts) is DeadlineState.UPCOMING
    assert deadline_state(DeadlineKind.INVENTORY, "4", YESTERDAY, facts) is DeadlineState.OVERDUE
    assert deadline_state(DeadlineKind.INVENTORY, "5", SOON, facts) is DeadlineState.DONE


def test_deadline_state_of_nominations_in_the_sessions_phase() -> None:
    """Nominations: upcoming while someone has not nominated; done once all have."""
    assert deadline_state(DeadlineKind.NOMINATION, "panel", SOON, _nominating()) is (
        DeadlineState.UPCOMING
    )
    everyone = _nominating(nominators=frozenset({1, 2, 3}))
    assert deadline_state(DeadlineKind.NOMINATION, "panel", SOON, everyone) is (DeadlineState.DONE)
    assert deadline_state(DeadlineKind.NOMINATION, "panel", YESTERDAY, _nominating()) is (
        DeadlineState.PASSED
    )


@pytest.mark.parametrize("phase", [Phase.PLANNING, Phase.EXPERT_SELECTION])
def test_a_future_nomination_deadline_is_upcoming_before_the_sessions_phase(phase: Phase) -> None:
    """The planned nomination deadline, still weeks ahead, is not yet 'passed'."""
    facts = Facts(phase, TODAY, invited=frozenset({1}), pending=frozenset({1}))
    state = deadline_state(DeadlineKind.NOMINATION, "panel", TODAY + timedelta(days=30), facts)
    assert state is DeadlineState.UPCOMING


def test_reply_deadline_is_the_planned_one_or_the_minimum_time() -> None:
    """Without an rsvp_deadline milestone an expert has the minimum days from the invitation."""
    invited = date(2025, 1, 7)
    assert reply_deadline(date(2025, 1, 24), invited, 10) == date(2025, 1, 24)
    assert reply_deadline(None, invited, 10) == date(2025, 1, 17)


def test_a_new_series_starts_at_its_next_occurrence_and_one_offs_at_zero() -> None:
    """Planning after weeks of delay: the weekly series starts now, a one-off keeps its day."""
    policy = ReminderPolicy()
    weekly = policy.offsets(Rule.ESCALATION)[0]
    base = date(2025, 1, 24)  # first escalation 31 January 09:00
    now = datetime(2025, 2, 15, 12, 0, tzinfo=UTC)
    occurrence, moment = policy.first(weekly, base, now)
    assert occurrence == 3
    assert moment.date() == date(2025, 2, 21) and moment > now
    assert policy.next_occurrence(weekly, base, now, after=3) == 4
    seven = Offset(-7)
    assert policy.first(seven, base, now) == (0, policy.moment(date(2025, 1, 17)))
