"""The Zaken API client against the real Open Zaak: finding a hotspot's cases by period,
keeping a closed case with the reason in Open Zaak's own audit trail, and seeing Open Zaak put
`vernietigen` back when the case's result changes."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from states.errors import EnvironmentProblem, InvalidInput
from states.phases import Phase
from tests import support
from tests.openzaak import OpenZaak, open_zaak, unique_word
from tests.web_support import logged_in
from workflow import scenario
from workflow.app import App
from workflow.cli.context import CliContext
from workflow.cli.main import cli
from workflow.commands import records, zgw_cases
from workflow.db import models as m
from workflow.read.inventory import inventory_overview
from workflow.zgw.apply import CaseOutcome, Result, Target, apply
from workflow.zgw.auth import Credentials
from workflow.zgw.cases import Case
from workflow.zgw.client import CaseQuery, ZaakClient
from workflow.zgw.marking import HotspotDecision, TransferRule, drifted, planned_change

DECISION = HotspotDecision(
    number="2019-1",
    title="Ontruiming café De Wolf",
    governing_body="Gedeputeerde Staten van Overijssel",
    decision_ref="GS/2025/0412",
    decision_date=date(2025, 5, 13),
)
RULE = TransferRule(years_after_end=20)


@pytest.fixture
def oz() -> OpenZaak:
    return open_zaak()


def _client(oz: OpenZaak) -> ZaakClient:
    credentials = Credentials(oz.client_id, oz.secret, "sanne", "Sanne de Vries")
    return ZaakClient(oz.zaken, credentials, now=lambda: datetime(2025, 6, 1, tzinfo=UTC))


def _inventory_with_open_zaak(app: App, oz: OpenZaak) -> tuple[str, str]:
    """A procedure in the inventory with Open Zaak as its case system (the secret in
    TEST_OZ_SECRET), and the number of its stikstof hotspot (period 2019-10-01, open end)."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.INVENTORY)
    records.define_system(
        app,
        pid,
        name="Open Zaak",
        owner="DIV",
        actor=support.ACTOR,
        zaken_url=oz.zaken,
        client_id=oz.client_id,
        secret_env="TEST_OZ_SECRET",
        zaaktypen=[oz.zaaktype],
    )
    [stikstof] = [n for n, t in scenario.adopted_hotspots(app, pid) if "Stikstof" in t]
    return pid, stikstof


def test_a_search_finds_exactly_the_cases_that_overlap_the_hotspots_period(
    oz: OpenZaak,
) -> None:
    word = unique_word()
    inside_open = oz.new_case(date(2019, 3, 1), f"{word} vergunning open")
    ended_inside = oz.close(oz.new_case(date(2015, 1, 5), f"{word} begon eerder"), date(2018, 6, 1))
    oz.close(oz.new_case(date(2015, 1, 5), f"{word} eindigde ervoor"), date(2017, 12, 31))
    oz.new_case(date(2024, 2, 1), f"{word} begon erna")
    oz.new_case(date(2019, 3, 1), "andere omschrijving")
    pages: list[tuple[int, int]] = []

    async def search() -> list[Case]:
        async with _client(oz) as client:
            query = CaseQuery((oz.zaaktype,), date(2018, 1, 1), date(2023, 12, 31), word)
            return await client.search(
                query, on_page=lambda done, total: pages.append((done, total))
            )

    found = asyncio.run(search())

    assert sorted(c.url for c in found) == sorted([inside_open["url"], ended_inside["url"]])
    assert pages[-1] == (2, 2)
    closed = next(c for c in found if c.url == ended_inside["url"])
    assert (closed.einddatum, closed.archiefnominatie) == (date(2018, 6, 1), "vernietigen")


def test_an_open_end_means_until_today(oz: OpenZaak) -> None:
    word = unique_word()
    late = oz.new_case(date(2025, 5, 1), f"{word} nog bezig")
    oz.new_case(date(2025, 7, 1), f"{word} na vandaag")

    async def search() -> list[Case]:
        async with _client(oz) as client:
            return await client.search(CaseQuery((oz.zaaktype,), date(2024, 1, 1), None, word))

    assert [c.url for c in asyncio.run(search())] == [late["url"]]


