"""Render a mail kind into subject, plain text and HTML from `templates/mail/`.

One template per part serves both languages: the Dutch text is the message id and the English
comes from the catalog (notifications.i18n), as the environment of each language has it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from notifications import i18n
from notifications.kinds import MailKind
from notifications.templates import templates_root
from states.governing_body import parse_kind, resolve_kind
from states.i18n import Language
from states.salutation import Salutation, greeting


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
    procedure = context.get("procedure")
    if isinstance(procedure, Mapping) and "governing_body" in procedure:
        values["governing_body_name"] = governing_body_name(procedure, lang)
    person = context.get("recipient")
    if isinstance(person, Mapping) and "name" in person:
        # "Geachte mevrouw De Wit" or "Beste Femke de Wit": the person's recorded salutation.
        salutation = str(person.get("salutation") or Salutation.NEUTRAAL)
        values["recipient"] = {
            **person,
            "greeting": greeting(str(person["name"]), salutation, lang),
        }
    subject = one_line(env.get_template(f"{kind}.subject.txt").render(values))
    # The bodies get the finished subject too, so the HTML <title> matches the header.
    values["subject"] = subject
    return RenderedMail(
        subject=subject,
        text=env.get_template(f"{kind}.txt").render(values),
        html=env.get_template(f"{kind}.html").render(values),
    )


def governing_body_name(procedure: Mapping[str, Any], lang: Language) -> str:
    """The body that adopts the list by its proper name ("Gedeputeerde Staten van Overijssel"),
    from its kind (configured, or read from the names); else the name as it was typed."""
    typed: str = procedure["governing_body"]
    configured = procedure.get("governing_body_kind")
    kind = resolve_kind(
        parse_kind(configured) if configured else None, typed, procedure.get("organisation")
    )
    return kind.named(procedure.get("organisation"))(lang) if kind else typed


@functools.cache
def _environment(root: Path, lang: Language) -> Environment:
    # One environment per language: the translations and the filters then know the language
    # without every imported macro template needing the render context.
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
    i18n.install(env, lang)
    filters: dict[str, Callable[..., str]] = {
        **i18n.filters(lang),
        "date": functools.partial(i18n.format_day, lang=lang),
        "period": functools.partial(_period, lang=lang),
        "criteria": _criteria,
    }
    env.filters.update(filters)
    return env


def _period(entry: Mapping[str, Any], lang: Language) -> str:
    end: date | None = entry["period_end"]
    shown_end = i18n.format_month(end, lang) if end is not None else i18n.gettext("heden", lang)
    return f"{i18n.format_month(entry['period_start'], lang)} – {shown_end}"


def _criteria(numbers: Iterable[int]) -> str:
    return ", ".join(str(n) for n in numbers)
