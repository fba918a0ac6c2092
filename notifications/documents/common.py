"""What both documents share: atomic file writes, the template environment, dates and criteria."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import tempfile
from datetime import date, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from states.i18n import Language, Text, format_date, local_date
from workflow.resources import templates_dir

# The four criteria in short, as the list's readers need them next to the numbers.
CRITERIA: dict[int, Text] = {
    1: Text(
        "veel maatschappelijke onrust, bijzondere betekenis voor inwoners en/of veel "
        "media-aandacht",
        "much public unrest, special significance for residents and/or much media attention",
    ),
    2: Text(
        "principiële tegenstellingen tussen burgers, of een emotioneel debat",
        "principled oppositions between citizens, or an emotional debate",
    ),
    3: Text(
        "intensief publiek debat over het functioneren van het bestuursorgaan zelf",
        "intense public debate about how the governing body itself functions",
    ),
    4: Text(
        "een politiek vraagstuk dat de positie van het bestuursorgaan ernstig bedreigde of "
        "juist onderstreepte",
        "a political issue that seriously threatened, or underlined, the body's position",
    ),
}

_OPEN_END = Text("heden", "present")
# Procedure ids are slugs; anything else must not become part of a file name.
_SAFE_STEM = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


def file_stem(prefix: str, procedure_id: str) -> str:
    """`voorstel-<id>`; refuses an id that could leave the output folder."""
    if not _SAFE_STEM.match(procedure_id):
        raise ValueError(f"procedure id {procedure_id!r} is not usable in a file name")
    return f"{prefix}-{procedure_id}"


def write_atomic(path: Path, content: bytes) -> Path:
    """Write `content` to `path` so a reader sees the old file or the whole new one, never half.

    Creates the folder. The temporary file sits beside the target, since os.replace is only
    atomic within one file system.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private (0600); these documents are meant to be shared.
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


@functools.cache
def environment() -> Environment:
    """The Jinja2 environment of `templates/documents/`: undefined names fail, HTML escaped."""
    return Environment(
        loader=FileSystemLoader(templates_dir() / "documents"),
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def day_text(day: date, lang: Language) -> str:
    return format_date(day, lang)


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
