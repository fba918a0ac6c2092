"""The ASGI application: middleware, error pages and the routes of every role.

From the outside in: security headers (HSTS too when served over https), the body limit (a
request body larger than allowed is answered 413 before it is read, one that does not arrive
within `body_timeout_seconds` 408), the database-outage guard (503 with Retry-After instead
of a bare 500), the server-side session, then the routes.

`/health` is liveness only: answered on the event loop, it touches neither the database nor
a thread, so it answers while every database call hangs. `/ready` checks the database (schema)
and the keys (in step with the database, the key file private), within
`ready_timeout_seconds`, and answers 503 naming what is wrong.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import structlog
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from states.errors import (
    Conflict,
    EnvironmentProblem,
    HotspotError,
)
from states.i18n import Language, Text
from states.phases import Phase
from workflow import hashing
from workflow.app import App
from workflow.busy import Busy
from workflow.db.engine import SCHEMA_HEAD
from workflow.links import LinkRefused
from workflow.web.rendering import error_lines, render
from workflow.web.runtime import WebApp
from workflow.web.session import (
    NotLoggedIn,
    SessionMiddleware,
    SessionStore,
    language,
)
from workflow.web.statuses import status_of

log = structlog.get_logger("hotspot")

STATIC_DIR = Path(__file__).parent / "static"

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
# Once a browser has seen the site over https it never tries plain http for a year.
_HSTS = (b"strict-transport-security", b"max-age=31536000")


class SecurityHeaders:
    """Adds the headers above to every response that does not set them itself."""

    def __init__(self, app: ASGIApp, *, https: bool = False) -> None:
        self.app = app
        self.headers = [*_HEADERS, _HSTS] if https else list(_HEADERS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in present]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, with_headers)


# --- plain pages for answers given before a session exists ------------------------------------


def plain_page(
    web: WebApp, status: int, heading: Text, message: Text, lang: Language = "nl"
) -> HTMLResponse:
    """The error page without a session (body too large, database down): Dutch by default."""
    page = web.templates(lang).get_template("error.html")
    html = page.render(
        request_path="/",
        lang=lang,
        who=None,
        csrf="",
        flashes=[],
        phases=Phase,
        heading=heading(lang),
        message=message(lang),
        details=[],
    )
    return HTMLResponse(html, status_code=status)


def _is_api(scope: Scope) -> bool:
    path: str = scope.get("path", "")
    return path == "/api" or path.startswith("/api/")


def _session_language(scope: Scope) -> Language:
    session = scope.get("session")
    lang = session.get("lang") if isinstance(session, dict) else None
    return "en" if lang == "en" else "nl"


# --- request size -------------------------------------------------------------------------------

TOO_LARGE_TITLE = Text("Verzoek te groot", "Request too large")


def too_large_text(limit: int) -> Text:
    size = f"{limit // 1024} KiB" if limit < 1024 * 1024 else f"{limit / 1024 / 1024:g} MB"
    return Text(
        f"Wat u verstuurde is groter dan de {size} die hier is toegestaan. Maak het kleiner "
        "(bijvoorbeeld een kortere tekst of een kleiner bestand) en probeer het opnieuw.",
        f"What you sent is larger than the {size} allowed here. Make it smaller (for example "
        "a shorter text or a smaller file) and try again.",
    )


class BodyTooLarge(HTTPException):
    """Raised by the counting `receive` once a streamed body passes its limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413)
        self.limit = limit


class BodyTooSlow(HTTPException):
    """Raised by the counting `receive` when the body has not come in by its deadline."""

    def __init__(self, seconds: int) -> None:
        super().__init__(status_code=408)
        self.seconds = seconds


TOO_SLOW_TITLE = Text("Verzoek niet op tijd ontvangen", "Request not received in time")


def too_slow_text(seconds: int) -> Text:
    return Text(
        f"Wat u verstuurde, kwam niet binnen {seconds} seconden volledig aan; er is niets "
        "opgeslagen. Controleer uw verbinding en probeer het opnieuw.",
        f"What you sent did not arrive in full within {seconds} seconds; nothing was saved. "
        "Check your connection and try again.",
    )


