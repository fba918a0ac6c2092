"""The JSON API under /api: the CLI's commands for facilitators, described by OpenAPI.

Authentication is the web app's own session cookie (a random id; the session is kept on the
server): POST /api/session logs a facilitator in and answers the CSRF token that every write
must send as X-CSRF-Token.
Sessions that came from a personal link (experts, archivist, management) get 403 here.
Each route is a thin shell over the same workflow function the CLI calls; a refusal or bad
input comes back as JSON ({"ok": false, "error", "message", ...}) in ?lang= or the session's
language.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import APIKeyCookie
from sqlalchemy import func, or_, select
from starlette.exceptions import HTTPException
from starlette.responses import Response

from notifications import sender
from states.errors import HotspotError
from states.i18n import Language, Text, parse_language
from states.phases import Phase
from workflow import audit, hashing, repository, users
from workflow.app import App
from workflow.busy import Busy
from workflow.commands import access, decision, people, planning, procedures, records, sessions
from workflow.commands import mail as mail_commands
from workflow.commands.base import expect_version, seen_version
from workflow.db import models as m
from workflow.deadlines.listing import deadline_overview
from workflow.validation import MAX_ID
from workflow.web import access as web_access
from workflow.web import api_models as api
from workflow.web.routes import auth as html_auth
from workflow.web.runtime import web_app
from workflow.web.session import Principal, Role, check_csrf, csrf_token, end, language, start
from workflow.web.statuses import status_of


class ApiJSONResponse(JSONResponse):
    """JSON that cannot fail to encode: a stray lone surrogate is escaped, never a 500."""

    def render(self, content: Any) -> bytes:
        text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return text.encode("utf-8", "backslashreplace")


def _language(request: Request) -> Language:
    asked = request.query_params.get("lang")
    return parse_language(asked) if asked else language(request)


INVALID_REQUEST = Text("Ongeldige invoer", "Invalid input")
UNREADABLE_BODY = Text("is geen leesbare JSON (UTF-8)", "is not readable JSON (UTF-8)")

# The commonest problems in words people read; pydantic's own (English) text for the rest.
_PROBLEMS: dict[str, Callable[[dict[str, Any]], Text]] = {
    "missing": lambda ctx: Text("ontbreekt", "is missing"),
    "string_pattern_mismatch": lambda ctx: Text(
        "heeft niet de verwachte vorm of bevat tekens die hier niet mogen (zoals stuurtekens)",
        "does not have the expected form or holds characters not allowed here "
        "(such as control characters)",
    ),
    "string_too_long": lambda ctx: Text(
        f"is te lang: maximaal {ctx.get('max_length')} tekens",
        f"is too long: at most {ctx.get('max_length')} characters",
    ),
    "string_too_short": lambda ctx: Text("mag niet leeg zijn", "must not be empty"),
    "string_unicode": lambda ctx: Text(
        "is geen geldige Unicode-tekst", "is not valid Unicode text"
    ),
    "extra_forbidden": lambda ctx: Text("is geen bekend veld", "is not a known field"),
    # A date or moment checked as the commands check it (api_models._checked): both languages.
    "invalid_value": lambda ctx: Text(str(ctx.get("nl", "")), str(ctx.get("en", ""))),
}


def _problem_text(problem: Any, lang: Language) -> str:
    words = _PROBLEMS.get(str(problem.get("type")))
    if words is None:
        return str(problem.get("msg", ""))
    return words(dict(problem.get("ctx") or {}))(lang)


def _invalid_request(error: RequestValidationError, lang: Language) -> dict[str, Any]:
    """FastAPI's validation errors in the API's own shape, without echoing the input back."""
    problems = [
        {
            "loc": [str(part) for part in problem.get("loc", ())],
            "type": str(problem.get("type", "")),
            "message": _problem_text(problem, lang),
        }
        for problem in error.errors()
    ]
    first = problems[0] if problems else {"loc": [], "message": ""}
    # ("body", "emails", 0) names the field "emails.0"; a path or query parameter its name.
    field = ".".join(first["loc"][1:]) or ".".join(first["loc"])
    if first.get("type") == "json_invalid":
        field = "body"  # its location is a character position, not a field
    return {
        "ok": False,
        "error": "invalid_input",
        "message": f"{INVALID_REQUEST(lang)}: {field}: {first['message']}",
        "field": field,
        "problems": problems,
    }


class ApiRoute(APIRoute):
    """Every API answer is JSON, refusals included, in the language the request asks for."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                # A write's `version` (what its client saw) holds for this request only; without
                # one, a write that collides is run again by the command (re-read, re-checked).
                with seen_version(None):
                    return await handle(request)
            except HotspotError as error:
                lang = _language(request)
                headers = (
                    {"retry-after": str(error.retry_after)} if isinstance(error, Busy) else None
                )
                return ApiJSONResponse(
                    error.to_json(lang), status_code=status_of(error), headers=headers
                )
            except RequestValidationError as error:
                body = _invalid_request(error, _language(request))
                return ApiJSONResponse(body, status_code=422)
            except HTTPException as error:
                # FastAPI's own 400 for a body that is not even text (not UTF-8): bad input too.
                lang = _language(request)
                if error.status_code == 400:
                    body = {
                        "ok": False,
                        "error": "invalid_input",
                        "message": f"{INVALID_REQUEST(lang)}: body: {UNREADABLE_BODY(lang)}",
                        "field": "body",
                        "problems": [],
                    }
                    return ApiJSONResponse(body, status_code=422)
                raise

        return answer


