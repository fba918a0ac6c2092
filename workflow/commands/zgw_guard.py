"""The drift guard: every case the monitor kept is read again, and what drifted is put back.

Open Zaak derives a case's archive fields from its result type and may silently set
`vernietigen` again (a changed result, a second final status, reopening and closing). The
guard reads every kept case (a hundred per request), re-applies what no longer holds (the
same PATCH as the apply, with its `X-Audit-Toelichting`), and stores each case's check.

Each drifted case is stored and audited (`cases.drift`) the moment its outcome is known; every
case's last check moves with the round's summary (`cases.check`), in the transaction that
also queues one mail to the informatiebeheerder(s) and management naming every case that
could not be restored (refused, failed, gone) or has not been readable for two intervals. A
crash half-way loses nothing: the cases stay due and the next round reads them again. The
worker runs a round for every procedure whose oldest check is older than
`[zaken] check_every_days`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import structlog
from sqlalchemy import func, or_, select

from notifications.kinds import MailKind
from states.actions import Action
from states.audit_actions import AuditAction
from states.errors import HotspotError, InvalidInput, NotFound
from states.i18n import Language, Text
from workflow import repository, validation
from workflow.app import App
from workflow.commands.base import Change, run_change
from workflow.db import models as m
from workflow.notify.context import send
from workflow.notify.recipients import MANAGEMENT_ROLE, Addressee, members
from workflow.notify.reminders import INFORMATION_MANAGER_ROLE
from workflow.zgw import DEFAULT_SECRET_ENV
from workflow.zgw.checks import NEEDS_ATTENTION, Check
from workflow.zgw.marking import HotspotDecision

log = structlog.get_logger("hotspot.guard")

KEPT_RESULTS = repository.KEPT_RESULTS


@dataclass(frozen=True, slots=True)
class _KeptCase:
    id: int
    url: str
    identificatie: str
    hotspot: str
    system: str
    decision: HotspotDecision
    # The last time the case was known kept (its last check, else its apply), and whether a
    # failure about it has been explained (then it is not mailed about again).
    last_known: datetime | None = None
    explained: bool = False


@dataclass(frozen=True, slots=True)
class _System:
    name: str
    zaken_url: str
    client_id: str
    secret_env: str
    cases: tuple[_KeptCase, ...]


def check_cases(
    app: App, procedure_id: str, *, actor: str, hotspot: str | None = None
) -> dict[str, Any]:
    """Read every kept case of the procedure (or of one hotspot) again, restore what drifted,
    store each case's check and tell who must act about what could not be restored."""
    from workflow.zgw.apply import CaseOutcome, Result, Target, apply
    from workflow.zgw.auth import Credentials, secret_from
    from workflow.zgw.client import ZaakClient, ZgwError
    from workflow.zgw.marking import TransferRule

    number = validation.single_line("hotspot", hotspot, max_length=40) if hotspot else None
    systems = _kept_cases(app, procedure_id, number)
    rule = TransferRule(app.settings.zgw.transfer_years)
    checks: dict[int, tuple[Check, dict[str, Any]]] = {}
    # Every secret before any request: a system without one refuses the round as a whole,
    # rather than after other systems were changed and before anyone is told.
    credentials = {
        system.name: Credentials(
            system.client_id, secret_from(None, system.secret_env), actor, actor
        )
        for system in systems
    }

    def store_drift(case: _KeptCase, outcome: CaseOutcome) -> None:
        check = {
            Result.CHANGED: Check.RESTORED,
            Result.REFUSED: Check.NOT_RESTORED,
        }.get(outcome.result, Check.GONE if outcome.before is None else Check.NOT_RESTORED)
        detail = {
            "drifted": sorted(outcome.change),
            "before": outcome.before,
            "after": outcome.after,
            "status": outcome.status,
            "answer": outcome.answer if check is not Check.RESTORED else None,
            "error": outcome.error,
        }

        def body(change: Change) -> dict[str, Any]:
            change.require(Action.GUARD_CASES)
            row = change.session.get(m.ZgwCase, case.id)
            if row is None:  # the procedure's cases were removed meanwhile
                return {}
            # Not `checked_at`: that moves with the round's summary and its mail, so a crash
            # before them leaves the case due and the next round tells.
            row.check_result = check.value
            row.check = detail
            change.data = {
                "hotspot": case.hotspot,
                "case": case.identificatie,
                "url": case.url,
                "check": check.value,
                "drifted": detail["drifted"],
                "before": outcome.before,
                "after": outcome.after,
                "status": outcome.status,
            }
            return {}

        run_change(app, procedure_id, actor, AuditAction.CASES_DRIFT, body)
        checks[case.id] = (check, detail)

    async def guard(system: _System) -> None:
        try:
            async with ZaakClient(
                system.zaken_url, credentials[system.name], now=app.now
            ) as client:
                # A case kept for two hotspots is one case with two kenmerken: its targets go
                # in turns, each reading what the one before wrote.
                for layer in _layers(system.cases):
                    by_url = {case.url: case for case in layer}

                    def done(outcome: CaseOutcome, by_url: dict[str, _KeptCase] = by_url) -> None:
                        case = by_url[outcome.url]
                        if outcome.result is Result.UNCHANGED:
                            checks[case.id] = (Check.KEPT, {"drifted": []})
                        else:
                            store_drift(case, outcome)

                    targets = [Target(case.url, case.decision) for case in layer]
                    await apply(client, targets, rule, done)
        except ZgwError as error:
            # Reading failed for the whole system: nothing was checked, nothing changed.
            log.warning("cases.unreachable", system=system.name, error=type(error).__name__)
            for case in system.cases:
                checks.setdefault(case.id, (Check.UNREACHABLE, {"error": str(error)}))

    for system in systems:
        asyncio.run(guard(system))
    cases = [case for system in systems for case in system.cases]
    return _close_round(app, procedure_id, actor, number, cases, checks)


