"""Searching a case system for the cases of one adopted hotspot: what to ask (the hotspot's
period, the system's case types), and asking it. Reads only: nothing is recorded here."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from states.errors import InvalidInput, NotFound
from states.i18n import Text
from states.snapshot import ListEntry, ListStatus
from workflow import repository, validation
from workflow.app import App
from workflow.db import models as m
from workflow.zgw import DEFAULT_SECRET_ENV
from workflow.zgw.auth import Credentials, secret_from
from workflow.zgw.cases import Case
from workflow.zgw.client import CaseQuery, ZaakClient


@dataclass(frozen=True, slots=True)
class SearchPlan:
    hotspot: ListEntry
    system: str
    zaken_url: str
    client_id: str
    secret_env: str
    query: CaseQuery


def adopted_hotspot(
    session: Session, procedure_id: str, number: str
) -> tuple[m.ListVersion, ListEntry]:
    """The adopted list and its hotspot `number`; NotFound saying which is missing."""
    row = repository.latest_list_version(session, procedure_id)
    if row is None or row.status != ListStatus.ADOPTED.value:
        raise NotFound(
            Text(
                "deze procedure heeft geen vastgestelde hotspotlijst",
                "this procedure has no adopted hotspot list",
            )
        )
    entry = next((e for e in repository.list_entries(row) if e.number == number), None)
    if entry is None:
        raise NotFound(
            Text(
                f"{number!r} staat niet op de vastgestelde hotspotlijst",
                f"{number!r} is not on the adopted hotspot list",
            )
        )
    return row, entry


def plan_search(
    app: App, procedure_id: str, hotspot: str, system: str, keyword: str | None = None
) -> SearchPlan:
    """What searching `system` for `hotspot` asks; NotFound or InvalidInput saying why not."""
    word = validation.single_line("keyword", keyword, max_length=100) if keyword else None
    with app.read() as session:
        _row, entry = adopted_hotspot(session, procedure_id, hotspot)
        defined = session.scalars(
            select(m.InformationSystem).where(
                m.InformationSystem.procedure_id == procedure_id,
                m.InformationSystem.name_key == system.strip().lower(),
            )
        ).first()
    if defined is None:
        raise NotFound(
            Text(
                f"{system!r} is geen informatiesysteem van deze procedure",
                f"{system!r} is not an information system of this procedure",
            )
        )
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
        query=CaseQuery(tuple(defined.zaaktypen or ()), entry.period_start, entry.period_end, word),
    )


def run_search(
    app: App,
    plan: SearchPlan,
    *,
    user_id: str,
    user_name: str,
    env: Mapping[str, str] | None = None,
    on_page: Callable[[int, int], None] | None = None,
) -> list[Case]:
    """Ask the case system; the token acts for `user_id` (`user_name` in its audit trail)."""
    credentials = Credentials(plan.client_id, secret_from(env, plan.secret_env), user_id, user_name)

    async def search() -> list[Case]:
        async with ZaakClient(plan.zaken_url, credentials, now=app.now) as client:
            return await client.search(plan.query, on_page)

    return asyncio.run(search())
