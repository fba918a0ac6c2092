"""Ids, local times, periods and search keys: one rule each, the same on every face."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Integer

from states.errors import InvalidInput
from states.i18n import AMSTERDAM
from workflow import validation
from workflow.db.models import Base
from workflow.settings import Settings


def test_every_id_column_is_an_integer_so_one_bound_fits_them_all() -> None:
    """MAX_ID is PostgreSQL's INTEGER maximum; a BIGINT id column would need its own bound."""
    ids = [t.c.id for t in Base.metadata.sorted_tables if "id" in t.c and t.c.id.primary_key]
    numbered = [c for c in ids if isinstance(c.type, Integer)]  # procedures have a text code
    assert len(numbered) == len(ids) - 1
    assert all(type(c.type) is Integer for c in numbered)  # not BigInteger: 2**31 - 1 at most
    assert validation.MAX_ID == validation.INTEGER_MAX == 2**31 - 1


@pytest.mark.parametrize(
    "value",
    [str(2**31), str(2**63 - 1), "0", "-1", "05", "+5", " 5", "5 ", "٣", "５", "5_0", "1e3", ""],
)
def test_an_id_is_ascii_digits_without_sign_spaces_or_leading_zero(value: str) -> None:
    """Anything else names no row: None for an address, InvalidInput naming a field."""
    assert validation.id_or_none(value) is None
    with pytest.raises(InvalidInput) as refused:
        validation.parse_id("message", value)
    assert refused.value.field == "message" and "0-9" in refused.value.message("nl")


@given(st.integers(min_value=1, max_value=2**31 - 1))
def test_every_id_the_database_can_hold_is_read_back(number: int) -> None:
    """From 1 to 2**31 - 1, the decimal digits name that id, and nothing is lost."""
    assert validation.id_or_none(str(number)) == number == validation.parse_id("x", number)


@pytest.mark.parametrize(
    ("value", "page"),
    [("3", 3), ("0", 1), ("-1", 1), ("abc", 1), ("", 1), ("٣", 1), (str(10**30), 2**31 - 1)],
)
def test_a_page_number_is_never_refused_and_a_huge_one_stays_huge(value: str, page: int) -> None:
    """The caller clamps it: page 10**30 of three pages is the last, like page 99."""
    assert validation.page_number(value) == page


def test_a_time_skipped_when_summer_time_begins_is_refused_naming_the_gap() -> None:
    """30 March 2025, 02:30 never happened in the Netherlands (02:00 became 03:00)."""
    with pytest.raises(InvalidInput) as refused:
        validation.parse_datetime("--at", "2025-03-30T02:30")
    said = refused.value.message("nl")
    assert "bestaat niet" in said and "02:00" in said and "03:00" in said
    assert "summer time" in refused.value.message("en")


def test_a_time_that_occurs_twice_needs_its_offset() -> None:
    """26 October 2025, 02:30 happened twice: the message gives both offsets to choose from."""
    with pytest.raises(InvalidInput) as refused:
        validation.parse_datetime("--at", "2025-10-26T02:30")
    said = refused.value.message("nl")
    assert "2025-10-26T02:30+02:00" in said and "2025-10-26T02:30+01:00" in said
    first = validation.parse_datetime("--at", "2025-10-26T02:30+02:00")
    second = validation.parse_datetime("--at", "2025-10-26T02:30+01:00")
    assert second - first == timedelta(hours=1)


def test_a_moment_needs_its_time_of_day() -> None:
    """A date alone would silently be midnight: refused, saying how to write it."""
    with pytest.raises(InvalidInput, match="geen tijd"):
        validation.parse_datetime("--at", "2025-07-01")


