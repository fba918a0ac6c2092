"""The archivist's advice page and management's decision page, reached by personal links.

Both read the proposal as the governing body gets it (the concept list without expert names,
the balance report, the deviations) and record one step through the same command the CLI and
the facilitator use, marked `recorded_via: link` in the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from states.errors import HotspotError, InvalidInput, Refused
from states.i18n import Language, Text
from states.snapshot import ListStatus
from states.vocabulary import CRITERIA, PERSPECTIVE_LABELS
from workflow import documents, repository
from workflow.app import App
from workflow.commands import decision
from workflow.documents import ProposalData
from workflow.links import Purpose
from workflow.read import documents as read_documents
from workflow.read import people as read_people
from workflow.web import access
from workflow.web.forms import checked_form, field
from workflow.web.rendering import error_lines, render
from workflow.web.routes.documents import STEP_KINDS
from workflow.web.routes.portal import subject_gone, verified_grant
from workflow.web.runtime import web_app
from workflow.web.session import (
    FORBIDDEN,
    NotAllowed,
    Principal,
    Role,
    finish_link,
    flash,
    language,
    receipt,
    start,
)

router = APIRouter(include_in_schema=False)

Archivist = Annotated[Principal, Depends(access.archivist)]
Management = Annotated[Principal, Depends(access.management)]
Form = Annotated[FormData, Depends(checked_form)]

# The link's purpose, the role its session gets, the actor prefix and the page it opens.
_STEPS: dict[Purpose, tuple[Role, str, str]] = {
    Purpose.ADVICE: (Role.ARCHIVIST, "archivaris", "/advies"),
    Purpose.DECISION: (Role.MANAGEMENT, "management", "/besluit"),
}


def _open_link(request: Request, token: str, purpose: Purpose) -> Response:
    grant = verified_grant(request, token, purpose)
    role, prefix, page = _STEPS[purpose]
    with web_app(request).app.read() as db:
        member = read_people.member(db.connection(), grant.subject_id, grant.procedure_id)
        if member is None:
            raise subject_gone()
        name = member.name
    start(
        request,
        Principal(
            role,
            grant.subject_id,
            actor=f"{prefix}:{grant.subject_id}",
            name=name,
            procedure_id=grant.procedure_id,
            link_id=grant.link_id,
        ),
    )
    # The token leaves the address bar at once.
    return RedirectResponse(page, status_code=303)


@router.get("/advies/{token}")
def open_advice_link(request: Request, token: str) -> Response:
    return _open_link(request, token, Purpose.ADVICE)


@router.get("/besluit/{token}")
def open_decision_link(request: Request, token: str) -> Response:
    return _open_link(request, token, Purpose.DECISION)


def _pid(who: Principal) -> str:
    if who.procedure_id is None:  # pragma: no cover - a link session always has one
        raise NotAllowed(Text("Geen procedure in deze sessie.", "No procedure in this session."))
    return who.procedure_id


def _member_name(app: App, who: Principal) -> str:
    """The link holder's name as the workgroup has it now (the advice is recorded under it)."""
    with app.read() as db:
        member = read_people.member(db.connection(), who.subject_id, _pid(who))
        if member is None:
            raise subject_gone()
        return member.name


def _proposal_view(data: ProposalData, lang: Language) -> dict[str, Any]:
    """The concept list, balance and deviations as the page shows them: no expert is named."""
    return {
        "procedure": data.procedure,
        "list_number": data.list_version.number,
        "entries": [
            {
                "number": e.number,
                "title": e.title,
                "period_start": e.period_start,
                "period_end": e.period_end,
                "description": e.description,
                "criteria": e.criteria,
                "motivation": e.motivation,
                "perspective": PERSPECTIVE_LABELS[e.nominated_by_perspective](lang),
            }
            for e in data.list_version.entries
        ],
        "balance": [
            {"label": b.label(lang), "message": b.message(lang), "ok": b.ok, "deviated": b.deviated}
            for b in data.balance
        ],
        "deviations": [
            {"label": d.label(lang), "rule": d.rule_code, "reason": d.reason, "at": d.recorded_at}
            for d in data.deviations
        ],
        "empty_list_reason": data.empty_list_reason,
    }


