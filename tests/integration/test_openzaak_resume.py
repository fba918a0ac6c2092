"""Keeping cases when things go wrong, against the real Open Zaak: a client without the scope
`zaken.geforceerd-bijwerken` gets a 403 for a closed case, reported per case and stored; an
outage half-way through an apply, and a crash while storing, leave a rerun that changes exactly
the remaining cases, each once in Open Zaak's own audit trail."""

from __future__ import annotations

import os
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.integration.test_openzaak_cases import _inventory_with_open_zaak
from tests.openzaak import OpenZaak, open_zaak, unique_word
from workflow.app import App
from workflow.commands import records, zgw_cases
from workflow.db import models as m
from workflow.zgw.client import Unavailable, ZaakClient
from workflow.zgw.marking import LEGAL_GROUND

RESTRICTED_ID = "hotspot-test-zonder-geforceerd"
RESTRICTED_SECRET = "restricted-secret-for-the-403-test-0123456789"


@pytest.fixture
def oz() -> OpenZaak:
    return open_zaak()


def _restricted_client(oz: OpenZaak) -> None:
    """A client id that may read and update cases of the test case type, but not closed ones."""
    manage = Path(os.environ.get("HOTSPOT_OPENZAAK_DIR", "/work/openzaak")) / "oz-manage"
    assert manage.exists(), f"{manage} missing: the 403 test needs Open Zaak's manage.py"
    subprocess.run(
        [
            str(manage),
            "shell",
            "-c",
            "from vng_api_common.models import JWTSecret; JWTSecret.objects.update_or_create("
            f"identifier={RESTRICTED_ID!r}, defaults={{'secret': {RESTRICTED_SECRET!r}}})",
        ],
        check=True,
        capture_output=True,
    )
    known = oz.call("GET", f"/autorisaties/api/v1/applicaties?clientIds={RESTRICTED_ID}")
    if known["count"]:
        return
    oz.call(
        "POST",
        "/autorisaties/api/v1/applicaties",
        {
            "clientIds": [RESTRICTED_ID],
            "label": "hotspot-monitor test zonder geforceerd bijwerken",
            "heeftAlleAutorisaties": False,
            "autorisaties": [
                {
                    "component": "zrc",
                    "scopes": ["zaken.lezen", "zaken.bijwerken"],
                    "zaaktype": oz.zaaktype,
                    "maxVertrouwelijkheidaanduiding": "zeer_geheim",
                }
            ],
        },
        expect=201,
    )


def _choose(
    app: App, pid: str, hotspot: str, system: str, word: str, cases: list[dict[str, Any]]
) -> None:
    """Search `system` for the hotspot's cases with `word` and keep every one of `cases`."""
    zgw_cases.record_cases(app, pid, hotspot=hotspot, system=system, keyword=word, actor="ib")
    for case in cases:
        zgw_cases.select_case(app, pid, hotspot=hotspot, case=case["url"], include=True, actor="ib")


def _reasons(oz: OpenZaak, case: dict[str, Any]) -> int:
    """How many changes in the case's own audit trail carry our reason."""
    trail = oz.call("GET", f"{case['url']}/audittrail")
    return sum(LEGAL_GROUND in (entry.get("toelichting") or "") for entry in trail)


