"""Searching a case system for the cases of one adopted hotspot: what to ask (the hotspot's
period, the system's case types), and asking it. Reads only: nothing is recorded here."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from states.errors import InvalidInput, NotFound
from states.i18n import Text
from states.snapshot import ListEntry, ListStatus
from workflow import repository, validation
from workflow.app import App
from workflow.db import models as m
from workflow.zgw import DEFAULT_SECRET_ENV
from workflow.zgw.area import parse_area
from workflow.zgw.auth import Credentials, secret_from
from workflow.zgw.cases import Case
from workflow.zgw.catalogi import CaseType, case_type_names, case_types
from workflow.zgw.client import CaseQuery, ZaakClient


@dataclass(frozen=True, slots=True)
class SearchPlan:
    hotspot: ListEntry
    system: str
    zaken_url: str
    client_id: str
    secret_env: str
    query: CaseQuery
    # The Catalogi API the case types are named from; None: the names are not read.
    catalogi_url: str | None = None


@dataclass(frozen=True, slots=True)
class SearchResult:
    cases: list[Case]
    # Each found case type's omschrijving (or the last part of its URL).
    type_names: dict[str, str]


def adopted_list(session: Session, procedure_id: str) -> m.ListVersion:
    """The procedure's adopted hotspot list; NotFound when it has none."""
    row = repository.latest_list_version(session, procedure_id)
    if row is None or row.status != ListStatus.ADOPTED.value:
        raise NotFound(
            Text(
                "deze procedure heeft geen vastgestelde hotspotlijst",
                "this procedure has no adopted hotspot list",
            )
        )
    return row


def decided_on(row: m.ListVersion) -> date:
    """The adopted list's decision date, which a kept case cites; NotFound without one."""
    if row.decision_date is None:
        raise NotFound(
            Text(
                "de vastgestelde hotspotlijst heeft geen besluitdatum",
                "the adopted hotspot list has no decision date",
            )
        )
    return row.decision_date


def adopted_hotspot(
    session: Session, procedure_id: str, number: str
) -> tuple[m.ListVersion, ListEntry]:
    """The adopted list and its hotspot `number`; NotFound saying which is missing."""
    row = adopted_list(session, procedure_id)
    entry = next((e for e in repository.list_entries(row) if e.number == number), None)
    if entry is None:
        raise NotFound(
            Text(
                f"{number!r} staat niet op de vastgestelde hotspotlijst",
                f"{number!r} is not on the adopted hotspot list",
            )
        )
    return row, entry


def defined_system(session: Session, procedure_id: str, name: str) -> m.InformationSystem:
    """The procedure's information system called `name` (case aside); NotFound otherwise."""
    defined = session.scalars(
        select(m.InformationSystem).where(
            m.InformationSystem.procedure_id == procedure_id,
            m.InformationSystem.name_key == name.strip().lower(),
        )
    ).first()
    if defined is None:
        raise NotFound(
            Text(
                f"{name!r} is geen informatiesysteem van deze procedure",
                f"{name!r} is not an information system of this procedure",
            )
        )
    return defined


def plan_search(
    app: App,
    procedure_id: str,
    hotspot: str,
    system: str,
    keyword: str | None = None,
    area: str | dict[str, Any] | None = None,
) -> SearchPlan:
    """What searching `system` for `hotspot` asks; NotFound or InvalidInput saying why not."""
    word = validation.single_line("keyword", keyword, max_length=100) if keyword else None
    polygon = parse_area("area", area)
    with app.read() as session:
        _row, entry = adopted_hotspot(session, procedure_id, hotspot)
        defined = defined_system(session, procedure_id, system)
    if not defined.zaken_url or not defined.client_id:
        raise InvalidInput(
            "system",
            Text(
                f"{defined.name} wordt met de hand doorzocht: het heeft geen Zaken API",
                f"{defined.name} is searched by hand: it has no Zaken API",
            ),
        )
    return SearchPlan(
        hotspot=entry,
        system=defined.name,
        zaken_url=defined.zaken_url,
        client_id=defined.client_id,
        secret_env=defined.secret_env or DEFAULT_SECRET_ENV,
        query=CaseQuery(
            tuple(defined.zaaktypen or ()), entry.period_start, entry.period_end, word, polygon
        ),
        catalogi_url=defined.catalogi_url,
    )


def run_search(
    app: App,
    plan: SearchPlan,
    *,
    user_id: str,
    user_name: str,
    env: Mapping[str, str] | None = None,
    on_page: Callable[[int, int], None] | None = None,
) -> SearchResult:
    """Ask the case system (and its Catalogi API for the case types' names); the token acts
    for `user_id` (`user_name` in its audit trail)."""
    credentials = Credentials(plan.client_id, secret_from(env, plan.secret_env), user_id, user_name)

    async def search() -> SearchResult:
        async with ZaakClient(plan.zaken_url, credentials, now=app.now) as client:
            cases = await client.search(plan.query, on_page)
        types = [case.zaaktype for case in cases]
        if plan.catalogi_url is None or not types:
            return SearchResult(cases, {t: t.rstrip("/").rsplit("/", 1)[-1] for t in types})
        async with ZaakClient(plan.catalogi_url, credentials, now=app.now) as catalogue:
            return SearchResult(cases, await case_type_names(catalogue, types))

    return asyncio.run(search())


def list_case_types(
    app: App,
    procedure_id: str,
    system: str,
    *,
    user_id: str,
    env: Mapping[str, str] | None = None,
    on_page: Callable[[int, int], None] | None = None,
) -> list[CaseType]:
    """The published case types of a case system's Catalogi API, to choose the ones to search."""
    with app.read() as session:
        defined = defined_system(session, procedure_id, system)
    if not defined.catalogi_url or not defined.client_id:
        raise InvalidInput(
            "system",
            Text(
                f"bij {defined.name} is geen Catalogi API opgegeven; leg het systeem vast met "
                "--catalogi-url, of noem de zaaktypen zelf",
                f"{defined.name} has no Catalogi API; define the system with --catalogi-url, or "
                "name the case types yourself",
            ),
        )
    secret = secret_from(env, defined.secret_env or DEFAULT_SECRET_ENV)
    credentials = Credentials(defined.client_id, secret, user_id, user_id)
    catalogue_url = defined.catalogi_url

    async def listing() -> list[CaseType]:
        async with ZaakClient(catalogue_url, credentials, now=app.now) as client:
            return await case_types(client, on_page)

    return asyncio.run(listing())
