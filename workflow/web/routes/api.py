"""The JSON API under /api: the CLI's commands for facilitators, described by OpenAPI.

Authentication is the web app's own session cookie (a random id; the session is kept on the
server): POST /api/session logs a facilitator in and answers the CSRF token that every write
must send as X-CSRF-Token.
Sessions that came from a personal link (experts, archivist, management) get 403 here.
Each write is a route derived from its command's declaration (path, body, answer, handler:
workflow/commands/declarations.py) and calls the same workflow function the CLI calls; the
reads and the login are written here. A refusal or bad input comes back as JSON
({"ok": false, "error", "message", ...}) in ?lang= or the session's language.
"""

from __future__ import annotations

import inspect
import json
import time
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import APIKeyCookie
from starlette.exceptions import HTTPException
from starlette.responses import Response

from notifications import sender
from states.audit_actions import AuditAction
from states.errors import HotspotError, InvalidInput
from states.i18n import Language, Text, parse_language
from states.phases import Phase
from workflow import hashing, users
from workflow.app import App
from workflow.busy import Busy
from workflow.commands import mail as mail_commands
from workflow.commands import procedures, schema
from workflow.commands.base import expect_version, seen_version
from workflow.commands.declarations import ACCOUNTS, BY_NAME, COMMANDS, Command, renamed
from workflow.deadlines.listing import deadline_overview
from workflow.procedure_store import load_procedure
from workflow.read import audit as read_audit
from workflow.validation import MAX_ID
from workflow.web import access as web_access
from workflow.web import api_models as api
from workflow.web.routes import auth as html_auth
from workflow.web.runtime import web_app
from workflow.web.session import (
    Principal,
    account_principal,
    check_csrf,
    csrf_token,
    end,
    language,
    start,
)
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
        schema.Language | None,
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
        schema.IdDigits,
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
SessionId = Annotated[int, schema.IdDigits, Path(ge=1, le=MAX_ID)]
CandidateId = Annotated[int, schema.IdDigits, Path(ge=1, le=MAX_ID)]


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
    who = account_principal(user)
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


@router.get(
    "/procedures/{pid}",
    tags=["procedures"],
    response_model=api.ProcedureStatus,
    responses=READ_ERRORS,
    summary="Phase, blockers, deviations, milestones and counts",
)
def procedure_status(app: AppDep, who: Reader, pid: Pid, lang: Lang) -> dict[str, Any]:
    return procedures.status(app, pid).to_json(lang)


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
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    actor: Annotated[
        str | None, Query(min_length=1, max_length=200, pattern=api.SINGLE_LINE_PATTERN)
    ] = None,
    action: Annotated[
        str | None,
        Query(
            max_length=64,
            pattern=read_audit.ACTION_FILTER_PATTERN,
            description="An action (expert.add) or a whole group of them (expert.).",
        ),
    ] = None,
) -> dict[str, Any]:
    wanted = read_audit.AuditFilter(actor=actor or "", action=action or "")
    with app.read() as db:
        found = read_audit.find(
            db.connection(), pid, wanted, newest_first=True, limit=limit, offset=offset
        )
    return {
        "ok": True,
        "procedure": found.procedure_id,
        "total": found.total,
        "limit": limit,
        "offset": offset,
        "records": read_audit.as_dicts(found.records),
    }


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
        known = load_procedure(db.connection(), pid).id
    messages = sender.list_messages(app, procedure_id=known, limit=limit)
    return {"ok": True, "procedure": known, "messages": messages}


# --- Writes: one route per declared command ------------------------------------------------

# The path parameters the declared routes use, each with its checks and its description.
OldEmail = Annotated[str, Path(max_length=320, pattern=api.EMAIL_PATTERN)]
_PATH_TYPES: dict[str, Any] = {
    "pid": Pid,
    "sid": SessionId,
    "cid": CandidateId,
    "key": schema.MilestoneKey,
    "email": OldEmail,
}


def _declared(command: Command) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register an endpoint as the route the command's API face describes."""
    face = command.api
    if not command.roles <= ACCOUNTS:
        # Every write here runs as a logged-in account (Writer), whose role the Writer checks
        # against the declaration (workflow.web.access); a link holder's role needs its own
        # dependency before a declaration may ask for it.
        raise RuntimeError(f"{command.name}: the API offers the accounts' commands only")
    return router.api_route(
        face.path,
        methods=[face.method],
        name=face.operation,
        tags=[face.tag],
        status_code=face.status_code,
        response_model=command.result,
        responses=_errors(*face.statuses),
        summary=face.summary,
        description=face.description,
    )


def _endpoint(command: Command) -> Callable[..., dict[str, Any]]:
    """An endpoint taking the face's path parameters and the command's input, as FastAPI reads
    a hand-written one: `app`, the `Writer` (CSRF token, ?version=), the path, the body."""
    face = command.api
    handler: Callable[..., dict[str, Any]] | None = None

    def endpoint(app: App, who: Principal, body: Any = None, **path: Any) -> dict[str, Any]:
        nonlocal handler
        if handler is None:
            # Imported on the first call: the catalog names its handlers, it does not load them.
            handler = command.resolve()
        given = body if body is not None else command.input()  # a body left out: its defaults
        try:
            return handler(app, actor=who.actor, **command.arguments(path, given))
        except InvalidInput as error:
            # The handler names its keyword; the API names the body field or path parameter.
            raise renamed(error, command.input_name) from None

    keyword = inspect.Parameter.KEYWORD_ONLY
    body_type: Any = command.input | None if face.optional_body else command.input
    parameters = [
        inspect.Parameter("app", keyword, annotation=AppDep),
        inspect.Parameter("who", keyword, annotation=Writer),
        *(
            inspect.Parameter(name, keyword, annotation=_PATH_TYPES[name])
            for name in face.path_params
        ),
        inspect.Parameter(
            "body",
            keyword,
            annotation=body_type,
            default=None if face.optional_body else inspect.Parameter.empty,
        ),
    ]
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        parameters, return_annotation=dict[str, Any]
    )
    endpoint.__name__ = endpoint.__qualname__ = face.operation
    return endpoint


for _command in COMMANDS:
    if not _command.api.hand_written:
        _declared(_command)(_endpoint(_command))


@_declared(BY_NAME[AuditAction.MAIL_RETRY])
def retry_mail(
    app: AppDep, who: Writer, pid: Pid, body: schema.MailRetry | None = None
) -> dict[str, Any]:
    # One message when the body names it, else every failed message of the procedure.
    if body is not None and body.message is not None:
        return mail_commands.retry_message(app, body.message, actor=who.actor, procedure_id=pid)
    return mail_commands.retry_procedure(app, pid, actor=who.actor)