def test_a_closed_case_refused_for_lack_of_scope_is_reported_per_case_and_stored(
    oz: OpenZaak, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    _restricted_client(oz)
    monkeypatch.setenv("TEST_OZ_SECRET", oz.secret)
    monkeypatch.setenv("TEST_OZ_RESTRICTED", RESTRICTED_SECRET)
    word = unique_word()
    open_case = oz.new_case(date(2020, 3, 1), f"{word} lopend")
    closed = oz.close(oz.new_case(date(2020, 3, 2), f"{word} afgesloten"), date(2020, 8, 1))
    pid, stikstof = _inventory_with_open_zaak(app, oz)
    records.define_system(
        app,
        pid,
        name="Beperkt",
        owner="DIV",
        actor="ib",
        zaken_url=oz.zaken,
        client_id=RESTRICTED_ID,
        secret_env="TEST_OZ_RESTRICTED",
        zaaktypen=[oz.zaaktype],
    )
    zgw_cases.record_cases(app, pid, hotspot=stikstof, system="Beperkt", keyword=word, actor="ib")
    for case in (open_case, closed):
        zgw_cases.select_case(
            app, pid, hotspot=stikstof, case=case["url"], include=True, actor="ib"
        )

    done = zgw_cases.apply_cases(app, pid, hotspot=stikstof, actor="ib")

    assert done["outcomes"] == {"changed": 1, "refused": 1}
    assert oz.call("GET", open_case["url"])["archiefnominatie"] == "blijvend_bewaren"
    assert oz.call("GET", closed["url"])["archiefnominatie"] == "vernietigen"  # untouched
    with app.read() as db:
        row = db.scalars(select(m.ZgwCase).where(m.ZgwCase.url == closed["url"])).one()
        audited = [
            r.data
            for r in db.scalars(
                select(m.AuditRecord).where(
                    m.AuditRecord.procedure_id == pid,
                    m.AuditRecord.action == "inventory.case_apply",
                )
            )
        ]
    assert row.result == "refused" and row.outcome is not None
    assert row.outcome["status"] == 403 and row.outcome["answer"]  # Open Zaak's own words
    assert {(a["case"], a["result"], a["status"]) for a in audited} == {
        (open_case["identificatie"], "changed", 200),
        (closed["identificatie"], "refused", 403),
    }
    # A refusal stays open until it is explained (or a later apply succeeds).
    zgw_cases.explain_case(
        app,
        pid,
        hotspot=stikstof,
        case=closed["identificatie"],
        explanation="met de hand bewaard door de beheerder van het zaaksysteem",
        actor="ib",
    )
    with app.read() as db:
        row = db.scalars(select(m.ZgwCase).where(m.ZgwCase.url == closed["url"])).one()
    assert row.explanation is not None and "met de hand" in row.explanation


def test_an_outage_half_way_leaves_a_rerun_that_changes_only_the_remaining_cases(
    oz: OpenZaak, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_OZ_SECRET", oz.secret)
    word = unique_word()
    cases = [
        oz.close(oz.new_case(date(2020, 4, day), f"{word} zaak {day}"), date(2020, 9, day))
        for day in range(1, 7)
    ]
    pid, stikstof = _inventory_with_open_zaak(app, oz)
    zgw_cases.record_cases(app, pid, hotspot=stikstof, system="Open Zaak", keyword=word, actor="ib")
    for case in cases:
        zgw_cases.select_case(
            app, pid, hotspot=stikstof, case=case["url"], include=True, actor="ib"
        )
    real_patch = ZaakClient.patch
    down = {case["url"] for case in cases[3:]}
    patched: list[str] = []

    async def patch_until_the_outage(self: ZaakClient, url: str, *args: Any, **kw: Any) -> Any:
        if url in down:
            raise Unavailable("Open Zaak is onbereikbaar (test)")
        patched.append(url)
        return await real_patch(self, url, *args, **kw)

    monkeypatch.setattr(ZaakClient, "patch", patch_until_the_outage)
    first = zgw_cases.apply_cases(app, pid, hotspot=stikstof, actor="ib")
    assert first["outcomes"] == {"changed": 3, "failed": 3}

    monkeypatch.setattr(ZaakClient, "patch", real_patch)
    counted: list[str] = []

    async def counting(self: ZaakClient, url: str, *args: Any, **kw: Any) -> Any:
        counted.append(url)
        return await real_patch(self, url, *args, **kw)

    monkeypatch.setattr(ZaakClient, "patch", counting)
    second = zgw_cases.apply_cases(app, pid, hotspot=stikstof, actor="ib")

    assert second["outcomes"] == {"unchanged": 3, "changed": 3}
    assert sorted(counted) == sorted(down)  # exactly the remaining cases
    for case in cases:
        assert oz.call("GET", case["url"])["archiefnominatie"] == "blijvend_bewaren"
        assert _reasons(oz, case) == 1  # each changed once in Open Zaak


def test_a_crash_while_storing_outcomes_leaves_a_rerun_that_changes_nothing_twice(
    oz: OpenZaak, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process dies after two outcomes are stored: the cases already changed in Open Zaak
    are found kept by the rerun, the rest are changed, and no case is changed twice."""
    monkeypatch.setenv("TEST_OZ_SECRET", oz.secret)
    word = unique_word()
    cases = [
        oz.close(oz.new_case(date(2021, 1, day), f"{word} crash {day}"), date(2021, 6, day))
        for day in range(1, 6)
    ]
    pid, stikstof = _inventory_with_open_zaak(app, oz)
    zgw_cases.record_cases(app, pid, hotspot=stikstof, system="Open Zaak", keyword=word, actor="ib")
    for case in cases:
        zgw_cases.select_case(
            app, pid, hotspot=stikstof, case=case["url"], include=True, actor="ib"
        )
    real_run_change = zgw_cases.run_change  # type: ignore[attr-defined]
    stored: list[str] = []

    class Crash(BaseException):
        """Not an Exception: nothing on the way may catch it, as with a killed process."""

    def crash_after_two(app_: App, pid_: str, actor: str, action: str, body: Any, **kw: Any) -> Any:
        if action == "inventory.case_apply" and len(stored) == 2:
            raise Crash
        result = real_run_change(app_, pid_, actor, action, body, **kw)
        if action == "inventory.case_apply":
            stored.append(action)
        return result

    monkeypatch.setattr(zgw_cases, "run_change", crash_after_two)
    with pytest.raises(Crash):
        zgw_cases.apply_cases(app, pid, hotspot=stikstof, actor="ib")
    monkeypatch.setattr(zgw_cases, "run_change", real_run_change)
    with app.read() as db:
        applied = db.scalars(
            select(m.ZgwCase).where(m.ZgwCase.procedure_id == pid, m.ZgwCase.result.is_not(None))
        ).all()
    assert len(applied) == 2

    rerun = zgw_cases.apply_cases(app, pid, hotspot=stikstof, actor="ib")

    assert sum(rerun["outcomes"].values()) == 5
    assert set(rerun["outcomes"]) <= {"changed", "unchanged"}
    for case in cases:
        assert oz.call("GET", case["url"])["archiefnominatie"] == "blijvend_bewaren"
        assert _reasons(oz, case) == 1
