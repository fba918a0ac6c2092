"""What the web app holds for its lifetime: the App, the page templates, the local mail folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request

from notifications.i18n import format_day, format_moment, install_html
from states.i18n import LANGUAGES, Language
from workflow.app import App
from workflow.resources import templates_dir
from workflow.web.views import Caches


@dataclass
class WebApp:
    app: App
    # Local mode: the file transport's folder, whose mails the facilitator can read in the
    # browser. None when mail goes out by SMTP.
    mail_dir: Path | None = None
    # One environment per language: its texts are translated without asking each render.
    languages: dict[Language, Environment] = field(init=False)
    # What was built from a procedure at one version: see views.VersionCache.
    caches: Caches = field(default_factory=Caches)

    def __post_init__(self) -> None:
        self.languages = {lang: page_templates(lang) for lang in LANGUAGES}

    def templates(self, lang: Language) -> Environment:
        return self.languages["en" if lang == "en" else "nl"]


def web_app(request: Request) -> WebApp:
    state: WebApp = request.app.state.hotspot
    return state


def page_templates(lang: Language) -> Environment:
    """Jinja2 for web pages in `lang`: autoescaped, StrictUndefined, templates read once.

    `_("Dutch text")` translates into `lang` (notifications.i18n); the filters `date` and
    `datetime` take the language as their argument.
    """
    env = Environment(
        loader=FileSystemLoader(templates_dir() / "web"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    install_html(env, lang)
    filters: dict[str, Any] = {"date": format_day, "datetime": format_moment}
    env.filters.update(filters)
    return env