def too_slow_response(web: WebApp, scope: Scope, seconds: int) -> Response:
    lang = _session_language(scope)
    message = too_slow_text(seconds)
    headers = {"connection": "close"}
    if _is_api(scope):
        body = {"ok": False, "error": "too_slow", "message": message(lang)}
        return JSONResponse(body, status_code=408, headers=headers)
    response = plain_page(web, 408, TOO_SLOW_TITLE, message, lang)
    response.headers.update(headers)
    return response


def too_large_response(web: WebApp, scope: Scope, limit: int) -> Response:
    lang = _session_language(scope)
    message = too_large_text(limit)
    # The rest of the body is not wanted: the connection closes after this answer.
    headers = {"connection": "close"}
    if _is_api(scope):
        body = {"ok": False, "error": "too_large", "message": message(lang), "limit": limit}
        return JSONResponse(body, status_code=413, headers=headers)
    response = plain_page(web, 413, TOO_LARGE_TITLE, message, lang)
    response.headers.update(headers)
    return response


class BodyLimit:
    """Refuses a request body over its path's limit before it is read, or too slow to come.

    A declared Content-Length over the limit is answered 413 at once, without reading a
    byte; a chunked or under-declared body is counted as the route reads it and cut off at
    the limit, so no more than the limit (plus one network read) is ever held in memory.
    The whole body must have come in `timeout` seconds after the request began: a client
    that trickles it, or stops half-way, is answered 408 and its connection closed, so slow
    requests cannot pile up and hold memory for good.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        web: Callable[[], WebApp],
        limit_of: Callable[[str], int],
        timeout: int = 30,
    ) -> None:
        self.app = app
        self.web = web
        self.limit_of = limit_of
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_of(scope.get("path", ""))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await too_large_response(self.web(), scope, limit)(scope, receive, send)
            return
        received = 0
        started = False
        # Whether the whole body has come in; a body is expected with a length or chunks.
        complete = not _has_body(scope, declared)
        deadline = time.monotonic() + self.timeout

        async def counting() -> Message:
            nonlocal received, complete
            if complete:
                # After the body only the disconnect comes: waiting for it has no deadline.
                return await receive()
            with anyio.move_on_after(max(0.0, deadline - time.monotonic())) as waited:
                message = await receive()
            if waited.cancelled_caught:
                raise BodyTooSlow(self.timeout)
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
                complete = complete or not message.get("more_body", False)
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = message.get("headers", [])
                if not complete and not any(name.lower() == b"connection" for name, _ in headers):
                    # Answered without reading the whole body (a refused CSRF token, say): the
                    # server would otherwise go on reading whatever the client still sends.
                    message["headers"] = [*headers, (b"connection", b"close")]
            await send(message)

        try:
            await self.app(scope, counting, tracking)
        except BodyTooLarge as error:
            if started:
                raise
            await too_large_response(self.web(), scope, error.limit)(scope, receive, send)
        except BodyTooSlow as error:
            log.warning("request.body_timeout", path=scope.get("path"), received=received)
            if started:
                raise
            await too_slow_response(self.web(), scope, error.seconds)(scope, receive, send)


def _has_body(scope: Scope, declared: int | None) -> bool:
    if declared is not None:
        return declared > 0
    return any(
        name == b"transfer-encoding" and b"chunked" in value.lower()
        for name, value in scope.get("headers", [])
    )


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


# --- the database is down -----------------------------------------------------------------------

# What a database that cannot be reached raises: refused or dropped connections, a server that
# does not accept connections now, a pool that found no free connection in time.
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    DisconnectionError,
    PoolTimeout,
)
UNAVAILABLE_TITLE = Text("Tijdelijk niet beschikbaar", "Temporarily unavailable")


def unavailable_text(seconds: int) -> Text:
    return Text(
        "De database van de hotspotmonitor is op dit moment niet bereikbaar. Er is niets "
        f"verloren gegaan; probeer het over {seconds} seconden opnieuw.",
        "The hotspot monitor's database cannot be reached at the moment. Nothing has been "
        f"lost; try again in {seconds} seconds.",
    )


def unavailable_response(web: WebApp, scope: Scope, retry_after: int) -> Response:
    lang = _session_language(scope)
    message = unavailable_text(retry_after)
    headers = {"retry-after": str(retry_after)}
    if _is_api(scope):
        body = {"ok": False, "error": "unavailable", "message": message(lang)}
        return JSONResponse(body, status_code=503, headers=headers)
    response = plain_page(web, 503, UNAVAILABLE_TITLE, message, lang)
    response.headers.update(headers)
    return response


BUSY_TITLE = Text("Te druk", "Too busy")


def busy_response(web: WebApp, scope: Scope, busy: Busy) -> Response:
    """503 "te druk, probeer over N seconden": a Dutch page or the API's JSON error."""
    lang = _session_language(scope)
    headers = {"retry-after": str(busy.retry_after)}
    if _is_api(scope):
        return JSONResponse(busy.to_json(lang), status_code=503, headers=headers)
    response = plain_page(web, 503, BUSY_TITLE, busy.message, lang)
    response.headers.update(headers)
    return response


