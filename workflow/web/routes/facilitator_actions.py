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
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from states.audit_actions import AuditAction
from states.errors import InvalidInput
from states.i18n import Language, Text
from states.phases import Phase
from workflow import validation
from workflow.app import App
from workflow.commands import access, mail, people
from workflow.commands.base import seen_version
from workflow.commands.declarations import BY_NAME
from workflow.publishing import public_list_to
from workflow.web import views
from workflow.web.access import facilitator
from workflow.web.form_faces import FORMS, FormFace, run_declared, run_face
from workflow.web.forms import checked_form, field
from workflow.web.rendering import act, local_path, render
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


# --- irreversible steps: a summary first, then a second, deliberate click ---------------------

# The steps that cannot be undone; their forms first show what will happen.
CONFIRMED = frozenset(
    {AuditAction.PHASE_ADVANCE, AuditAction.PHASE_CANCEL, AuditAction.ADVICE_RECORD}
    | {AuditAction.DECISION_RECORD, AuditAction.PUBLICATION_RECORD}
)


def _said(form: FormData, name: str) -> str:
    return field(form, name).strip()


def _summary(
    name: AuditAction, page: views.ProcedurePage, form: FormData, lang: Language
) -> list[str]:
    """What the step will do, in the page's language, from what the form says."""
    phase, coming = page.phase, page.phase.next
    lines: list[Text] = []
    if name is AuditAction.PHASE_ADVANCE and coming is not None:
        lines.append(
            Text(
                f"De procedure gaat van ‘{phase.label.nl}’ naar ‘{coming.label.nl}’.",
                f"The procedure moves from ‘{phase.label.en}’ to ‘{coming.label.en}’.",
            )
        )
        if coming is Phase.DECISION:
            lines.append(
                Text(
                    "De conceptlijst wordt bevroren: er kan niets meer worden voorgedragen of "
                    "beoordeeld, en de archivaris krijgt het verzoek om advies.",
                    "The concept list is frozen: nothing more can be nominated or assessed, "
                    "and the archivist gets the request for advice.",
                )
            )
        if coming is Phase.CLOSED:
            lines.append(
                Text(
                    "De procedure wordt afgesloten; alle persoonlijke links vervallen.",
                    "The procedure is closed; every personal link ends.",
                )
            )
        lines.append(Text("De werkgroep krijgt bericht.", "The workgroup is told."))
    elif name is AuditAction.PHASE_CANCEL:
        reason = _said(form, "reason")
        lines += [
            Text(
                "De procedure wordt geannuleerd en kan niet worden hervat.",
                "The procedure is cancelled and cannot be resumed.",
            ),
            Text(
                "Alle persoonlijke links vervallen en de werkgroep krijgt bericht.",
                "Every personal link ends and the workgroup is told.",
            ),
            Text(f"Reden: {reason}", f"Reason: {reason}"),
        ]
    elif name is AuditAction.ADVICE_RECORD:
        by, reason = _said(form, "by"), _said(form, "reason")
        if _said(form, "advice") == "negative":
            lines += [
                Text(
                    f"Het advies van {by} wordt als negatief vastgelegd; de lijst gaat terug "
                    "naar de expertbijeenkomsten.",
                    f"The advice of {by} is recorded as negative; the list goes back to the "
                    "expert sessions.",
                ),
                Text(f"Reden: {reason}", f"Reason: {reason}"),
            ]
        else:
            lines.append(
                Text(
                    f"Het advies van {by} wordt als positief vastgelegd; het voorstel gaat "
                    "naar het management.",
                    f"The advice of {by} is recorded as positive; the proposal goes to management.",
                )
            )
    elif name is AuditAction.DECISION_RECORD:
        ref, day = _said(form, "ref"), _said(form, "day")
        if _said(form, "decision") == "adopted":
            lines.append(
                Text(
                    f"De hotspotlijst wordt vastgesteld bij besluit {ref} van {day}; de "
                    "experts krijgen bericht en de inventarisatie kan beginnen.",
                    f"The hotspot list is adopted by decision {ref} of {day}; the experts "
                    "are told and the inventory can begin.",
                )
            )
        else:
            lines.append(
                Text(
                    f"De lijst gaat terug naar de expertbijeenkomsten (besluit {ref} van {day}).",
                    f"The list goes back to the expert sessions (decision {ref} of {day}).",
                )
            )
    elif name is AuditAction.PUBLICATION_RECORD:
        ref, channel = _said(form, "ref"), _said(form, "channel")
        lines += [
            Text(
                f"De publicatie {ref} in {channel} wordt vastgelegd en de openbare lijst "
                "geschreven.",
                f"Publication {ref} in {channel} is recorded and the public list written.",
            ),
            Text(
                "Experts, werkgroep en management krijgen de aankondiging.",
                "Experts, workgroup and management get the announcement.",
            ),
        ]
    return [line(lang) for line in lines]


def early_deadline(page: views.ProcedurePage) -> date | None:
    """The nomination deadline when advancing now would enter the decision before it."""
    if page.phase.next is not Phase.DECISION:
        return None
    due = page.snapshot.milestones.get("nomination_deadline")
    return due if due is not None and page.today <= due else None


def confirmation(
    request: Request, pid: str, name: AuditAction, route: str, form: FormData
) -> Response:
    """The summary page of an irreversible step: a second form carries the same fields."""
    lang = language(request)
    state = web_app(request)
    page = views.procedure_page(state.app, pid, lang, state.caches.pages)
    carried = [
        (k, str(v))
        for k, v in form.multi_items()
        if k not in ("csrf_token", "confirmed", "confirm_early")
    ]
    early = early_deadline(page) if name is AuditAction.PHASE_ADVANCE else None
    return render(
        request,
        "facilitator/confirm.html",
        {
            "p": page,
            "base": page_of(page.record.id),
            "action": f"{page_of(page.record.id)}{route}",
            "title": BY_NAME[name].label(lang),
            "summary": _summary(name, page, form, lang),
            "carried": carried,
            "early": early,
        },
    )


def _form_route(face: FormFace) -> Callable[..., Response]:
    """The POST handler of one form face: read the form, run the command, flash, redirect."""

    def post(request: Request, pid: str, who: Facilitator, form: Form) -> Response:
        if face.name in CONFIRMED and field(form, "confirmed") != "1":
            return confirmation(request, pid, face.name, face.route, form)
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
    if field(form, "confirmed") != "1":
        return confirmation(request, pid, AuditAction.PUBLICATION_RECORD, "/publish", form)
    return _run(
        request,
        pid,
        lambda app: _publish(app, pid, form, who.actor),
        Text(
            f"Publicatie vastgelegd; openbare lijst in {PUBLIC_DIR}/",
            f"Publication recorded; public list in {PUBLIC_DIR}/",
        ),
    )