def test_keeping_a_closed_case_is_recorded_with_its_reason_and_needs_no_second_change(
    oz: OpenZaak,
) -> None:
    word = unique_word()
    case = oz.close(oz.new_case(date(2019, 4, 1), f"{word} stikstof"), date(2020, 2, 29))
    oz.call(
        "PATCH",
        case["url"],
        {"kenmerken": [{"kenmerk": "eigen-kenmerk", "bron": "DMS"}]},
    )

    async def keep() -> tuple[Case, Case, list[dict[str, object]]]:
        async with _client(oz) as client:
            before = await client.read(case["url"])
            answer = await client.patch(
                case["url"], planned_change(before, DECISION, RULE), DECISION.toelichting()
            )
            assert answer.status == 200, answer.body
            return before, await client.read(case["url"]), await client.audit_trail(case["url"])

    before, after, trail = asyncio.run(keep())

    assert before.archiefnominatie == "vernietigen"
    assert after.archiefnominatie == "blijvend_bewaren"
    assert after.archiefactiedatum == date(2040, 2, 29)  # the end date, twenty years on
    assert [(k.kenmerk, k.bron) for k in after.kenmerken] == [
        ("eigen-kenmerk", "DMS"),
        ("hotspot 2019-1", "hotspotlijst GS/2025/0412"),
    ]
    assert planned_change(after, DECISION, RULE) == {}
    reasons = [entry.get("toelichting") for entry in trail]
    assert DECISION.toelichting() in reasons
    assert "Archiefbesluit 1995 art. 5 sub e" in DECISION.toelichting()


def test_open_zaak_puts_destruction_back_when_the_result_changes(oz: OpenZaak) -> None:
    """Seen on Open Zaak 1.30: a PATCH of the case's result recalculates its archive fields."""
    word = unique_word()
    case = oz.close(oz.new_case(date(2019, 4, 1), f"{word} drift"), date(2020, 6, 1))

    async def keep_then_read() -> Case:
        async with _client(oz) as client:
            before = await client.read(case["url"])
            answer = await client.patch(
                case["url"], planned_change(before, DECISION, RULE), DECISION.toelichting()
            )
            assert answer.status == 200, answer.body
            kept = await client.read(case["url"])
            assert drifted(kept, DECISION, RULE) == []
            result = oz.call("GET", case["url"])["resultaat"]
            oz.call("PATCH", result, {"toelichting": "alleen de toelichting"})
            return await client.read(case["url"])

    after = asyncio.run(keep_then_read())

    assert after.archiefnominatie == "vernietigen"
    assert "archiefnominatie" in drifted(after, DECISION, RULE)