def _lang_query(
    request: Request,
    lang: Annotated[
        api.Language | None,
        Query(description="Language of messages and labels (default: the session's, else nl)."),
    ] = None,
) -> Language:
    return lang or language(request)


Lang = Annotated[Language, Depends(_lang_query)]

router = APIRouter(
    prefix="/api",
    route_class=ApiRoute,
    default_response_class=ApiJSONResponse,
    dependencies=[Depends(_lang_query)],
    # Operation ids are the handler names: short and stable for generated clients.
    generate_unique_id_function=lambda route: route.name,
)

_SESSION_COOKIE = APIKeyCookie(
    name="hotspot_session",
    scheme_name="session",
    description="The session cookie that POST /api/session sets (a random id; named "
    "__Host-hotspot_session when the app is served over https).",
    auto_error=False,
)


def _application(request: Request) -> App:
    return web_app(request).app


async def _reader(
    request: Request, _cookie: Annotated[str | None, Security(_SESSION_COOKIE)]
) -> Principal:
    # On the event loop: the session was read on the way in, this reads nothing.
    return web_access.facilitator_of(request)


async def _writer(
    request: Request,
    who: Annotated[Principal, Depends(_reader)],
    # A header parameter rather than a second security scheme: OpenAPI would read two
    # schemes as alternatives, while a write needs the cookie *and* the token.
    token: Annotated[
        str | None,
        Header(
            alias="X-CSRF-Token",
            description="The session's CSRF token (from POST or GET /api/session). Every "
            "write needs it: without it, or with another, the answer is 403.",
        ),
    ] = None,
    version: Annotated[
        int | None,
        api.IdDigits,
        Query(
            ge=1,
            le=MAX_ID,
            description="The procedure's version as the client last read it (`version` in "
            "GET /api/procedures/{pid}). With it, a procedure changed since is refused with 409 "
            "(conflict) and nothing is saved; without it, a write that collides with another "
            "is retried a few times, re-checking every rule, before it answers 409.",
        ),
    ] = None,
) -> Principal:
    # A header may carry any Latin-1 text; the comparison only takes ASCII, so anything else
    # is simply a wrong token.
    check_csrf(request, token if token and token.isascii() else None)
    expect_version(version)
    return who


