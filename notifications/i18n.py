"""Translations and Dutch/English formatting for the web, mail and document templates.

Dutch is the source language: a message id is the Dutch text, and the English catalog
`templates/locale/en/LC_MESSAGES/messages.po` says what it is in English. The catalog is read
with Babel and compiled in memory once per process, so no `.mo` file is built or shipped.
Dates, times and numbers are formatted by Babel with fixed patterns, never by the process
locale: "3 april 2025", "14.00 uur", "1.234,5".
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from babel import dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import Environment, Undefined
from markupsafe import Markup

from notifications.templates import templates_root
from states.i18n import AMSTERDAM, LANGUAGES, Language

SOURCE_LANGUAGE: Language = "nl"
# en_GB: "3 April 2025" (day first), as the English texts have always had it.
LOCALES: dict[Language, str] = {"nl": "nl_NL", "en": "en_GB"}
_DATE = "d MMMM y"
_TIME: dict[Language, str] = {"nl": "HH.mm 'uur'", "en": "HH:mm"}
_MONTH = "MMMM y"
# A moment in a sentence or a table: "3 april 2025 14:00", in mails "3 april 2025 om 14:00".
_MOMENT = "d MMMM y HH:mm"
_MOMENT_AT: dict[Language, str] = {"nl": "d MMMM y 'om' HH:mm", "en": "d MMMM y 'at' HH:mm"}


def catalog_path(lang: Language, root: Path | None = None) -> Path:
    """Where the catalog of `lang` is: `<templates>/locale/<lang>/LC_MESSAGES/messages.po`."""
    return (root or templates_root()) / "locale" / lang / "LC_MESSAGES" / "messages.po"


@functools.cache
def _load(root: Path, lang: Language) -> NullTranslations:
    if lang == SOURCE_LANGUAGE:
        # The message ids are the Dutch text.
        return NullTranslations()
    with catalog_path(lang, root).open("rb") as po:
        catalog = read_po(po, locale=LOCALES[lang])
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


@functools.cache
def translations(lang: Language) -> NullTranslations:
    """The translations of `lang`, read once per process (Dutch: the ids themselves).

    Cached by language as well: a page asks for them hundreds of times, and finding the
    template folder looks at the file system each time.
    """
    return _load(templates_root(), lang if lang in LANGUAGES else SOURCE_LANGUAGE)


def gettext(message: str, lang: Language) -> str:
    """`message` (Dutch) in `lang`: for text made in Python, such as a document's labels."""
    return translations(lang).gettext(message)


def pgettext(context: str, message: str, lang: Language) -> str:
    """`message` in `lang` where the same Dutch needs another English in this `context`."""
    return str(translations(lang).pgettext(context, message))


# --- formatting ---------------------------------------------------------------------------


def _defined(value: object) -> None:
    # A template variable that is missing fails here, as the strict templates want, rather
    # than somewhere inside Babel.
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()


def local(moment: datetime) -> datetime:
    """A stored moment in Dutch time; a naive one is refused rather than guessed."""
    _defined(moment)
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a moment needs a time zone, got {moment.isoformat()}")
    return moment.astimezone(AMSTERDAM)


def format_day(value: date | datetime | None, lang: Language = "nl") -> str:
    """ "3 april 2025" / "3 April 2025"; a moment gives its Dutch calendar day; None gives ""."""
    _defined(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value).date()
    return dates.format_date(value, _DATE, locale=LOCALES[lang])


def format_time(value: datetime | time, lang: Language = "nl") -> str:
    """ "14.00 uur" / "14:00", in Dutch time."""
    _defined(value)
    if isinstance(value, datetime):
        value = local(value).timetz().replace(tzinfo=None)
    return dates.format_time(value, _TIME[lang], locale=LOCALES[lang])


def format_moment(value: datetime | None, lang: Language = "nl", *, at: bool = False) -> str:
    """ "3 april 2025 14:00" in Dutch time; `at`: "3 april 2025 om 14:00" / "... at 14:00"."""
    if value is None:
        return ""
    pattern = _MOMENT_AT[lang] if at else _MOMENT
    return dates.format_datetime(local(value), pattern, locale=LOCALES[lang])


def format_month(value: date, lang: Language = "nl") -> str:
    """ "maart 2020" / "March 2020": a hotspot's period shows month and year."""
    _defined(value)
    return dates.format_date(value, _MONTH, locale=LOCALES[lang])


def format_number(value: float, lang: Language = "nl") -> str:
    """ "1.234,5" / "1,234.5"."""
    _defined(value)
    return numbers.format_decimal(value, locale=LOCALES[lang])


def filters(lang: Language) -> dict[str, Callable[..., str]]:
    """The formatting filters bound to one language: `day`, `time`, `moment`, `month`,
    `number`."""
    return {
        "day": functools.partial(format_day, lang=lang),
        "moment": functools.partial(format_moment, lang=lang, at=True),
        "time": functools.partial(format_time, lang=lang),
        "month": functools.partial(format_month, lang=lang),
        "number": functools.partial(format_number, lang=lang),
    }


# --- Jinja ----------------------------------------------------------------------------------


def install(env: Environment, lang: Language) -> None:
    """Give `env` the i18n extension with the translations of `lang` (newstyle gettext).

    For environments whose templates escape or not by their file name (a mail's text and HTML
    parts): the extension's gettext asks each render whether it escapes.
    """
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]


def install_html(env: Environment, lang: Language) -> None:
    """Give `env`, whose every template escapes (the web pages), the translations of `lang`.

    Plain functions bound to the language rather than the extension's wrappers: those take the
    render's context, and Jinja copies a block's local variables into a fresh context for each
    such call (the procedure page's 160 texts made 160 copies per view). They do what the
    wrappers do for an escaping template: the translation is safe markup, and the variables
    are escaped into it, always formatted (so "%%" is "%" everywhere).
    """
    catalog = translations(lang)

    def gettext(message: str, **variables: Any) -> str:
        return Markup(catalog.gettext(message)) % variables

    def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
        variables.setdefault("num", n)
        return Markup(catalog.ngettext(singular, plural, n)) % variables

    def pgettext(message_context: str, message: str, **variables: Any) -> str:
        return Markup(str(catalog.pgettext(message_context, message))) % variables

    def npgettext(
        message_context: str, singular: str, plural: str, n: int, **variables: Any
    ) -> str:
        variables.setdefault("num", n)
        return Markup(catalog.npgettext(message_context, singular, plural, n)) % variables

    env.add_extension("jinja2.ext.i18n")
    env.newstyle_gettext = True  # type: ignore[attr-defined]
    env.globals.update(
        gettext=gettext,
        _=gettext,
        ngettext=ngettext,
        pgettext=pgettext,
        npgettext=npgettext,
    )
