"""Pages anyone may see: the start and the accessibility statement (/health: server.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from workflow.web.rendering import render
from workflow.web.session import Role, principal

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request) -> Response:
    who = principal(request)
    if who is None:
        return RedirectResponse("/login", status_code=303)
    target = {
        Role.FACILITATOR: "/procedures",
        Role.EXPERT: "/portaal",
        Role.ARCHIVIST: "/advies",
        Role.MANAGEMENT: "/besluit",
    }.get(who.role, "/procedures")  # every account role starts at the procedures
    return RedirectResponse(target, status_code=303)


@router.get("/toegankelijkheid")
def accessibility(request: Request) -> Response:
    return render(request, "toegankelijkheid.html")