AppDep = Annotated[App, Depends(_application)]
Reader = Annotated[Principal, Depends(_reader)]
Writer = Annotated[Principal, Depends(_writer)]
Pid = Annotated[
    str,
    Path(
        max_length=80,
        pattern=api.PROCEDURE_ID_PATTERN,
        description="The procedure's code, as `GET /api/procedures` lists it.",
    ),
]
SessionId = Annotated[int, api.IdDigits, Path(ge=1, le=api.MAX_ID)]
CandidateId = Annotated[int, api.IdDigits, Path(ge=1, le=api.MAX_ID)]


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    described: dict[int, tuple[type[api.ApiError], str]] = {
        401: (api.ApiError, "Not logged in as a facilitator, or a wrong password."),
        403: (api.ApiError, "Not a facilitator's session, or a write without the CSRF token."),
        404: (api.ApiError, "No such procedure, session or candidate."),
        409: (api.RefusedError, "Refused by the rules (with blockers), or changed meanwhile."),
        422: (api.InvalidInputError, "Input that does not fit the schema or the command."),
        408: (api.ApiError, "The body did not arrive in full in time (`too_slow`)."),
        413: (api.ApiError, "The body is larger than allowed (`too_large`, with `limit`)."),
        503: (
            api.ApiError,
            "The database cannot be reached (`unavailable`), or the server is too busy "
            "(`busy`: the logins waiting for a password check fill their queue, or the "
            "database stayed locked); try again after Retry-After seconds.",
        ),
    }
    return {
        status: {"model": described[status][0], "description": described[status][1]}
        for status in statuses
    }


READ_ERRORS = _errors(401, 403, 404, 422, 503)
WRITE_ERRORS = _errors(401, 403, 404, 408, 409, 413, 422, 503)


def _user(who: Principal) -> dict[str, str]:
    return {"username": who.actor, "name": who.name}


# --- Session ------------------------------------------------------------------------------


@router.post(
    "/session",
    tags=["session"],
    response_model=api.SessionInfo,
    responses=_errors(401, 408, 413, 422, 503),
    summary="Log in as a facilitator",
)
async def log_in(request: Request, body: api.Login) -> dict[str, Any]:
    """Starts a fresh session; the answer holds the CSRF token for the writes that follow."""
    started = time.monotonic()
    app = web_app(request).app
    try:
        user = await users.authenticate_async(
            app,
            body.username,
            body.password,
            client=html_auth.client_of(request),
            disconnected=html_auth.disconnect_of(request),
        )
    except (users.LoginRefused, Busy):
        # As slow as the login form and the same for every failure: guessing through the API
        # is no faster, and no answer tells which names exist. "Too busy" (503) waits as long,
        # so a flood's retries cannot spin.
        await html_auth.answer_no_sooner(request, started)
        raise
    except hashing.ClientGone:
        return Response(status_code=499)  # type: ignore[return-value]
    who = Principal(Role.FACILITATOR, user.id, user.username, user.name)
    start(request, who)
    return {"ok": True, "csrf_token": csrf_token(request), "user": _user(who)}


@router.get(
    "/session",
    tags=["session"],
    response_model=api.SessionInfo,
    responses=_errors(401, 403, 422, 503),
    summary="The logged-in facilitator and the session's CSRF token",
)
def session_info(request: Request, who: Reader) -> dict[str, Any]:
    return {"ok": True, "csrf_token": csrf_token(request), "user": _user(who)}


@router.delete(
    "/session",
    tags=["session"],
    response_model=api.Ok,
    responses=_errors(401, 403, 422, 503),
    summary="Log out",
)
def log_out(request: Request, who: Writer) -> dict[str, Any]:
    end(request)
    return {"ok": True}


# --- Procedures ---------------------------------------------------------------------------


@router.get(
    "/procedures",
    tags=["procedures"],
    response_model=api.ProcedureList,
    responses=_errors(401, 403, 422, 503),
    summary="Every procedure, oldest first",
)
def list_procedures(
    app: AppDep, who: Reader, phase: Annotated[Phase | None, Query()] = None
) -> dict[str, Any]:
    rows = procedures.list_procedures(app, phase.value if phase else None)
    return {"ok": True, "procedures": rows}


