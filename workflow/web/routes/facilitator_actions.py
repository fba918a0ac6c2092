"""The forms of the procedure page: each one calls the workflow command the CLI calls.

Every handler checks the facilitator first, then the CSRF token, runs one command (two for
"revoke and invite again") through `rendering.act` and redirects back to the procedure page,
where the outcome waits as a flash message: success, or the refusal with its rule codes.
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

from notifications.documents import write_public_list
from states.errors import InvalidInput
from states.i18n import Text
from workflow import validation
from workflow.app import App
from workflow.commands import (
    access,
    decision,
    mail,
    people,
    planning,
    procedures,
    records,
    sessions,
)
from workflow.commands.base import seen_version
from workflow.documents import public_list_data
from workflow.web.access import facilitator
from workflow.web.forms import checked_form, field, fields
from workflow.web.rendering import act
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

    return act(request, run, success, page_of(pid))


def _either(form: FormData, name: str, yes: str, no: str) -> bool:
    """A required choice between two radio buttons; InvalidInput (flashed) when neither."""
    value = field(form, name)
    if value not in (yes, no):
        raise InvalidInput(name, Text(f"kies {yes} of {no}", f"choose {yes} or {no}"))
    return value == yes


def _optional(form: FormData, name: str) -> str | None:
    return field(form, name).strip() or None


# --- workgroup and planning ----------------------------------------------------------------


@router.post("/procedures/{pid}/members")
def add_member(request: Request, pid: str, who: Facilitator, form: Form) -> Response:
    return _run(
        request,
        pid,
        lambda app: people.add_member(
            app,
            pid,
            name=field(form, "name"),
            email=field(form, "email"),
            role=field(form, "role"),
            language=field(form, "language") or "nl",
            actor=who.actor,
        ),
        Text("Werkgroeplid toegevoegd", "Workgroup member added"),
    )


@router.post("/procedures/{pid}/milestones")
def set_milestone(request: Request, pid: str, who: Facilitator, form: Form) -> Response:
    return _run(
        request,
        pid,
        lambda app: planning.set_milestone(
            app, pid, field(form, "key"), field(form, "day"), actor=who.actor
        ),
        Text("Mijlpaal vastgelegd", "Milestone set"),
    )


# --- experts -------------------------------------------------------------------------------


@router.post("/procedures/{pid}/experts")
def add_expert(request: Request, pid: str, who: Facilitator, form: Form) -> Response:
    return _run(
        request,
        pid,
        lambda app: people.add_expert(
            app,
            pid,
            name=field(form, "name"),
            email=field(form, "email"),
            perspective=field(form, "perspective"),
            profile=field(form, "profile"),
            language=field(form, "language") or "nl",
            actor=who.actor,
        ),
        Text("Expert toegevoegd", "Expert added"),
    )


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


@router.post("/procedures/{pid}/experts/invite")
def invite(request: Request, pid: str, who: Facilitator, form: Form) -> Response:
    one = _optional(form, "email")
    return _run(
        request,
        pid,
        lambda app: people.invite(app, pid, [one] if one else [], actor=who.actor),
        Text("Uitnodiging(en) klaargezet", "Invitation(s) queued"),
    )


@router.post("/procedures/{pid}/experts/respond")
def respond(request: Request, pid: str, who: Facilitator, form: Form) -> Response:
    return _run(
        request,
        pid,
        lambda app: people.respond(
            app,
            pid,
            field(form, "email"),
            accept=_either(form, "answer", "accept", "decline"),
            actor=who.actor,
        ),
        Text("Antwoord vastgelegd", "Answer recorded"),
    )


def _revoke(app: App, pid: str, form: FormData, actor: str) -> None:
    email = field(form, "email")
    access.revoke_expert_link(app, pid, email, actor=actor, reason=_optional(form, "reason"))
    if field(form, "reinvite") == "yes":
        people.invite(app, pid, [email], actor=actor)


@router.post("/procedures/{pid}/experts/revoke")
def revoke_link(request: Request, pid: str, who: Facilitator, form: Form) -> Response:
    return _run(
        request,
        pid,
        lambda app: _revoke(app, pid, form, who.actor),
        Text("Persoonlijke link ingetrokken", "Personal link revoked"),
    )


@router.post("/procedures/{pid}/links/revoke")
def revoke_member_links(request: Request, pid: str, who: Facilitator, form: Form) -> Response:
    """Any person's links by address and kind: the archivist's and management's too."""
    return _run(
        request,
        pid,
        lambda app: access.revoke_links(
            app,
            pid,
            field(form, "email"),
            actor=who.actor,
            purpose=field(form, "purpose") or None,
            reason=_optional(form, "reason"),
            field="email",
        ),
        Text("Persoonlijke link(s) ingetrokken", "Personal link(s) revoked"),
    )


