"""Working days in the Netherlands: weekends and Dutch public holidays are not working days.

The holidays come from the maintained `holidays` package, never from a list kept here. It is
imported when a working day is first counted: loading it costs about as much as a whole
short command, and most commands count none.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache


@lru_cache(maxsize=64)
def _holidays_of(year: int) -> frozenset[date]:
    import holidays

    return frozenset(holidays.country_holidays("NL", years=year))


def holiday_name(day: date, language: str = "nl") -> str | None:
    """The name of the public holiday on `day`, or None."""
    import holidays

    names = holidays.country_holidays("NL", years=day.year, language=language)
    name = names.get(day)
    return str(name) if name else None


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays_of(day.year)


def add_working_days(day: date, count: int) -> date:
    """The date `count` working days after `day` (before it when negative).

    `day` itself is never counted, so 3 working days before a Monday milestone is the
    Wednesday before it, and 5 working days after a milestone on Friday is the next Friday.
    """
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    current = day
    while remaining:
        current += timedelta(days=step)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """How many working days lie after `start` up to and including `end` (0 if end <= start)."""
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count


def next_working_day(day: date) -> date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day