@router.post(
    "/procedures",
    tags=["procedures"],
    status_code=201,
    response_model=api.Done,
    responses=_errors(401, 403, 408, 409, 413, 422, 503),
    summary="Open a procedure (phase preparation)",
)
def open_procedure(app: AppDep, who: Writer, body: api.NewProcedure) -> dict[str, Any]:
    return procedures.init_procedure(
        app,
        organisation=body.organisation,
        body=body.governing_body,
        period=body.period,
        actor=who.actor,
        procedure_id=body.procedure_id,
        legal_basis=body.legal_basis,
    )


@router.get(
    "/procedures/{pid}",
    tags=["procedures"],
    response_model=api.ProcedureStatus,
    responses=READ_ERRORS,
    summary="Phase, blockers, deviations, milestones and counts",
)
def procedure_status(app: AppDep, who: Reader, pid: Pid, lang: Lang) -> dict[str, Any]:
    return procedures.status(app, pid).to_json(lang)


@router.post(
    "/procedures/{pid}/advance",
    tags=["procedures"],
    response_model=api.Advanced,
    responses=WRITE_ERRORS,
    summary="Go to the next phase if every rule allows it",
)
def advance(
    app: AppDep, who: Writer, pid: Pid, body: api.AdvanceRequest | None = None
) -> dict[str, Any]:
    reason = body.reason if body else None
    return procedures.advance(app, pid, actor=who.actor, reason=reason)


@router.post(
    "/procedures/{pid}/cancel",
    tags=["procedures"],
    response_model=api.Done,
    responses=WRITE_ERRORS,
    summary="Cancel the procedure, with a reason",
)
def cancel(app: AppDep, who: Writer, pid: Pid, body: api.CancelRequest) -> dict[str, Any]:
    return procedures.cancel(app, pid, actor=who.actor, reason=body.reason)


@router.post(
    "/procedures/{pid}/deviations",
    tags=["procedures"],
    status_code=201,
    response_model=api.DeviationRecorded,
    responses=WRITE_ERRORS,
    summary="Record a deliberate deviation from a balance rule",
)
def deviate(app: AppDep, who: Writer, pid: Pid, body: api.DeviationRequest) -> dict[str, Any]:
    return procedures.deviate(app, pid, body.rule_code, actor=who.actor, reason=body.reason)


# --- Workgroup and planning ---------------------------------------------------------------


@router.post(
    "/procedures/{pid}/members",
    tags=["workgroup"],
    status_code=201,
    response_model=api.MemberAdded,
    responses=WRITE_ERRORS,
    summary="Add a workgroup member with a role",
)
def add_member(app: AppDep, who: Writer, pid: Pid, body: api.NewMember) -> dict[str, Any]:
    return people.add_member(
        app,
        pid,
        name=body.name,
        email=body.email,
        role=body.role,
        actor=who.actor,
        language=body.language,
    )


@router.put(
    "/procedures/{pid}/milestones/{key}",
    tags=["planning"],
    response_model=api.MilestoneSet,
    responses=WRITE_ERRORS,
    summary="Set the date of a milestone",
)
def set_milestone(
    app: AppDep, who: Writer, pid: Pid, key: api.MilestoneKey, body: api.MilestoneDate
) -> dict[str, Any]:
    return planning.set_milestone(app, pid, key, body.date, actor=who.actor)


# --- Experts ------------------------------------------------------------------------------


@router.post(
    "/procedures/{pid}/experts",
    tags=["experts"],
    status_code=201,
    response_model=api.ExpertAdded,
    responses=WRITE_ERRORS,
    summary="Add an expert",
)
def add_expert(app: AppDep, who: Writer, pid: Pid, body: api.NewExpert) -> dict[str, Any]:
    return people.add_expert(
        app,
        pid,
        name=body.name,
        email=body.email,
        perspective=body.perspective,
        profile=body.profile,
        actor=who.actor,
        language=body.language,
    )


@router.post(
    "/procedures/{pid}/experts/invitations",
    tags=["experts"],
    response_model=api.Invited,
    responses=WRITE_ERRORS,
    summary="Queue invitations, each with a fresh personal link",
)
def invite_experts(app: AppDep, who: Writer, pid: Pid, body: api.Invitations) -> dict[str, Any]:
    return people.invite(app, pid, body.emails, actor=who.actor)


