"""Pages anyone may see: the start and the accessibility statement (/health: server.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from notifications.document_store import DocumentKind
from states.errors import InvalidInput, NotFound
from states.i18n import Text
from workflow import documents
from workflow.read import documents as read_documents
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
    with web_app(request).app.reading() as connection:
        kept = read_documents.document_rows(connection, pid, (DocumentKind.PUBLIC_LIST,))
    return render(request, "public_list.html", {"data": data, "kept": kept[0] if kept else None})


@router.get("/openbaar/{pid}/hotspotlijst.{fmt}")
def public_list_file(request: Request, pid: str, fmt: str) -> Response:
    """The published list's kept file (PDF/A, CSV, JSON, HTML): the newest version, the same
    bytes the publication mail carried."""
    app = web_app(request).app
    with app.reading() as connection:
        kept = read_documents.document_rows(connection, pid, (DocumentKind.PUBLIC_LIST,))
    if not kept:
        raise NotFound(
            Text(
                "Er is (nog) geen gepubliceerde hotspotlijst onder dit adres.",
                "There is no published hotspot list at this address (yet).",
            )
        )
    stored = read_documents.document_file(app, pid, kept[0].id, fmt, (DocumentKind.PUBLIC_LIST,))
    return Response(
        stored.content,
        media_type=stored.media_type,
        headers={
            "content-disposition": f'attachment; filename="{stored.filename}"',
            "x-content-sha256": stored.sha256,
        },
    )


@router.get("/toegankelijkheid")
def accessibility(request: Request) -> Response:
    return render(request, "toegankelijkheid.html")
