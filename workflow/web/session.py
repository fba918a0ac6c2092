"""Who is asking: the signed session cookie, the roles, CSRF tokens and flash messages.

The session lives in a signed cookie (Starlette's SessionMiddleware: HttpOnly, SameSite=Lax,
Secure when the app is served over https). It holds no personal data: a role, an id, the
link id for a link holder, the CSRF token, the language and pending flash messages.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from starlette.requests import Request

from states.errors import HotspotError
from states.i18n import Language, Text, parse_language
from workflow.links import Purpose


class Role(StrEnum):
    FACILITATOR = "facilitator"
    EXPERT = "expert"
    ARCHIVIST = "archivist"
    MANAGEMENT = "management"


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


def language(request: Request) -> Language:
    return parse_language(request.session.get("lang"))


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, sent: str | None) -> None:
    expected = request.session.get("csrf")
    # Compared as bytes: compare_digest refuses non-ASCII text, and a forged token may be that.
    if (
        not isinstance(expected, str)
        or not sent
        or not hmac.compare_digest(expected.encode(), sent.encode("utf-8", "replace"))
    ):
        raise CsrfFailed(CSRF_FAILED)


def start(request: Request, principal: Principal) -> None:
    """A fresh session for a new login or link: nothing of the previous one carries over."""
    lang = request.session.get("lang")
    request.session.clear()
    if lang:
        request.session["lang"] = lang
    request.session["who"] = {
        "role": principal.role.value,
        "id": principal.subject_id,
        "actor": principal.actor,
        "name": principal.name,
        "pid": principal.procedure_id,
        "link": principal.link_id,
    }
    csrf_token(request)


def end(request: Request) -> None:
    lang = request.session.get("lang")
    request.session.clear()
    if lang:
        request.session["lang"] = lang


def principal(request: Request) -> Principal | None:
    who = request.session.get("who")
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


def flash(request: Request, kind: str, title: str, details: list[str] | None = None) -> None:
    """A message for the next page: kind is "success", "error" or "info"."""
    pending: list[dict[str, Any]] = list(request.session.get("flash", []))
    pending.append({"kind": kind, "title": title, "details": details or []})
    # A cookie holds about 4 kB: keep the newest few.
    request.session["flash"] = pending[-3:]


def take_flashes(request: Request) -> list[dict[str, Any]]:
    return list(request.session.pop("flash", []) or [])
