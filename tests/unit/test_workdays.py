"""Working days: weekends and Dutch public holidays (from the `holidays` package) are not."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from states.workdays import (
    add_working_days,
    holiday_name,
    is_working_day,
    next_working_day,
    working_days_between,
)

DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
COUNTS = st.integers(min_value=0, max_value=40)


def _days(start: date, end: date) -> list[date]:
    """Every day from `start` up to and including `end`."""
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


# -- is_working_day -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [
        date(2025, 9, 13),  # Saturday
        date(2025, 9, 14),  # Sunday
        date(2026, 4, 27),  # King's Day, a Monday
        date(2025, 4, 21),  # Easter Monday
        date(2025, 12, 25),  # Christmas Day, a Thursday
        date(2025, 12, 26),  # Second Day of Christmas, a Friday
        date(2026, 1, 1),  # New Year's Day, a Thursday
        date(2026, 5, 14),  # Ascension Day, a Thursday
    ],
)
def test_weekends_and_public_holidays_are_not_working_days(day: date) -> None:
    """Saturdays, Sundays and Dutch public holidays on weekdays are no working days."""
    assert not is_working_day(day)


@pytest.mark.parametrize(
    "day",
    [
        date(2025, 9, 9),  # an ordinary Tuesday
        date(2026, 4, 28),  # the Tuesday after King's Day
        date(2025, 4, 22),  # the Tuesday after Easter Monday
        date(2026, 5, 15),  # the Friday after Ascension Day
    ],
)
def test_ordinary_weekdays_are_working_days(day: date) -> None:
    """A weekday that is no public holiday is a working day, also right after a holiday."""
    assert is_working_day(day)


def test_a_whole_year_has_the_expected_number_of_working_days() -> None:
    """2026: 261 weekdays minus 7 holidays on weekdays (Dec 26 is a Saturday) is 254."""
    year = _days(date(2026, 1, 1), date(2026, 12, 31))
    assert sum(d.weekday() < 5 for d in year) == 261
    assert sum(is_working_day(d) for d in year) == 254
    assert working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 254


# -- add_working_days -----------------------------------------------------------------------


def test_three_working_days_before_a_thursday_after_easter() -> None:
    """Before Thu 24 April 2025 Easter Monday and Good Friday are skipped: Thu 17 April."""
    assert add_working_days(date(2025, 4, 24), -3) == date(2025, 4, 17)


def test_five_working_days_after_good_friday() -> None:
    """From Good Friday 2025: weekend and Easter Monday skipped, Tue 22..Fri 25, Mon 28."""
    # Sat 26 April 2025 is King's Day on a Saturday: a weekend day either way.
    assert add_working_days(date(2025, 4, 18), 5) == date(2025, 4, 28)


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (date(2025, 9, 11), -3, date(2025, 9, 8)),  # Thu -> Mon of the same week
        (date(2025, 9, 8), -3, date(2025, 9, 3)),  # Mon -> the Wednesday before
        (date(2025, 9, 10), 5, date(2025, 9, 17)),  # Wed -> next Wed
        (date(2025, 9, 12), 5, date(2025, 9, 19)),  # Fri -> next Fri
        (date(2025, 9, 12), 1, date(2025, 9, 15)),  # Fri -> Mon
        (date(2025, 9, 15), -1, date(2025, 9, 12)),  # Mon -> Fri
    ],
)
def test_add_working_days_in_weeks_without_holidays(
    start: date, count: int, expected: date
) -> None:
    """Without holidays only the weekend is skipped, and the start day itself never counts."""
    assert add_working_days(start, count) == expected


@pytest.mark.parametrize("day", [date(2025, 9, 9), date(2025, 9, 13), date(2026, 4, 27)])
def test_zero_working_days_is_the_same_day(day: date) -> None:
    """Adding 0 working days returns the day itself, also when it is no working day."""
    assert add_working_days(day, 0) == day


@given(DAYS, st.integers(min_value=1, max_value=40))
def test_a_positive_count_lands_on_a_later_working_day(day: date, count: int) -> None:
    """add_working_days(d, n >= 1) is a working day after d, and -n one before d."""
    later = add_working_days(day, count)
    earlier = add_working_days(day, -count)
    assert later > day and is_working_day(later)
    assert earlier < day and is_working_day(earlier)


@given(DAYS, COUNTS)
def test_working_days_between_counts_what_add_working_days_added(day: date, count: int) -> None:
    """working_days_between(d, add_working_days(d, n)) == n for any start day."""
    assert working_days_between(day, add_working_days(day, count)) == count


@given(DAYS, COUNTS)
def test_working_days_between_agrees_with_a_day_by_day_count(day: date, count: int) -> None:
    """working_days_between counts the working days after start up to and including end."""
    end = day + timedelta(days=count)
    expected = sum(is_working_day(d) for d in _days(day + timedelta(days=1), end))
    assert working_days_between(day, end) == expected
    # A backwards or empty range holds no working days.
    assert working_days_between(end, day) == 0


@given(DAYS, st.integers(min_value=1, max_value=40))
def test_going_forward_and_back_lands_on_the_last_working_day_up_to_the_start(
    day: date, count: int
) -> None:
    """add(add(d, n), -n) is d when d is a working day, else the last working day before d."""
    back = add_working_days(add_working_days(day, count), -count)
    assert back <= day
    assert is_working_day(back)
    # No working day lies after `back` up to and including `day`.
    assert not any(is_working_day(d) for d in _days(back + timedelta(days=1), day))
    if is_working_day(day):
        assert back == day


@given(DAYS, st.integers(min_value=1, max_value=40))
def test_counting_back_from_a_day_depends_on_whether_it_is_a_working_day(
    day: date, count: int
) -> None:
    """Between add_working_days(d, -n) and d lie n working days if d is one, else n - 1."""
    start = add_working_days(day, -count)
    expected = count if is_working_day(day) else count - 1
    assert working_days_between(start, day) == expected


# -- next_working_day and holiday_name --------------------------------------------------------


@given(DAYS)
def test_next_working_day_is_the_first_working_day_from_the_input(day: date) -> None:
    """next_working_day is a working day >= the input with no working day in between."""
    found = next_working_day(day)
    assert found >= day
    assert is_working_day(found)
    assert not any(is_working_day(d) for d in _days(day, found - timedelta(days=1)))
    if is_working_day(day):
        assert found == day


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 9, 9), date(2025, 9, 9)),  # a Tuesday: itself
        (date(2025, 9, 13), date(2025, 9, 15)),  # Saturday -> Monday
        (date(2026, 4, 27), date(2026, 4, 28)),  # King's Day -> Tuesday
        (date(2025, 4, 18), date(2025, 4, 22)),  # Good Friday -> past Easter Monday
        (date(2025, 12, 25), date(2025, 12, 29)),  # Christmas Thu -> Mon after the weekend
    ],
)
def test_next_working_day_examples(day: date, expected: date) -> None:
    """next_working_day steps over weekends and runs of holidays."""
    assert next_working_day(day) == expected


def test_holiday_name_is_dutch_by_default() -> None:
    """27 April 2026 is named Koningsdag; an ordinary day has no holiday name."""
    name = holiday_name(date(2026, 4, 27))
    assert name is not None
    assert "Koning" in name
    assert holiday_name(date(2026, 4, 28)) is None


def test_holiday_name_in_another_language() -> None:
    """The language argument is passed on: English gives King's Day."""
    assert holiday_name(date(2026, 4, 27), "en_US") == "King's Day"
