"""The forms of the procedure page: each one runs a declared command, as the JSON API does.

Most forms run one declared command and nothing else: their routes are registered in a loop
from the form faces (workflow/web/form_faces.py: the command, the URL, the form's field
spellings, the success message). The forms that do more are written here by hand: importing
a CSV upload (no declared command), revoking an expert's link and inviting again, retrying
mail (one message or all, with what was left out) and publishing (the public list follows).

Every handler checks the facilitator first, then the CSRF token, runs its command through
`rendering.act` and redirects back to the procedure page, where the outcome waits as a flash
message: success, or the refusal with its rule codes.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from states.audit_actions import AuditAction
from states.errors import InvalidInput
from states.i18n import Text
from workflow import validation
from workflow.app import App
from workflow.commands import access, mail, people
from workflow.commands.base import seen_version
from workflow.commands.declarations import BY_NAME
from workflow.publishing import public_list_to
from workflow.web.access import facilitator
from workflow.web.form_faces import FORMS, FormFace, run_declared, run_face
from workflow.web.forms import checked_form, field
from workflow.web.rendering import act, local_path
from workflow.web.routes.facilitator import page_of
from workflow.web.runtime import web_app
from workflow.web.session import Principal, flash, language

router = APIRouter(include_in_schema=False)

Facilitator = Annotated[Principal, Depends(facilitator)]


async def _form_with_version(
    request: Request, form: Annotated[FormData, Depends(checked_form)]
) -> FormData:
    """The checked form; the procedure version the page showed is kept for `_run`."""
    request.state.seen_version = field(form, "version")
    return form


Form = Annotated[FormData, Depends(_form_with_version)]

# Where the public list is written after publishing, as `hotspot publish` does by default.
PUBLIC_DIR = Path("var") / "publicatie"


def _run(
    request: Request,
    pid: str,
    command: Callable[[App], Any],
    success: Text,
    back: str | None = None,
) -> Response:
    app = web_app(request).app
    # As the page wrote it: checked as every id is, so " 5" or "05" is no version.
    seen = str(getattr(request.state, "seen_version", ""))

    def run() -> Any:
        # The page's forms carry the version the facilitator saw: a procedure changed since
        # is refused as "changed by someone else", never re-run behind their back.
        version = validation.parse_id("version", seen) if seen else None
        with seen_version(version):
            return command(app)

    return act(request, run, success, back or page_of(pid))


# The section of the procedure page each form sits in (its heading's id): after a submit the
# page opens there, with the answer in that section. Forms whose step can take the section
# away (advice and decision change the phase) and the deviations return to the top.
SECTION_OF = {
    "/members": "g-werkgroep",
    "/milestones": "g-werkgroep",
    "/experts": "g-experts",
    "/sessions": "g-sessions",
    "/candidates": "g-candidates",
    "/concept-list": "g-candidates",
    "/inventory": "g-inventory",
}


def section_of(route: str) -> str | None:
    return SECTION_OF.get("/" + route.strip("/").split("/", 1)[0])


def back_within(pid: str, form: FormData) -> str | None:
    """The page (and section) a form asked to return to, if it is one of this procedure's:
    a form on the inventory page returns there, at the hotspot it was sent from."""
    wanted = field(form, "back")
    home = page_of(pid)
    if wanted.startswith(home + "/") or wanted.startswith(home + "#"):
        return local_path(wanted, home)
    return None


def _form_route(face: FormFace) -> Callable[..., Response]:
    """The POST handler of one form face: read the form, run the command, flash, redirect."""

    def post(request: Request, pid: str, who: Facilitator, form: Form) -> Response:
        section = section_of(face.route)
        default = f"{page_of(pid)}#{section}" if section else None
        return _run(
            request,
            pid,
            lambda app: run_face(app, face, pid, form, who.actor),
            face.success,
            back_within(pid, form) or default,
        )

    post.__name__ = post.__qualname__ = face.endpoint_name
    return post


for _face in FORMS:
    router.post(_face.url, name=_face.endpoint_name)(_form_route(_face))


# --- the forms that do more than run one declared command ------------------------------------


_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


def _import_upload(app: App, pid: str, upload: object, actor: str) -> dict[str, Any]:
    """Write the upload to a private temporary folder: import_experts reads a file, as the CLI."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InvalidInput("file", Text("kies een CSV-bestand", "choose a CSV file"))
    limit = app.settings.web.max_upload_bytes
    content = upload.file.read(limit + 1)
    if len(content) > limit:
        shown = f"{limit:,}".replace(",", ".")
        raise InvalidInput(
            "file",
            Text(
                f"het bestand is groter dan {shown} bytes",
                f"the file is larger than {limit:,} bytes",
            ),
        )
    # The audit record names the file: keep the name the facilitator chose, made harmless.
    name = _UNSAFE_NAME.sub("_", Path(upload.filename).name)[:100] or "experts.csv"
    with tempfile.TemporaryDirectory(prefix="hotspot-import-") as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        return people.import_experts(app, pid, path, actor=actor)


