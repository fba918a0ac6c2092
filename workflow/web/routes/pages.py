"""Pages anyone may see: the start and the accessibility statement (/health: server.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from states.errors import InvalidInput, NotFound
from states.i18n import Text
from workflow import documents
from workflow.web.rendering import render
from workflow.web.runtime import web_app
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


@router.get("/openbaar/{pid}")
def public_list(request: Request, pid: str) -> Response:
    """The adopted hotspot list as published: open to anyone once the publication is recorded,
    with no personal data of experts (workflow.documents.public_list_data leaves them out)."""
    try:
        data = documents.public_list_data(web_app(request).app, pid)
    except (NotFound, InvalidInput):
        data = None
    if data is None or data.publication is None:
        raise NotFound(
            Text(
                "Er is (nog) geen gepubliceerde hotspotlijst onder dit adres.",
                "There is no published hotspot list at this address (yet).",
            )
        )
    return render(request, "public_list.html", {"data": data})


@router.get("/toegankelijkheid")
def accessibility(request: Request) -> Response:
    return render(request, "toegankelijkheid.html")
