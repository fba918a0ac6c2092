"""Logging in and out as a facilitator, and switching the language."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from states.i18n import parse_language
from workflow import users
from workflow.web.forms import checked_form, field
from workflow.web.rendering import local_path, render
from workflow.web.runtime import web_app
from workflow.web.session import Principal, Role, end, flash, language, start

router = APIRouter(include_in_schema=False)

# Every failed attempt answers this much later, on top of the account's growing wait.
FAILED_LOGIN_DELAY = 1.0


@router.get("/login")
def login_page(request: Request, next: str = "/procedures") -> Response:
    return render(request, "login.html", {"next": local_path(next, "/procedures"), "error": None})


@router.post("/login")
async def login(request: Request, form: Annotated[FormData, Depends(checked_form)]) -> Response:
    target = local_path(field(form, "next"), "/procedures")
    app = web_app(request).app
    try:
        user = await run_in_threadpool(
            users.authenticate, app, field(form, "username"), field(form, "password")
        )
    except users.LoginRefused as refusal:
        # Slowed down: guessing passwords by the thousand takes hours, not seconds.
        await asyncio.sleep(FAILED_LOGIN_DELAY)
        return render(
            request,
            "login.html",
            {
                "next": target,
                "error": refusal.explain(language(request)),
                "username": field(form, "username"),
            },
            status=401,
        )
    start(request, Principal(Role.FACILITATOR, user.id, user.username, user.name))
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
async def logout(request: Request, form: Annotated[FormData, Depends(checked_form)]) -> Response:
    end(request)
    lang = language(request)
    flash(request, "info", "You have been logged out." if lang == "en" else "U bent uitgelogd.")
    return RedirectResponse("/login", status_code=303)


@router.get("/taal/{code}")
def switch_language(request: Request, code: str, next: str = "/") -> Response:
    """Nederlands or English for this session; nothing else changes."""
    request.session["lang"] = parse_language(code)
    return RedirectResponse(local_path(next), status_code=303)
