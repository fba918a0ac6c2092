"""Parsing of what people type: each failure is an InvalidInput naming the field."""

from __future__ import annotations

import re
from datetime import date, datetime

from states.errors import InvalidInput
from states.i18n import AMSTERDAM, LANGUAGES, Text

_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
_PERIOD = re.compile(r"^\s*(\d{4})\s*[-–—/]\s*(\d{4})\s*$")


# Control characters other than tab and line breaks: invisible in every view, and PostgreSQL
# refuses NUL in text outright.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Dates outside this range are typing errors, and date arithmetic near year 1 or 9999 overflows.
FIRST_YEAR, LAST_YEAR = 1900, 2200


def _refuse_control(field: str, value: str) -> None:
    if _CONTROL.search(value):
        raise InvalidInput(
            field,
            Text("bevat een onzichtbaar stuurteken", "contains an invisible control character"),
        )


def text(field: str, value: str | None, *, max_length: int = 300, required: bool = True) -> str:
    cleaned = (value or "").strip()
    _refuse_control(field, cleaned)
    if required and not cleaned:
        raise InvalidInput(field, Text("mag niet leeg zijn", "must not be empty"))
    if len(cleaned) > max_length:
        raise InvalidInput(
            field,
            Text(
                f"is {len(cleaned)} tekens lang, maximaal {max_length}",
                f"is {len(cleaned)} characters, at most {max_length}",
            ),
        )
    return cleaned


def single_line(field: str, value: str | None, *, max_length: int = 300) -> str:
    """A name or title: no line breaks, which could later end up in a mail header."""
    cleaned = text(field, value, max_length=max_length)
    if any(ch in cleaned for ch in "\r\n\x00"):
        raise InvalidInput(
            field, Text("mag geen regelovergang bevatten", "must not contain a line break")
        )
    return cleaned


def email(field: str, value: str | None) -> str:
    cleaned = (value or "").strip()
    # The key is the lower-cased address, which can be longer ("İ" becomes two characters).
    too_long = max(len(cleaned), len(email_key(cleaned))) > 320
    if not _EMAIL.match(cleaned) or too_long or _CONTROL.search(cleaned):
        raise InvalidInput(
            field,
            Text(
                f"{cleaned!r} is geen geldig e-mailadres",
                f"{cleaned!r} is not a valid e-mail address",
            ),
        )
    return cleaned


def email_key(address: str) -> str:
    return address.strip().lower()


def slug(field: str, value: str) -> str:
    cleaned = value.strip().lower()
    if not _SLUG.match(cleaned):
        raise InvalidInput(
            field,
            Text(
                f"{value!r} is geen geldige code: gebruik 2 tot 80 kleine letters, cijfers en '-'",
                f"{value!r} is not a valid code: use 2 to 80 lower-case letters, digits and '-'",
            ),
        )
    return cleaned


def slugify(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")[:60] or "procedure"


def _plausible(field: str, day: date) -> date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InvalidInput(
            field,
            Text(
                f"{day.isoformat()} ligt niet tussen {FIRST_YEAR} en {LAST_YEAR}",
                f"{day.isoformat()} is not between {FIRST_YEAR} and {LAST_YEAR}",
            ),
        )
    return day


def parse_date(field: str, value: str | date | None) -> date:
    """ISO (2025-03-12) or Dutch (12-03-2025) notation, between 1900 and 2200."""
    if isinstance(value, date):
        return _plausible(field, value)
    raw = (value or "").strip()
    for pattern in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            day = datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
        return _plausible(field, day)
    raise InvalidInput(
        field,
        Text(
            f"{raw!r} is geen geldige datum (JJJJ-MM-DD)",
            f"{raw!r} is not a valid date (YYYY-MM-DD)",
        ),
    )


def parse_datetime(field: str, value: str | datetime) -> datetime:
    """A moment; without a time zone it is read as Dutch local time."""
    if isinstance(value, datetime):
        moment = value
    else:
        raw = value.strip().replace(" ", "T", 1)
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            raise InvalidInput(
                field,
                Text(
                    f"{value!r} is geen geldige datum en tijd (JJJJ-MM-DDTUU:MM)",
                    f"{value!r} is not a valid date and time (YYYY-MM-DDTHH:MM)",
                ),
            ) from None
    _plausible(field, moment.date())
    return moment if moment.tzinfo else moment.replace(tzinfo=AMSTERDAM)


def parse_period(field: str, value: str) -> tuple[int, int]:
    match = _PERIOD.match(value or "")
    if not match:
        raise InvalidInput(
            field,
            Text(
                f"{value!r} is geen periode; schrijf bijv. 2017-2023",
                f"{value!r} is not a period; write e.g. 2017-2023",
            ),
        )
    start, end = int(match.group(1)), int(match.group(2))
    if end < start:
        raise InvalidInput(
            field,
            Text(
                f"het einde {end} ligt voor het begin {start}",
                f"the end {end} lies before the start {start}",
            ),
        )
    if not FIRST_YEAR <= start <= LAST_YEAR or end > LAST_YEAR:
        raise InvalidInput(
            field, Text(f"{start} is geen aannemelijk jaar", f"{start} is not a plausible year")
        )
    return start, end


def parse_criteria(field: str, value: str | None) -> tuple[int, ...]:
    """ "1,3" → (1, 3); the four hotspot criteria are numbered 1 to 4."""
    parts = [p.strip() for p in (value or "").split(",") if p.strip()]
    criteria: set[int] = set()
    for part in parts:
        if not part.isdigit() or not 1 <= int(part) <= 4:
            raise InvalidInput(
                field,
                Text(
                    f"{part!r} is geen criterium; kies uit 1, 2, 3 en 4",
                    f"{part!r} is not a criterion; choose from 1, 2, 3, 4",
                ),
            )
        criteria.add(int(part))
    return tuple(sorted(criteria))


def choice(
    field: str, value: str, allowed: tuple[str, ...], aliases: dict[str, str] | None = None
) -> str:
    cleaned = (value or "").strip().lower()
    cleaned = (aliases or {}).get(cleaned, cleaned)
    if cleaned not in allowed:
        raise InvalidInput(
            field,
            Text(
                f"{value!r} is onbekend; kies uit {', '.join(allowed)}",
                f"{value!r} is unknown; choose from {', '.join(allowed)}",
            ),
        )
    return cleaned


def bounded_int(field: str, value: int, *, minimum: int = 1, maximum: int = 52) -> int:
    if value < minimum or value > maximum:
        raise InvalidInput(
            field,
            Text(
                f"{value} valt buiten {minimum} tot en met {maximum}",
                f"{value} is outside {minimum} to {maximum}",
            ),
        )
    return value


def language(field: str, value: str | None) -> str:
    """The language a person gets mail in: nl (the default) or en."""
    word = (value or "nl").strip().lower()
    aliases = {"nederlands": "nl", "dutch": "nl", "engels": "en", "english": "en"}
    word = aliases.get(word, word)
    if word not in LANGUAGES:
        raise InvalidInput(
            field,
            Text(
                f"{value!r} is geen taal die de hotspotmonitor kent; kies nl of en",
                f"{value!r} is not a language the hotspot monitor knows; choose nl or en",
            ),
        )
    return word
