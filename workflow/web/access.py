"""The role check every route makes before it reads or changes anything."""

from __future__ import annotations

from starlette.requests import Request

from states.i18n import Text
from workflow import links
from workflow.links import LinkRefused, Purpose
from workflow.web.runtime import web_app
from workflow.web.session import (
    FORBIDDEN,
    ROLE_OF_PURPOSE,
    NotAllowed,
    NotLoggedIn,
    Principal,
    Role,
    SessionStore,
    principal,
)

LOGIN_NEEDED = Text(
    "Log in als procesbegeleider om deze pagina te zien.",
    "Log in as a facilitator to see this page.",
)


def _store(request: Request) -> SessionStore:
    store: SessionStore = request.app.state.sessions
    return store


async def facilitator(request: Request) -> Principal:
    """The route dependency: `facilitator_of`, on the event loop (it reads no database)."""
    return facilitator_of(request)


def facilitator_of(request: Request) -> Principal:
    """A logged-in facilitator; anyone else is refused.

    The session was read together with its account on the way in (workflow.web.session): a
    deleted or disabled account, or a session ended by logout or a password change, has no
    facilitator here, so this needs no query of its own, and no thread.
    """
    who = principal(request)
    if who is None:
        raise NotLoggedIn(LOGIN_NEEDED)
    if who.role is not Role.FACILITATOR:
        raise NotAllowed(FORBIDDEN)
    return who


def link_holder(request: Request, purpose: Purpose) -> Principal:
    """The holder of a personal link for `purpose`, checked against revocation on each request."""
    who = principal(request)
    if who is None or who.role is not ROLE_OF_PURPOSE[purpose] or who.link_id is None:
        raise NotAllowed(FORBIDDEN)
    app = web_app(request).app
    with _store(request).reader.connect() as connection:
        problem = links.still_valid(connection, who.link_id, app.now())
    if problem is not None:
        raise LinkRefused(problem, links.problem_text(problem))
    return who


def expert(request: Request) -> Principal:
    return link_holder(request, Purpose.EXPERT)


def archivist(request: Request) -> Principal:
    return link_holder(request, Purpose.ADVICE)


def management(request: Request) -> Principal:
    return link_holder(request, Purpose.DECISION)
