"""The inventory of the adopted hotspots' records, and the publication of the list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from states.actions import Action
from states.errors import InvalidInput, NotFound
from states.guards import require_plausible_in_force, require_unpublished
from states.i18n import Text, format_date, local_date
from states.snapshot import ListEntry, ListStatus
from workflow import repository, validation
from workflow.app import App
from workflow.commands.base import Change, run_change
from workflow.db import models as m
from workflow.events import DatesChanged, ListPublished
from workflow.procedure_store import ProcedureRecord
from workflow.zgw import DEFAULT_SECRET_ENV

BLIJVEND_BEWAREN = "blijvend_bewaren"


def _adopted(change: Change) -> m.ListVersion:
    row = repository.latest_list_version(change.session, change.procedure.id)
    if row is None or row.status != ListStatus.ADOPTED.value:
        raise NotFound(
            Text(
                "deze procedure heeft geen vastgestelde hotspotlijst",
                "this procedure has no adopted hotspot list",
            )
        )
    return row


def _hotspot(change: Change, key: str) -> tuple[m.ListVersion, ListEntry]:
    """An adopted hotspot by its number (2020-1) or its candidate id."""
    row = _adopted(change)
    # A candidate id is read as every id is (digits 0-9 only, no spaces or leading zero).
    candidate = validation.id_or_none(key)
    for entry in repository.list_entries(row):
        if key == entry.number or candidate == entry.candidate_id:
            return row, entry
    raise NotFound(
        Text(
            f"{key!r} staat niet op de vastgestelde hotspotlijst",
            f"{key!r} is not on the adopted hotspot list",
        )
    )


def _system(change: Change, entry: ListEntry, system: str) -> m.InventorySystem:
    row = change.session.scalars(
        select(m.InventorySystem).where(
            m.InventorySystem.procedure_id == change.procedure.id,
            m.InventorySystem.candidate_id == entry.candidate_id,
            m.InventorySystem.system == system,
        )
    ).first()
    if row is None:
        raise InvalidInput(
            "system",
            Text(
                f"{system!r} is voor hotspot {entry.number} nog niet doorzocht; geef eerst op "
                "wat u in dit systeem voor deze hotspot zoekt",
                f"{system!r} has not been searched for hotspot {entry.number} yet; first say "
                "what you look for in this system for this hotspot",
            ),
        )
    return row


def _system_key(name: str) -> str:
    return name.strip().lower()


def _defined_system(change: Change, name: str) -> m.InformationSystem | None:
    return change.session.scalars(
        select(m.InformationSystem).where(
            m.InformationSystem.procedure_id == change.procedure.id,
            m.InformationSystem.name_key == _system_key(name),
        )
    ).first()


def _define(
    change: Change,
    name: str,
    owner: str,
    owner_email: str | None,
    case_system: CaseSystem | None = None,
) -> m.InformationSystem:
    row = m.InformationSystem(
        procedure_id=change.procedure.id,
        name=name,
        name_key=_system_key(name),
        owner=owner,
        owner_email=owner_email,
        created_at=change.now,
        zaken_url=case_system.zaken_url if case_system else None,
        catalogi_url=case_system.catalogi_url if case_system else None,
        client_id=case_system.client_id if case_system else None,
        secret_env=case_system.secret_env if case_system else None,
        zaaktypen=list(case_system.zaaktypen) if case_system else None,
    )
    change.session.add(row)
    change.session.flush()
    return row


@dataclass(frozen=True, slots=True)
class CaseSystem:
    """Where and how a ZGW Zaken API is reached; the secret stays in the environment."""

    zaken_url: str
    client_id: str
    secret_env: str
    zaaktypen: tuple[str, ...]
    catalogi_url: str | None = None

    def audit(self) -> dict[str, Any]:
        given = {"catalogi_url": self.catalogi_url} if self.catalogi_url else {}
        return {
            "zaken_url": self.zaken_url,
            **given,
            "client_id": self.client_id,
            "secret_env": self.secret_env,
            "zaaktypen": list(self.zaaktypen),
        }


def _case_system(
    zaken_url: str | None,
    client_id: str | None,
    secret_env: str | None,
    zaaktypen: Sequence[str],
    catalogi_url: str | None = None,
) -> CaseSystem | None:
    """The ZGW part of a system's definition, checked; None for a system searched by hand."""
    if not zaken_url:
        if client_id or secret_env or zaaktypen or catalogi_url:
            raise InvalidInput(
                "zaken_url",
                Text(
                    "een client-id, geheim, zaaktype of Catalogi API hoort bij een zaaksysteem: "
                    "geef ook het adres van de Zaken API",
                    "a client id, secret, case type or Catalogi API belongs to a case system: "
                    "give the Zaken API's address too",
                ),
            )
        return None
    url = validation.api_url("zaken_url", zaken_url)
    if not client_id:
        raise InvalidInput(
            "client_id",
            Text(
                "een zaaksysteem heeft de client-id nodig waarmee de monitor zich meldt",
                "a case system needs the client id the monitor identifies itself with",
            ),
        )
    types = tuple(dict.fromkeys(validation.api_url("zaaktypen", t).rstrip("/") for t in zaaktypen))
    if not types:
        raise InvalidInput(
            "zaaktypen",
            Text(
                "noem ten minste één zaaktype (de URL in de Catalogi API) om in te zoeken",
                "name at least one case type (its URL in the Catalogi API) to search",
            ),
        )
    catalogue = validation.api_url("catalogi_url", catalogi_url) if catalogi_url else None
    outside = [t for t in types if catalogue is not None and not t.startswith(catalogue)]
    if outside:
        raise InvalidInput(
            "zaaktypen",
            Text(
                f"{outside[0]} ligt niet in de opgegeven Catalogi API ({catalogue}); een "
                "zaaktype komt uit de catalogus van het zaaksysteem",
                f"{outside[0]} is not in the given Catalogi API ({catalogue}); a case type "
                "comes from the case system's catalogue",
            ),
        )
    return CaseSystem(
        catalogi_url=catalogue,
        zaken_url=url,
        client_id=validation.single_line("client_id", client_id, max_length=200),
        secret_env=validation.env_name("secret_env", secret_env or DEFAULT_SECRET_ENV),
        zaaktypen=types,
    )


