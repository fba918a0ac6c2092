"""`/mail`: failed mail with its retry buttons, and in local mode the mails the file transport
wrote, to read in the browser.

A message is addressed by its file name, and only a name found in the mail folder is served,
so no path from the URL ever reaches the file system. A mail's HTML part is served on its
own address with a policy that forbids scripts, frames and remote content. The headers that
carry a person's text are shown decoded as RFC 2047 says (never re-parsed into new lines).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from notifications import sender
from states.errors import NotFound
from states.i18n import Text
from workflow import validation
from workflow.commands import mail as mail_commands
from workflow.mail_labels import problem_label
from workflow.web.access import facilitator
from workflow.web.forms import checked_form, field
from workflow.web.rendering import act, local_path, render
from workflow.web.runtime import web_app
from workflow.web.session import Principal, language

router = APIRouter(include_in_schema=False)

Facilitator = Annotated[Principal, Depends(facilitator)]
Form = Annotated[FormData, Depends(checked_form)]

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


def shown_header(message: EmailMessage, name: str) -> str:
    """A header as the receiver reads it: RFC 2047 words decoded, folds undone, one line."""
    raw = next((str(v) for k, v in message.raw_items() if k.lower() == name.lower()), "")
    if not raw:
        return ""
    unfolded = " ".join(raw.split())
    try:
        text = str(make_header(decode_header(unfolded)))
    except (ValueError, LookupError, UnicodeError):
        text = unfolded
    # Whatever a sender encoded, it is shown on one line.
    return " ".join(text.split())


FAILED_LISTED = 100


@router.get("/mail")
def mailbox(request: Request, who: Facilitator) -> Response:
    """Failed mail (every procedure) with a retry button; in local mode the written mails."""
    folder = web_app(request).mail_dir
    rows = []
    for name, path in list(_files(folder).items())[:LISTED] if folder is not None else ():
        head = _parse(path, headers_only=True)
        rows.append(
            Listed(name, _date(head), shown_header(head, "To"), shown_header(head, "Subject"))
        )
    app = web_app(request).app
    failed = sender.list_messages(app, failed_only=True, limit=FAILED_LISTED)
    lang = language(request)
    problem = sender.open_problem(app)
    if problem is not None:
        problem["label"] = problem_label(problem["code"], lang)
    return render(
        request,
        "mailbox/list.html",
        {
            "rows": rows,
            "limit": LISTED,
            "local": folder is not None,
            "smtp_note": SMTP_MODE(lang),
            "failed": failed,
            "failed_limit": FAILED_LISTED,
            "problem": problem,
        },
    )


@router.post("/mail/retry")
def retry(request: Request, who: Facilitator, form: Form) -> Response:
    """Send one failed message again (audited on its procedure's trail)."""
    app = web_app(request).app
    back = local_path(field(form, "next"), "/mail")
    return act(
        request,
        lambda: mail_commands.retry_message(
            app, validation.parse_id("message", field(form, "message")), actor=who.actor
        ),
        Text("Bericht opnieuw klaargezet", "Message queued again"),
        back,
    )


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
                (key, shown_header(mail, key))
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
