"""Logging in and out as a facilitator, changing one's password, and switching the language.

Every failed login gets the same page (or, through the API, the same JSON) no sooner than the
configured floor after the request came in, whatever failed: an unknown name, a wrong
password, an account that must wait or one that is disabled. Neither the words nor the time
tell them apart. A login that finds the queue of password checks full is answered 503 "too
busy" (workflow.hashing), also no sooner than the floor, so a flood's retries cannot spin.
A login whose client has gone is dropped from the queue unanswered.

On the password page a wrong current password counts as a failed login of the account (the
same growing wait); after `MAX_PASSWORD_FAILURES` of them in one session that session ends.

With `[web.oidc]` configured the login page offers "Inloggen via <organisation>"
(workflow.web.oidc): /login/oidc sends the browser to the provider, /login/oidc/callback
brings it back signed in with the role the provider gives. The password form stays unless
`password_login = false`.
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from states.errors import InvalidInput
from states.i18n import Language, Text, parse_language
from workflow import hashing, users
from workflow.busy import Busy
from workflow.web import oidc
from workflow.web.access import facilitator
from workflow.web.forms import checked_form, field
from workflow.web.rendering import local_path, render
from workflow.web.runtime import web_app
from workflow.web.session import (
    Principal,
    SessionStore,
    account_principal,
    end,
    flash,
    language,
    session_of,
    start,
)

router = APIRouter(include_in_schema=False)

Facilitator = Annotated[Principal, Depends(facilitator)]
Form = Annotated[FormData, Depends(checked_form)]


async def answer_no_sooner(request: Request, started: float) -> None:
    """Wait until the login floor has passed since `started` (a time.monotonic() reading)."""
    floor = web_app(request).app.settings.web.login_floor_ms / 1000
    remaining = floor - (time.monotonic() - started)
    if remaining > 0:
        await asyncio.sleep(remaining)


def client_of(request: Request) -> str:
    """The client's address, as the queue of password checks counts it (behind a proxy that
    sends X-Forwarded-For, and uvicorn trusts it, the real client's)."""
    return request.client.host if request.client is not None else "unknown"


def disconnect_of(request: Request) -> users.Disconnected:
    """What a waiting login watches: the client closing its connection.

    The body has been read by now, so the next message the server has for this request is
    `http.disconnect`, and it comes only if the client leaves.
    """

    async def disconnected() -> object:
        while (await request.receive())["type"] != "http.disconnect":
            pass
        return None

    return disconnected


def _login_context(request: Request, target: str, error: str | None) -> dict[str, object]:
    settings = oidc.settings_of(request)
    return {
        "next": target,
        "error": error,
        "oidc_organisation": settings.organisation if settings else None,
        "password_login": settings is None or settings.password_login,
    }


@router.get("/login")
def login_page(request: Request, next: str = "/procedures") -> Response:
    return render(
        request, "login.html", _login_context(request, local_path(next, "/procedures"), None)
    )


@router.get("/login/oidc")
async def oidc_begin(request: Request, next: str = "/procedures") -> Response:
    """To the organisation's identity provider (404 when none is configured)."""
    settings = oidc.settings_of(request)
    if settings is None:
        return Response(status_code=404)
    target = local_path(next, "/procedures")
    try:
        return await oidc.begin(request, settings, target)
    except users.LoginRefused as refusal:
        return _oidc_refused(request, target, refusal)


@router.get("/login/oidc/callback", name="oidc_callback")
async def oidc_callback(request: Request) -> Response:
    """Back from the provider: signed in with the provider's role, or the login page says why."""
    settings = oidc.settings_of(request)
    if settings is None:
        return Response(status_code=404)
    try:
        user, target = await oidc.finish(request, settings)
    except users.LoginRefused as refusal:
        return _oidc_refused(request, "/procedures", refusal)
    start(request, account_principal(user))
    return RedirectResponse(local_path(target, "/procedures"), status_code=303)


def _oidc_refused(request: Request, target: str, refusal: users.LoginRefused) -> Response:
    message = refusal.explain(language(request))
    return render(request, "login.html", _login_context(request, target, message), status=401)


@router.post("/login")
async def login(request: Request, form: Form) -> Response:
    started = time.monotonic()
    target = local_path(field(form, "next"), "/procedures")
    app = web_app(request).app
    try:
        user = await users.authenticate_async(
            app,
            field(form, "username"),
            field(form, "password"),
            client=client_of(request),
            disconnected=disconnect_of(request),
        )
    except users.LoginRefused as refusal:
        # The same page for every failure, never sooner than the floor: guessing passwords by
        # the thousand takes hours, and the page tells nobody which names exist. The name is
        # not echoed back either, so the page is the same whatever was typed.
        await answer_no_sooner(request, started)
        return render(
            request,
            "login.html",
            _login_context(request, target, refusal.explain(language(request))),
            status=401,
        )
    except Busy:
        await answer_no_sooner(request, started)
        raise
    except hashing.ClientGone:
        return Response(status_code=499)  # nobody is listening any more
    start(request, account_principal(user))
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
async def logout(request: Request, form: Form) -> Response:
    end(request)
    lang = language(request)
    flash(request, "info", "You have been logged out." if lang == "en" else "U bent uitgelogd.")
    return RedirectResponse("/login", status_code=303)


