"""Who is asking: server-side sessions, the roles, CSRF tokens and flash messages.

A logged-in facilitator and a link holder have a session on the server: the browser's cookie
holds nothing but a random id (256 bits; HttpOnly, SameSite=Lax, and Secure with the
`__Host-` prefix when the app is served over https), and the session is a row of
`web_sessions`, found by the SHA-256 of that id: who is logged in (a facilitator's account or
the personal link a link holder came with), the CSRF token, the language and pending flash
messages. Logging out deletes the row, so a cookie copied before is worth nothing after; a
password change or a disabled account deletes all rows of that user. A session ends after
`session_idle_minutes` without a request and, whatever happens, `session_hours` after it
started; a new login or link always gets a new id.

A visitor who is not logged in (the login form, a language choice, a page after logging out)
has no row: what they need (the CSRF token of the login form, the language, a flash message)
travels in a second cookie, `hotspot_visit`, signed with the key derived for sessions from the
master keys (KeyUse.SESSIONS) and valid for `session_hours`. Its CSRF token is checked as a
signed double submit: the form must send the token the signed cookie holds, which a page of
another site can neither read nor forge. Anonymous visits therefore write nothing to the
database, however many there are.

The rest of the code keeps using `request.session` as a dict (`flash`, `csrf_token`,
`language`): the middleware loads it before the route runs and writes it back, only when
something changed, before the response leaves. Saving that fails because the database stayed
locked or cannot be reached answers 503 with Retry-After instead of the route's response;
refreshing `last_seen_at` (once a minute at most) is best effort and never fails a request.
Requests for /static, /health and /ready never touch sessions. Ended sessions are deleted by
the worker, in small batches (workflow.users.purge_sessions).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from http.cookies import SimpleCookie
from typing import Any

import anyio.to_thread
import structlog
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Connection, Engine
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from states.errors import HotspotError
from states.i18n import Language, Text, parse_language
from workflow import users
from workflow.app import App
from workflow.keys import KeyUse
from workflow.links import Purpose
from workflow.web_settings import WebSettings

log = structlog.get_logger("hotspot")

COOKIE = "hotspot_session"
# Over https the browser then insists on Secure, Path=/ and no Domain: no sibling host or
# plain-http page can plant or overwrite it.
SECURE_COOKIE = f"__Host-{COOKIE}"
# The signed state of a visitor without a session row (CSRF token, language, flash).
VISIT_COOKIE = "hotspot_visit"
_VISIT_SALT = "hotspot-visit"
# A visit cookie larger than this drops its flash details: browsers keep 4 kB per cookie.
_VISIT_MAX = 3_000
# Paths that never need a session: the floor page, the probes and the stylesheet.
_SESSIONLESS = ("/static/", "/health", "/ready")
# Keys of request.session kept in columns of their own; the rest goes to `data`.
_CSRF, _LANG, _WHO, _DONE = "csrf", "lang", "who", "done"


class Role(StrEnum):
    # The roles of accounts (workflow.users.AccountRole): procesbegeleider, informatiebeheerder
    # and archivaris. RECORDS_ARCHIVIST is the archivaris with an account (reads, does the
    # inventory); ARCHIVIST below is whoever holds a personal link to give the advice.
    FACILITATOR = "facilitator"
    INFORMATION_MANAGER = "information_manager"
    RECORDS_ARCHIVIST = "records_archivist"
    # The holders of personal links.
    EXPERT = "expert"
    ARCHIVIST = "archivist"
    MANAGEMENT = "management"


ROLE_OF_ACCOUNT = {
    users.AccountRole.FACILITATOR: Role.FACILITATOR,
    users.AccountRole.INFORMATION_MANAGER: Role.INFORMATION_MANAGER,
    users.AccountRole.ARCHIVIST: Role.RECORDS_ARCHIVIST,
}
ACCOUNT_OF_ROLE = {role: account for account, role in ROLE_OF_ACCOUNT.items()}
ACCOUNT_ROLES = frozenset(ROLE_OF_ACCOUNT.values())


ROLE_OF_PURPOSE = {
    Purpose.EXPERT: Role.EXPERT,
    Purpose.ADVICE: Role.ARCHIVIST,
    Purpose.DECISION: Role.MANAGEMENT,
}


@dataclass(frozen=True, slots=True)
class Principal:
    """The person behind a request, as far as the session says."""

    role: Role
    # A facilitator's user id, or the expert's / member's id for a link holder.
    subject_id: int
    # The audit trail's actor: "jan" for a facilitator, "expert:12" for a link holder.
    actor: str
    name: str = ""
    # Link holders only: the one procedure and the link their session came from.
    procedure_id: str | None = None
    link_id: int | None = None

    @property
    def account_role(self) -> users.AccountRole | None:
        """The account's role (procesbegeleider, ...); None for a link holder."""
        return ACCOUNT_OF_ROLE.get(self.role)