def _locked(error: Exception) -> bool:
    """A database that answers but stayed locked (SQLite's busy timeout, PostgreSQL's
    lock_timeout or statement_timeout): busy, not unreachable."""
    text_of = str(getattr(error, "orig", error)).lower()
    return any(
        word in text_of
        for word in ("database is locked", "lock timeout", "statement timeout", "canceling")
    )


def failure_response(
    web: WebApp, scope: Scope, error: Exception, retry_after: int
) -> Response | None:
    """What answers for a database or load problem outside the routes; None: not ours."""
    if isinstance(error, Busy):
        return busy_response(web, scope, error)
    if isinstance(error, Conflict) or (isinstance(error, DATABASE_UNAVAILABLE) and _locked(error)):
        log.error("database.busy", path=scope.get("path"), error=type(error).__name__)
        return busy_response(web, scope, Busy(retry_after, "locked"))
    if isinstance(error, DATABASE_UNAVAILABLE):
        log.error(
            "database.unavailable",
            path=scope.get("path"),
            error=type(error).__name__,
            detail=str(getattr(error, "orig", error)).splitlines()[0][:300],
        )
        return unavailable_response(web, scope, retry_after)
    return None


class DatabaseOutage:
    """A database error that means "cannot reach it" becomes 503 with Retry-After.

    Pages get a Dutch page, the API its JSON error; the error goes to the operational log.
    """

    def __init__(self, app: ASGIApp, *, web: Callable[[], WebApp], retry_after: int) -> None:
        self.app = app
        self.web = web
        self.retry_after = retry_after

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except DATABASE_UNAVAILABLE as error:
            if started:
                raise
            response = failure_response(self.web(), scope, error, self.retry_after)
            if response is None:  # pragma: no cover - every such error has an answer
                raise
            await response(scope, receive, send)


# --- errors of the workflow ---------------------------------------------------------------------

_TITLES = {
    401: Text("Niet ingelogd", "Not logged in"),
    403: Text("Geen toegang", "No access"),
    404: Text("Niet gevonden", "Not found"),
    409: Text("Niet toegestaan", "Not allowed"),
    422: Text("Ongeldige invoer", "Invalid input"),
    503: UNAVAILABLE_TITLE,
}


async def _on_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HotspotError)
    lang = language(request)
    status = status_of(error)
    if isinstance(error, Busy):
        return busy_response(request.app.state.hotspot, request.scope, error)
    if _is_api(request.scope):
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


async def _on_too_large(request: Request, error: Exception) -> Response:
    assert isinstance(error, BodyTooLarge)
    state: WebApp = request.app.state.hotspot
    return too_large_response(state, request.scope, error.limit)


async def _on_too_slow(request: Request, error: Exception) -> Response:
    assert isinstance(error, BodyTooSlow)
    log.warning("request.body_timeout", path=request.url.path)
    state: WebApp = request.app.state.hotspot
    return too_slow_response(state, request.scope, error.seconds)