_CORRECTED = Text(
    "E-mailadres verbeterd; wachtende en mislukte mail gaat naar het nieuwe adres",
    "Address corrected; waiting and failed mail goes to the new address",
)


@router.post("/procedures/{pid}/experts/email")
def correct_expert_email(request: Request, pid: str, who: Facilitator, form: Form) -> Response:
    return _correct(request, pid, who, form, people.correct_expert_email)


@router.post("/procedures/{pid}/members/email")
def correct_member_email(request: Request, pid: str, who: Facilitator, form: Form) -> Response:
    return _correct(request, pid, who, form, people.correct_member_email)


def _correct(
    request: Request,
    pid: str,
    who: Principal,
    form: FormData,
    command: Callable[..., dict[str, Any]],
) -> Response:
    old, new = field(form, "old"), field(form, "new")
    return _run(request, pid, lambda app: command(app, pid, old, new, actor=who.actor), _CORRECTED)


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


# --- sessions and candidates ---------------------------------------------------------------


@router.post("/procedures/{pid}/sessions")
def add_session(request: Request, pid: str, who: Facilitator, form: Form) -> Response:
    return _run(
        request,
        pid,
        lambda app: sessions.add_session(
            app, pid, at=field(form, "at"), location=_optional(form, "location"), actor=who.actor
        ),
        Text("Bijeenkomst gepland", "Session planned"),
    )


@router.post("/procedures/{pid}/sessions/move")
def move_session(request: Request, pid: str, who: Facilitator, form: Form) -> Response:
    return _run(
        request,
        pid,
        lambda app: sessions.move_session(
            app, pid, field(form, "session"), at=field(form, "at"), actor=who.actor
        ),
        Text("Bijeenkomst verplaatst", "Session moved"),
    )


@router.post("/procedures/{pid}/sessions/cancel")
def cancel_session(request: Request, pid: str, who: Facilitator, form: Form) -> Response:
    return _run(
        request,
        pid,
        lambda app: sessions.cancel_session(
            app, pid, field(form, "session"), reason=field(form, "reason"), actor=who.actor
        ),
        Text("Bijeenkomst geannuleerd", "Session cancelled"),
    )


@router.post("/procedures/{pid}/sessions/attend")
def attend(request: Request, pid: str, who: Facilitator, form: Form) -> Response:
    return _run(
        request,
        pid,
        lambda app: sessions.attend(
            app, pid, field(form, "session"), fields(form, "emails"), actor=who.actor
        ),
        Text("Aanwezigheid vastgelegd", "Attendance recorded"),
    )


@router.post("/procedures/{pid}/candidates")
def add_candidate(request: Request, pid: str, who: Facilitator, form: Form) -> Response:
    return _run(
        request,
        pid,
        lambda app: sessions.add_candidate(
            app,
            pid,
            title=field(form, "title"),
            start=field(form, "start"),
            end=_optional(form, "end"),
            description=field(form, "description"),
            nominated_by=field(form, "nominated_by"),
            actor=who.actor,
        ),
        Text("Kandidaat-hotspot voorgedragen", "Candidate hotspot nominated"),
    )


@router.post("/procedures/{pid}/candidates/assess")
def assess(request: Request, pid: str, who: Facilitator, form: Form) -> Response:
    return _run(
        request,
        pid,
        lambda app: sessions.assess(
            app,
            pid,
            field(form, "candidate"),
            criteria=",".join(fields(form, "criteria")),
            motivation=field(form, "motivation"),
            include=_either(form, "verdict", "include", "exclude"),
            actor=who.actor,
        ),
        Text("Beoordeling vastgelegd", "Assessment recorded"),
    )


@router.post("/procedures/{pid}/concept-list/empty")
def empty_list(request: Request, pid: str, who: Facilitator, form: Form) -> Response:
    return _run(
        request,
        pid,
        lambda app: sessions.empty_list_reason(
            app, pid, reason=field(form, "reason"), actor=who.actor
        ),
        Text("Reden voor een lege lijst vastgelegd", "Reason for an empty list recorded"),
    )


# --- advice, decision, inventory, publication ----------------------------------------------