def test_the_command_line_lists_a_hotspots_cases_from_the_case_system(
    oz: OpenZaak, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`hotspot inventory cases PROC HOTSPOT --system S`: the hotspot's period and the
    system's case types, asked of Open Zaak with the secret from the environment."""
    word = unique_word()
    inside = oz.new_case(date(2020, 1, 15), f"{word} stikstofvergunning")
    oz.close(oz.new_case(date(2015, 1, 1), f"{word} te vroeg"), date(2016, 1, 1))
    pid, stikstof = _inventory_with_open_zaak(app, oz)
    args = ["inventory", "cases", pid, stikstof, "--system", "open zaak", "--keyword", word]

    monkeypatch.delenv("TEST_OZ_SECRET", raising=False)
    missing = CliRunner().invoke(cli, args, obj=CliContext(_app=app))
    assert isinstance(missing.exception, EnvironmentProblem)
    assert "TEST_OZ_SECRET" in missing.exception.message.nl

    monkeypatch.setenv("TEST_OZ_SECRET", oz.secret)
    result = CliRunner().invoke(cli, [*args, "--json"], obj=CliContext(_app=app))
    assert result.exit_code == 0, (result.output, result.exception)
    found = json.loads(result.stdout)
    assert found["hotspot"] == stikstof
    assert [c["url"] for c in found["cases"]] == [inside["url"]]
    assert found["cases"][0]["archiefstatus"] == "nog_te_archiveren"
    assert "1 van 1 zaken gelezen" in result.stderr


def test_applying_keeps_every_selected_case_once_and_a_rerun_changes_nothing(
    oz: OpenZaak,
) -> None:
    """Five cases (three closed, two open): the apply changes each once, in Open Zaak's audit
    trail with the reason; a second run after a "crash" finds nothing left to do."""
    word = unique_word()
    closed = [
        oz.close(oz.new_case(date(2019, 1, 10 + i), f"{word} dicht {i}"), date(2021, 3, 1 + i))
        for i in range(3)
    ]
    open_cases = [oz.new_case(date(2020, 5, 1 + i), f"{word} open {i}") for i in range(2)]
    targets = [Target(c["url"], DECISION) for c in [*closed, *open_cases]]
    seen: list[str] = []

    async def run() -> tuple[list[CaseOutcome], list[CaseOutcome], int]:
        async with _client(oz) as client:
            first = await apply(client, targets, RULE, lambda o: seen.append(o.url))
            before = client.requests
            second = await apply(client, targets, RULE)
            return first, second, client.requests - before

    first, second, requests_for_rerun = asyncio.run(run())

    assert [o.result for o in first] == [Result.CHANGED] * 5
    assert sorted(seen) == sorted(t.url for t in targets)  # each reported as it finished
    assert [o.result for o in second] == [Result.UNCHANGED] * 5
    assert requests_for_rerun == 1  # one bulk read, no PATCH
    ended = first[0]
    assert ended.before is not None and ended.after is not None
    assert ended.before["archiefnominatie"] == "vernietigen"
    assert ended.after["archiefnominatie"] == "blijvend_bewaren"
    assert ended.after["archiefactiedatum"] == "2041-03-01"
    assert ended.status == 200
    assert first[3].after is not None and first[3].after["archiefnominatie"] == "blijvend_bewaren"
    trail = oz.call("GET", closed[0]["url"] + "/audittrail")
    assert [e["toelichting"] for e in trail].count(DECISION.toelichting()) == 1


def test_found_cases_are_kept_for_choosing_and_each_choice_is_audited(
    oz: OpenZaak, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The search through the command keeps the cases; choosing one, and refusing another
    with its reason, reads back on the overview and in the audit trail."""
    monkeypatch.setenv("TEST_OZ_SECRET", oz.secret)
    word = unique_word()
    first = oz.new_case(date(2020, 1, 15), f"{word} vergunning")
    second = oz.close(oz.new_case(date(2020, 2, 1), f"{word} klacht"), date(2020, 9, 1))
    pid, stikstof = _inventory_with_open_zaak(app, oz)

    found = zgw_cases.record_cases(
        app, pid, hotspot=stikstof, system="Open Zaak", keyword=word, actor="informatiebeheer"
    )
    again = zgw_cases.record_cases(
        app, pid, hotspot=stikstof, system="Open Zaak", keyword=word, actor="informatiebeheer"
    )
    assert (found["found"], found["new"], again["found"], again["new"]) == (2, 2, 2, 0)

    with pytest.raises(InvalidInput) as no_reason:
        zgw_cases.select_case(
            app, pid, hotspot=stikstof, case=second["url"], include=False, actor="ib"
        )
    assert no_reason.value.field == "reason"
    zgw_cases.select_case(
        app, pid, hotspot=stikstof, case=first["identificatie"], include=True, actor="ib"
    )
    zgw_cases.select_case(
        app,
        pid,
        hotspot=stikstof,
        case=second["url"],
        include=False,
        reason="klacht over een ander onderwerp",
        actor="ib",
    )
    with pytest.raises(InvalidInput) as unknown:
        zgw_cases.select_case(
            app, pid, hotspot=stikstof, case="ZAAK-0000-0000000000", include=True, actor="ib"
        )
    assert unknown.value.field == "case"

    [hotspot] = [h for h in inventory_overview(app, pid).hotspots if h.number == stikstof]
    chosen = {c.identificatie: (c.selected, c.reason) for c in hotspot.cases}
    assert chosen == {
        first["identificatie"]: (True, None),
        second["identificatie"]: (False, "klacht over een ander onderwerp"),
    }
    found_state = {c.identificatie: c.archiefnominatie for c in hotspot.cases}
    assert found_state[second["identificatie"]] == "vernietigen"
    # The search again leaves the choices as they were.
    zgw_cases.record_cases(
        app, pid, hotspot=stikstof, system="Open Zaak", keyword=word, actor="informatiebeheer"
    )
    [hotspot] = [h for h in inventory_overview(app, pid).hotspots if h.number == stikstof]
    assert {c.identificatie: (c.selected, c.reason) for c in hotspot.cases} == chosen
    with app.read() as db:
        actions = [
            (r.action, r.data.get("found", r.data.get("include")))
            for r in db.scalars(
                select(m.AuditRecord)
                .where(
                    m.AuditRecord.procedure_id == pid,
                    m.AuditRecord.action.in_(["inventory.cases_found", "inventory.case_select"]),
                )
                .order_by(m.AuditRecord.seq)
            )
        ]
    assert actions == [
        ("inventory.cases_found", 2),
        ("inventory.cases_found", 2),
        ("inventory.case_select", True),
        ("inventory.case_select", False),
        ("inventory.cases_found", 2),
    ]


def test_an_unreachable_case_system_records_nothing(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Zaken API that does not answer: a clear problem naming the system, nothing kept."""
    monkeypatch.setenv("TEST_OZ_SECRET", "een-geheim-van-ruim-tweeendertig-tekens")
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.INVENTORY)
    records.define_system(
        app,
        pid,
        name="Weg",
        owner="DIV",
        actor=support.ACTOR,
        zaken_url="http://127.0.0.1:9/zaken/api/v1/",
        client_id="c",
        secret_env="TEST_OZ_SECRET",
        zaaktypen=["http://127.0.0.1:9/catalogi/api/v1/zt/1"],
    )
    [number, *_] = support.adopted_numbers(app, pid)
    with pytest.raises(EnvironmentProblem) as down:
        zgw_cases.record_cases(app, pid, hotspot=number, system="Weg", actor="ib")
    assert "Weg" in down.value.message.nl and "niets vastgelegd" in down.value.message.nl
    with app.read() as db:
        assert db.scalars(select(m.ZgwCase)).all() == []
        assert not db.scalars(
            select(m.AuditRecord).where(m.AuditRecord.action == "inventory.cases_found")
        ).all()


def test_the_apply_command_keeps_the_chosen_cases_stores_and_audits_each_outcome(
    oz: OpenZaak, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dry run first (nothing changes anywhere), then the apply: each chosen case kept in Open
    Zaak, its outcome stored and audited once; a rerun records every case as unchanged."""
    monkeypatch.setenv("TEST_OZ_SECRET", oz.secret)
    word = unique_word()
    kept = oz.close(oz.new_case(date(2020, 1, 15), f"{word} vergunning"), date(2020, 12, 1))
    left = oz.new_case(date(2020, 2, 1), f"{word} ander onderwerp")
    pid, stikstof = _inventory_with_open_zaak(app, oz)
    with pytest.raises(InvalidInput, match="nog geen zaak gekozen"):
        zgw_cases.apply_cases(app, pid, hotspot=stikstof, actor="ib")
    zgw_cases.record_cases(app, pid, hotspot=stikstof, system="Open Zaak", keyword=word, actor="ib")
    zgw_cases.select_case(app, pid, hotspot=stikstof, case=kept["url"], include=True, actor="ib")
    zgw_cases.select_case(
        app,
        pid,
        hotspot=stikstof,
        case=left["url"],
        include=False,
        reason="ander onderwerp",
        actor="ib",
    )

    dry = zgw_cases.apply_cases(app, pid, hotspot=stikstof, actor="ib", dry_run=True)
    assert [c["case"] for c in dry["cases"]] == [kept["identificatie"]]
    assert dry["cases"][0]["change"]["archiefnominatie"] == "blijvend_bewaren"
    assert dry["cases"][0]["change"]["archiefactiedatum"] == "2040-12-01"
    assert oz.call("GET", kept["url"])["archiefnominatie"] == "vernietigen"

    done = zgw_cases.apply_cases(app, pid, hotspot=stikstof, actor="ib")
    assert done["outcomes"] == {"changed": 1}
    assert oz.call("GET", kept["url"])["archiefnominatie"] == "blijvend_bewaren"
    assert oz.call("GET", left["url"])["archiefnominatie"] is None  # not chosen: untouched
    again = zgw_cases.apply_cases(app, pid, hotspot=stikstof, actor="ib")
    assert again["outcomes"] == {"unchanged": 1}

    with app.read() as db:
        row = db.scalars(select(m.ZgwCase).where(m.ZgwCase.url == kept["url"])).one()
        records_ = db.scalars(
            select(m.AuditRecord)
            .where(
                m.AuditRecord.procedure_id == pid, m.AuditRecord.action == "inventory.case_apply"
            )
            .order_by(m.AuditRecord.seq)
        ).all()
    assert row.result == "unchanged" and row.outcome is not None
    assert [r.data["result"] for r in records_] == ["changed", "unchanged"]
    first = records_[0].data
    assert first["before"]["archiefnominatie"] == "vernietigen"
    assert first["after"]["archiefnominatie"] == "blijvend_bewaren"
    assert first["status"] == 200


def test_the_exception_list_holds_exactly_the_cases_kept_in_the_case_system(
    oz: OpenZaak, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chosen and kept: on the list; chosen but not yet applied, or left out: not."""
    monkeypatch.setenv("TEST_OZ_SECRET", oz.secret)
    word = unique_word()
    kept = oz.new_case(date(2020, 1, 15), f"{word} bewaard")
    left = oz.new_case(date(2020, 2, 1), f"{word} niet")
    pid, stikstof = _inventory_with_open_zaak(app, oz)
    zgw_cases.record_cases(app, pid, hotspot=stikstof, system="Open Zaak", keyword=word, actor="ib")
    zgw_cases.select_case(app, pid, hotspot=stikstof, case=kept["url"], include=True, actor="ib")
    zgw_cases.select_case(
        app, pid, hotspot=stikstof, case=left["url"], include=False, reason="n.v.t.", actor="ib"
    )
    web = logged_in(app)
    assert web.get(f"/procedures/{pid}/uitzonderingen.json").json() == []  # not applied yet

    zgw_cases.apply_cases(app, pid, hotspot=stikstof, actor="ib")

    listed = web.get(f"/procedures/{pid}/uitzonderingen.json").json()
    assert listed == [
        {
            "zaak_url": kept["url"],
            "identificatie": kept["identificatie"],
            "hotspot": stikstof,
            "besluit_kenmerk": "GS/2025/0412",
            "besluit_datum": "2025-05-13",
            "reden": "Zaken die bij een vastgestelde hotspot behoren",
        }
    ]
    csv_file = web.get(f"/procedures/{pid}/uitzonderingen.csv")
    assert csv_file.content.startswith(b"\xef\xbb\xbf")
    lines = csv_file.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "zaak_url;identificatie;hotspot;besluit_kenmerk;besluit_datum;reden"
    assert lines[1].startswith(f"{kept['url']};{kept['identificatie']};{stikstof};")
    assert len(lines) == 2
    assert web.get(f"/procedures/{pid}/uitzonderingen.xml").status_code == 404
    cli_json = CliRunner().invoke(
        cli, ["inventory", "exceptions", pid, "--format", "json"], obj=CliContext(_app=app)
    )
    assert json.loads(cli_json.stdout) == listed
