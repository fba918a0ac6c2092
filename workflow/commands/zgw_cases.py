"""The cases of an adopted hotspot in a case system: found by a search, then chosen.

Searching asks the case system first (workflow.zgw.search, outside any transaction: a slow
API must not hold the procedure), then keeps what it found in one command: new cases added,
cases found before brought up to date, every choice already made left as it was.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from states.actions import Action
from states.errors import EnvironmentProblem, InvalidInput, NotFound
from states.i18n import Text
from workflow import validation
from workflow.app import App
from workflow.commands.base import Change, run_change
from workflow.db import models as m


def record_cases(
    app: App,
    procedure_id: str,
    *,
    hotspot: str,
    system: str,
    actor: str,
    keyword: str | None = None,
) -> dict[str, Any]:
    """Search `system` for `hotspot`'s cases and keep them for choosing (audited)."""
    from workflow.zgw.client import ZgwError
    from workflow.zgw.search import plan_search, run_search

    plan = plan_search(app, procedure_id, hotspot, system, keyword)
    try:
        found = run_search(app, plan, user_id=actor, user_name=actor)
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
        new = 0
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
            row.startdatum = case.startdatum
            row.einddatum = case.einddatum
            row.found = case.archive_fields()
            row.found_at = change.now
        change.data = {
            "hotspot": plan.hotspot.number,
            "system": plan.system,
            "keyword": plan.query.keyword,
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
        entry = next(
            (e for e in _adopted_entries(change) if e.number == hotspot),
            None,
        )
        if entry is None:
            raise NotFound(
                Text(
                    f"{hotspot!r} staat niet op de vastgestelde hotspotlijst",
                    f"{hotspot!r} is not on the adopted hotspot list",
                )
            )
        row = change.session.scalars(
            select(m.ZgwCase).where(
                m.ZgwCase.procedure_id == change.procedure.id,
                m.ZgwCase.candidate_id == entry.candidate_id,
                or_(m.ZgwCase.identificatie == wanted, m.ZgwCase.url == wanted),
            )
        ).first()
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


def _adopted_entries(change: Change) -> tuple[Any, ...]:
    from workflow import repository
    from workflow.commands.records import _adopted

    return tuple(repository.list_entries(_adopted(change)))