def define_system(
    app: App,
    procedure_id: str,
    *,
    name: str,
    owner: str,
    actor: str,
    owner_email: str | None = None,
    zaken_url: str | None = None,
    client_id: str | None = None,
    secret_env: str | None = None,
    zaaktypen: Sequence[str] = (),
    catalogi_url: str | None = None,
) -> dict[str, Any]:
    """An information system of the procedure (a DMS, a share, a mailbox, or a case system
    with a ZGW Zaken API), with its owner: defined once, then searched per hotspot without
    typing it again."""
    clean_name = validation.single_line("name", name, max_length=200)
    owner_name = validation.single_line("owner", owner, max_length=200)
    owner_address = validation.email("owner_email", owner_email) if owner_email else None
    case_system = _case_system(zaken_url, client_id, secret_env, zaaktypen, catalogi_url)

    def body(change: Change) -> dict[str, Any]:
        change.require(Action.INVENTORY)
        if (known := _defined_system(change, clean_name)) is not None:
            raise InvalidInput(
                "name",
                Text(
                    f"{known.name} is al een informatiesysteem van deze procedure "
                    f"(eigenaar: {known.owner})",
                    f"{known.name} is already an information system of this procedure "
                    f"(owner: {known.owner})",
                ),
            )
        row = _define(change, clean_name, owner_name, owner_address, case_system)
        change.data = {"system": row.name, "owner": owner_name}
        if case_system is not None:
            change.data["zgw"] = case_system.audit()
        return {"ok": True, "procedure": change.procedure.id, "phase": change.procedure.phase}

    return run_change(app, procedure_id, actor, "inventory.system_define", body)


def add_system(
    app: App,
    procedure_id: str,
    hotspot: str,
    *,
    system: str,
    query: str,
    actor: str,
    owner: str | None = None,
    owner_email: str | None = None,
) -> dict[str, Any]:
    """Search a system for one hotspot. A system the procedure defined brings its owner; a new
    one is defined with the owner given here."""
    name = validation.single_line("system", system, max_length=200)
    search = validation.text("query", query, max_length=4000)
    owner_name = validation.single_line("owner", owner, max_length=200) if owner else None
    # The weekly reminder goes here; without it, to the workgroup's informatiebeheerder.
    owner_address = validation.email("owner_email", owner_email) if owner_email else None

    def body(change: Change) -> dict[str, Any]:
        change.require(Action.INVENTORY)
        _, entry = _hotspot(change, hotspot)
        defined = _defined_system(change, name)
        if defined is None:
            if owner_name is None:
                raise InvalidInput(
                    "owner",
                    Text(
                        f"{name} is nog geen informatiesysteem van deze procedure; geef de "
                        "eigenaar op, dan wordt het er een",
                        f"{name} is not an information system of this procedure yet; give its "
                        "owner and it becomes one",
                    ),
                )
            defined = _define(change, name, owner_name, owner_address)
        exists = change.session.scalars(
            select(m.InventorySystem.id).where(
                m.InventorySystem.procedure_id == change.procedure.id,
                m.InventorySystem.candidate_id == entry.candidate_id,
                m.InventorySystem.system == defined.name,
            )
        ).first()
        if exists is not None:
            raise InvalidInput(
                "system",
                Text(
                    f"{defined.name} is al opgegeven voor hotspot {entry.number}",
                    f"{defined.name} is already listed for hotspot {entry.number}",
                ),
            )
        # The hotspot's own owner, if given, else the system's: who searches may differ.
        row = m.InventorySystem(
            procedure_id=change.procedure.id,
            candidate_id=entry.candidate_id,
            system=defined.name,
            query=search,
            owner=owner_name or defined.owner,
            owner_email=owner_address or (None if owner_name else defined.owner_email),
            created_at=change.now,
        )
        change.session.add(row)
        change.session.flush()
        # A new system is a repeating obligation: its weekly reminder is planned.
        change.record(DatesChanged())
        change.data = {
            "hotspot": entry.number,
            "system": defined.name,
            "query": search,
            "owner": row.owner,
        }
        return {
            "ok": True,
            "procedure": change.procedure.id,
            "hotspot": entry.number,
            "system": defined.name,
            "phase": change.procedure.phase,
        }

    return run_change(app, procedure_id, actor, "inventory.system", body)


