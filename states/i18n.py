"""Bilingual text: Dutch by default, English available, chosen by the caller."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

Language = Literal["nl", "en"]
LANGUAGES: tuple[Language, ...] = ("nl", "en")
# Procedures are Dutch: a moment shown to a person is shown in Dutch time.
AMSTERDAM = ZoneInfo("Europe/Amsterdam")

_MONTHS: dict[Language, tuple[str, ...]] = {
    "nl": (
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
# The Dutch month names, lower case (also words Dutch passwords are made of).
DUTCH_MONTHS = _MONTHS["nl"]


@dataclass(frozen=True, slots=True)
class Text:
    """One message in Dutch and English."""

    nl: str
    en: str

    def __call__(self, language: Language = "nl") -> str:
        return self.en if language == "en" else self.nl

    def __str__(self) -> str:
        return self.nl


def parse_language(value: str | None) -> Language:
    """`nl` unless the value asks for English."""
    return "en" if (value or "").strip().lower().startswith("en") else "nl"


def format_date(day: date, language: Language = "nl") -> str:
    """A date the way a reader expects it: "12 maart 2026" or "12 March 2026".

    For the texts made in Python (refusals, verdicts, audit sentences); templates, mails and
    documents format with Babel (notifications.i18n), which `states` does not load.
    """
    # Spelled out by hand: the process locale must not decide the month names.
    return f"{day.day} {_MONTHS[language][day.month - 1]} {day.year}"


def local_date(moment: datetime) -> date:
    """The calendar day of a moment in the Netherlands (00:30 Dutch time is not yesterday)."""
    return moment.astimezone(AMSTERDAM).date()


def percent(part: int, whole: int) -> int:
    """A whole-number percentage for display (rules compare exactly, not with this)."""
    return round(100 * part / whole) if whole else 0


def percent_text(part: int, whole: int, bound: int, language: Language = "nl") -> str:
    """The percentage for a message next to a threshold.

    Whole numbers read best, but 15 of 23 (65.2%) rounded to "65%" next to "at most 65%"
    would contradict the verdict; then one decimal is shown ("65,2" in Dutch).
    """
    shown = percent(part, whole)
    if shown != bound or not whole or 100 * part == bound * whole:
        return str(shown)
    exact = f"{100 * part / whole:.1f}"
    return exact.replace(".", ",") if language == "nl" else exact
