"""The facilitator's pages: the dashboard, a procedure's page and its audit trail with export.

The forms on the procedure page post to workflow.web.routes.facilitator_actions.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from states.actions import ALLOWED_PHASES, Action
from states.errors import HotspotError, InvalidInput, NotFound
from states.i18n import Text
from states.phases import Phase
from workflow import audit, exports, validation
from workflow.commands import people as people_commands
from workflow.commands import procedures
from workflow.read import inventory as read_inventory
from workflow.web import views
from workflow.web.access import abilities, facilitator
from workflow.web.forms import checked_form, field
from workflow.web.rendering import error_lines, render
from workflow.web.runtime import web_app
from workflow.web.session import Principal, flash, language

router = APIRouter(include_in_schema=False)

Facilitator = Annotated[Principal, Depends(facilitator)]
Form = Annotated[FormData, Depends(checked_form)]


def page_of(pid: str) -> str:
    return f"/procedures/{quote(pid, safe='')}"


@router.get("/procedures")
def dashboard(request: Request, who: Facilitator) -> Response:
    state = web_app(request)
    wanted = _dashboard_filter(request)
    page = validation.page_number(request.query_params.get("page"))
    found = views.dashboard(state.app, state.caches.standing, wanted, page, language(request))
    rows = found.rows
    return render(
        request,
        "facilitator/dashboard.html",
        {
            "rows": rows,
            "d": found,
            "query": found.wanted.query_string(),
            "phase_choices": tuple(Phase),
            "mail": found.mail,
        },
    )


def _dashboard_filter(request: Request) -> views.DashboardFilter:
    """The dashboard's GET form: a phase (its code) and part of an organisation's name."""
    q = request.query_params
    phase = q.get("phase", "").strip()
    if phase and phase not in {p.value for p in Phase}:
        raise InvalidInput(
            "phase",
            Text(
                f"{phase[:40]!r} is geen fase; kies uit de lijst",
                f"{phase[:40]!r} is not a phase; choose from the list",
            ),
        )
    typed = q.get("organisation", "").strip()
    organisation = validation.single_line("organisation", typed, max_length=200) if typed else ""
    return views.DashboardFilter(Phase(phase) if phase else None, organisation)


@router.post("/procedures")
def open_procedure(request: Request, who: Facilitator, form: Form) -> Response:
    """Open a procedure; on success its page follows, otherwise the dashboard with the reason."""
    lang = language(request)
    try:
        result = procedures.init_procedure(
            web_app(request).app,
            organisation=field(form, "organisation"),
            body=field(form, "body"),
            period=field(form, "period"),
            procedure_id=field(form, "procedure_id").strip() or None,
            actor=who.actor,
        )
    except HotspotError as error:
        title, details = error_lines(error, lang)
        flash(request, "error", title, details)
        return RedirectResponse("/procedures", status_code=303)
    pid = str(result["procedure"])
    flash(request, "success", Text(f"Procedure {pid} geopend", f"Procedure {pid} opened")(lang))
    return RedirectResponse(page_of(pid), status_code=303)


# The phases in which a procedure may have cases kept in a case system.
_KEEPING_PHASES = frozenset(ALLOWED_PHASES[Action.GUARD_CASES])


@router.get("/procedures/{pid}")
def procedure(request: Request, pid: str, who: Facilitator) -> Response:
    lang = language(request)
    state = web_app(request)
    page = views.procedure_page(state.app, pid, lang, state.caches.pages)
    able = abilities(who, page.allowed)
    return render(
        request,
        "facilitator/procedure.html",
        {
            "p": page,
            "base": page_of(page.record.id),
            "rule_label": views.rule_label,
            "mail": page.mail,
            # Every case kept in a case system, with the drift guard's last check: only from
            # the inventory on, so the earlier phases' page costs no query for it.
            "kept": (
                read_inventory.kept_cases(state.app, page.record.id)
                if page.phase in _KEEPING_PHASES
                else ()
            ),
            **able,
            "sections": procedure_sections(page, able["can_do"]),
        },
    )


def procedure_sections(page: views.ProcedurePage, can: frozenset[str]) -> frozenset[str]:
    """The sections of the procedure page this account sees in this phase (their heading ids):
    the page shows these, and a form's answer goes to its section only when it is one of them."""
    found = {
        "g-werkgroep": bool({"member.add", "milestone.set"} & can),
        "g-experts": bool({"expert.add", "expert.invite", "expert.respond"} & can)
        or (page.phase.is_open and bool(page.experts)),
        "g-sessions": bool({"session.add", "session.change", "session.attend"} & can),
        "g-candidates": bool({"candidate.add", "candidate.assess", "concept_list.empty"} & can),
        "g-inventory": "inventory" in can,
        "g-publish": "publish" in can,
        "zaken": "cases.guard" in can,
    }
    return frozenset(section for section, shown in found.items() if shown)


