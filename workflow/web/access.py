"""The role check every route makes before it reads or changes anything."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from starlette.requests import Request

from states.i18n import Text
from workflow import links
from workflow.db import models as m
from workflow.db.models import table_of
from workflow.links import LinkRefused, Purpose
from workflow.web.runtime import web_app
from workflow.web.session import (
    FORBIDDEN,
    ROLE_OF_PURPOSE,
    NotAllowed,
    NotLoggedIn,
    Principal,
    Role,
    principal,
)

UT = table_of(m.User)
_USER_EXISTS = select(UT.c.id).where(UT.c.id == bindparam("uid"))
LOGIN_NEEDED = Text(
    "Log in als procesbegeleider om deze pagina te zien.",
    "Log in as a facilitator to see this page.",
)


def facilitator(request: Request) -> Principal:
    """A logged-in facilitator whose account still exists; anyone else is refused."""
    who = principal(request)
    if who is None:
        raise NotLoggedIn(LOGIN_NEEDED)
    if who.role is not Role.FACILITATOR:
        raise NotAllowed(FORBIDDEN)
    app = web_app(request).app
    # One indexed read on a pooled connection: every facilitator request pays it.
    with app.engine.connect() as connection:
        if connection.execute(_USER_EXISTS, {"uid": who.subject_id}).first() is None:
            raise NotLoggedIn(LOGIN_NEEDED)
    return who


def link_holder(request: Request, purpose: Purpose) -> Principal:
    """The holder of a personal link for `purpose`, checked against revocation on each request."""
    who = principal(request)
    if who is None or who.role is not ROLE_OF_PURPOSE[purpose] or who.link_id is None:
        raise NotAllowed(FORBIDDEN)
    app = web_app(request).app
    with app.engine.connect() as connection:
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