def account_principal(user: users.Facilitator) -> Principal:
    """The session's principal for a logged-in account, with the account's role."""
    return Principal(ROLE_OF_ACCOUNT[user.role], user.id, user.username, user.name)


class NotAllowed(HotspotError):
    """A request for something the session's role may not see or do (HTTP 403)."""

    exit_code = 3
    kind = "forbidden"


class NotLoggedIn(HotspotError):
    """A facilitator page without a facilitator session: the login page follows (HTTP 401)."""

    exit_code = 3
    kind = "not_logged_in"


class CsrfFailed(HotspotError):
    """A form or API write without the session's CSRF token (HTTP 403)."""

    exit_code = 3
    kind = "csrf"


FORBIDDEN = Text(
    "U hebt geen toegang tot deze pagina of actie.",
    "You do not have access to this page or action.",
)
CSRF_FAILED = Text(
    "Het formulier is verlopen of niet vanaf deze site verstuurd. Laad de pagina opnieuw en "
    "probeer het nog eens.",
    "The form has expired or was not sent from this site. Reload the page and try again.",
)


# --- the session as the routes see it ---------------------------------------------------------


class ServerSession(dict[str, Any]):
    """`request.session`: a plain dict to the routes, plus what the store needs to save it."""

    def __init__(
        self,
        data: dict[str, Any] | None = None,
        *,
        id_hash: str | None = None,
        last_seen_at: datetime | None = None,
        saved: bool = True,
        visit: bool = False,
    ) -> None:
        super().__init__(data or {})
        # None: no row (a visitor, or an id that is unknown, expired or ended).
        self.id_hash = id_hash
        self.last_seen_at = last_seen_at
        # False for the session-less paths: never written.
        self.saved = saved
        # Set by `start` and `end`: the next save gives the browser a new id.
        self.renew = False
        self.loaded = _canonical(self)
        # The state came from a valid visit cookie (so an unchanged one is not sent again).
        self.visit = visit
        # Set-Cookie values already decided (a session made inside another transaction).
        self.cookies: list[bytes] = []


def _canonical(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))


def _needs_row(data: dict[str, Any]) -> bool:
    """Only someone logged in (or a link holder's receipt) is kept on the server."""
    return isinstance(data.get(_WHO), dict) or isinstance(data.get(_DONE), dict)


def session_of(request: Request) -> ServerSession:
    session = request.session
    if not isinstance(session, ServerSession):  # pragma: no cover - the middleware sets it
        raise RuntimeError("no server-side session on this request")
    return session


def language(request: Request) -> Language:
    return parse_language(request.session.get(_LANG))


def csrf_token(request: Request) -> str:
    token = request.session.get(_CSRF)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[_CSRF] = token
    return token


def check_csrf(request: Request, sent: str | None) -> None:
    expected = request.session.get(_CSRF)
    # Compared as bytes: compare_digest refuses non-ASCII text, and a forged token may be that.
    if (
        not isinstance(expected, str)
        or not sent
        or not hmac.compare_digest(expected.encode(), sent.encode("utf-8", "replace"))
    ):
        raise CsrfFailed(CSRF_FAILED)