def _close_round(
    app: App,
    procedure_id: str,
    actor: str,
    number: str | None,
    cases: Sequence[_KeptCase],
    checks: dict[int, tuple[Check, dict[str, Any]]],
) -> dict[str, Any]:
    """The round's summary, in one transaction with the mail: every case's check stored, the
    cases that need someone told. A case not reached stays due (`checked_at` kept); it is
    mailed about only once it has gone unchecked for two intervals."""
    for case in cases:  # every case read has a check; one missing was not reached
        checks.setdefault(case.id, (Check.UNREACHABLE, {"error": "niet gelezen"}))
    counts = {check.value: 0 for check in Check}
    for check, _detail in checks.values():
        counts[check.value] += 1
    now = app.now()
    overdue = now - 2 * timedelta(days=app.settings.zgw.check_every_days)

    def needs_telling(case: _KeptCase, check: Check) -> bool:
        if check not in NEEDS_ATTENTION or case.explained:
            return False
        if check is Check.UNREACHABLE:
            return case.last_known is None or case.last_known <= overdue
        return True

    attention = [
        (case, checks[case.id]) for case in cases if needs_telling(case, checks[case.id][0])
    ]

    def body(change: Change) -> dict[str, Any]:
        change.require(Action.GUARD_CASES)
        for case in cases:
            check, detail = checks[case.id]
            row = change.session.get(m.ZgwCase, case.id)
            if row is None:
                continue
            if check is Check.UNREACHABLE:
                # Not read: what was last known stays, and the case stays due.
                row.check_result = check.value
                row.check = {**(row.check or {}), "error": detail.get("error")}
                continue
            row.checked_at = change.now
            if check is Check.KEPT:  # drift was stored when it was known
                row.check_result = check.value
                row.check = detail
        told = _escalate(change, attention) if attention else 0
        change.data = {"hotspot": number, "checked": len(cases), **counts, "told": told}
        return {
            "ok": True,
            "procedure": change.procedure.id,
            "phase": change.procedure.phase,
            "checked": len(cases),
            "checks": counts,
            "cases": [
                {"case": case.identificatie, "hotspot": case.hotspot, "check": check.value}
                for case in cases
                for check, _d in [checks.get(case.id, (Check.UNREACHABLE, {}))]
            ],
            "told": told,
        }

    return run_change(app, procedure_id, actor, AuditAction.CASES_CHECK, body)


_Attention = list[tuple[_KeptCase, tuple[Check, dict[str, Any]]]]


def _escalate(change: Change, attention: _Attention) -> int:
    """One mail to the informatiebeheerder(s) and management: what could not be restored."""
    seen: dict[str, Addressee] = {}
    for role in (INFORMATION_MANAGER_ROLE, MANAGEMENT_ROLE):
        for person in members(change, role):
            seen.setdefault(person.recipient.email.lower(), person)
    told = list(seen.values())
    if not told:
        return 0
    page = f"{change.mail.base_url}/procedures/{quote(change.procedure.id, safe='')}#zaken"

    def extra(_person: Addressee, lang: Language) -> dict[str, Any]:
        return {
            "cases": [
                {
                    "hotspot": case.hotspot,
                    "case": case.identificatie,
                    "url": case.url,
                    "system": case.system,
                    "check_label": check.label(lang),
                    "drifted": ", ".join(detail.get("drifted") or ()),
                    "status": detail.get("status"),
                    "error": detail.get("error") or "",
                }
                for case, (check, detail) in attention
            ],
            "cases_page": page,
            "check_command": f"hotspot inventory check {change.procedure.id}",
        }

    return send(change, MailKind.CASES_NOT_KEPT, told, extra)


def _layers(cases: Sequence[_KeptCase]) -> list[list[_KeptCase]]:
    """The cases in turns, each URL at most once per turn."""
    layers: list[list[_KeptCase]] = []
    for case in cases:
        layer = next((ly for ly in layers if all(c.url != case.url for c in ly)), None)
        if layer is None:
            layers.append(layer := [])
        layer.append(case)
    return layers