@router.put(
    "/procedures/{pid}/experts/{email}/response",
    tags=["experts"],
    response_model=api.Responded,
    responses=WRITE_ERRORS,
    summary="Record an expert's answer to the invitation",
)
def record_response(
    app: AppDep,
    who: Writer,
    pid: Pid,
    email: Annotated[str, Path(max_length=320, pattern=api.EMAIL_PATTERN)],
    body: api.ExpertResponse,
) -> dict[str, Any]:
    return people.respond(app, pid, email, accept=body.accept, actor=who.actor)


@router.post(
    "/procedures/{pid}/links/revocations",
    tags=["experts"],
    response_model=api.LinksRevoked,
    responses=WRITE_ERRORS,
    summary="Revoke a person's personal links (expert, advice or decision)",
)
def revoke_links(app: AppDep, who: Writer, pid: Pid, body: api.LinkRevocation) -> dict[str, Any]:
    """Their open sessions end on their next request; audited as `link.revoke`."""
    return access.revoke_links(
        app,
        pid,
        body.email,
        actor=who.actor,
        purpose=body.purpose,
        reason=body.reason,
        field="email",
    )


OldEmail = Annotated[str, Path(max_length=320, pattern=api.EMAIL_PATTERN)]


@router.put(
    "/procedures/{pid}/experts/{email}/email",
    tags=["experts"],
    response_model=api.AddressCorrected,
    responses=WRITE_ERRORS,
    summary="Correct an expert's e-mail address (their waiting and failed mail follows)",
)
def correct_expert_email(
    app: AppDep, who: Writer, pid: Pid, email: OldEmail, body: api.AddressCorrection
) -> dict[str, Any]:
    return people.correct_expert_email(app, pid, email, body.email, actor=who.actor)


@router.put(
    "/procedures/{pid}/members/{email}/email",
    tags=["workgroup"],
    response_model=api.AddressCorrected,
    responses=WRITE_ERRORS,
    summary="Correct a workgroup member's e-mail address, in every role they hold",
)
def correct_member_email(
    app: AppDep, who: Writer, pid: Pid, email: OldEmail, body: api.AddressCorrection
) -> dict[str, Any]:
    return people.correct_member_email(app, pid, email, body.email, actor=who.actor)


# --- Expert sessions ----------------------------------------------------------------------


@router.post(
    "/procedures/{pid}/sessions",
    tags=["sessions"],
    status_code=201,
    response_model=api.SessionAdded,
    responses=WRITE_ERRORS,
    summary="Plan an expert session",
)
def add_session(app: AppDep, who: Writer, pid: Pid, body: api.NewSession) -> dict[str, Any]:
    return sessions.add_session(app, pid, at=body.at, location=body.location, actor=who.actor)


@router.patch(
    "/procedures/{pid}/sessions/{sid}",
    tags=["sessions"],
    response_model=api.SessionMoved,
    responses=WRITE_ERRORS,
    summary="Move a session; attendees get an updated calendar invitation",
)
def move_session(
    app: AppDep, who: Writer, pid: Pid, sid: SessionId, body: api.SessionMove
) -> dict[str, Any]:
    return sessions.move_session(app, pid, sid, at=body.at, actor=who.actor)


@router.post(
    "/procedures/{pid}/sessions/{sid}/cancellation",
    tags=["sessions"],
    response_model=api.SessionCancelled,
    responses=WRITE_ERRORS,
    summary="Call a session off, with a reason",
)
def cancel_session(
    app: AppDep, who: Writer, pid: Pid, sid: SessionId, body: api.SessionCancellation
) -> dict[str, Any]:
    return sessions.cancel_session(app, pid, sid, reason=body.reason, actor=who.actor)


@router.put(
    "/procedures/{pid}/sessions/{sid}/attendance",
    tags=["sessions"],
    response_model=api.AttendanceRecorded,
    responses=WRITE_ERRORS,
    summary="Add experts to a session's attendance list",
)
def record_attendance(
    app: AppDep, who: Writer, pid: Pid, sid: SessionId, body: api.Attendance
) -> dict[str, Any]:
    return sessions.attend(app, pid, sid, body.emails, actor=who.actor)


