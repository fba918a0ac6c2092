"""Opening, listing, advancing, cancelling procedures and recording deviations."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.orm import Session

from states.actions import Action
from states.concept_list import numbered_entries
from states.errors import InvalidInput, Refused
from states.guards import OpenProcedure, refuse_overlap, require_deviable
from states.i18n import Text, format_date, local_date
from states.machine import ADVANCE, CANCEL, CURRENT_VERSION, ProcedureModel, definition
from states.phases import OPEN_PHASES, Phase, parse_phase
from states.rules import RULES_BY_CODE
from states.snapshot import ListStatus, ProcedureSnapshot
from workflow import audit, links, repository, validation
from workflow.app import App
from workflow.commands.base import Change, log, retried, run_change
from workflow.db import models as m
from workflow.db.models import table_of
from workflow.events import ListFrozen, PhaseChanged
from workflow.links import EndReason

# Where a procedure stands is read without the ORM (workflow.procedure_status); its callers
# know it as procedures.status.
from workflow.procedure_status import Status as Status
from workflow.procedure_status import status as status
from workflow.procedure_store import (
    PROCEDURE_COLUMNS,
    ProcedureRecord,
)
from workflow.settings import effective_config

LT = table_of(m.ListVersion)


def init_procedure(
    app: App,
    *,
    organisation: str,
    body: str,
    period: str,
    actor: str,
    procedure_id: str | None = None,
    config_file: Path | None = None,
    legal_basis: str | None = None,
) -> dict[str, Any]:
    org_name = validation.single_line("organisation", organisation, max_length=200)
    body_name = validation.single_line("body", body, max_length=200)
    start, end = validation.parse_period("period", period, local_date(app.now()).year)
    wanted_id = validation.slug("procedure_id", procedure_id) if procedure_id else None
    raw_config, config = effective_config(config_file)
    basis = validation.text("legal_basis", legal_basis or config.legal_basis, max_length=2000)

    def opening() -> str:
        now = app.now()
        with app.write() as session:
            org = _organisation_for_update(session, org_name)
            _refuse_overlap(session, org, start, end)
            pid = wanted_id or _free_id(session, validation.slugify(f"{org_name}-{start}-{end}"))
            if wanted_id and session.get(m.Procedure, wanted_id) is not None:
                raise InvalidInput(
                    "procedure_id",
                    Text(
                        f"procedure {wanted_id!r} bestaat al",
                        f"procedure {wanted_id!r} already exists",
                    ),
                )
            record = ProcedureRecord(
                id=pid,
                organisation_id=org.id,
                governing_body=body_name,
                period_start=start,
                period_end=end,
                legal_basis=basis,
                phase=Phase.PREPARATION.value,
                definition_version=CURRENT_VERSION,
                config=config,
                cancel_reason=None,
                empty_list_reason=None,
                audit_seq=0,
                audit_head=audit.GENESIS,
                version=1,
            )
            first = audit.next_record(
                record,
                action="procedure.init",
                actor=actor,
                now=now,
                phase_before=None,
                data={
                    "organisation": org.name,
                    "governing_body": body_name,
                    "period": [start, end],
                    "legal_basis": basis,
                    "definition_version": CURRENT_VERSION,
                    "config_file": str(config_file) if config_file else None,
                    "config": raw_config,
                },
            )
            connection = session.connection()
            connection.execute(
                insert(table_of(m.Procedure)),
                {
                    **{k: getattr(record, k) for k in PROCEDURE_COLUMNS},
                    "config": raw_config,
                    "created_at": now,
                },
            )
            audit.insert_record(connection, first)
            return pid

    # Two facilitators opening procedures of one organisation at once collide on its row;
    # the one that lost reads it afresh and is checked again.
    pid = retried(opening)
    log.info("procedure.opened", procedure=pid, actor=actor)
    return {"ok": True, "procedure": pid, "phase": Phase.PREPARATION.value}


def _organisation_for_update(session: Session, name: str) -> m.Organisation:
    key = " ".join(name.lower().split())
    if len(key) > 200:
        raise InvalidInput(
            "organisation",
            Text(
                f"de naam is {len(key)} tekens lang, maximaal 200",
                f"the name is {len(key)} characters long, at most 200",
            ),
        )
    query = select(m.Organisation).where(m.Organisation.name_key == key).with_for_update()
    org = session.scalars(query).first()
    if org is None:
        org = m.Organisation(name=name, name_key=key)
        session.add(org)
        session.flush()
    return org


def _refuse_overlap(session: Session, org: m.Organisation, start: int, end: int) -> None:
    rows = session.execute(
        select(
            m.Procedure.id, m.Procedure.period_start, m.Procedure.period_end, m.Procedure.phase
        ).where(
            m.Procedure.organisation_id == org.id,
            m.Procedure.phase.in_([p.value for p in OPEN_PHASES]),
        )
    )
    refuse_overlap(start, end, [OpenProcedure(i, a, b, Phase(ph)) for i, a, b, ph in rows])


def _free_id(session: Session, base: str) -> str:
    candidate, n = base, 1
    while session.get(m.Procedure, candidate) is not None:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def list_procedures(app: App, phase: str | None = None) -> list[dict[str, Any]]:
    """Every procedure, oldest first; only those in `phase` when one is named."""
    query = (
        select(m.Procedure, m.Organisation.name)
        .join(m.Organisation, m.Organisation.id == m.Procedure.organisation_id)
        .order_by(m.Procedure.created_at, m.Procedure.id)
    )
    if phase is not None:
        wanted = parse_phase(phase)
        query = query.where(m.Procedure.phase == wanted.value)
    with app.read() as session:
        rows = session.execute(query).all()
        return [
            {
                "procedure": p.id,
                "organisation": org,
                "governing_body": p.governing_body,
                "period": f"{p.period_start}-{p.period_end}",
                "phase": p.phase,
                "version": p.version,
            }
            for p, org in rows
        ]


def nomination_deadline_open(connection: Any, procedure_id: str, today: date) -> date | None:
    """The nomination deadline when it has not passed yet (experts may still nominate)."""
    milestones = table_of(m.Milestone)
    due: date | None = connection.execute(
        select(milestones.c.due).where(
            milestones.c.procedure_id == procedure_id,
            milestones.c.key == "nomination_deadline",
        )
    ).scalar()
    return due if due is not None and today <= due else None


def _early_decision(deadline: date) -> Refused:
    shown_nl, shown_en = format_date(deadline, "nl"), format_date(deadline, "en")
    return Refused.one(
        Text(
            "De voordrachttermijn loopt nog: bevestig dat u toch naar het besluit gaat",
            "The nomination period is still running: confirm that you move on to the decision",
        ),
        "phase.early_decision",
        Text(
            f"experts mogen nog voordragen tot en met {shown_nl}; na deze stap wordt de "
            "conceptlijst bevroren en kan niemand meer voordragen",
            f"experts may still nominate until {shown_en} inclusive; this step freezes the "
            "concept list and nobody can nominate any more",
        ),
        Text(
            "bevestig de vroege overgang uitdrukkelijk (formulier: het vinkje; CLI: "
            "--confirm-early; API: confirm_early)",
            "confirm the early move explicitly (form: the tick box; CLI: --confirm-early; "
            "API: confirm_early)",
        ),
        nomination_deadline=deadline.isoformat(),
    )


def advance(
    app: App,
    procedure_id: str,
    *,
    actor: str,
    reason: str | None = None,
    confirm_early: bool = False,
) -> dict[str, Any]:
    why = validation.text("reason", reason, max_length=4000, required=False) or None

    def body(change: Change) -> dict[str, Any]:
        procedure = change.procedure
        defn = definition(procedure.definition_version)
        snapshot = repository.load_snapshot(
            change.connection, procedure, defn.exit_needs(change.phase)
        )
        change.memo["snapshot"] = snapshot
        model = ProcedureModel(change.phase, snapshot, change.config)
        new_phase = defn.step(model, ADVANCE)
        procedure.phase = new_phase.value
        change.record(PhaseChanged(change.phase_before, new_phase))
        change.data = {
            "from": change.phase_before.value,
            "to": new_phase.value,
            "verdicts": {v.code: v.status.value for v in model.verdicts},
        }
        if new_phase is Phase.DECISION:
            # Freezing the list before the nomination deadline cuts experts off: only on
            # purpose, and the audit record says it was confirmed.
            early = nomination_deadline_open(
                change.connection, procedure.id, local_date(change.now)
            )
            if early is not None and not confirm_early:
                raise _early_decision(early)
            if early is not None:
                change.data["confirmed_early"] = {"nomination_deadline": early.isoformat()}
            change.data["list_version"] = _freeze_concept_list(change, snapshot)
            change.record(ListFrozen(change.data["list_version"]))
        if new_phase is Phase.CLOSED:
            change.data["links_ended"] = _end_all_links(change)
        return {
            "ok": True,
            "procedure": procedure.id,
            "phase": new_phase.value,
            **(
                {"list_version": change.data["list_version"]}
                if "list_version" in change.data
                else {}
            ),
        }

    return run_change(app, procedure_id, actor, "phase.advance", body, reason=why)


_LAST_LIST_NUMBER = select(func.max(LT.c.number)).where(LT.c.procedure_id == bindparam("pid"))


def _freeze_concept_list(change: Change, snapshot: ProcedureSnapshot) -> int:
    """Store the concept list as it goes to the archivist and the governing body."""
    connection, pid = change.connection, {"pid": change.procedure.id}
    entries = [repository.entry_to_json(e) for e in numbered_entries(snapshot)]
    number = (connection.execute(_LAST_LIST_NUMBER, pid).scalar() or 0) + 1
    connection.execute(
        insert(LT),
        {
            "procedure_id": change.procedure.id,
            "number": number,
            "status": ListStatus.SUBMITTED.value,
            "entries": entries,
            "created_at": change.now,
        },
    )
    return number


def cancel(app: App, procedure_id: str, *, actor: str, reason: str) -> dict[str, Any]:
    why = validation.text("reason", reason, max_length=4000)

    def body(change: Change) -> dict[str, Any]:
        procedure = change.procedure
        # Cancelling has no guard, so the machine needs no data to read.
        model = ProcedureModel(
            change.phase, ProcedureSnapshot(change.phase, frozenset()), change.config
        )
        new_phase = definition(procedure.definition_version).step(model, CANCEL)
        procedure.phase = new_phase.value
        change.record(PhaseChanged(change.phase_before, new_phase))
        procedure.cancel_reason = why
        change.data = {
            "from": change.phase_before.value,
            "to": new_phase.value,
            "links_ended": _end_all_links(change),
        }
        return {"ok": True, "procedure": procedure.id, "phase": new_phase.value}

    return run_change(app, procedure_id, actor, "phase.cancel", body, reason=why)


def _end_all_links(change: Change) -> int:
    """A closed or cancelled procedure needs no personal link any more: all of them end."""
    return links.end_links(change.connection, change.procedure.id, change.now, EndReason.CLOSED)


def deviate(
    app: App, procedure_id: str, rule_code: str, *, actor: str, reason: str
) -> dict[str, Any]:
    code = rule_code.strip()
    rule = RULES_BY_CODE.get(code)
    if rule is None:
        known = ", ".join(sorted(c for c, r in RULES_BY_CODE.items() if r.deviable))
        raise InvalidInput(
            "rule_code",
            Text(
                f"onbekende regel {code!r}; afwijken kan van: {known}",
                f"unknown rule {code!r}; deviable rules: {known}",
            ),
        )
    why = validation.text("reason", reason, max_length=4000)

    def body(change: Change) -> dict[str, Any]:
        change.require(Action.DEVIATE)
        require_deviable(rule)
        existing = change.session.scalars(
            select(m.Deviation).where(
                m.Deviation.procedure_id == change.procedure.id, m.Deviation.rule_code == code
            )
        ).first()
        if existing is not None:
            raise InvalidInput(
                "rule_code",
                Text(
                    f"voor {code} is al een afwijking vastgelegd ({existing.reason})",
                    f"a deviation from {code} is already recorded ({existing.reason})",
                ),
            )
        change.session.add(
            m.Deviation(
                procedure_id=change.procedure.id,
                rule_code=code,
                reason=why,
                actor=actor,
                recorded_at=change.now,
            )
        )
        change.data = {"rule": code}
        return {
            "ok": True,
            "procedure": change.procedure.id,
            "rule": code,
            "phase": change.procedure.phase,
        }

    return run_change(app, procedure_id, actor, "deviation.record", body, reason=why)
