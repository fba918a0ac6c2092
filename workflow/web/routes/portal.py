"""The expert portal, reached by an expert's personal link.

Opening the link starts a session bound to one expert of one procedure; the portal then shows
that expert's own answer, the session dates, the nomination deadline and their own nominations.
Every query is filtered by the session's procedure and expert: another expert's name, address
or nominations never reach this page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from states.actions import ALLOWED_PHASES, Action
from states.errors import HotspotError, InvalidInput, NotFound, Refused
from states.i18n import Language, Text, local_date
from states.phases import Phase
from states.snapshot import Response as Answer
from states.vocabulary import CRITERIA
from workflow import links, validation
from workflow.app import App
from workflow.commands import nominations, people
from workflow.links import Grant, LinkProblem, LinkRefused, Purpose
from workflow.procedure_store import ProcedureRecord, load_procedure
from workflow.read import people as read_people
from workflow.web import access
from workflow.web.forms import checked_form, field, fields
from workflow.web.rendering import act, error_lines, render
from workflow.web.runtime import web_app
from workflow.web.session import NotAllowed, Principal, Role, flash, language, start

router = APIRouter(include_in_schema=False)

Expert = Annotated[Principal, Depends(access.expert)]
Form = Annotated[FormData, Depends(checked_form)]

ANSWER_LABELS: dict[Answer, Text] = {
    Answer.PENDING: Text("u hebt nog niet geantwoord", "you have not answered yet"),
    Answer.ACCEPTED: Text("u hebt toegezegd", "you have accepted"),
    Answer.DECLINED: Text("u hebt afgezegd", "you have declined"),
}
NOT_ACCEPTED = Text(
    "Alleen experts die hebben toegezegd kunnen de uitnodiging voor een bijeenkomst downloaden.",
    "Only experts who have accepted can download a session invitation.",
)
NO_SUCH_SESSION = Text(
    "Deze bijeenkomst bestaat niet (meer) in uw procedure.",
    "This session does not exist (any more) in your procedure.",
)


def verified_grant(request: Request, token: str, purpose: Purpose) -> Grant:
    """The grant of a personal link, or LinkRefused (invalid, expired, revoked: a clear page)."""
    app = web_app(request).app
    keys = links.link_keys(app.keys)
    with app.engine.connect() as connection:
        return links.verify(
            connection,
            keys=keys,
            token=token,
            purpose=purpose,
            now=app.now(),
        )


def subject_gone() -> LinkRefused:
    """A valid link whose person was removed from the procedure: as good as an invalid one."""
    return LinkRefused(LinkProblem.INVALID, links.problem_text(LinkProblem.INVALID))


@router.get("/expert/{token}")
def open_expert_link(request: Request, token: str) -> Response:
    grant = verified_grant(request, token, Purpose.EXPERT)
    with web_app(request).app.read() as db:
        expert = read_people.expert(db.connection(), grant.subject_id, grant.procedure_id)
        if expert is None:
            raise subject_gone()
        name = expert.name
    start(
        request,
        Principal(
            Role.EXPERT,
            grant.subject_id,
            actor=f"expert:{grant.subject_id}",
            name=name,
            procedure_id=grant.procedure_id,
            link_id=grant.link_id,
        ),
    )
    # The token leaves the address bar (and the browser history of this tab) at once.
    return RedirectResponse("/portaal", status_code=303)


def _pid(who: Principal) -> str:
    if who.procedure_id is None:  # pragma: no cover - a link session always has one
        raise NotAllowed(Text("Geen procedure in deze sessie.", "No procedure in this session."))
    return who.procedure_id


def own_expert(db: Session, who: Principal) -> read_people.ExpertRef:
    """The session's own expert, only within the session's procedure."""
    expert = read_people.expert(db.connection(), who.subject_id, _pid(who))
    if expert is None:
        raise subject_gone()
    return expert


@dataclass(frozen=True, slots=True)
class Draft:
    """A nomination form as the expert filled it in, shown again after a refusal."""

    candidate_id: int | None
    title: str
    start: str
    end: str
    description: str
    criteria: tuple[int, ...]
    errors: tuple[str, ...]


def _nomination_view(row: read_people.Nomination) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.title,
        "start": row.period_start,
        "end": row.period_end,
        "description": row.description,
        "criteria": tuple(int(c) for c in row.proposed_criteria.split(",") if c),
        "assessed": row.assessed,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def _portal_context(app: App, who: Principal, lang: Language) -> dict[str, Any]:
    pid = _pid(who)
    with app.read() as db:
        expert = own_expert(db, who)
        connection = db.connection()
        procedure = load_procedure(connection, pid)
        organisation = read_people.organisation_name(connection, procedure.organisation_id)
        sessions = read_people.open_sessions(connection, pid)
        own = read_people.nominations_by(connection, pid, expert.id)
        deadline = nominations.nomination_deadline(db, pid)
        phase = Phase(procedure.phase)
        answer = Answer(expert.response)
        problem = nominations.nomination_problem(
            phase, expert.id, answer, local_date(app.now()), deadline
        )
        outcome = read_people.list_outcome(connection, pid)
        now = app.now()
        return {
            "now": now,
            "open_for_nominations": problem is None,
            "outcome": outcome,
            "public_list": f"/openbaar/{pid}" if outcome and outcome.published else None,
            "expert": {"name": expert.name, "email": expert.email},
            "procedure": _procedure_view(procedure, organisation, lang),
            "answer": answer.value,
            "answer_label": ANSWER_LABELS[answer](lang),
            "may_respond": phase in ALLOWED_PHASES[Action.RESPOND],
            "sessions": [
                {"id": s.id, "at": s.at, "location": s.location, "held": s.at <= now}
                for s in sessions
            ],
            "nomination_deadline": deadline,
            "nomination_problem": error_lines(problem, lang) if problem else None,
            "nominations": [_nomination_view(c) for c in own],
            "editable_ids": [c.id for c in own if not c.assessed],
            "criteria": [(number, text(lang)) for number, text in CRITERIA.items()],
        }


def _procedure_view(
    procedure: ProcedureRecord, organisation: str, lang: Language
) -> dict[str, Any]:
    return {
        "organisation": organisation,
        "governing_body": procedure.governing_body,
        "period_start": procedure.period_start,
        "period_end": procedure.period_end,
        "phase_label": Phase(procedure.phase).label(lang),
    }


def _portal_page(request: Request, who: Principal, draft: Draft | None, status: int) -> Response:
    context = _portal_context(web_app(request).app, who, language(request))
    return render(request, "portal/portaal.html", {**context, "draft": draft}, status)


@router.get("/portaal")
def portal(request: Request, who: Expert) -> Response:
    return _portal_page(request, who, None, 200)


@router.post("/portaal/antwoord")
def respond(request: Request, who: Expert, form: Form) -> Response:
    app = web_app(request).app
    answer = field(form, "answer")
    with app.read() as db:
        email = own_expert(db, who).email

    def command() -> None:
        if answer not in ("accept", "decline"):
            raise InvalidInput(
                "answer", Text("kies deelnemen of niet deelnemen", "choose to accept or decline")
            )
        people.respond(app, _pid(who), email, accept=answer == "accept", actor=who.actor)

    success = (
        Text("Dank u, uw toezegging is vastgelegd.", "Thank you, your acceptance is recorded.")
        if answer == "accept"
        else Text("Uw afzegging is vastgelegd.", "Your decline is recorded.")
    )
    return act(request, command, success, "/portaal")


def _draft(form: FormData, candidate_id: int | None, error: HotspotError, lang: Language) -> Draft:
    title, details = error_lines(error, lang)
    chosen = tuple(int(c) for c in fields(form, "criteria") if c.isdecimal() and len(c) < 3)
    return Draft(
        candidate_id,
        field(form, "title"),
        field(form, "start"),
        field(form, "end"),
        field(form, "description"),
        chosen,
        (title, *details),
    )


def _nominate(
    request: Request,
    who: Expert,
    form: FormData,
    candidate_id: int | None,
    command: Callable[..., dict[str, Any]],
    success: Text,
) -> Response:
    """Run a nomination command; a refusal shows the page again with what was typed."""
    lang = language(request)
    try:
        result = command(
            title=field(form, "title"),
            start=field(form, "start"),
            end=field(form, "end") or None,
            description=field(form, "description"),
            criteria=fields(form, "criteria"),
            actor=who.actor,
        )
    except (InvalidInput, Refused) as error:
        status = 422 if isinstance(error, InvalidInput) else 409
        return _portal_page(request, who, _draft(form, candidate_id, error, lang), status)
    flash(request, "success", success(lang))
    return RedirectResponse(f"/portaal#voordracht-{result['candidate']}", status_code=303)


@router.post("/portaal/voordrachten")
def submit_nomination(request: Request, who: Expert, form: Form) -> Response:
    app = web_app(request).app

    def command(**values: Any) -> dict[str, Any]:
        return nominations.submit_nomination(app, _pid(who), who.subject_id, **values)

    success = Text("Uw voordracht is ontvangen.", "Your nomination has been received.")
    return _nominate(request, who, form, None, command, success)


@router.post("/portaal/voordrachten/{candidate}")
def edit_nomination(request: Request, who: Expert, form: Form, candidate: str) -> Response:
    app = web_app(request).app
    # Read as text: a number no row can have (2**64, -1) is not found, never a driver overflow.
    candidate_id = validation.id_or_none(candidate)
    if candidate_id is None:
        raise NotFound(
            Text(
                f"voordracht {candidate[:40]} is niet gevonden bij uw voordrachten",
                f"nomination {candidate[:40]} is not among your nominations",
            )
        )

    def command(**values: Any) -> dict[str, Any]:
        return nominations.edit_nomination(app, _pid(who), who.subject_id, candidate_id, **values)

    success = Text("Uw voordracht is gewijzigd.", "Your nomination has been changed.")
    return _nominate(request, who, form, candidate_id, command, success)


@router.get("/portaal/bijeenkomsten/{session}.ics")
def session_invitation(request: Request, who: Expert, session: str) -> Response:
    """The session's calendar invitation: the same UID and SEQUENCE as the mailed one."""
    app = web_app(request).app
    pid = _pid(who)
    # Read as text: a number no row can have (2**64, -1) is not found, never a driver overflow.
    session_id = validation.id_or_none(session)
    if session_id is None:
        raise NotFound(NO_SUCH_SESSION)
    with app.read() as db:
        expert = own_expert(db, who)
        if expert.response != Answer.ACCEPTED.value:
            raise NotAllowed(NOT_ACCEPTED)
        procedure = load_procedure(db.connection(), pid)
        found = read_people.session_calendar(
            db, procedure, session_id, expert.id, app.settings.mail, app.now()
        )
        if found is None:
            raise NotFound(NO_SUCH_SESSION)
        text, at = found
        day: date = local_date(at)
    return Response(
        text,
        media_type="text/calendar; charset=utf-8",
        headers={
            "content-disposition": f'attachment; filename="bijeenkomst-{day.isoformat()}.ics"'
        },
    )
