"""What the web app holds for its lifetime: the App, the page templates, the local mail folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request

from notifications.i18n import format_day, format_moment, install_per_render
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


def page_templates() -> Environment:
    """Jinja2 for web pages: autoescaped, StrictUndefined, templates read once.

    `_("Dutch text")` translates into the render's `lang` (notifications.i18n); the filters
    `date` and `datetime` take the language as their argument.
    """
    env = Environment(
        loader=FileSystemLoader(templates_dir() / "web"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    install_per_render(env)
    filters: dict[str, Any] = {"date": format_day, "datetime": format_moment}
    env.filters.update(filters)
    return env