def _page_list(request: Request, pid: str, template: str, who: Principal) -> Response:
    state = web_app(request)
    page = views.procedure_page(state.app, pid, language(request), state.caches.pages)
    context = {"p": page, "base": page_of(page.record.id), **abilities(who, page.allowed)}
    return render(request, template, context)


@router.get("/procedures/{pid}/deelnemers")
def people(request: Request, pid: str, who: Facilitator) -> Response:
    """The workgroup and every expert with their answers (the procedure page counts them)."""
    return _page_list(request, pid, "facilitator/people.html", who)


@router.get("/procedures/{pid}/kandidaten")
def candidates(request: Request, pid: str, who: Facilitator) -> Response:
    """Every candidate hotspot with its description and assessment."""
    return _page_list(request, pid, "facilitator/candidates.html", who)


@router.get("/procedures/{pid}/uitnodiging")
def invitation_preview(request: Request, pid: str, who: Facilitator) -> Response:
    """The invitation as the next expert would get it, with the introduction to edit, before
    anything is sent."""
    state = web_app(request)
    page = views.procedure_page(state.app, pid, language(request), state.caches.pages)
    preview = people_commands.preview_invitation(state.app, page.record.id, actor=who.actor)
    return render(
        request,
        "facilitator/invitation.html",
        {
            "p": page,
            "base": page_of(page.record.id),
            "preview": preview,
            **abilities(who, page.allowed),
        },
    )


@router.get("/procedures/{pid}/kandidaten/{cid}/beoordelen")
def assessment(request: Request, pid: str, cid: str, who: Facilitator) -> Response:
    """One candidate to assess: the nomination as the expert wrote it, the criteria they
    ticked (the form starts from them), and where the other candidates stand."""
    state = web_app(request)
    page = views.procedure_page(state.app, pid, language(request), state.caches.pages)
    wanted = validation.id_or_none(cid)
    rows = list(page.candidates)
    current = next((c for c in rows if c.id == wanted), None)
    if current is None:
        raise NotFound(
            Text(
                f"kandidaat {cid[:20]!r} bestaat niet in deze procedure",
                f"candidate {cid[:20]!r} does not exist in this procedure",
            )
        )
    after = rows[rows.index(current) + 1 :] + rows[: rows.index(current)]
    upcoming = next((c for c in after if not c.assessed), None)
    base = page_of(page.record.id)
    back = f"{base}/kandidaten/{upcoming.id}/beoordelen" if upcoming else f"{base}/kandidaten"
    return render(
        request,
        "facilitator/assessment.html",
        {
            "p": page,
            "base": base,
            "c": current,
            "back": back,
            "upcoming": upcoming,
            **abilities(who, page.allowed),
        },
    )


@router.get("/procedures/{pid}/inventarisatie")
def inventory(request: Request, pid: str, who: Facilitator) -> Response:
    """Per adopted hotspot: the systems searched, the files marked, what is still open; the
    forms for each hotspot offer only that hotspot's systems."""
    state = web_app(request)
    page = views.procedure_page(state.app, pid, language(request), state.caches.pages)
    overview = read_inventory.inventory_overview(state.app, page.record.id)
    return render(
        request,
        "facilitator/inventory.html",
        {
            "p": page,
            "base": page_of(page.record.id),
            "inv": overview,
            **abilities(who, page.allowed),
            "sections": frozenset(
                ["inv-systems", *(f"h-{n}" for n in range(1, len(overview.hotspots) + 1))]
            ),
        },
    )


def _inventory_table(request: Request, pid: str) -> tuple[tuple[str, ...], list[list[object]]]:
    lang = language(request)
    overview = read_inventory.inventory_overview(web_app(request).app, pid)
    return read_inventory.EXPORT_HEADER[lang], list(overview.rows(lang))


@router.get("/procedures/{pid}/inventarisatie.csv")
def inventory_csv(request: Request, pid: str, who: Facilitator) -> Response:
    header, rows = _inventory_table(request, pid)
    return Response(
        exports.dutch_csv(header, rows),
        media_type=exports.CSV_MEDIA_TYPE,
        headers=_attachment(f"inventarisatie-{quote(pid, safe='')}.csv"),
    )


@router.get("/procedures/{pid}/inventarisatie.xlsx")
def inventory_xlsx(request: Request, pid: str, who: Facilitator) -> Response:
    header, rows = _inventory_table(request, pid)
    return Response(
        exports.xlsx("Inventarisatie", header, rows),
        media_type=exports.XLSX_MEDIA_TYPE,
        headers=_attachment(f"inventarisatie-{quote(pid, safe='')}.xlsx"),
    )