def start(request: Request, principal: Principal) -> None:
    """A fresh session (new id, new CSRF token) for a new login or link; only the language
    carries over from before."""
    session = session_of(request)
    lang = session.get(_LANG)
    session.clear()
    if lang:
        session[_LANG] = lang
    session[_WHO] = {
        "role": principal.role.value,
        "id": principal.subject_id,
        "actor": principal.actor,
        "name": principal.name,
        "pid": principal.procedure_id,
        "link": principal.link_id,
    }
    session.renew = True
    csrf_token(request)


def end(request: Request) -> None:
    """Log out: the session's row goes; what follows (the language, a flash) gets a new id."""
    session = session_of(request)
    lang = session.get(_LANG)
    session.clear()
    if lang:
        session[_LANG] = lang
    session.renew = True


def finish_link(request: Request, receipt: dict[str, Any]) -> None:
    """The link holder's step is recorded and their link has ended: the session keeps only a
    receipt of what they recorded (shown once more at /vastgelegd), under a new id."""
    end(request)
    request.session[_DONE] = receipt


def receipt(request: Request) -> dict[str, Any] | None:
    done = request.session.get(_DONE)
    return done if isinstance(done, dict) else None


def principal(request: Request) -> Principal | None:
    who = request.session.get(_WHO)
    if not isinstance(who, dict):
        return None
    try:
        return Principal(
            role=Role(who["role"]),
            subject_id=int(who["id"]),
            actor=str(who["actor"]),
            name=str(who.get("name") or ""),
            procedure_id=who.get("pid"),
            link_id=who.get("link"),
        )
    except (KeyError, ValueError, TypeError):
        return None


def flash(
    request: Request,
    kind: str,
    title: str,
    details: list[str] | None = None,
    *,
    at: str = "",
) -> None:
    """A message for the next page: kind is "success", "error" or "info"; `at` names the
    section of the page it belongs to (the page shows it there, where the form was)."""
    pending: list[dict[str, Any]] = list(request.session.get("flash", []))
    pending.append({"kind": kind, "title": title, "details": details or [], "at": at})
    # Only the newest few: a page shows what the last actions said.
    request.session["flash"] = pending[-3:]


def take_flashes(request: Request) -> list[dict[str, Any]]:
    return list(request.session.pop("flash", []) or [])


# --- the store --------------------------------------------------------------------------------


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("ascii", "replace")).hexdigest()


