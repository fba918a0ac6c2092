"""Page rendering and the form round trip: run a workflow command, flash its outcome, redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from states.errors import HotspotError, InvalidInput, Refused
from states.i18n import Language, Text
from states.phases import Phase
from workflow.web.field_labels import explain_for_page
from workflow.web.runtime import web_app
from workflow.web.session import Role, csrf_token, flash, language, principal, take_flashes


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    """A page in the session's language, with the CSRF token and pending flashes."""
    lang = language(request)
    page = web_app(request).templates(lang).get_template(template)
    html = page.render(
        request_path=request.url.path,
        lang=lang,
        who=principal(request),
        csrf=csrf_token(request),
        flashes=take_flashes(request),
        phases=Phase,
        **(context or {}),
    )
    return HTMLResponse(html, status_code=status)


def error_lines(error: HotspotError, lang: Language) -> tuple[str, list[str]]:
    """A refusal's headline and one line per rule (message, figures), in the page's words.

    The rule codes are the facilitator's reference, not a reader's: `error_codes` gives them
    for a collapsed <details> on the facilitator's pages only.
    """
    if isinstance(error, Refused):
        return error.message(lang), [v.explain(lang) for v in error.verdicts]
    if isinstance(error, InvalidInput):
        return explain_for_page(error, lang), []
    return error.explain(lang), []


def error_codes(error: HotspotError) -> list[str]:
    """The rule codes of a refusal (none for bad input), for the facilitator's <details>."""
    return list(error.codes) if isinstance(error, Refused) else []


def flash_error(request: Request, error: HotspotError, *, at: str = "") -> None:
    """A refusal as a flash in the page's words; a facilitator also gets the rule codes."""
    lang = language(request)
    title, details = error_lines(error, lang)
    flash(request, "error", title, details, at=at)
    who = principal(request)
    codes = error_codes(error)
    if codes and who is not None and who.role is Role.FACILITATOR:
        # Kept beside the message, never in it: the template folds them into <details>.
        request.session["flash"][-1]["codes"] = codes


def act(
    request: Request,
    command: Callable[[], Any],
    success: Text,
    back: str,
) -> RedirectResponse:
    """Run one workflow command for a form: refusals and bad input come back as a flash."""
    lang = language(request)
    target = local_path(back)
    # A return to a section of the page shows the message in that section, where the form was.
    section = urlsplit(target).fragment
    try:
        command()
    except HotspotError as error:
        flash_error(request, error, at=section)
    else:
        flash(request, "success", success(lang), at=section)
    return RedirectResponse(target, status_code=303)


def local_path(target: str | None, fallback: str = "/") -> str:
    """Only a path on this site: never redirect to somewhere a link's parameter points."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target
