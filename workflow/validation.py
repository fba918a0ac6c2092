"""Parsing of what people type: each failure is an InvalidInput naming the field."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta

from notifications.addresses import AddressRefused, mailbox
from states.errors import InvalidInput
from states.i18n import AMSTERDAM, LANGUAGES, Text, format_date
from states.salutation import Salutation

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


# Bidirectional controls (they can make "gpj.exe" read as "exe.jpg") and zero-width characters:
# invisible in a name, yet they change what people see in a list, a subject or a mail client.
_INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b-\u200d\u2060\ufeff]")


def single_line(field: str, value: str | None, *, max_length: int = 300) -> str:
    """A name or title: no line breaks (it may end up in a mail header), nothing invisible."""
    cleaned = text(field, value, max_length=max_length)
    if any(ch in cleaned for ch in "\r\n\x00\x85\u2028\u2029"):
        raise InvalidInput(
            field, Text("mag geen regelovergang bevatten", "must not contain a line break")
        )
    found = _INVISIBLE.search(cleaned)
    if found:
        code = f"U+{ord(found.group()):04X}"
        raise InvalidInput(
            field,
            Text(
                f"bevat een onzichtbaar teken ({code}: een richtings- of nulbreedteteken) dat "
                "bepaalt hoe de tekst wordt getoond; laat het weg",
                f"contains an invisible character ({code}: a direction or zero-width "
                "character) that changes how the text is shown; leave it out",
            ),
        )
    return cleaned


def email(field: str, value: str | None) -> str:
    """An address the mailer can send to, in the form it sends (an IDN domain as ASCII).

    The same check (`notifications.addresses.mailbox`) runs again before each message goes.
    """
    cleaned = (value or "").strip()
    try:
        address = mailbox(cleaned)
    except AddressRefused as refused:
        raise InvalidInput(
            field,
            Text(
                f"{cleaned!r} is geen bruikbaar e-mailadres: het {refused.reason.nl}",
                f"{cleaned!r} is not a usable e-mail address: it {refused.reason.en}",
            ),
        ) from None
    # The key is the lower-cased address; the address is ASCII now, so it is no longer.
    if len(address) > 320:  # pragma: no cover - mailbox() allows 254 at most
        raise InvalidInput(field, Text("is te lang", "is too long"))
    return address


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


def search_key(value: str) -> str:
    """Text as a search compares it: case folded ("Straße" is "strasse"), accents and dots
    left off ("İstanbul" is "istanbul", "Fryslân" is "fryslan"), spaces single."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.split())


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


# A moment needs its time of day: "2025-07-01" alone would silently mean midnight.
_HAS_TIME = re.compile(r"^[^T]+T[0-9]")


def parse_datetime(field: str, value: str | datetime) -> datetime:
    """A moment with its time of day; without an offset it is Dutch local time.

    A local time that does not exist (the hour skipped when summer time begins) is refused,
    naming the gap; one that occurs twice (the hour repeated when it ends) is refused unless an
    offset says which of the two is meant.
    """
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
        if not _HAS_TIME.match(raw):
            raise InvalidInput(
                field,
                Text(
                    f"{value!r} heeft geen tijd; schrijf datum en tijd (JJJJ-MM-DDTUU:MM)",
                    f"{value!r} has no time of day; write date and time (YYYY-MM-DDTHH:MM)",
                ),
            )
    _plausible(field, moment.date())
    return moment if moment.tzinfo else dutch_time(field, moment)


