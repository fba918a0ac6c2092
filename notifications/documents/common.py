"""What both documents share: file names, the template environment, dates and criteria."""

from __future__ import annotations

import functools
import re
from datetime import date, datetime

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from notifications import i18n
from notifications.templates import templates_root
from states.i18n import Language
from states.vocabulary import CRITERIA

# Procedure ids are slugs; anything else must not become part of a file name.
_SAFE_STEM = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


def file_stem(prefix: str, procedure_id: str) -> str:
    """`voorstel-<id>`; refuses an id that could leave the output folder."""
    if not _SAFE_STEM.match(procedure_id):
        raise ValueError(f"procedure id {procedure_id!r} is not usable in a file name")
    return f"{prefix}-{procedure_id}"


@functools.cache
def environment(lang: Language = "nl") -> Environment:
    """The Jinja2 environment of `templates/documents/` in `lang`: undefined names fail, HTML
    escaped, `_()` and `{% trans %}` translated, the date filters of notifications.i18n."""
    env = Environment(
        loader=FileSystemLoader(templates_root() / "documents"),
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    i18n.install(env, lang)
    env.filters.update(i18n.filters(lang))
    return env


def moment_day(moment: datetime, lang: Language) -> str:
    """The Dutch calendar day of a stored moment (UTC in the database)."""
    return i18n.format_day(moment, lang)


def period_text(start: date, end: date | None, lang: Language) -> str:
    shown_end = i18n.format_day(end, lang) if end is not None else i18n.gettext("heden", lang)
    return f"{i18n.format_day(start, lang)} – {shown_end}"


def criteria_text(criteria: tuple[int, ...]) -> str:
    return ", ".join(str(c) for c in criteria)


def criteria_legend(lang: Language) -> list[str]:
    return [f"{number}. {text(lang)}" for number, text in CRITERIA.items()]
