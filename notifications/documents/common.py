"""What both documents share: atomic file writes, the template environment, dates and criteria."""

from __future__ import annotations

import functools
import re
from datetime import date, datetime

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from notifications.templates import templates_root
from states.i18n import Language, Text, format_date, local_date
from states.vocabulary import CRITERIA

_OPEN_END = Text("heden", "present")
# Procedure ids are slugs; anything else must not become part of a file name.
_SAFE_STEM = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


def file_stem(prefix: str, procedure_id: str) -> str:
    """`voorstel-<id>`; refuses an id that could leave the output folder."""
    if not _SAFE_STEM.match(procedure_id):
        raise ValueError(f"procedure id {procedure_id!r} is not usable in a file name")
    return f"{prefix}-{procedure_id}"


@functools.cache
def environment() -> Environment:
    """The Jinja2 environment of `templates/documents/`: undefined names fail, HTML escaped."""
    return Environment(
        loader=FileSystemLoader(templates_root() / "documents"),
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def moment_day(moment: datetime, lang: Language) -> str:
    """The Dutch calendar day of a stored moment (UTC in the database)."""
    return format_date(local_date(moment), lang)


def period_text(start: date, end: date | None, lang: Language) -> str:
    shown_end = format_date(end, lang) if end is not None else _OPEN_END(lang)
    return f"{format_date(start, lang)} – {shown_end}"


def criteria_text(criteria: tuple[int, ...]) -> str:
    return ", ".join(str(c) for c in criteria)


def criteria_legend(lang: Language) -> list[str]:
    return [f"{number}. {text(lang)}" for number, text in CRITERIA.items()]
