"""The role check every route makes before it reads or changes anything.

An account (procesbegeleider, informatiebeheerder, archivaris) may read every facilitator page
and every read of the API. A write (any method but GET and HEAD) is checked against the
roles of what it runs: the declared command behind the route (an API route or a procedure
page form, workflow/commands/declarations.py), a few routes every account may use for its own
session and password, and the procesbegeleider alone for everything else. The check finds the
route FastAPI matched, so no route can be added without it: a route nobody declared is the
procesbegeleider's. A refusal says, in Dutch by default, which role may do it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import TypedDict

from starlette.requests import Request

from states.i18n import Text
from workflow import links, users
from workflow.commands.declarations import ACCOUNTS, COMMANDS, FACILITATOR
from workflow.links import LinkRefused, Purpose
from workflow.web.runtime import web_app
from workflow.web.session import (
    ACCOUNT_OF_ROLE,
    ACCOUNT_ROLES,
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
    "Log in met uw account om deze pagina te zien.",
    "Log in with your account to see this page.",
)

_READS = frozenset({"GET", "HEAD"})
_ONLY_FACILITATOR = frozenset({FACILITATOR})
# Writes on one's own account and session: every account role may make them.
_OWN_ACCOUNT = {("POST", "/logout"), ("POST", "/wachtwoord"), ("DELETE", "/api/session")}


@functools.cache
def write_roles() -> Mapping[tuple[str, str], tuple[frozenset[str], Text | None]]:
    """(method, route path) -> the roles that may make the write and what it is called."""
    # Imported here: the form faces import the forms, which import the session, like this does.
    from workflow.web.form_faces import FORMS

    found: dict[tuple[str, str], tuple[frozenset[str], Text | None]] = {}
    for command in COMMANDS:
        found[(command.api.method, f"/api{command.api.path}")] = (command.roles, command.label)
    for face in FORMS:
        found[("POST", face.url)] = (face.command.roles, face.command.label)
    for key in _OWN_ACCOUNT:
        found[key] = (ACCOUNTS, None)
    return found


def roles_for(request: Request) -> tuple[frozenset[str], Text | None]:
    """The roles that may make this request's write (the procesbegeleider's when undeclared)."""
    route = request.scope.get("route")
    path = getattr(route, "path", None)
    return write_roles().get((request.method, str(path)), (_ONLY_FACILITATOR, None))


def role_words(roles: Iterable[str]) -> Text:
    """ "procesbegeleider of informatiebeheerder" / "facilitator or information manager"."""
    labels = [
        users.role_label(ACCOUNT_OF_ROLE[Role(value)])
        for value in sorted(roles, key=lambda value: list(Role).index(Role(value)))
        if Role(value) in ACCOUNT_OF_ROLE
    ]
    nl = [label("nl") for label in labels]
    en = [label("en") for label in labels]

    def joined(words: list[str], word: str) -> str:
        return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {word} {words[-1]}"

    return Text(joined(nl, "of"), joined(en, "or"))


def refusal(who: Principal, roles: frozenset[str], label: Text | None) -> Text:
    """Why an account may not do this: which role may, and the role it has."""
    allowed = role_words(roles)
    mine = users.role_label(ACCOUNT_OF_ROLE[who.role])
    what_nl = f"‘{label('nl')}’" if label else "Deze actie"
    what_en = f"‘{label('en')}’" if label else "This action"
    return Text(
        f"{what_nl} mag alleen een {allowed('nl')} doen; u bent ingelogd als {mine('nl')} "
        "(regel account.role).",
        f"{what_en} may only be done by a {allowed('en')}; you are logged in as "
        f"{mine('en')} (rule account.role).",
    )


@functools.cache
def _actions_of(role: str) -> frozenset[str]:
    """The phase actions (states.actions) of the declared commands `role` may run."""
    return frozenset(
        command.action.value
        for command in COMMANDS
        if command.action is not None and role in command.roles
    )


class Abilities(TypedDict):
    can_do: frozenset[str]
    leads: bool


def abilities(who: Principal, allowed: frozenset[str]) -> Abilities:
    """What a page offers this account: `can_do`, the phase's actions its role may take, and
    `leads`, whether it leads the procedure (advance, cancel, deviations, links, mail).
    A form the role may not use is not shown; posting it anyway is refused all the same."""
    if who.role is Role.FACILITATOR:
        return {"can_do": allowed, "leads": True}
    return {"can_do": allowed & _actions_of(who.role.value), "leads": False}


def require(who: Principal, roles: frozenset[str], label: Text | None = None) -> Principal:
    """`who` when their role is one of `roles`; NotAllowed saying which role may."""
    if who.role.value not in roles:
        raise NotAllowed(refusal(who, roles, label))
    return who


async def facilitator(request: Request) -> Principal:
    """The route dependency: `facilitator_of`, on the event loop (it reads no database)."""
    return facilitator_of(request)


def facilitator_of(request: Request) -> Principal:
    """A logged-in account whose role may make this request; anyone else is refused.

    Reads are open to every account role; a write to the roles its route declares. The
    session was read together with its account (and the account's current role) on the way
    in (workflow.web.session): a deleted or disabled account, or a session ended by logout or
    a password change, has nobody here, so this needs no query of its own, and no thread.
    """
    who = principal(request)
    if who is None:
        raise NotLoggedIn(LOGIN_NEEDED)
    if who.role not in ACCOUNT_ROLES:
        raise NotAllowed(FORBIDDEN)
    if request.method not in _READS:
        roles, label = roles_for(request)
        require(who, roles, label)
    return who


def _store(request: Request) -> SessionStore:
    store: SessionStore = request.app.state.sessions
    return store


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