def _latest_list(app: App, pid: str) -> dict[str, Any] | None:
    """The latest list version's advice and decision as recorded (also once it is sent back)."""
    with app.read() as db:
        row = repository.latest_list_version(db, pid)
        if row is None:
            return None
        return {
            "number": row.number,
            "status": row.status,
            "open": row.status == ListStatus.SUBMITTED.value,
            "advice_positive": row.advice_positive,
            "advice_by": row.advice_by,
            "advice_reason": row.advice_reason,
            "advice_ref": row.advice_ref,
            "advice_date": row.advice_date,
            "advice_at": row.advice_at,
            "decided": row.decided_at is not None,
            "adopted": row.status == ListStatus.ADOPTED.value,
            "decision_date": row.decision_date,
            "decision_ref": row.decision_ref,
            "decision_reason": row.decision_reason,
        }


def _step_context(request: Request, who: Principal, doc_base: str) -> dict[str, Any]:
    app, lang, pid = web_app(request).app, language(request), _pid(who)
    try:
        proposal: dict[str, Any] | None = _proposal_view(documents.proposal_data(app, pid), lang)
        problem = None
    except Refused as refusal:
        # Sent back to the sessions (or not yet frozen): nothing to judge now, but what was
        # recorded on the last list stays visible.
        proposal, problem = None, error_lines(refusal, lang)
    return {
        "proposal": proposal,
        "problem": problem,
        "latest": _latest_list(app, pid),
        "criteria": [(number, text(lang)) for number, text in CRITERIA.items()],
        "documents": read_documents.procedure_documents(app, pid, STEP_KINDS),
        "doc_base": doc_base,
    }


@router.get("/advies")
def advice_page(request: Request, who: Archivist) -> Response:
    return render(request, "steps/advies.html", _step_context(request, who, "/advies/documenten"))


def _yes_no(form: FormData, name: str, yes: str, no: str, label: Text) -> bool:
    value = field(form, name)
    if value not in (yes, no):
        raise InvalidInput(name, label)
    return value == yes


# The fields a confirmation page carries back unchanged, per step.
_CARRIED = {
    Purpose.ADVICE: ("advice", "reason", "ref", "date"),
    Purpose.DECISION: ("decision", "reason", "ref", "date"),
}


def _confirmation(
    request: Request, form: FormData, purpose: Purpose, summary: list[Text]
) -> Response:
    """The summary of an irreversible step with a second form that carries `confirmed=1`."""
    lang = language(request)
    carried = [(name, field(form, name)) for name in _CARRIED[purpose] if field(form, name)]
    return render(
        request,
        "steps/bevestigen.html",
        {
            "action": _STEPS[purpose][2],
            "summary": [line(lang) for line in summary],
            "carried": carried,
        },
    )


def _confirmed(form: FormData) -> bool:
    return field(form, "confirmed") == "1"


def _list_number(app: App, who: Principal) -> str:
    latest = _latest_list(app, _pid(who))
    return str(latest["number"]) if latest else "?"


@router.post("/advies")
def record_advice(request: Request, who: Archivist, form: Form) -> Response:
    app = web_app(request).app
    by = _member_name(app, who)
    reason = field(form, "reason").strip()
    # A negative advice sends the list back: it is confirmed on a summary page first. Without a
    # reason it goes straight to the command, whose refusal says what is missing.
    if field(form, "advice") == "negative" and reason and not _confirmed(form):
        number = _list_number(app, who)
        return _confirmation(
            request,
            form,
            Purpose.ADVICE,
            [
                Text(
                    f"U geeft een negatief advies over conceptlijst versie {number}.",
                    f"You give a negative advice on concept list version {number}.",
                ),
                Text(
                    "De lijst gaat terug naar de expertbijeenkomsten; de procesbegeleider ziet "
                    f"uw advies en uw reden: {reason}",
                    "The list goes back to the expert sessions; the facilitator sees your "
                    f"advice and your reason: {reason}",
                ),
                Text(
                    "Uw persoonlijke link vervalt zodra het advies is vastgelegd.",
                    "Your personal link ends once the advice is recorded.",
                ),
            ],
        )

    def command() -> None:
        positive = _yes_no(
            form,
            "advice",
            "positive",
            "negative",
            Text("kies positief of negatief advies", "choose positive or negative advice"),
        )
        decision.record_advice(
            app,
            _pid(who),
            positive=positive,
            by=by,
            actor=who.actor,
            reason=field(form, "reason") or None,
            via="link",
            ref=field(form, "ref") or None,
            day=field(form, "date") or None,
        )

    success = Text("Uw advies is vastgelegd. Dank u.", "Your advice has been recorded. Thank you.")
    return _record(request, who, command, success, Purpose.ADVICE)


