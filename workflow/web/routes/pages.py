"""Pages anyone may see: the start, the accessibility statement, the static floor page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from workflow.web.rendering import render
from workflow.web.session import Role, principal

router = APIRouter(include_in_schema=False)

# A page that costs nothing to make: the benchmark's floor, and a liveness check.
_STATIC = (
    '<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Hotspotmonitor</title>'
    "</head><body><main><h1>Hotspotmonitor</h1><p>De toepassing draait.</p></main></body></html>"
)


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
    }[who.role]
    return RedirectResponse(target, status_code=303)


@router.get("/toegankelijkheid")
def accessibility(request: Request) -> Response:
    return render(request, "toegankelijkheid.html")


@router.get("/health")
def health() -> HTMLResponse:
    return HTMLResponse(_STATIC)