def dutch_time(field: str, naive: datetime) -> datetime:
    """`naive` read as Dutch local time, if it names exactly one moment; InvalidInput if not."""
    first, second = naive.replace(tzinfo=AMSTERDAM, fold=0), naive.replace(tzinfo=AMSTERDAM, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    shown = naive.strftime("%Y-%m-%dT%H:%M")
    jump_from, jump_to = _clock_change(first)
    night = format_date(naive.date(), "nl"), format_date(naive.date(), "en")
    if first.astimezone(UTC).astimezone(AMSTERDAM).replace(tzinfo=None) != naive:
        # Round-tripping moves it: the wall clock never showed this time (spring forward).
        raise InvalidInput(
            field,
            Text(
                f"{shown} bestaat niet in Nederland: in de nacht van {night[0]} gaat de klok "
                f"van {jump_from:%H:%M} vooruit naar {jump_to:%H:%M} (zomertijd); kies een "
                f"tijd buiten {jump_from:%H:%M}–{jump_to:%H:%M}",
                f"{shown} does not exist in the Netherlands: in the night of {night[1]} the "
                f"clocks go forward from {jump_from:%H:%M} to {jump_to:%H:%M} (summer time); "
                f"choose a time outside {jump_from:%H:%M}–{jump_to:%H:%M}",
            ),
        )
    summer, winter = (first, second) if first.dst() else (second, first)
    raise InvalidInput(
        field,
        Text(
            f"{shown} komt twee keer voor: in de nacht van {night[0]} gaat de klok van "
            f"{jump_from:%H:%M} terug naar {jump_to:%H:%M} (einde zomertijd). Geef de tijdzone "
            f"erbij: {summer.isoformat(timespec='minutes')} (zomertijd, de eerste keer) of "
            f"{winter.isoformat(timespec='minutes')} (wintertijd, de tweede keer)",
            f"{shown} occurs twice: in the night of {night[1]} the clocks go back from "
            f"{jump_from:%H:%M} to {jump_to:%H:%M} (end of summer time). Add the offset: "
            f"{summer.isoformat(timespec='minutes')} (summer time, the first time) or "
            f"{winter.isoformat(timespec='minutes')} (winter time, the second time)",
        ),
    )


def _clock_change(near: datetime) -> tuple[datetime, datetime]:
    """The wall-clock times the clock jumps from and to at the change around `near`."""
    minute = timedelta(minutes=1)
    # The change lies within three hours before this reading of `near` (a one-hour jump).
    moment = near.astimezone(UTC) - timedelta(hours=3)
    before = moment.astimezone(AMSTERDAM).utcoffset()
    for _ in range(6 * 60):
        moment += minute
        after = moment.astimezone(AMSTERDAM).utcoffset()
        if after != before and before is not None and after is not None:
            wall = moment.replace(tzinfo=None)
            return wall + before, wall + after
    raise AssertionError("no change of clock near a time that is missing or doubled")


# A hotspot monitor looks back over recent years, while the records are still the body's own
# (the Archiefwet transfers them to the archive after at most 20 years); a period that starts
# more than this many years ago is a typing error, as is one that ends after this year.
PERIOD_LOOKBACK_YEARS = 50


def parse_period(field: str, value: str, this_year: int) -> tuple[int, int]:
    """A reference period such as 2017-2023: past years, ending this year at the latest."""
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
    if end > this_year:
        raise InvalidInput(
            field,
            Text(
                f"de periode eindigt in {end}, na dit jaar ({this_year}); een hotspotmonitor "
                f"kijkt terug, dus de periode eindigt uiterlijk in {this_year}",
                f"the period ends in {end}, after this year ({this_year}); a hotspot monitor "
                f"looks back, so the period ends in {this_year} at the latest",
            ),
        )
    earliest = this_year - PERIOD_LOOKBACK_YEARS
    if start < earliest:
        raise InvalidInput(
            field,
            Text(
                f"de periode begint in {start}, meer dan {PERIOD_LOOKBACK_YEARS} jaar geleden; "
                f"een hotspotmonitor kijkt terug over recente jaren, dus vanaf {earliest}",
                f"the period starts in {start}, more than {PERIOD_LOOKBACK_YEARS} years ago; a "
                f"hotspot monitor looks back over recent years, so from {earliest} on",
            ),
        )
    return start, end


def parse_criteria(field: str, value: str | None) -> tuple[int, ...]:
    """ "1,3" → (1, 3); the four hotspot criteria are numbered 1 to 4."""
    parts = [p.strip() for p in (value or "").split(",") if p.strip()]
    criteria: set[int] = set()
    for part in parts:
        if not part.isdecimal() or len(part) > 1 or not 1 <= int(part) <= 4:
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


# What people type for a salutation, in either language, and the value kept.
SALUTATION_ALIASES = {
    "dhr": "heer",
    "dhr.": "heer",
    "de heer": "heer",
    "mr": "heer",
    "mr.": "heer",
    "mw": "mevrouw",
    "mw.": "mevrouw",
    "mevr": "mevrouw",
    "mevr.": "mevrouw",
    "ms": "mevrouw",
    "ms.": "mevrouw",
    "neutral": "neutraal",
    "": "neutraal",
}


def salutation(field: str, value: str | None) -> str:
    """heer, mevrouw or neutraal (the default: "Beste ..."); see states.salutation."""
    return choice(field, value or "", tuple(s.value for s in Salutation), SALUTATION_ALIASES)


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


# Every id column is an INTEGER (workflow/db/models.py; tests/unit/test_validation_limits.py
# keeps it so). PostgreSQL's INTEGER holds at most 2**31 - 1 and answers a larger number in a
# query with an error, not with "no such row": so a larger one is refused here, before any
# query runs. The one bound for every id, on every face (CLI, forms, portal, API).
INTEGER_MAX = 2**31 - 1
MAX_ID = INTEGER_MAX
# An id as the program writes it: ASCII digits without a sign, spaces or a leading zero
# ("٣" and "５" are digits to str.isdecimal and int(), never to this program).
_ID = re.compile(r"[1-9][0-9]{0,9}")


def id_or_none(value: int | str | None) -> int | None:
    """The id `value` names, or None when it cannot name a row (not a number, 0, -1, 2**31).

    For addresses (a URL path, a CLI argument SESSION, a session chosen in a form): the caller
    answers None exactly as it answers a well-formed id that does not exist, NotFound.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _ID.fullmatch(value):
        number = int(value)
    else:
        return None
    return number if 1 <= number <= MAX_ID else None


def parse_id(field: str, value: int | str | None) -> int:
    """A number a person typed into a field (a form, an option): InvalidInput naming it."""
    number = id_or_none(value)
    if number is None:
        raise InvalidInput(
            field,
            Text(
                f"{str(value)[:40]!r} is geen nummer tussen 1 en {MAX_ID} (alleen de cijfers "
                "0-9, zonder voorloopnul)",
                f"{str(value)[:40]!r} is not a number between 1 and {MAX_ID} (only the digits "
                "0-9, no leading zero)",
            ),
        )
    return number


def page_number(value: str | None) -> int:
    """A page number from a link: 1 for anything but digits; a huge one stays huge.

    The caller clamps it to the pages there are, so "page 99" and "page 10**30" of a list
    with three pages both show the last page, and "0" or "-1" the first.
    """
    raw = value or ""
    if not raw.isascii() or not raw.isdigit():
        return 1
    digits = raw.lstrip("0")
    return max(1, INTEGER_MAX if len(digits) > 10 else min(int(digits or "0"), INTEGER_MAX))


# Plain http only to this machine (a local test server); everything else must be TLS.
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]{0,99}$")


def api_url(field: str, value: str | None) -> str:
    """The base URL of an API the engine will send a token to: https (http only to this
    machine), no user name or password in it, no query or fragment; ends with a slash."""
    from urllib.parse import urlsplit

    cleaned = single_line(field, value, max_length=500)
    not_web = Text("is geen webadres (https://…)", "is not a web address (https://…)")
    try:
        parts = urlsplit(cleaned)
        host, _port = parts.hostname, parts.port
    except ValueError:  # "[::1", a port that is no number
        raise InvalidInput(field, not_web) from None
    loopback = (host or "") in _LOOPBACK
    problem: Text | None = None
    if parts.scheme not in ("https", "http") or not host or any(c.isspace() for c in cleaned):
        problem = not_web
    elif parts.scheme == "http" and not loopback:
        problem = Text(
            "moet https gebruiken: het token van het zaaksysteem gaat er onversleuteld heen",
            "must use https: the case system's token would travel unencrypted",
        )
    elif parts.username or parts.password or parts.query or parts.fragment:
        problem = Text(
            "mag geen gebruikersnaam, wachtwoord, ?-deel of #-deel bevatten",
            "must not hold a user name, password, ?-part or #-part",
        )
    if problem is not None:
        raise InvalidInput(field, problem)
    return cleaned if cleaned.endswith("/") else cleaned + "/"


def env_name(field: str, value: str | None) -> str:
    """The name of an environment variable (where a secret is read, never the secret)."""
    cleaned = single_line(field, value, max_length=100)
    if not _ENV_NAME.match(cleaned):
        raise InvalidInput(
            field,
            Text(
                "is geen naam van een omgevingsvariabele (hoofdletters, cijfers en _)",
                "is not the name of an environment variable (capitals, digits and _)",
            ),
        )
    return cleaned