@given(st.datetimes(min_value=datetime(1901, 1, 1), max_value=datetime(2199, 12, 31)))
def test_a_local_time_is_accepted_exactly_when_it_names_one_moment(naive: datetime) -> None:
    """Accepted times keep their wall-clock reading; refused ones are missing or doubled."""
    naive = naive.replace(second=0, microsecond=0)
    first = naive.replace(tzinfo=AMSTERDAM, fold=0)
    second = naive.replace(tzinfo=AMSTERDAM, fold=1)
    try:
        moment = validation.parse_datetime("--at", naive.isoformat())
    except InvalidInput:
        assert first.utcoffset() != second.utcoffset()
    else:
        assert first.utcoffset() == second.utcoffset()
        assert moment.replace(tzinfo=None) == naive and moment.tzinfo is AMSTERDAM


@pytest.mark.parametrize(
    ("period", "words"),
    [
        ("2030-2040", "na dit jaar"),
        ("2199-2200", "na dit jaar"),
        ("1900-2200", "na dit jaar"),
        ("1900-1901", "meer dan 50 jaar"),
        ("1974-1980", "meer dan 50 jaar"),
    ],
)
def test_a_review_period_lies_in_the_past_fifty_years(period: str, words: str) -> None:
    """A monitor looks back: ending after this year or starting over 50 years ago is refused."""
    with pytest.raises(InvalidInput, match=words) as refused:
        validation.parse_period("--period", period, 2025)
    assert refused.value.field == "--period"
    assert validation.parse_period("--period", "1975-2025", 2025) == (1975, 2025)


@pytest.mark.parametrize(
    ("name", "typed"),
    [("İSTANBUL", "istanbul"), ("Straße", "STRASSE"), ("Fryslân", "fryslan"), ("A  B", "a b")],
)
def test_a_search_key_folds_case_accents_and_spaces(name: str, typed: str) -> None:
    """What the dashboard's organisation filter compares: the same key for both spellings."""
    assert validation.search_key(name) == validation.search_key(typed)


@pytest.mark.parametrize(
    ("now", "words"),
    [
        ("9999-12-31T23:59:59", "niet tussen 1900 en 2200"),
        ("0001-01-02T00:00", "niet tussen 1900 en 2200"),
        ("2025-06-12", "geen tijd"),
        ("2025-03-30T02:30", "bestaat niet"),
        ("gisteren", "geen geldige datum"),
    ],
)
def test_hotspot_now_is_checked_like_every_moment(now: str, words: str) -> None:
    """HOTSPOT_NOW beyond the calendar, without a time or in the DST gap: exit 2 naming it."""
    with pytest.raises(InvalidInput, match=words) as refused:
        Settings.from_env({"HOTSPOT_NOW": now})
    assert refused.value.field == "HOTSPOT_NOW"


def test_a_naive_hotspot_now_is_dutch_time_as_everywhere_else() -> None:
    """17:00 without an offset is 17:00 in Amsterdam (summer: 15:00 UTC), as `worker --now`."""
    settings = Settings.from_env({"HOTSPOT_NOW": "2025-06-12T17:00"})
    assert settings.now_override == datetime(2025, 6, 12, 17, 0, tzinfo=AMSTERDAM)
    assert settings.now_override == validation.parse_datetime("--now", "2025-06-12T17:00")


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("garbage", "geen database-URL"),
        ("mysql://x@127.0.0.1/x", "niet ondersteund"),
        ("postgresql+asyncpg://x@h/d", "niet ondersteund"),
        ("sqlite://", "in het geheugen"),
        ("sqlite:///:memory:", "in het geheugen"),
        ("sqlite:///", "in het geheugen"),
    ],
)
def test_an_unusable_database_url_is_invalid_input_naming_the_setting(url: str, words: str) -> None:
    """Exit 2 naming HOTSPOT_DATABASE_URL; the URL itself (it may hold a password) is not shown."""
    with pytest.raises(InvalidInput, match=words) as refused:
        Settings.from_env({"HOTSPOT_DATABASE_URL": url.replace("x@", "x:geheim@")})
    assert refused.value.field == "HOTSPOT_DATABASE_URL"
    assert "geheim" not in refused.value.message("nl")