# --- Candidates and the concept list ------------------------------------------------------


@router.post(
    "/procedures/{pid}/candidates",
    tags=["candidates"],
    status_code=201,
    response_model=api.CandidateAdded,
    responses=WRITE_ERRORS,
    summary="Nominate a candidate hotspot on an expert's behalf",
)
def add_candidate(app: AppDep, who: Writer, pid: Pid, body: api.NewCandidate) -> dict[str, Any]:
    return sessions.add_candidate(
        app,
        pid,
        title=body.title,
        start=body.start,
        end=body.end,
        description=body.description,
        nominated_by=body.nominated_by,
        actor=who.actor,
    )


@router.put(
    "/procedures/{pid}/candidates/{cid}/assessment",
    tags=["candidates"],
    response_model=api.Assessed,
    responses=WRITE_ERRORS,
    summary="Assess a candidate against the four criteria",
)
def assess_candidate(
    app: AppDep, who: Writer, pid: Pid, cid: CandidateId, body: api.Assessment
) -> dict[str, Any]:
    return sessions.assess(
        app,
        pid,
        cid,
        criteria=",".join(str(c) for c in body.criteria),
        motivation=body.motivation,
        include=body.include,
        actor=who.actor,
    )


@router.put(
    "/procedures/{pid}/concept-list/empty-reason",
    tags=["candidates"],
    response_model=api.Done,
    responses=WRITE_ERRORS,
    summary="Record why the concept list stays empty",
)
def set_empty_list_reason(
    app: AppDep, who: Writer, pid: Pid, body: api.EmptyListReason
) -> dict[str, Any]:
    return sessions.empty_list_reason(app, pid, reason=body.reason, actor=who.actor)


# --- Advice and decision ------------------------------------------------------------------


@router.post(
    "/procedures/{pid}/advice",
    tags=["decision"],
    response_model=api.AdviceRecorded,
    responses=WRITE_ERRORS,
    summary="Record the archivist's advice on their behalf",
)
def record_advice(app: AppDep, who: Writer, pid: Pid, body: api.Advice) -> dict[str, Any]:
    return decision.record_advice(
        app,
        pid,
        positive=body.positive,
        by=body.by,
        reason=body.reason,
        actor=who.actor,
        via="facilitator",
    )


@router.post(
    "/procedures/{pid}/decision",
    tags=["decision"],
    response_model=api.DecisionRecorded,
    responses=WRITE_ERRORS,
    summary="Record the governing body's decision on its behalf",
)
def record_decision(app: AppDep, who: Writer, pid: Pid, body: api.Decision) -> dict[str, Any]:
    return decision.record_decision(
        app,
        pid,
        adopted=body.adopted,
        day=body.date,
        ref=body.ref,
        reason=body.reason,
        actor=who.actor,
        via="facilitator",
    )


# --- Inventory and publication ------------------------------------------------------------


@router.post(
    "/procedures/{pid}/inventory/systems",
    tags=["inventory"],
    status_code=201,
    response_model=api.SystemAdded,
    responses=WRITE_ERRORS,
    summary="List an information system to search for an adopted hotspot",
)
def add_system(app: AppDep, who: Writer, pid: Pid, body: api.InventorySystem) -> dict[str, Any]:
    return records.add_system(
        app,
        pid,
        body.hotspot,
        system=body.system,
        query=body.query,
        owner=body.owner,
        owner_email=body.owner_email,
        actor=who.actor,
    )


@router.post(
    "/procedures/{pid}/inventory/dossiers",
    tags=["inventory"],
    status_code=201,
    response_model=api.DossierMarked,
    responses=WRITE_ERRORS,
    summary="Mark a dossier found for a hotspot as to be retained",
)
def mark_dossier(app: AppDep, who: Writer, pid: Pid, body: api.InventoryDossier) -> dict[str, Any]:
    return records.mark_dossier(
        app,
        pid,
        body.hotspot,
        system=body.system,
        dossier=body.dossier,
        title=body.title,
        actor=who.actor,
    )


