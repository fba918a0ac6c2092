"""Dates checked against what they mean: pure rules that take "now" as an argument."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from states.errors import Refused
from states.guards import (
    IN_FORCE_HORIZON_DAYS,
    MILESTONE_HORIZON_DAYS,
    MILESTONE_MARGIN_DAYS,
    SESSION_HORIZON_DAYS,
    AdviceDay,
    require_plausible_advice_date,
    require_plausible_decision_date,
    require_plausible_in_force,
    require_plausible_milestone,
    require_plausible_session,
    require_session_begun,
)
from states.i18n import AMSTERDAM, Text, local_date

OPENED = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)  # 10:00 in Amsterdam
NOW = datetime(2025, 3, 31, 8, 30, tzinfo=UTC)
FROZEN = datetime(2025, 3, 24, 16, 0, tzinfo=UTC)
TODAY = local_date(NOW)

moments = st.datetimes(
    min_value=datetime(1900, 1, 2), max_value=datetime(2200, 12, 30), timezones=st.just(UTC)
)
days = st.dates(min_value=date(1900, 1, 2), max_value=date(2200, 12, 30))


def _code(call: object) -> str | None:
    """The rule code a guard call refuses with, or None when it lets the step pass."""
    assert callable(call)
    try:
        call()
    except Refused as refusal:
        assert len(refusal.verdicts) == 1
        return refusal.codes[0]
    return None


def test_sessions_of_1900_and_2200_are_refused_with_their_rule() -> None:
    """The dates of the issue: before the opening, and far beyond any planning."""
    for year, code in ((1900, "session.before_opening"), (2200, "session.too_far_ahead")):
        at = datetime(year, 3, 10, 13, 0, tzinfo=UTC)
        with pytest.raises(Refused) as refusal:
            require_plausible_session(at, OPENED, NOW, session_id=7)
        assert refusal.value.codes == [code]
        (verdict,) = refusal.value.verdicts
        # The figures name the session and the day; the message says what would satisfy it.
        assert "bijeenkomst 7" in verdict.figures.nl and str(year) in verdict.figures.nl
        assert "controleer het jaar" in verdict.message.nl
        assert "check the year" in verdict.message.en


def test_a_session_on_the_opening_day_is_fine_even_before_the_opening_hour() -> None:
    """Days are Dutch days: 08:00 on the day the procedure opened at 10:00 still belongs to it."""
    early_that_day = datetime(2025, 1, 6, 7, 0, tzinfo=UTC)
    require_plausible_session(early_that_day, OPENED, NOW)
    with pytest.raises(Refused):
        require_plausible_session(early_that_day - timedelta(days=1), OPENED, NOW)


@given(moments)
def test_the_session_rule_refuses_exactly_the_implausible_days(at: datetime) -> None:
    """Refused before the opening day or beyond the horizon; anything between passes."""
    day = local_date(at)
    expected = (
        "session.before_opening"
        if day < local_date(OPENED)
        else "session.too_far_ahead"
        if (day - TODAY).days > SESSION_HORIZON_DAYS
        else None
    )
    assert _code(lambda: require_plausible_session(at, OPENED, NOW)) == expected


@given(moments)
def test_attendance_waits_for_the_start_of_the_session(at: datetime) -> None:
    """Attendance is refused exactly while the session still lies ahead of "now"."""
    expected = "session.not_begun" if at > NOW else None
    assert _code(lambda: require_session_begun(3, at, NOW)) == expected


def test_a_session_that_begins_in_an_hour_says_when() -> None:
    """The refusal gives the session's own Dutch time, so the user sees what is wrong."""
    soon = NOW + timedelta(hours=1)
    with pytest.raises(Refused) as refusal:
        require_session_begun(3, soon, NOW)
    figures = refusal.value.verdicts[0].figures
    assert f"om {soon.astimezone(AMSTERDAM):%H:%M}" in figures.nl
    assert "bijeenkomst 3" in figures.nl and "session 3" in figures.en
    require_session_begun(3, NOW, NOW)


@given(days)
def test_the_advice_is_dated_between_the_frozen_list_and_today(day: date) -> None:
    """In the future, or before the list went for advice: each with its own code."""
    expected = (
        "decision.advice_date_in_future"
        if day > TODAY
        else "decision.advice_date_before_list"
        if day < local_date(FROZEN)
        else None
    )
    assert _code(lambda: require_plausible_advice_date(day, 2, FROZEN, TODAY)) == expected


@given(days, st.none() | days)
def test_the_decision_is_dated_after_list_and_advice_and_not_in_the_future(
    day: date, advice: date | None
) -> None:
    """A decision of 1950 or of next week is refused; so is one dated before its advice."""
    expected = (
        "decision.date_in_future"
        if day > TODAY
        else "decision.date_before_list"
        if day < local_date(FROZEN)
        else "decision.date_before_advice"
        if advice is not None and day < advice
        else None
    )
    given = AdviceDay(advice, from_letter=True) if advice is not None else None
    call = lambda: require_plausible_decision_date(day, 1, FROZEN, TODAY, given)  # noqa: E731
    assert _code(call) == expected