# The one route with a file upload, and so a limit of its own.
_UPLOAD = re.compile(r"^/procedures/[^/]+/experts/import/?$")


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
    settings = app.settings.web
    https = app.settings.mail.base_url.startswith("https://")
    state = WebApp(app, mail_dir)
    store = SessionStore(app, settings, secure=https)
    web.state.hotspot = state
    web.state.sessions = store
    web.add_exception_handler(HotspotError, _on_error)
    web.add_exception_handler(BodyTooLarge, _on_too_large)
    web.add_exception_handler(BodyTooSlow, _on_too_slow)
    hashing.configure(
        hashing.Limits(
            queue=settings.login_queue,
            per_client=settings.login_per_client,
            wait_seconds=settings.login_wait_seconds,
            retry_after=max(1, math.ceil(settings.login_queue * 0.25)),
        )
    )

    def limit_of(path: str) -> int:
        return settings.max_upload_bytes if _UPLOAD.match(path) else settings.max_body_bytes

    def on_failure(scope: Scope, error: Exception) -> Response | None:
        return failure_response(state, scope, error, settings.retry_after_seconds)

    # Added innermost first: the last one added sees the request first.
    web.add_middleware(SessionMiddleware, store=store, on_failure=on_failure)
    web.add_middleware(DatabaseOutage, web=lambda: state, retry_after=settings.retry_after_seconds)
    web.add_middleware(
        BodyLimit, web=lambda: state, limit_of=limit_of, timeout=settings.body_timeout_seconds
    )
    web.add_middleware(SecurityHeaders, https=https)
    web.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @web.get("/health", include_in_schema=False)
    async def health() -> Response:
        """Liveness: the process answers. On the event loop, no database, no thread."""
        return HTMLResponse(HEALTH_PAGE)

    @web.get("/ready", include_in_schema=False)
    async def ready() -> Response:
        """Readiness: the database answers with this version's schema and the keys are the
        installation's (else 503), within ready_timeout_seconds."""
        with anyio.move_on_after(settings.ready_timeout_seconds):
            # The check's thread may stay behind a hung database; its answer is not awaited.
            return await anyio.to_thread.run_sync(
                _readiness, app, store, settings.retry_after_seconds, abandon_on_cancel=True
            )
        log.error("database.not_ready", error="timeout")
        body = {"ok": False, "database": "timeout"}
        headers = {"retry-after": str(settings.retry_after_seconds)}
        return JSONResponse(body, status_code=503, headers=headers)

    register(web)
    return web


# A page that costs nothing to make: the benchmark's floor, and the liveness check.
HEALTH_PAGE = (
    '<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Hotspotmonitor</title>'
    "</head><body><main><h1>Hotspotmonitor</h1><p>De toepassing draait.</p></main></body></html>"
)


def _readiness(app: App, store: SessionStore, retry_after: int) -> Response:
    body: dict[str, Any]
    headers = {"retry-after": str(retry_after)}
    try:
        with store.reader.connect() as connection:
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DATABASE_UNAVAILABLE as error:
        log.error("database.not_ready", error=type(error).__name__)
        body = {"ok": False, "database": "unreachable"}
        return JSONResponse(body, status_code=503, headers=headers)
    if revision != SCHEMA_HEAD:
        body = {"ok": False, "database": "schema", "schema": revision, "expected": SCHEMA_HEAD}
        return JSONResponse(body, status_code=503, headers=headers)
    try:
        keys_state = app.key_status()
    except EnvironmentProblem as problem:
        log.error("keys.not_ready", subject=problem.subject, problem=problem.explain("en"))
        body = {"ok": False, "database": "ok", "keys": "refused", "subject": problem.subject}
        body["message"] = problem.explain("nl")
        return JSONResponse(body, status_code=503, headers=headers)
    except DATABASE_UNAVAILABLE as error:
        log.error("database.not_ready", error=type(error).__name__)
        body = {"ok": False, "database": "unreachable"}
        return JSONResponse(body, status_code=503, headers=headers)
    if keys_state is not None:
        # "stale": the database knows a newer key than this process holds (rotated elsewhere).
        body = {"ok": False, "database": "ok", "schema": revision, "keys": keys_state}
        return JSONResponse(body, status_code=503, headers=headers)
    return JSONResponse({"ok": True, "database": "ok", "schema": revision, "keys": "ok"})