def _kept_cases(app: App, procedure_id: str, number: str | None) -> tuple[_System, ...]:
    """The kept cases per case system, each with the decision it is kept for; NotFound when
    the procedure has no adopted list, InvalidInput when there is nothing to check."""
    from workflow.procedure_store import load_procedure
    from workflow.zgw.search import adopted_list, decided_on

    with app.read() as session:
        procedure = load_procedure(session.connection(), procedure_id)
        latest = adopted_list(session, procedure_id)
        decided = decided_on(latest)  # the apply refuses this too: no decision to cite
        entries = {e.candidate_id: e for e in repository.list_entries(latest)}
        if number is not None and number not in {e.number for e in entries.values()}:
            raise NotFound(
                Text(
                    f"{number!r} staat niet op de vastgestelde hotspotlijst",
                    f"{number!r} is not on the adopted hotspot list",
                )
            )
        rows = session.execute(
            select(m.ZgwCase, m.InformationSystem)
            .join(m.InformationSystem, m.InformationSystem.id == m.ZgwCase.system_id)
            .where(
                m.ZgwCase.procedure_id == procedure_id,
                m.ZgwCase.selected.is_(True),
                m.ZgwCase.result.in_(KEPT_RESULTS),
            )
            .order_by(m.ZgwCase.id)
        ).all()
    grouped: dict[int, list[_KeptCase]] = {}
    defined: dict[int, m.InformationSystem] = {}
    for case, system in rows:
        entry = entries.get(case.candidate_id)
        if entry is None or (number is not None and entry.number != number):
            continue
        decision = HotspotDecision(
            number=entry.number,
            title=entry.title,
            governing_body=procedure.governing_body,
            decision_ref=latest.decision_ref or "",
            decision_date=decided,
        )
        defined[system.id] = system
        grouped.setdefault(system.id, []).append(
            _KeptCase(
                case.id,
                case.url,
                case.identificatie,
                entry.number,
                system.name,
                decision,
                case.checked_at or case.applied_at,
                bool((case.explanation or "").strip()),
            )
        )
    if not grouped:
        raise InvalidInput(
            "hotspot" if number else "procedure",
            Text(
                "er is nog geen zaak in een zaaksysteem blijvend bewaard"
                + (f" voor hotspot {number}" if number else "")
                + ": er valt niets te controleren",
                "no case has been kept in a case system yet"
                + (f" for hotspot {number}" if number else "")
                + ": there is nothing to check",
            ),
        )
    return tuple(
        _System(
            name=defined[sid].name,
            zaken_url=defined[sid].zaken_url or "",
            client_id=defined[sid].client_id or "",
            secret_env=defined[sid].secret_env or DEFAULT_SECRET_ENV,
            cases=tuple(cases),
        )
        for sid, cases in grouped.items()
    )


def due_procedures(app: App, now: datetime) -> list[str]:
    """Procedures with a kept case not checked (or kept) within `check_every_days`."""
    every = timedelta(days=app.settings.zgw.check_every_days)
    last = func.coalesce(m.ZgwCase.checked_at, m.ZgwCase.applied_at)
    with app.read() as session:
        return list(
            session.scalars(
                select(m.ZgwCase.procedure_id)
                .where(
                    m.ZgwCase.selected.is_(True),
                    m.ZgwCase.result.in_(KEPT_RESULTS),
                    or_(last.is_(None), last <= now - every),
                )
                .distinct()
                .order_by(m.ZgwCase.procedure_id)
            )
        )


def guard_due(app: App, now: datetime) -> int:
    """The worker's round: check every procedure that is due; how many were checked. A round
    that cannot run (no secret, an unreachable system) is logged and tried again next time."""
    from workflow.deadlines.sweep import SYSTEM_ACTOR

    done = 0
    for procedure_id in due_procedures(app, now):
        failed = _NOT_DONE.get(procedure_id)
        if failed is not None and now - failed < RETRY_AFTER:
            continue
        try:
            result = check_cases(app, procedure_id, actor=SYSTEM_ACTOR)
        except HotspotError as error:
            # A missing secret or a phase that no longer allows it: an operator's matter,
            # logged once per RETRY_AFTER rather than every round.
            _NOT_DONE[procedure_id] = now
            log.warning("cases.check_not_done", procedure=procedure_id, kind=error.kind)
            continue
        except Exception as error:
            # Anything else (an answer the client cannot read, the database): this procedure
            # waits an hour, the others are still checked, the worker goes on.
            _NOT_DONE[procedure_id] = now
            log.error("cases.check_failed", procedure=procedure_id, error=type(error).__name__)
            continue
        if result["checks"].get(Check.UNREACHABLE.value):
            _NOT_DONE[procedure_id] = now  # not read: tried again in an hour, not each beat
        else:
            _NOT_DONE.pop(procedure_id, None)
        done += 1
    return done


# A round that could not run is tried again after an hour (per worker process).
RETRY_AFTER = timedelta(hours=1)
_NOT_DONE: dict[str, datetime] = {}
