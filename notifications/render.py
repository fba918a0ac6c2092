"""Render a mail kind into subject, plain text and HTML from `templates/mail/{lang}/`."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from notifications.kinds import MailKind
from notifications.templates import templates_root
from states.i18n import AMSTERDAM, Language, format_date, local_date

_AT: dict[Language, str] = {"nl": "om", "en": "at"}
_OPEN_END: dict[Language, str] = {"nl": "heden", "en": "present"}


@dataclass(frozen=True, slots=True)
class RenderedMail:
    subject: str
    text: str
    html: str


# Stands in the stored bodies where a personal link goes; the sender puts the link (kept
# encrypted beside the row) in its place only in the message it delivers. The SUB characters
# around it are refused in every text a person enters, so no input can imitate it.
LINK_PLACEHOLDER = "\x1a[persoonlijke link: alleen in de verzonden e-mail]\x1a"


def one_line(text: str) -> str:
    """Every whitespace run (CR and LF included) as one space: a subject can't add a header."""
    return " ".join(text.split())


def render_mail(kind: MailKind, lang: Language, context: Mapping[str, Any]) -> RenderedMail:
    """The three parts of mail `kind` in `lang`; a missing context key raises UndefinedError."""
    env = _environment(templates_root() / "mail", lang)
    values = {**context, "lang": lang}
    subject = one_line(env.get_template(f"{lang}/{kind}.subject.txt").render(values))
    # The bodies get the finished subject too, so the HTML <title> matches the header.
    values["subject"] = subject
    return RenderedMail(
        subject=subject,
        text=env.get_template(f"{lang}/{kind}.txt").render(values),
        html=env.get_template(f"{lang}/{kind}.html").render(values),
    )


@functools.cache
def _environment(root: Path, lang: Language) -> Environment:
    # One environment per language: the filters then know the language without every
    # imported macro template needing the render context.
    env = Environment(
        loader=FileSystemLoader(root),
        undefined=StrictUndefined,
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Templates ship with the installation; checking every file's mtime on every mail
        # (and every layout and macro file it pulls in) would cost more than the rendering.
        auto_reload=False,
    )
    filters: dict[str, Callable[..., str]] = {
        "date": functools.partial(_date, lang=lang),
        "moment": functools.partial(_moment, lang=lang),
        "period": functools.partial(_period, lang=lang),
        "criteria": _criteria,
    }
    env.filters.update(filters)
    return env


def _date(day: date, lang: Language) -> str:
    # A moment passed as a date must show the Dutch calendar day, not the UTC one.
    if isinstance(day, datetime):
        day = local_date(_aware(day))
    return format_date(day, lang)


def _moment(moment: datetime, lang: Language) -> str:
    local = _aware(moment).astimezone(AMSTERDAM)
    return f"{format_date(local.date(), lang)} {_AT[lang]} {local:%H:%M}"


def _period(entry: Mapping[str, Any], lang: Language) -> str:
    end: date | None = entry["period_end"]
    shown_end = _month(end, lang) if end is not None else _OPEN_END[lang]
    return f"{_month(entry['period_start'], lang)} – {shown_end}"


def _criteria(numbers: Iterable[int]) -> str:
    return ", ".join(str(n) for n in numbers)


def _month(day: date, lang: Language) -> str:
    # format_date spells the month by hand ("1 maart 2020"); a period shows month and year.
    return format_date(day, lang).split(" ", 1)[1]


def _aware(moment: datetime) -> datetime:
    # A naive time would be read in the server's zone: refuse it rather than guess.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a moment in a mail needs a time zone, got {moment.isoformat()}")
    return moment
