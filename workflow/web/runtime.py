"""What the web app holds for its lifetime: the App, the page templates, the local mail folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request

from states.i18n import AMSTERDAM, Language, format_date
from workflow.app import App
from workflow.resources import templates_dir
from workflow.web.views import Caches


@dataclass
class WebApp:
    app: App
    # Local mode: the file transport's folder, whose mails the facilitator can read in the
    # browser. None when mail goes out by SMTP.
    mail_dir: Path | None = None
    templates: Environment = field(init=False)
    # What was built from a procedure at one version: see views.VersionCache.
    caches: Caches = field(default_factory=Caches)

    def __post_init__(self) -> None:
        self.templates = page_templates()


def web_app(request: Request) -> WebApp:
    state: WebApp = request.app.state.hotspot
    return state


def _date(value: date | datetime | None, language: Language = "nl") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(AMSTERDAM).date()
    return format_date(value, language)


def _datetime(value: datetime | None, language: Language = "nl") -> str:
    if value is None:
        return ""
    local = value.astimezone(AMSTERDAM)
    return f"{format_date(local.date(), language)} {local:%H:%M}"


def page_templates() -> Environment:
    """Jinja2 for web pages: autoescaped, StrictUndefined, templates read once."""
    env = Environment(
        loader=FileSystemLoader(templates_dir() / "web"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    filters: dict[str, Any] = {"date": _date, "datetime": _datetime}
    env.filters.update(filters)
    return env