@router.get("/taal/{code}")
def switch_language(request: Request, code: str, next: str = "/") -> Response:
    """Nederlands or English for this session; nothing else changes."""
    request.session["lang"] = parse_language(code)
    return RedirectResponse(local_path(next), status_code=303)


# --- the facilitator's own password -------------------------------------------------------------

# Wrong current passwords in one session after which that session ends.
MAX_PASSWORD_FAILURES = 5
_FAILURES = "password_failures"
WRONG_CURRENT = Text("het huidige wachtwoord klopt niet", "the current password is not correct")
MUST_WAIT = Text(
    "na herhaald onjuiste wachtwoorden moet u even wachten; probeer het over {seconds} seconden "
    "opnieuw",
    "after repeated wrong passwords you must wait; try again in {seconds} seconds",
)
NOT_REPEATED = Text(
    "het nieuwe wachtwoord en de herhaling verschillen",
    "the new password and its repetition differ",
)
CHANGED = Text(
    "Uw wachtwoord is gewijzigd. Overal waar u nog was ingelogd, bent u nu uitgelogd.",
    "Your password has been changed. Everywhere else you were logged in, you are now logged out.",
)
ENDED = Text(
    "U bent uitgelogd na {count} onjuiste huidige wachtwoorden. Log opnieuw in.",
    "You have been logged out after {count} wrong current passwords. Log in again.",
)
# The labels of the password page's fields, as the page shows them beside the inputs.
PASSWORD_FIELDS = {
    "current": Text("Huidig wachtwoord", "Current password"),
    "new_password": Text("Nieuw wachtwoord", "New password"),
    "repeat": Text("Nieuw wachtwoord nogmaals", "New password again"),
}


def _refusal(error: InvalidInput, lang: Language) -> str:
    label = PASSWORD_FIELDS.get(error.field)
    return f"{label(lang) if label else error.field}: {error.message(lang)}"


@router.get("/wachtwoord")
def password_page(request: Request, who: Facilitator) -> Response:
    return render(request, "password.html", {"error": None})


@router.post("/wachtwoord")
async def change_password(request: Request, who: Facilitator, form: Form) -> Response:
    """The current password, then the new one twice; every session of the account ends."""
    started = time.monotonic()
    app = web_app(request).app
    lang = language(request)
    new = field(form, "new_password")
    try:
        checked = await users.check_current_password(
            app,
            who.subject_id,
            field(form, "current"),
            client=client_of(request),
            disconnected=disconnect_of(request),
        )
    except Busy:
        await answer_no_sooner(request, started)
        raise
    except hashing.ClientGone:
        return Response(status_code=499)
    try:
        if not checked.matched:
            await answer_no_sooner(request, started)
            return _wrong_current(request, checked, lang)
        request.session.pop(_FAILURES, None)
        if new != field(form, "repeat"):
            raise InvalidInput("repeat", NOT_REPEATED)
        store: SessionStore = request.app.state.sessions
        session = session_of(request)

        def keep(connection: Connection, user_id: int) -> None:
            # This browser's new session, in the transaction that ended all the others.
            start(request, who)
            flash(request, "success", CHANGED(lang))
            store.insert_in(connection, session)

        await run_in_threadpool(
            users.set_password,
            app,
            who.actor,
            new,
            actor=who.actor,
            field="new_password",
            keep=keep,
        )
    except InvalidInput as error:
        return render(request, "password.html", {"error": _refusal(error, lang)}, status=422)
    return RedirectResponse("/procedures", status_code=303)


def _wrong_current(request: Request, checked: users.CurrentCheck, lang: Language) -> Response:
    """The page again, or, after too many wrong passwords in this session, the end of it."""
    if checked.wait_seconds:
        message = MUST_WAIT(lang).format(seconds=checked.wait_seconds)
        error = InvalidInput("current", Text(message, message))
        return render(request, "password.html", {"error": _refusal(error, lang)}, status=422)
    failures = int(request.session.get(_FAILURES, 0) or 0) + 1
    if failures >= MAX_PASSWORD_FAILURES:
        end(request)
        flash(request, "error", ENDED(lang).format(count=failures))
        return RedirectResponse("/login", status_code=303)
    request.session[_FAILURES] = failures
    error = InvalidInput("current", WRONG_CURRENT)
    return render(request, "password.html", {"error": _refusal(error, lang)}, status=422)