@router.post("/procedures/{pid}/experts/import")
def import_experts(request: Request, pid: str, who: Facilitator, form: Form) -> Response:
    return _run(
        request,
        pid,
        lambda app: _import_upload(app, pid, form.get("file"), who.actor),
        Text("Experts geïmporteerd", "Experts imported"),
    )


def _revoke(app: App, pid: str, form: FormData, actor: str) -> None:
    email = field(form, "email")
    reason = field(form, "reason").strip() or None
    access.revoke_expert_link(app, pid, email, actor=actor, reason=reason)
    if field(form, "reinvite") == "yes":
        invite = BY_NAME[AuditAction.EXPERT_INVITE]
        run_declared(app, invite, actor=actor, path={"pid": pid}, body={"emails": [email]})


@router.post("/procedures/{pid}/experts/revoke")
def revoke_link(request: Request, pid: str, who: Facilitator, form: Form) -> Response:
    return _run(
        request,
        pid,
        lambda app: _revoke(app, pid, form, who.actor),
        Text("Persoonlijke link ingetrokken", "Personal link revoked"),
    )


def _retry(app: App, pid: str, form: FormData, actor: str) -> dict[str, Any]:
    """One failed message (its number in the form) or, without one, all failed of `pid`."""
    number = field(form, "message")
    if not number.strip():
        return mail.retry_procedure(app, pid, actor=actor)
    message = validation.parse_id("message", number)
    return mail.retry_message(app, message, actor=actor, procedure_id=pid)


@router.post("/procedures/{pid}/mail/retry")
def retry_mail(request: Request, pid: str, who: Facilitator, form: Form) -> Response:
    def command(app: App) -> dict[str, Any]:
        result = _retry(app, pid, form, who.actor)
        if result["skipped"]:
            # What did not go again, and why: the facilitator sees it beside the success.
            english = language(request) == "en"
            flash(
                request,
                "info",
                "Not sent again" if english else "Niet opnieuw verstuurd",
                [s["reason_en" if english else "reason"] for s in result["skipped"]],
            )
        return result

    return _run(request, pid, command, Text("Mail opnieuw klaargezet", "Mail queued again"))


def _weeks(form: FormData) -> int | None:
    value = field(form, "objection_weeks").strip()
    if not value:
        return None
    if not value.isdecimal() or len(value) > 6:
        raise InvalidInput(
            "objection_weeks", Text(f"{value!r} is geen aantal weken", f"{value!r} is no weeks")
        )
    return int(value)


def _publish(app: App, pid: str, form: FormData, actor: str) -> None:
    body = {
        "channel": field(form, "channel"),
        "ref": field(form, "ref"),
        "date": field(form, "day"),
        "objection_weeks": _weeks(form),
    }
    publication = BY_NAME[AuditAction.PUBLICATION_RECORD]
    # As `hotspot publish` and the API: the public list follows (workflow.publishing).
    with public_list_to(PUBLIC_DIR):
        run_declared(app, publication, actor=actor, path={"pid": pid}, body=body)


@router.post("/procedures/{pid}/publish")
def publish(request: Request, pid: str, who: Facilitator, form: Form) -> Response:
    return _run(
        request,
        pid,
        lambda app: _publish(app, pid, form, who.actor),
        Text(
            f"Publicatie vastgelegd; openbare lijst in {PUBLIC_DIR}/",
            f"Publication recorded; public list in {PUBLIC_DIR}/",
        ),
    )