class SessionStore:
    """Reads and writes `web_sessions` and the visit cookie; one per web app."""

    def __init__(self, app: App, web: WebSettings, *, secure: bool) -> None:
        self.app = app
        self.secure = secure
        self.cookie_name = SECURE_COOKIE if secure else COOKIE
        self.visit_name = f"__Host-{VISIT_COOKIE}" if secure else VISIT_COOKIE
        self.idle = timedelta(minutes=web.session_idle_minutes)
        self.lifetime = timedelta(hours=web.session_hours)
        # last_seen_at is written at most this often: a page view is not a write each time.
        self.touch_every = min(timedelta(minutes=1), self.idle / 10)
        # One-statement reads. On PostgreSQL in autocommit: no BEGIN and ROLLBACK round trips
        # around the single SELECT every request makes. On SQLite a deferred transaction, so
        # they never take the write lock.
        engine = app.engine
        self.reader: Engine = (
            engine.execution_options(isolation_level="AUTOCOMMIT")
            if engine.dialect.name == "postgresql"
            else engine.execution_options(readonly=True)
        )

    # --- visitors without a row: the signed visit cookie

    def _signer(self) -> URLSafeTimedSerializer:
        # Every key of the ring verifies; the newest signs. Reads the ring each time, so a
        # retired key stops verifying visit cookies as soon as the process sees it.
        return URLSafeTimedSerializer(list(self.app.keys.derive(KeyUse.SESSIONS)), salt=_VISIT_SALT)

    def load_visit(self, value: str | None) -> ServerSession:
        """A visitor's state from their signed cookie; empty when there is none or it fails."""
        if not value or len(value) > 2 * _VISIT_MAX:
            return ServerSession()
        try:
            data = self._signer().loads(value, max_age=int(self.lifetime.total_seconds()))
        except BadSignature:
            return ServerSession()
        if not isinstance(data, dict) or _needs_row(data):
            return ServerSession()
        return ServerSession(data, visit=True)

    def _visit_value(self, session: ServerSession) -> str:
        data = dict(session)
        value = str(self._signer().dumps(data))
        if len(value) > _VISIT_MAX:
            data["flash"] = [{**f, "details": []} for f in data.get("flash", [])][-1:]
            value = str(self._signer().dumps(data))
        return value

    def visit_cookies(self, session: ServerSession, visit_sent: bool) -> list[bytes]:
        """The visit cookie to send for a session without a row (or one that drops it)."""
        if _needs_row(session) or session.id_hash is not None:
            return [self.cookie("", self.visit_name)] if visit_sent else []
        if not session:
            return [self.cookie("", self.visit_name)] if visit_sent else []
        if session.visit and not session.renew and _canonical(session) == session.loaded:
            return []
        return [self.cookie(self._visit_value(session), self.visit_name)]

    # --- sessions with a row

    def load(self, raw: str | None, visit: str | None) -> ServerSession:
        """The session of a cookie value; else the visitor's state (unknown, expired, ended)."""
        if not raw or len(raw) > 200:
            return self.load_visit(visit)
        id_hash = _digest(raw)
        with self.reader.connect() as connection:
            row = users.load_web_session(connection, id_hash)
        now = self.app.now()
        if row is None or now >= row.expires_at or now >= row.last_seen_at + self.idle:
            # Gone or over: the old row is ignored from now on and deleted by the purge.
            return self.load_visit(visit)
        if row.user_id is not None and (row.account is None or row.disabled_at is not None):
            return self.load_visit(visit)
        data = dict(row.data or {})
        who = data.get(_WHO)
        if row.user_id is not None and isinstance(who, dict) and row.account_role:
            # The account's role as it is now: `hotspot user role` holds from the next request.
            try:
                current = ROLE_OF_ACCOUNT[users.AccountRole(row.account_role)].value
            except ValueError:
                return self.load_visit(visit)
            data[_WHO] = {**who, "role": current}
        if row.csrf_token:
            data[_CSRF] = row.csrf_token
        if row.language:
            data[_LANG] = row.language
        return ServerSession(data, id_hash=id_hash, last_seen_at=row.last_seen_at)

    def _touch_due(self, session: ServerSession, now: datetime) -> bool:
        seen = session.last_seen_at
        return seen is None or now - seen >= self.touch_every

    def needs_database(self, session: ServerSession) -> bool:
        """Whether saving writes to the database: decided without a thread or a query."""
        if not session.saved:
            return False
        if session.id_hash is None:
            return _needs_row(session)
        if session.renew or _canonical(session) != session.loaded:
            return True
        return self._touch_due(session, self.app.now())

    def save(self, session: ServerSession) -> list[bytes]:
        """Write what changed; the Set-Cookie values for the session id that result.

        Raises when a change cannot be written (a locked or unreachable database); a due
        refresh of last_seen_at that cannot be written is let go.
        """
        now = self.app.now()
        if session.id_hash is not None and not session.renew:
            if _canonical(session) != session.loaded:
                with self.app.transaction() as connection:
                    users.update_web_session(
                        connection,
                        session.id_hash,
                        {**self._columns(session), "last_seen_at": now},
                    )
            elif self._touch_due(session, now):
                self._touch(session.id_hash, now)
            return []
        # A new session, or a new id for a login, a link or a logout.
        with self.app.transaction() as connection:
            if session.id_hash is not None:
                users.delete_web_session(connection, session.id_hash)
            raw = self._insert(connection, session, now) if _needs_row(session) else None
        if raw is not None:
            return [self.cookie(raw)]
        session.id_hash = None
        return [self.cookie("")]

    def insert_in(self, connection: Connection, session: ServerSession) -> None:
        """A new row (and id) for `session` in the caller's transaction; the cookie is sent with
        the response (the password change makes this browser's new session this way)."""
        raw = self._insert(connection, session, self.app.now())
        session.renew = False
        session.loaded = _canonical(session)
        session.cookies.append(self.cookie(raw))

    def _insert(self, connection: Connection, session: ServerSession, now: datetime) -> str:
        raw = secrets.token_urlsafe(32)
        users.insert_web_session(
            connection,
            {
                "id_hash": _digest(raw),
                **self._columns(session),
                "created_at": now,
                "last_seen_at": now,
                "expires_at": now + self.lifetime,
            },
        )
        session.id_hash = _digest(raw)
        session.last_seen_at = now
        return raw

    def _touch(self, id_hash: str, now: datetime) -> None:
        try:
            with self.app.transaction() as connection:
                users.touch_web_session(connection, id_hash, now)
        except Exception as error:
            # Only the idle clock: the next request tries again; the page is not held up.
            log.warning("session.touch_skipped", error=type(error).__name__)

    def _columns(self, session: ServerSession) -> dict[str, Any]:
        found = session.get(_WHO)
        who: dict[str, Any] = found if isinstance(found, dict) else {}
        facilitator = who.get("role") in ACCOUNT_ROLES
        csrf, lang = session.get(_CSRF), session.get(_LANG)
        return {
            "user_id": who.get("id") if facilitator else None,
            "link_id": who.get("link") if not facilitator else None,
            "csrf_token": csrf if isinstance(csrf, str) else None,
            "language": lang if isinstance(lang, str) else None,
            "data": {k: v for k, v in session.items() if k not in (_CSRF, _LANG)},
        }

    def cookie(self, value: str, name: str | None = None) -> bytes:
        """The Set-Cookie header for a new value, or one that deletes the cookie ("")."""
        parts = [f"{name or self.cookie_name}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
        parts.append(f"Max-Age={int(self.lifetime.total_seconds())}" if value else "Max-Age=0")
        if self.secure:
            parts.append("Secure")
        return "; ".join(parts).encode("latin-1")


def _cookie_values(scope: Scope, *names: str) -> list[str | None]:
    found: dict[str, str] = {}
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed Cookie header is as good as none
                continue
            for name in names:
                if name in jar and name not in found:
                    found[name] = jar[name].value
    return [found.get(name) for name in names]


# What answers instead of the route's response when the session cannot be saved.
OnFailure = Callable[[Scope, Exception], Response | None]


class SessionMiddleware:
    """Loads the session before the route and saves it before the response leaves.

    Database work runs on the thread pool, and only for a request with a session row (or one
    that makes or ends one). A save that fails is answered by `on_failure` (503 with
    Retry-After) instead of the route's response, which is dropped: the browser is never told
    "done" for a session that was not written.
    """

    def __init__(self, app: ASGIApp, store: SessionStore, on_failure: OnFailure) -> None:
        self.app = app
        self.store = store
        self.on_failure = on_failure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        if path.startswith(_SESSIONLESS):
            scope["session"] = ServerSession(saved=False)
            await self.app(scope, receive, send)
            return
        store = self.store
        raw, visit = _cookie_values(scope, store.cookie_name, store.visit_name)
        session = (
            await anyio.to_thread.run_sync(store.load, raw, visit)
            if raw
            else store.load_visit(visit)
        )
        scope["session"] = session
        replaced = False

        async def saving(message: Message) -> None:
            nonlocal replaced
            if replaced:
                return  # the route's response was answered by the failure page instead
            if message["type"] == "http.response.start":
                try:
                    cookies = await self._save(session, raw is not None, visit is not None)
                except Exception as error:
                    response = self.on_failure(scope, error)
                    if response is None:
                        raise
                    replaced = True
                    await response(scope, receive, send)
                    return
                if cookies:
                    headers = list(message.get("headers", []))
                    headers += [(b"set-cookie", cookie) for cookie in cookies]
                    message["headers"] = headers
            await send(message)

        await self.app(scope, receive, saving)

    async def _save(self, session: ServerSession, raw_sent: bool, visit_sent: bool) -> list[bytes]:
        store = self.store
        if not session.saved:
            return []
        cookies = list(session.cookies)
        if store.needs_database(session):
            # Most requests change nothing: no thread, no query for them.
            cookies += await anyio.to_thread.run_sync(store.save, session)
        elif raw_sent and session.id_hash is None and not cookies:
            cookies.append(store.cookie(""))  # a stale session cookie: drop it
        return cookies + store.visit_cookies(session, visit_sent)