def preservation_reason(
    procedure: ProcedureRecord, entry: ListEntry, decision: m.ListVersion
) -> str:
    decided = format_date(decision.decision_date) if decision.decision_date else "?"
    return (
        f"Hotspot {entry.number} '{entry.title}' op de hotspotlijst vastgesteld door "
        f"{procedure.governing_body} bij besluit {decision.decision_ref} van {decided}; "
        f"archiefnominatie gewijzigd van vernietigen naar blijvend bewaren "
        f"({procedure.legal_basis})."
    )


def mark_dossier(
    app: App,
    procedure_id: str,
    hotspot: str,
    *,
    system: str,
    dossier: str,
    actor: str,
    title: str | None = None,
) -> dict[str, Any]:
    name = validation.single_line("system", system, max_length=200)
    ref = validation.single_line("dossier", dossier, max_length=200)
    clean_title = validation.single_line("title", title) if title else None

    def body(change: Change) -> dict[str, Any]:
        change.require(Action.INVENTORY)
        decision, entry = _hotspot(change, hotspot)
        searched = _system(change, entry, name)
        exists = change.session.scalars(
            select(m.Dossier.id).where(
                m.Dossier.inventory_system_id == searched.id, m.Dossier.dossier_ref == ref
            )
        ).first()
        if exists is not None:
            raise InvalidInput(
                "dossier",
                Text(f"dossier {ref} is al gemarkeerd", f"dossier {ref} is already marked"),
            )
        reason = preservation_reason(change.procedure, entry, decision)
        row = m.Dossier(
            inventory_system_id=searched.id,
            dossier_ref=ref,
            title=clean_title,
            archiefnominatie=BLIJVEND_BEWAREN,
            reason=reason,
            marked_at=change.now,
        )
        change.session.add(row)
        change.data = {
            "hotspot": entry.number,
            "system": name,
            "dossier": ref,
            "archiefnominatie": BLIJVEND_BEWAREN,
            "reason": reason,
        }
        return {
            "ok": True,
            "procedure": change.procedure.id,
            "hotspot": entry.number,
            "dossier": ref,
            "archiefnominatie": BLIJVEND_BEWAREN,
            "reason": reason,
            "phase": change.procedure.phase,
        }

    return run_change(app, procedure_id, actor, "inventory.dossier", body)


def nothing_found(
    app: App, procedure_id: str, hotspot: str, *, system: str, reason: str, actor: str
) -> dict[str, Any]:
    name = validation.single_line("system", system, max_length=200)
    why = validation.text("reason", reason, max_length=4000)

    def body(change: Change) -> dict[str, Any]:
        change.require(Action.INVENTORY)
        _, entry = _hotspot(change, hotspot)
        searched = _system(change, entry, name)
        searched.none_reason = why
        change.data = {"hotspot": entry.number, "system": name}
        return {
            "ok": True,
            "procedure": change.procedure.id,
            "hotspot": entry.number,
            "system": name,
            "phase": change.procedure.phase,
        }

    return run_change(app, procedure_id, actor, "inventory.none", body, reason=why)


def publish(
    app: App,
    procedure_id: str,
    *,
    channel: str,
    ref: str,
    day: str | date,
    actor: str,
    objection_weeks: int | None = None,
) -> dict[str, Any]:
    where = validation.single_line("channel", channel, max_length=200)
    reference = validation.single_line("ref", ref, max_length=200)
    in_force = validation.parse_date("day", day)

    def body(change: Change) -> dict[str, Any]:
        change.require(Action.PUBLISH)
        weeks = validation.bounded_int(
            "objection_weeks",
            change.config.publication.default_objection_weeks
            if objection_weeks is None
            else objection_weeks,
        )
        existing = change.session.get(m.Publication, change.procedure.id)
        require_unpublished(existing.reference if existing else None, reference)
        decided = repository.latest_list_version(change.session, change.procedure.id)
        require_plausible_in_force(
            in_force, decided.decision_date if decided else None, local_date(change.now)
        )
        publication = m.Publication(
            procedure_id=change.procedure.id,
            channel=where,
            reference=reference,
            in_force=in_force,
            objection_weeks=weeks,
            recorded_at=change.now,
        )
        change.session.add(publication)
        change.session.flush()
        change.record(ListPublished(reference))
        change.data = {
            "channel": where,
            "ref": reference,
            "in_force": in_force.isoformat(),
            "objection_weeks": weeks,
        }
        return {
            "ok": True,
            "procedure": change.procedure.id,
            "phase": change.procedure.phase,
            "publication": reference,
        }

    return run_change(app, procedure_id, actor, "publication.record", body)