@router.get("/besluit")
def decision_page(request: Request, who: Management) -> Response:
    context = _step_context(request, who, "/besluit/documenten")
    return render(request, "steps/besluit.html", context)


@router.post("/besluit")
def record_decision(request: Request, who: Management, form: Form) -> Response:
    app = web_app(request).app
    choice = field(form, "decision")
    # Adopting and sending back are both final: a summary page asks for a second click.
    if choice in ("adopted", "returned") and not _confirmed(form):
        number, day, ref = _list_number(app, who), field(form, "date"), field(form, "ref")
        outcome = (
            Text(
                f"Het bestuursorgaan stelt conceptlijst versie {number} vast "
                f"(datum {day}, kenmerk {ref}).",
                f"The governing body adopts concept list version {number} "
                f"(date {day}, reference {ref}).",
            )
            if choice == "adopted"
            else Text(
                f"Het bestuursorgaan stuurt conceptlijst versie {number} terug naar de "
                f"expertbijeenkomsten (datum {day}, kenmerk {ref}).",
                f"The governing body sends concept list version {number} back to the expert "
                f"sessions (date {day}, reference {ref}).",
            )
        )
        return _confirmation(
            request,
            form,
            Purpose.DECISION,
            [
                outcome,
                Text(
                    "Uw persoonlijke link vervalt zodra het besluit is vastgelegd.",
                    "Your personal link ends once the decision is recorded.",
                ),
            ],
        )

    def command() -> None:
        adopted = _yes_no(
            form,
            "decision",
            "adopted",
            "returned",
            Text(
                "kies vaststellen of terugsturen",
                "choose to adopt the list or to send it back",
            ),
        )
        decision.record_decision(
            app,
            _pid(who),
            adopted=adopted,
            day=field(form, "date"),
            ref=field(form, "ref"),
            actor=who.actor,
            reason=field(form, "reason") or None,
            via="link",
        )

    success = Text("Het besluit is vastgelegd.", "The decision has been recorded.")
    return _record(request, who, command, success, Purpose.DECISION)


def _record(
    request: Request, who: Principal, command: Callable[[], None], success: Text, purpose: Purpose
) -> Response:
    """Record the step; on success the link (ended by the command) leaves only a receipt.

    A refusal or bad input goes back to the step's page as a flash, as every form does.
    """
    lang = language(request)
    try:
        command()
    except HotspotError as error:
        title, details = error_lines(error, lang)
        flash(request, "error", title, details)
        return RedirectResponse(_STEPS[purpose][2], status_code=303)
    finish_link(request, {"purpose": purpose.value, "pid": _pid(who)})
    flash(request, "success", success(lang))
    return RedirectResponse("/vastgelegd", status_code=303)


@router.get("/vastgelegd")
def recorded_page(request: Request) -> Response:
    """What this session recorded through its link, after the link has ended."""
    done = receipt(request)
    if done is None or done.get("purpose") not in (Purpose.ADVICE.value, Purpose.DECISION.value):
        raise NotAllowed(FORBIDDEN)
    latest = _latest_list(web_app(request).app, str(done.get("pid")))
    return render(request, "steps/done.html", {"step": done["purpose"], "latest": latest})
