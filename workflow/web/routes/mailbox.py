"""Local mode: the facilitator reads the mails the file transport wrote, in the browser.

A message is addressed by its file name, and only a name found in the mail folder is served,
so no path from the URL ever reaches the file system. A mail's HTML part is served on its
own address with a policy that forbids scripts, frames and remote content.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from states.errors import NotFound
from states.i18n import Text
from workflow.web.access import facilitator
from workflow.web.rendering import render
from workflow.web.runtime import web_app
from workflow.web.session import Principal

router = APIRouter(include_in_schema=False)

Facilitator = Annotated[Principal, Depends(facilitator)]

LISTED = 200
# The mail's own HTML: no script, no frames, no requests to anywhere; inline styles only,
# and `sandbox` makes the page a unique origin whatever it contains.
MAIL_HTML_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"

SMTP_MODE = Text(
    "Mail wordt via SMTP verstuurd; er is geen lokale map met berichten om te lezen.",
    "Mail is sent by SMTP; there is no local folder of messages to read.",
)
UNKNOWN = Text("Dit bericht bestaat niet (meer).", "This message does not exist (any more).")
NO_HTML = Text("Dit bericht heeft geen HTML-deel.", "This message has no HTML part.")


@dataclass(frozen=True, slots=True)
class Listed:
    name: str
    date: datetime | None
    to: str
    subject: str


def _folder(request: Request) -> Path:
    folder = web_app(request).mail_dir
    if folder is None:
        raise NotFound(SMTP_MODE)
    return folder


def _files(folder: Path) -> dict[str, Path]:
    """Every message in the folder (and below) by file name, newest first."""
    if not folder.is_dir():
        return {}
    root = folder.resolve()
    found = [p for p in folder.rglob("*.eml") if p.is_file() and p.resolve().is_relative_to(root)]
    found.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    files: dict[str, Path] = {}
    for path in found:
        # Two folders holding the same name: the newer one is the one shown.
        files.setdefault(path.name, path)
    return files


def _parse(path: Path, headers_only: bool = False) -> EmailMessage:
    with path.open("rb") as handle:
        message = BytesParser(policy=policy.default).parse(handle, headersonly=headers_only)
    assert isinstance(message, EmailMessage)
    return message


def _date(message: EmailMessage) -> datetime | None:
    try:
        return parsedate_to_datetime(str(message["Date"])) if message["Date"] else None
    except (TypeError, ValueError):
        return None


def _message(request: Request, name: str) -> EmailMessage:
    path = _files(_folder(request)).get(name)
    if path is None:
        raise NotFound(UNKNOWN)
    return _parse(path)


@router.get("/mail")
def mailbox(request: Request, who: Facilitator) -> Response:
    folder = _folder(request)
    rows = []
    for name, path in list(_files(folder).items())[:LISTED]:
        head = _parse(path, headers_only=True)
        rows.append(Listed(name, _date(head), str(head["To"] or ""), str(head["Subject"] or "")))
    return render(request, "mailbox/list.html", {"rows": rows, "limit": LISTED})


@router.get("/mail/{name}")
def message(request: Request, name: str, who: Facilitator) -> Response:
    mail = _message(request, name)
    text = mail.get_body(preferencelist=("plain",))
    html = mail.get_body(preferencelist=("html",))
    attachments = [
        part.get_filename() or part.get_content_type()
        for part in mail.iter_attachments()
        if isinstance(part, EmailMessage)
    ]
    return render(
        request,
        "mailbox/message.html",
        {
            "name": name,
            "headers": [
                (key, str(mail[key]))
                for key in ("From", "To", "Reply-To", "Subject", "Date", "Message-ID")
                if mail[key]
            ],
            "text": text.get_content() if isinstance(text, EmailMessage) else "",
            "has_html": html is not None,
            "attachments": attachments,
        },
    )


@router.get("/mail/{name}/html")
def message_html(request: Request, name: str, who: Facilitator) -> Response:
    html = _message(request, name).get_body(preferencelist=("html",))
    if not isinstance(html, EmailMessage):
        raise NotFound(NO_HTML)
    return Response(
        html.get_content(),
        media_type="text/html; charset=utf-8",
        headers={"content-security-policy": MAIL_HTML_POLICY},
    )
