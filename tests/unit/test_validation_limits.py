"""Input the database or the date arithmetic cannot take is refused, naming the field."""

from __future__ import annotations

from datetime import date

import pytest

from states.errors import InvalidInput
from workflow import validation


@pytest.mark.parametrize("value", ["a\x00b", "tab\x07bell", "del\x7f"])
def test_control_characters_are_refused_in_text(value: str) -> None:
    """A NUL or another invisible control character is refused, not stored."""
    with pytest.raises(InvalidInput, match="stuurteken") as refused:
        validation.text("--reason", value)
    assert refused.value.field == "--reason"


def test_line_breaks_and_tabs_stay_allowed_in_text() -> None:
    """A multi-line motivation with a tab is ordinary text."""
    assert validation.text("--reason", "regel 1\n\tregel 2\r\n") == "regel 1\n\tregel 2"


def test_an_address_whose_lower_case_form_is_too_long_is_refused() -> None:
    """ "İ" lower-cases to two characters: the stored key must still fit its column (and a
    local part outside ASCII is refused outright, as the mailer could not send it)."""
    local = "İ" * 200
    address = f"{local}@example.org"
    assert len(address) <= 320 < len(validation.email_key(address))
    with pytest.raises(InvalidInput, match="geen bruikbaar e-mailadres"):
        validation.email("--email", address)


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", date(1899, 12, 31)])
def test_dates_outside_1900_to_2200_are_refused(value: str | date) -> None:
    """Year 1 or 9999 is a typing error, and would overflow the reminder arithmetic."""
    with pytest.raises(InvalidInput, match="niet tussen 1900 en 2200"):
        validation.parse_date("--date", value)


def test_a_moment_outside_the_range_is_refused_too() -> None:
    """The same bounds hold for a session's date and time."""
    with pytest.raises(InvalidInput):
        validation.parse_datetime("--at", "9999-12-31T23:00")
    assert validation.parse_datetime("--at", "2025-03-12T14:00").year == 2025
