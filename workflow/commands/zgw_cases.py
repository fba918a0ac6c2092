"""The cases of an adopted hotspot in a case system: found by a search, then chosen.

Searching asks the case system first (workflow.zgw.search, outside any transaction: a slow
API must not hold the procedure), then keeps what it found in one command: new cases added,
cases found before brought up to date, every choice already made left as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select

from states.actions import Action, require_phase
from states.errors import EnvironmentProblem, InvalidInput
from states.i18n import Text
from states.phases import Phase
from states.snapshot import ListEntry
from workflow import validation
from workflow.app import App
from workflow.commands.base import Change, run_change
from workflow.commands.records import _hotspot
from workflow.db import models as m
from workflow.events import DatesChanged
from workflow.zgw import DEFAULT_SECRET_ENV
from workflow.zgw.marking import HotspotDecision

if TYPE_CHECKING:
    from workflow.zgw.search import SearchPlan


def record_cases(
    app: App,
    procedure_id: str,
    *,
    hotspot: str,
    system: str,
    actor: str,
    keyword: str | None = None,
    area: str | dict[str, Any] | None = None,
    area_file: Path | None = None,
) -> dict[str, Any]:
    """Search `system` for `hotspot`'s cases (optionally with a word in their description and
    within an area, a GeoJSON polygon) and keep them for choosing (audited)."""
    from workflow.zgw.area import describe, read_area_file
    from workflow.zgw.client import ZgwError
    from workflow.zgw.search import plan_search, run_search

    if area_file is not None:
        area = read_area_file(area_file)
    plan = plan_search(app, procedure_id, hotspot, system, keyword, area)
    try:
        result = run_search(app, plan, user_id=actor, user_name=actor)
    except ZgwError as error:
        # The case system, not the input: nothing was kept; the same search can run again.
        raise EnvironmentProblem(
            plan.system,
            Text(
                f"het zaaksysteem {plan.system} gaf geen bruikbaar antwoord ({error}); er is "
                "niets vastgelegd, probeer het later opnieuw",
                f"the case system {plan.system} gave no usable answer ({error}); nothing was "
                "recorded, try again later",
            ),
        ) from None

    def body(change: Change) -> dict[str, Any]:
        change.require(Action.INVENTORY)
        defined = change.session.scalars(
            select(m.InformationSystem).where(
                m.InformationSystem.procedure_id == change.procedure.id,
                m.InformationSystem.name == plan.system,
            )
        ).one()
        known = {
            row.url: row
            for row in change.session.scalars(
                select(m.ZgwCase).where(
                    m.ZgwCase.procedure_id == change.procedure.id,
                    m.ZgwCase.candidate_id == plan.hotspot.candidate_id,
                )
            )
        }
        _list_hotspot(change, defined, plan)
        new = 0
        found = result.cases
        for case in found:
            row = known.get(case.url)
            if row is None:
                row = m.ZgwCase(
                    procedure_id=change.procedure.id,
                    candidate_id=plan.hotspot.candidate_id,
                    system_id=defined.id,
                    url=case.url,
                )
                change.session.add(row)
                new += 1
            row.identificatie = case.identificatie[:100]
            row.omschrijving = case.omschrijving[:300]
            row.zaaktype = case.zaaktype
            row.zaaktype_omschrijving = result.type_names.get(case.zaaktype, "")[:300] or None
            row.startdatum = case.startdatum
            row.einddatum = case.einddatum
            row.found = case.archive_fields()
            row.found_at = change.now
        change.data = {
            "hotspot": plan.hotspot.number,
            "system": plan.system,
            "keyword": plan.query.keyword,
            "area": describe(plan.query.area) if plan.query.area else None,
            "found": len(found),
            "new": new,
        }
        return {
            "ok": True,
            "procedure": change.procedure.id,
            "phase": change.procedure.phase,
            "hotspot": plan.hotspot.number,
            "system": plan.system,
            "found": len(found),
            "new": new,
        }

    return run_change(app, procedure_id, actor, "inventory.cases_found", body)


def _list_hotspot(change: Change, defined: m.InformationSystem, plan: SearchPlan) -> None:
    """The case system is listed for the hotspot (its weekly reminder with it) and marked as
    searched now: the rule for leaving the inventory reads this."""
    row = change.session.scalars(
        select(m.InventorySystem).where(
            m.InventorySystem.procedure_id == change.procedure.id,
            m.InventorySystem.candidate_id == plan.hotspot.candidate_id,
            m.InventorySystem.system == defined.name,
        )
    ).first()
    if row is None:
        query = plan.query
        period = f"{query.period_start.isoformat()} tot " + (
            query.period_end.isoformat() if query.period_end else "nu"
        )
        words = f", trefwoord {query.keyword}" if query.keyword else ""
        words += ", binnen een gebied" if query.area else ""
        row = m.InventorySystem(
            procedure_id=change.procedure.id,
            candidate_id=plan.hotspot.candidate_id,
            system=defined.name,
            query=f"zaken van {len(query.zaaktypen)} zaaktype(n), periode {period}{words}",
            owner=defined.owner,
            owner_email=defined.owner_email,
            created_at=change.now,
        )
        change.session.add(row)
        change.record(DatesChanged())
    row.searched_at = change.now


def _found_case(change: Change, hotspot: str, wanted: str) -> tuple[ListEntry, m.ZgwCase | None]:
    """The adopted hotspot and its found case by identificatie or URL (None: not found)."""
    _list, entry = _hotspot(change, hotspot)
    row = change.session.scalars(
        select(m.ZgwCase).where(
            m.ZgwCase.procedure_id == change.procedure.id,
            m.ZgwCase.candidate_id == entry.candidate_id,
            or_(m.ZgwCase.identificatie == wanted, m.ZgwCase.url == wanted),
        )
    ).first()
    return entry, row


def select_case(
    app: App,
    procedure_id: str,
    *,
    hotspot: str,
    case: str,
    include: bool,
    actor: str,
    reason: str | None = None,
) -> dict[str, Any]:
    """Keep a found case (by its identificatie or URL) for the hotspot, or not, and why."""
    wanted = validation.single_line("case", case, max_length=1000)
    why = validation.text("reason", reason, max_length=4000, required=False) or None
    if not include and why is None:
        raise InvalidInput(
            "reason",
            Text(
                "een zaak niet bewaren vraagt om de reden: die blijft bij de inventarisatie",
                "not keeping a case needs the reason: it stays with the inventory",
            ),
        )

    def body(change: Change) -> dict[str, Any]:
        change.require(Action.INVENTORY)
        entry, row = _found_case(change, hotspot, wanted)
        if row is None:
            raise InvalidInput(
                "case",
                Text(
                    f"zaak {wanted} is bij hotspot {entry.number} niet gevonden; zoek eerst in "
                    "het zaaksysteem",
                    f"case {wanted} was not found for hotspot {entry.number}; search the case "
                    "system first",
                ),
            )
        if not include and row.selected and row.result in ("changed", "unchanged"):
            raise InvalidInput(
                "case",
                Text(
                    f"zaak {row.identificatie} staat voor hotspot {entry.number} al op blijvend "
                    "bewaren in het zaaksysteem en wordt bewaakt; niet meer bewaren vraagt eerst "
                    "een wijziging in het zaaksysteem zelf, door de beheerder ervan",
                    f"case {row.identificatie} is already kept for hotspot {entry.number} in the "
                    "case system and guarded; not keeping it first needs a change in the case "
                    "system itself, by its administrator",
                ),
            )
        row.selected = include
        row.reason = why
        row.selected_by = change.actor
        row.selected_at = change.now
        change.data = {
            "hotspot": entry.number,
            "case": row.identificatie,
            "url": row.url,
            "include": include,
            "reason": why,
        }
        return {
            "ok": True,
            "procedure": change.procedure.id,
            "phase": change.procedure.phase,
            "hotspot": entry.number,
            "case": row.identificatie,
            "include": include,
        }

    return run_change(app, procedure_id, actor, "inventory.case_select", body)


def apply_cases(
    app: App,
    procedure_id: str,
    *,
    hotspot: str,
    actor: str,
    dry_run: bool = False,
) -> dict[str, Any]:
    """Keep the cases chosen for `hotspot` in their case systems, or with `dry_run` say
    exactly what that would change. Each case's outcome is stored and audited the moment it is
    known (one record per case), so a rerun after a crash changes only what is left."""
    import asyncio

    from workflow.zgw.apply import CaseOutcome, Target, apply, plan
    from workflow.zgw.auth import Credentials, secret_from
    from workflow.zgw.client import ZaakClient
    from workflow.zgw.marking import TransferRule

    chosen = _chosen_cases(app, procedure_id, hotspot)
    rule = TransferRule(app.settings.zgw.transfer_years)
    summary: dict[str, int] = {}
    listed: list[dict[str, Any]] = []

    def store(outcome: CaseOutcome) -> None:
        case_id, identificatie = chosen.ids[outcome.url]

        def body(change: Change) -> dict[str, Any]:
            change.require(Action.INVENTORY)
            row = change.session.get(m.ZgwCase, case_id)
            assert row is not None
            row.applied_at = change.now
            row.result = outcome.result.value
            # An explanation was about the outcome before this one.
            row.explanation = None
            row.outcome = {
                "before": outcome.before,
                "after": outcome.after,
                "change": outcome.change,
                "status": outcome.status,
                "answer": outcome.answer if outcome.result.value != "changed" else None,
                "error": outcome.error,
            }
            change.data = {
                "hotspot": chosen.number,
                "case": identificatie,
                "url": outcome.url,
                "result": outcome.result.value,
                "before": outcome.before,
                "after": outcome.after,
                "status": outcome.status,
            }
            return {}

        run_change(app, procedure_id, actor, "inventory.case_apply", body)
        summary[outcome.result.value] = summary.get(outcome.result.value, 0) + 1
        listed.append({"case": identificatie, "result": outcome.result.value})

    async def run(system: _SystemCases) -> None:
        credentials = Credentials(
            system.client_id, secret_from(None, system.secret_env), actor, actor
        )
        targets = [Target(url, chosen.decision) for url in system.urls]
        async with ZaakClient(system.zaken_url, credentials, now=app.now) as client:
            if not dry_run:
                await apply(client, targets, rule, store)
                return
            for planned in await plan(client, targets, rule):
                listed.append(
                    {
                        "case": chosen.ids[planned.target.url][1],
                        "change": planned.change,
                        "gone": planned.case is None,
                    }
                )

    for system in chosen.systems:
        asyncio.run(run(system))
    return {
        "ok": True,
        "procedure": procedure_id,
        "phase": chosen.phase,
        "hotspot": chosen.number,
        "dry_run": dry_run,
        "outcomes": summary,
        "cases": listed,
    }


@dataclass(frozen=True, slots=True)
class _SystemCases:
    zaken_url: str
    client_id: str
    secret_env: str
    urls: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Chosen:
    number: str
    phase: str
    decision: HotspotDecision
    ids: dict[str, tuple[int, str]]
    systems: tuple[_SystemCases, ...]


def _chosen_cases(app: App, procedure_id: str, hotspot: str) -> _Chosen:
    """The cases chosen for the hotspot, per case system, and the decision they are kept for;
    refused before any request when the phase or the choices do not allow an apply."""
    from workflow.procedure_store import load_procedure
    from workflow.zgw.search import adopted_hotspot, decided_on

    with app.read() as session:
        procedure = load_procedure(session.connection(), procedure_id)
        require_phase(Action.INVENTORY, Phase(procedure.phase))
        row, entry = adopted_hotspot(session, procedure_id, hotspot)
        decided = decided_on(row)
        rows = session.execute(
            select(m.ZgwCase, m.InformationSystem)
            .join(m.InformationSystem, m.InformationSystem.id == m.ZgwCase.system_id)
            .where(
                m.ZgwCase.procedure_id == procedure_id,
                m.ZgwCase.candidate_id == entry.candidate_id,
                m.ZgwCase.selected.is_(True),
            )
            .order_by(m.ZgwCase.id)
        ).all()
        decision = HotspotDecision(
            number=entry.number,
            title=entry.title,
            governing_body=procedure.governing_body,
            decision_ref=row.decision_ref or "",
            decision_date=decided,
        )
    if not rows:
        raise InvalidInput(
            "hotspot",
            Text(
                f"voor hotspot {entry.number} is nog geen zaak gekozen om te bewaren: zoek in "
                "het zaaksysteem en kies de zaken eerst",
                f"no case has been chosen to keep for hotspot {entry.number}: search the case "
                "system and choose the cases first",
            ),
        )
    by_system: dict[int, list[tuple[m.ZgwCase, m.InformationSystem]]] = {}
    for case, system in rows:
        by_system.setdefault(system.id, []).append((case, system))
    systems = tuple(
        _SystemCases(
            zaken_url=group[0][1].zaken_url or "",
            client_id=group[0][1].client_id or "",
            secret_env=group[0][1].secret_env or DEFAULT_SECRET_ENV,
            urls=tuple(case.url for case, _s in group),
        )
        for group in by_system.values()
    )
    return _Chosen(
        entry.number,
        procedure.phase,
        decision,
        {case.url: (case.id, case.identificatie) for case, _s in rows},
        systems,
    )


def explain_case(
    app: App,
    procedure_id: str,
    *,
    hotspot: str,
    case: str,
    explanation: str,
    actor: str,
) -> dict[str, Any]:
    """Say why a chosen case the case system would not keep needs no further apply (kept by
    hand, say): with it, the failure no longer holds the inventory open."""
    wanted = validation.single_line("case", case, max_length=1000)
    why = validation.text("explanation", explanation, max_length=4000)

    def body(change: Change) -> dict[str, Any]:
        change.require(Action.GUARD_CASES)
        entry, row = _found_case(change, hotspot, wanted)
        failed = row is not None and row.selected and row.result in ("refused", "failed")
        drifted = row is not None and row.check_result in ("not_restored", "gone")
        if row is None or not (failed or drifted):
            state = "niet gevonden" if row is None else f"uitkomst {row.result or 'nog geen'}"
            state_en = "not found" if row is None else f"outcome {row.result or 'none yet'}"
            raise InvalidInput(
                "case",
                Text(
                    f"zaak {wanted} bij hotspot {entry.number}: {state}; uitleg hoort bij een "
                    "gekozen zaak die het zaaksysteem weigerde of niet kon bijwerken",
                    f"case {wanted} for hotspot {entry.number}: {state_en}; an explanation "
                    "belongs to a chosen case the case system refused or failed to update",
                ),
            )
        row.explanation = why
        change.data = {
            "hotspot": entry.number,
            "case": row.identificatie,
            "url": row.url,
            "result": row.result,
            "explanation": why,
        }
        return {
            "ok": True,
            "procedure": change.procedure.id,
            "phase": change.procedure.phase,
            "hotspot": entry.number,
            "case": row.identificatie,
        }

    return run_change(app, procedure_id, actor, "inventory.case_explain", body)
