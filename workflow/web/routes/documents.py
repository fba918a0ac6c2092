"""Downloads of the procedure's document versions: from the procedure page, and from the
advice and decision pages for the documents those steps are about.

Every file is sent as an attachment with its stored SHA-256 in a header, never shown inline:
a stored HTML page is the organisation's record, not a page of this site.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import Response

from notifications.document_store import DocumentKind
from states.i18n import Text
from workflow.commands import schema
from workflow.read import documents as read_documents
from workflow.validation import MAX_ID
from workflow.web import access
from workflow.web.runtime import web_app
from workflow.web.session import NotAllowed, Principal

router = APIRouter(include_in_schema=False)

Facilitator = Annotated[Principal, Depends(access.facilitator)]
Archivist = Annotated[Principal, Depends(access.archivist)]
Management = Annotated[Principal, Depends(access.management)]
# A number the database can hold: a longer one is a 422, not an overflow deep down.
DocumentId = Annotated[int, schema.IdDigits, Path(ge=1, le=MAX_ID)]

# What the link pages offer: the list being judged, as asked and as proposed.
STEP_KINDS = (DocumentKind.ADVICE_REQUEST, DocumentKind.PROPOSAL)


def _download(
    request: Request,
    pid: str,
    document_id: int,
    fmt: str,
    kinds: tuple[DocumentKind, ...] | None = None,
) -> Response:
    app = web_app(request).app
    if kinds is None:
        stored = read_documents.document_file(app, pid, document_id, fmt)
    else:
        stored = read_documents.document_file(app, pid, document_id, fmt, kinds)
    return Response(
        stored.content,
        media_type=stored.media_type,
        headers={
            "content-disposition": f'attachment; filename="{stored.filename}"',
            # This file's own hash; the pages and the audit trail give the content's.
            "x-content-sha256": stored.sha256,
            "cache-control": "private, max-age=0",
        },
    )


def _link_procedure(who: Principal) -> str:
    if who.procedure_id is None:  # pragma: no cover - a link session always has one
        raise NotAllowed(Text("Geen procedure in deze sessie.", "No procedure in this session."))
    return who.procedure_id


@router.get("/procedures/{pid}/documenten/{document_id}/{fmt}")
def procedure_document(
    request: Request, pid: str, document_id: DocumentId, fmt: str, who: Facilitator
) -> Response:
    return _download(request, pid, document_id, fmt)


@router.get("/advies/documenten/{document_id}/{fmt}")
def advice_document(
    request: Request, document_id: DocumentId, fmt: str, who: Archivist
) -> Response:
    return _download(request, _link_procedure(who), document_id, fmt, STEP_KINDS)


@router.get("/besluit/documenten/{document_id}/{fmt}")
def decision_document(
    request: Request, document_id: DocumentId, fmt: str, who: Management
) -> Response:
    return _download(request, _link_procedure(who), document_id, fmt, STEP_KINDS)