def test_a_decision_before_an_advice_without_letter_date_is_refused() -> None:
    """Without a letter date the day the advice was recorded counts, and the figures say so."""
    recorded = AdviceDay(date(2025, 3, 28), from_letter=False)
    with pytest.raises(Refused) as refusal:
        require_plausible_decision_date(date(2025, 3, 26), 1, FROZEN, TODAY, recorded)
    (verdict,) = refusal.value.verdicts
    assert verdict.code == "decision.date_before_advice"
    assert "advies vastgelegd op 28 maart 2025" in verdict.figures.nl
    assert "advice recorded on 28 March 2025" in verdict.figures.en
    require_plausible_decision_date(date(2025, 3, 28), 1, FROZEN, TODAY, recorded)


DECISION = Text("Besluit", "Decision")


@given(days)
def test_the_milestone_rule_refuses_exactly_the_implausible_days(day: date) -> None:
    """More than a year before the opening, or more than three years ahead: each its code."""
    expected = (
        "milestone.before_opening"
        if (local_date(OPENED) - day).days > MILESTONE_MARGIN_DAYS
        else "milestone.too_far_ahead"
        if (day - TODAY).days > MILESTONE_HORIZON_DAYS
        else None
    )
    call = lambda: require_plausible_milestone("decision", DECISION, day, OPENED, NOW)  # noqa: E731
    assert _code(call) == expected


def test_a_milestone_of_1900_names_the_milestone_and_the_earliest_day() -> None:
    """The figures name the milestone by its label and the earliest day it may have."""
    with pytest.raises(Refused) as refusal:
        require_plausible_milestone("decision", DECISION, date(1900, 1, 1), OPENED, NOW)
    (verdict,) = refusal.value.verdicts
    assert verdict.code == "milestone.before_opening"
    assert verdict.figures.nl.startswith("Besluit: 1 januari 1900")
    assert "7 januari 2024" in verdict.figures.nl and "check the year" in verdict.message.en


def test_a_decision_of_1950_names_the_list_and_its_date() -> None:
    """The figures say when the list was submitted, and the message why that matters."""
    with pytest.raises(Refused) as refusal:
        require_plausible_decision_date(date(1950, 5, 13), 1, FROZEN, TODAY)
    (verdict,) = refusal.value.verdicts
    assert verdict.code == "decision.date_before_list"
    assert "13 mei 1950" in verdict.figures.nl and "24 maart 2025" in verdict.figures.nl
    assert "conceptlijst 1" in verdict.message.nl
    assert verdict.data == {"day": "1950-05-13", "frozen": "2025-03-24"}


@given(days, st.none() | days)
def test_a_publication_takes_effect_after_its_decision_and_within_the_horizon(
    in_force: date, decided: date | None
) -> None:
    """Before the decision, or more than two years on, is refused; a later day is fine."""
    expected = (
        "publication.before_decision"
        if decided is not None and in_force < decided
        else "publication.too_far_ahead"
        if (in_force - TODAY).days > IN_FORCE_HORIZON_DAYS
        else None
    )
    assert _code(lambda: require_plausible_in_force(in_force, decided, TODAY)) == expected


def test_every_date_refusal_speaks_both_languages() -> None:
    """Each new rule has a Dutch and an English message and figures."""
    calls = [
        lambda: require_plausible_session(datetime(1900, 1, 2, tzinfo=UTC), OPENED, NOW),
        lambda: require_plausible_session(datetime(2200, 1, 2, tzinfo=UTC), OPENED, NOW),
        lambda: require_session_begun(1, NOW + timedelta(days=3), NOW),
        lambda: require_plausible_advice_date(TODAY + timedelta(days=1), 1, FROZEN, TODAY),
        lambda: require_plausible_advice_date(date(2025, 1, 1), 1, FROZEN, TODAY),
        lambda: require_plausible_decision_date(
            date(2025, 3, 25), 1, FROZEN, TODAY, AdviceDay(TODAY, from_letter=True)
        ),
        lambda: require_plausible_milestone("decision", DECISION, date(1900, 1, 1), OPENED, NOW),
        lambda: require_plausible_milestone("decision", DECISION, date(2200, 1, 1), OPENED, NOW),
        lambda: require_plausible_in_force(date(2025, 1, 1), TODAY, TODAY),
        lambda: require_plausible_in_force(date(2200, 1, 1), None, TODAY),
    ]
    for call in calls:
        with pytest.raises(Refused) as refusal:
            call()
        for verdict in refusal.value.verdicts:
            assert verdict.message.nl != verdict.message.en
            assert verdict.figures.nl and verdict.figures.en
            assert refusal.value.message.nl != refusal.value.message.en
