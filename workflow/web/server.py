"""The ASGI application: middleware, error pages and the routes of every role."""

from __future__ import annotations

import hashlib
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from states.errors import Conflict, HotspotError, InvalidInput, NotFound, Refused
from states.i18n import Text
from workflow import links
from workflow.app import App
from workflow.links import LinkRefused
from workflow.users import LoginRefused
from workflow.web.rendering import error_lines, render
from workflow.web.runtime import WebApp
from workflow.web.session import CsrfFailed, NotAllowed, NotLoggedIn, language

STATIC_DIR = Path(__file__).parent / "static"
SESSION_HOURS = 8

# Strict by default: scripts, styles and images only from this app; no frames, no foreign forms.
_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        b"frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # A personal link's token is in the URL it was opened with: never pass it on.
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]


class SecurityHeaders:
    """Adds the headers above to every response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in _HEADERS if k not in present]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, with_headers)


_STATUS: list[tuple[type[HotspotError], int]] = [
    (NotLoggedIn, 401),
    (LoginRefused, 401),
    (NotAllowed, 403),
    (CsrfFailed, 403),
    (LinkRefused, 403),
    (NotFound, 404),
    (Conflict, 409),
    (Refused, 409),
    (InvalidInput, 422),
]

_TITLES = {
    401: Text("Niet ingelogd", "Not logged in"),
    403: Text("Geen toegang", "No access"),
    404: Text("Niet gevonden", "Not found"),
    409: Text("Niet toegestaan", "Not allowed"),
    422: Text("Ongeldige invoer", "Invalid input"),
}


def status_of(error: HotspotError) -> int:
    return next((code for kind, code in _STATUS if isinstance(error, kind)), 400)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api")


async def _on_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HotspotError)
    lang = language(request)
    status = status_of(error)
    if _wants_json(request):
        return JSONResponse(error.to_json(lang), status_code=status)
    if isinstance(error, NotLoggedIn):
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    if isinstance(error, LinkRefused):
        return render(
            request,
            "link_problem.html",
            {"problem": error.problem.value, "message": error.explain(lang)},
            status=403,
        )
    title, details = error_lines(error, lang)
    heading = _TITLES.get(status, Text("Fout", "Error"))(lang)
    return render(
        request,
        "error.html",
        {"heading": heading, "message": title, "details": details},
        status=status,
    )


def session_key(app: App) -> str:
    """The cookie signing key, derived from the installation's link key (never the same)."""
    with app.engine.connect() as connection:
        key = links.signing_key(connection)
    return hashlib.sha256(f"session-cookie:{key}".encode()).hexdigest()


def create_app(app: App, *, mail_dir: Path | None = None) -> FastAPI:
    """The web app over `app`; `mail_dir` (local mode) lets the facilitator read written mail."""
    from workflow.web.routes import register

    web = FastAPI(
        title="Hotspotmonitor",
        description="Periodieke hotspot-monitor: procedures, experts, advies en besluit.",
        version="1.0",
        # No Swagger page: it would load its scripts from another site. The description is
        # served as JSON for tools.
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    web.state.hotspot = WebApp(app, mail_dir)
    web.add_exception_handler(HotspotError, _on_error)
    web.add_middleware(
        SessionMiddleware,
        secret_key=session_key(app),
        session_cookie="hotspot_session",
        max_age=SESSION_HOURS * 3600,
        same_site="lax",
        https_only=app.settings.mail.base_url.startswith("https://"),
    )
    web.add_middleware(SecurityHeaders)
    web.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    register(web)
    return web