@router.post("/procedures/{pid}/advice")
def record_advice(request: Request, pid: str, who: Facilitator, form: Form) -> Response:
    return _run(
        request,
        pid,
        lambda app: decision.record_advice(
            app,
            pid,
            positive=_either(form, "advice", "positive", "negative"),
            by=field(form, "by"),
            reason=_optional(form, "reason"),
            ref=_optional(form, "ref"),
            day=_optional(form, "day"),
            actor=who.actor,
            via="facilitator",
        ),
        Text("Advies vastgelegd namens de archivaris", "Advice recorded for the archivist"),
    )


@router.post("/procedures/{pid}/decision")
def record_decision(request: Request, pid: str, who: Facilitator, form: Form) -> Response:
    return _run(
        request,
        pid,
        lambda app: decision.record_decision(
            app,
            pid,
            adopted=_either(form, "decision", "adopted", "returned"),
            day=field(form, "day"),
            ref=field(form, "ref"),
            reason=_optional(form, "reason"),
            actor=who.actor,
            via="facilitator",
        ),
        Text("Besluit vastgelegd namens het bestuursorgaan", "Decision recorded for the body"),
    )


@router.post("/procedures/{pid}/inventory/system")
def inventory_system(request: Request, pid: str, who: Facilitator, form: Form) -> Response:
    return _run(
        request,
        pid,
        lambda app: records.add_system(
            app,
            pid,
            field(form, "hotspot"),
            system=field(form, "system"),
            query=field(form, "query"),
            owner=field(form, "owner"),
            owner_email=_optional(form, "owner_email"),
            actor=who.actor,
        ),
        Text("Informatiesysteem opgegeven", "Information system listed"),
    )


@router.post("/procedures/{pid}/inventory/dossier")
def inventory_dossier(request: Request, pid: str, who: Facilitator, form: Form) -> Response:
    return _run(
        request,
        pid,
        lambda app: records.mark_dossier(
            app,
            pid,
            field(form, "hotspot"),
            system=field(form, "system"),
            dossier=field(form, "dossier"),
            title=_optional(form, "title"),
            actor=who.actor,
        ),
        Text("Dossier gemarkeerd als blijvend bewaren", "Dossier marked for permanent retention"),
    )


@router.post("/procedures/{pid}/inventory/none")
def inventory_none(request: Request, pid: str, who: Facilitator, form: Form) -> Response:
    return _run(
        request,
        pid,
        lambda app: records.nothing_found(
            app,
            pid,
            field(form, "hotspot"),
            system=field(form, "system"),
            reason=field(form, "reason"),
            actor=who.actor,
        ),
        Text("Niets gevonden; reden vastgelegd", "Nothing found; reason recorded"),
    )


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
    records.publish(
        app,
        pid,
        channel=field(form, "channel"),
        ref=field(form, "ref"),
        day=field(form, "day"),
        objection_weeks=_weeks(form),
        actor=actor,
    )
    # As `hotspot publish`: the files follow from what was committed; should writing them
    # fail, the publication stands and `hotspot public-list` writes them again.
    try:
        write_public_list(public_list_data(app, pid), PUBLIC_DIR)
    except OSError as error:
        raise InvalidInput(
            "out",
            Text(
                f"publicatie vastgelegd, maar de openbare lijst kon niet worden geschreven "
                f"({error}); probeer opnieuw met 'hotspot public-list {pid}'",
                f"publication recorded, but the public list could not be written ({error}); "
                f"try again with 'hotspot public-list {pid}'",
            ),
        ) from None


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


# --- the phase -----------------------------------------------------------------------------


@router.post("/procedures/{pid}/advance")
def advance(request: Request, pid: str, who: Facilitator, form: Form) -> Response:
    return _run(
        request,
        pid,
        lambda app: procedures.advance(app, pid, reason=_optional(form, "reason"), actor=who.actor),
        Text("Naar de volgende fase", "Moved on to the next phase"),
    )


@router.post("/procedures/{pid}/cancel")
def cancel(request: Request, pid: str, who: Facilitator, form: Form) -> Response:
    return _run(
        request,
        pid,
        lambda app: procedures.cancel(app, pid, reason=field(form, "reason"), actor=who.actor),
        Text("Procedure geannuleerd", "Procedure cancelled"),
    )


@router.post("/procedures/{pid}/deviations")
def deviate(request: Request, pid: str, who: Facilitator, form: Form) -> Response:
    return _run(
        request,
        pid,
        lambda app: procedures.deviate(
            app, pid, field(form, "rule"), reason=field(form, "reason"), actor=who.actor
        ),
        Text("Afwijking vastgelegd", "Deviation recorded"),
    )