@router.post(
    "/procedures/{pid}/inventory/none",
    tags=["inventory"],
    response_model=api.NothingFoundRecorded,
    responses=WRITE_ERRORS,
    summary="Record that a system holds nothing for a hotspot, and why",
)
def record_nothing_found(
    app: AppDep, who: Writer, pid: Pid, body: api.NothingFound
) -> dict[str, Any]:
    return records.nothing_found(
        app, pid, body.hotspot, system=body.system, reason=body.reason, actor=who.actor
    )


@router.post(
    "/procedures/{pid}/publication",
    tags=["publication"],
    status_code=201,
    response_model=api.Published,
    responses=WRITE_ERRORS,
    summary="Record the publication of the adopted list",
)
def record_publication(app: AppDep, who: Writer, pid: Pid, body: api.Publication) -> dict[str, Any]:
    # The public list's files are not written here: `hotspot public-list` writes them from
    # what this records, wherever the operator wants them.
    return records.publish(
        app,
        pid,
        channel=body.channel,
        ref=body.ref,
        day=body.date,
        objection_weeks=body.objection_weeks,
        actor=who.actor,
    )


# --- Reading: deadlines, audit trail, outbox ----------------------------------------------


@router.get(
    "/procedures/{pid}/deadlines",
    tags=["records"],
    response_model=api.DeadlineOverview,
    responses=READ_ERRORS,
    summary="Every deadline with its state and its reminders",
)
def deadlines(app: AppDep, who: Reader, pid: Pid, lang: Lang) -> dict[str, Any]:
    return deadline_overview(app, pid, lang)


@router.get(
    "/procedures/{pid}/audit",
    tags=["records"],
    response_model=api.AuditPage,
    responses=READ_ERRORS,
    summary="The audit trail, newest first, filtered and paged",
)
def audit_trail(
    app: AppDep,
    who: Reader,
    pid: Pid,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=api.MAX_ID)] = 0,
    actor: Annotated[
        str | None, Query(min_length=1, max_length=200, pattern=api.SINGLE_LINE_PATTERN)
    ] = None,
    action: Annotated[
        str | None,
        Query(
            max_length=64,
            pattern=api.ACTION_PATTERN,
            description="An action (expert.add) or a group of them (expert).",
        ),
    ] = None,
) -> dict[str, Any]:
    record = m.AuditRecord
    with app.read() as db:
        procedure = repository.get_procedure(db, pid)
        query = select(record).where(record.procedure_id == procedure.id)
        if actor is not None:
            query = query.where(record.actor == actor)
        if action is not None:
            group = record.action.startswith(f"{action}.")
            query = query.where(or_(record.action == action, group))
        total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = db.scalars(query.order_by(record.seq.desc()).limit(limit).offset(offset))
        found = audit.as_dicts(rows)
    return {
        "ok": True,
        "procedure": procedure.id,
        "total": total,
        "limit": limit,
        "offset": offset,
        "records": found,
    }


@router.post(
    "/procedures/{pid}/outbox/retry",
    tags=["records"],
    response_model=api.MailRetried,
    responses=WRITE_ERRORS,
    summary="Send failed mail again: one message, or every failed message of the procedure",
)
def retry_mail(
    app: AppDep, who: Writer, pid: Pid, body: api.MailRetry | None = None
) -> dict[str, Any]:
    if body is not None and body.message is not None:
        return mail_commands.retry_message(app, body.message, actor=who.actor, procedure_id=pid)
    return mail_commands.retry_procedure(app, pid, actor=who.actor)


@router.get(
    "/procedures/{pid}/outbox",
    tags=["records"],
    response_model=api.Outbox,
    responses=READ_ERRORS,
    summary="The procedure's latest mail: kind, recipient, status and times",
)
def outbox(
    app: AppDep, who: Reader, pid: Pid, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> dict[str, Any]:
    with app.read() as db:
        procedure = repository.get_procedure(db, pid)
    messages = sender.list_messages(app, procedure_id=procedure.id, limit=limit)
    return {"ok": True, "procedure": procedure.id, "messages": messages}