@router.get("/procedures/{pid}/bewaarde-zaken.csv")
def kept_cases_report(request: Request, pid: str, who: Facilitator) -> Response:
    """The drift guard's report: every kept case with its last check (Dutch CSV)."""
    cases = read_inventory.kept_cases(web_app(request).app, pid)
    rows = read_inventory.guard_rows(cases, language(request))
    return Response(
        exports.dutch_csv(read_inventory.GUARD_HEADER, rows),
        media_type=exports.CSV_MEDIA_TYPE,
        headers=_attachment(f"bewaarde-zaken-{quote(pid, safe='')}.csv"),
    )


@router.get("/procedures/{pid}/uitzonderingen.{fmt}")
def exception_list(request: Request, pid: str, fmt: str, who: Facilitator) -> Response:
    """The cases kept for a hotspot, for a destruction-list tool to leave out (CSV or JSON)."""
    if fmt not in ("csv", "json"):
        raise NotFound(Text("alleen als .csv of .json", "only as .csv or .json"))
    cases = read_inventory.kept_cases(web_app(request).app, pid)
    name = f"uitzonderingen-{quote(pid, safe='')}.{fmt}"
    if fmt == "json":
        return Response(
            read_inventory.exception_list_json(cases),
            media_type="application/json",
            headers=_attachment(name),
        )
    return Response(
        exports.dutch_csv(read_inventory.EXCEPTION_HEADER, [c.row() for c in cases]),
        media_type=exports.CSV_MEDIA_TYPE,
        headers=_attachment(name),
    )


@router.get("/procedures/{pid}/termijnen")
def deadlines(request: Request, pid: str, who: Facilitator) -> Response:
    """Every deadline with its state and reminders, as `hotspot deadlines` lists them."""
    app = web_app(request).app
    overview = views.deadlines_page(app, pid, language(request))
    return render(
        request,
        "facilitator/deadlines.html",
        {
            "overview": overview,
            "pid": overview["procedure"],
            "base": page_of(overview["procedure"]),
            "today": date.fromisoformat(overview["today"]),
        },
    )


def _day(value: str, name: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            name,
            Text(f"{value!r} is geen datum (JJJJ-MM-DD)", f"{value!r} is not a date (YYYY-MM-DD)"),
        ) from None


def _filter(request: Request) -> views.AuditFilter:
    q = request.query_params
    return views.AuditFilter(
        actor=q.get("actor", "").strip(),
        action=q.get("action", "").strip(),
        since=_day(q.get("from", ""), "from"),
        until=_day(q.get("to", ""), "to"),
    )


@router.get("/procedures/{pid}/audit")
def audit_trail(request: Request, pid: str, who: Facilitator) -> Response:
    wanted = _filter(request)
    page = validation.page_number(request.query_params.get("page"))
    found = views.audit_page(web_app(request).app, pid, wanted, page)
    return render(
        request,
        "facilitator/audit.html",
        {
            "a": found,
            "f": wanted,
            "query": wanted.query_string(),
            "base": page_of(found.procedure_id),
            "as_json": audit.canonical_json,
        },
    )


def _export_rows(request: Request, pid: str) -> list[dict[str, Any]]:
    return audit.as_dicts(views.audit_export(web_app(request).app, pid, _filter(request)))


def _attachment(name: str) -> dict[str, str]:
    return {"content-disposition": f'attachment; filename="{name}"'}


def _export_table(request: Request, pid: str) -> list[list[Any]]:
    """The matching records as rows of cells; the data as its canonical (hashed) JSON."""
    return [
        [audit.canonical_json(row[n]) if n == "data" else row[n] for n in audit.EXPORTED]
        for row in _export_rows(request, pid)
    ]


@router.get("/procedures/{pid}/audit.csv")
def audit_csv(request: Request, pid: str, who: Facilitator) -> Response:
    """The matching records as CSV for Dutch Excel (semicolons, BOM); formulas defused."""
    return Response(
        exports.dutch_csv(audit.EXPORTED, _export_table(request, pid)),
        media_type=exports.CSV_MEDIA_TYPE,
        headers=_attachment(f"audit-{quote(pid, safe='')}.csv"),
    )


@router.get("/procedures/{pid}/audit.xlsx")
def audit_xlsx(request: Request, pid: str, who: Facilitator) -> Response:
    """The same records as a spreadsheet; what anyone typed stays text."""
    return Response(
        exports.xlsx("Audittrail", audit.EXPORTED, _export_table(request, pid)),
        media_type=exports.XLSX_MEDIA_TYPE,
        headers=_attachment(f"audit-{quote(pid, safe='')}.xlsx"),
    )


@router.get("/procedures/{pid}/audit.json")
def audit_json(request: Request, pid: str, who: Facilitator) -> Response:
    rows = _export_rows(request, pid)
    body = json.dumps({"procedure": pid, "records": rows}, ensure_ascii=False, indent=1)
    return Response(
        body,
        media_type="application/json",
        headers=_attachment(f"audit-{quote(pid, safe='')}.json"),
    )
