"""The drift guard against the real Open Zaak: kept cases that Open Zaak set back to
`vernietigen` (a changed result, reopening and closing again) are found and restored, a case
that is gone is escalated to the informatiebeheerder and management, the worker runs the check
when it is due, and the inventory counts a case system as searched only once its chosen cases
are kept or explained."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from states.errors import Refused
from states.phases import Phase
from tests import support
from tests.integration.test_openzaak_cases import _inventory_with_open_zaak
from tests.openzaak import OpenZaak, open_zaak, unique_word
from tests.web_support import logged_in
from workflow import scenario
from workflow.app import App
from workflow.cli.context import CliContext
from workflow.cli.main import cli
from workflow.commands import procedures, records, zgw_cases, zgw_guard
from workflow.db import models as m
from workflow.worker import tick


@pytest.fixture
def oz() -> OpenZaak:
    return open_zaak()


def _keep(app: App, pid: str, hotspot: str, word: str, cases: list[dict[str, Any]]) -> None:
    zgw_cases.record_cases(app, pid, hotspot=hotspot, system="Open Zaak", keyword=word, actor="ib")
    for case in cases:
        zgw_cases.select_case(app, pid, hotspot=hotspot, case=case["url"], include=True, actor="ib")
    done = zgw_cases.apply_cases(app, pid, hotspot=hotspot, actor="ib")
    assert sum(done["outcomes"].values()) == len(cases)


def _audit(app: App, pid: str, action: str) -> list[dict[str, Any]]:
    with app.read() as db:
        return [
            r.data
            for r in db.scalars(
                select(m.AuditRecord)
                .where(m.AuditRecord.procedure_id == pid, m.AuditRecord.action == action)
                .order_by(m.AuditRecord.seq)
            )
        ]


def test_the_guard_restores_what_open_zaak_set_back_and_escalates_what_is_gone(
    oz: OpenZaak, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_OZ_SECRET", oz.secret)
    word = unique_word()
    result_changed = oz.close(oz.new_case(date(2020, 1, 10), f"{word} resultaat"), date(2020, 9, 1))
    reopened = oz.close(oz.new_case(date(2020, 2, 10), f"{word} heropend"), date(2020, 10, 1))
    untouched = oz.close(oz.new_case(date(2020, 3, 10), f"{word} ongemoeid"), date(2020, 11, 1))
    # Open Zaak 1.30 answers 500 to deleting a closed case: an open one is deleted.
    deleted = oz.new_case(date(2020, 4, 10), f"{word} verwijderd")
    pid, stikstof = _inventory_with_open_zaak(app, oz)
    _keep(app, pid, stikstof, word, [result_changed, reopened, untouched, deleted])
    assert oz.call("GET", reopened["url"])["archiefnominatie"] == "blijvend_bewaren"

    # What Open Zaak 1.30 does silently: a result's toelichting changed recalculates the
    # archive fields; reopening empties them and closing again derives `vernietigen`.
    result = oz.call("GET", result_changed["url"])["resultaat"]
    oz.call("PATCH", result, {"toelichting": "alleen de toelichting"})
    oz.set_status(reopened, oz.status_start, date(2021, 1, 5))
    oz.set_status(reopened, oz.status_end, date(2021, 2, 1))
    oz.call("DELETE", deleted["url"], expect=204)
    for case in (result_changed, reopened):
        assert oz.call("GET", case["url"])["archiefnominatie"] == "vernietigen"

    checked = zgw_guard.check_cases(app, pid, actor="ib")

    by_case = {c["case"]: c["check"] for c in checked["cases"]}
    assert by_case == {
        result_changed["identificatie"]: "restored",
        reopened["identificatie"]: "restored",
        untouched["identificatie"]: "kept",
        deleted["identificatie"]: "gone",
    }
    assert checked["checks"]["restored"] == 2 and checked["checks"]["gone"] == 1
    again = oz.call("GET", reopened["url"])
    # Reopened and closed again on 2021-02-01: the transfer date follows the new end.
    assert (again["archiefnominatie"], again["archiefactiedatum"]) == (
        "blijvend_bewaren",
        "2041-02-01",
    )
    assert oz.call("GET", result_changed["url"])["archiefnominatie"] == "blijvend_bewaren"
    trail = oz.call("GET", f"{result_changed['url']}/audittrail")
    reasons = [entry.get("toelichting") or "" for entry in trail]
    # Once by the apply, once by the guard: both with the hotspot and the legal ground.
    assert sum("Archiefbesluit 1995 art. 5 sub e" in r for r in reasons) == 2

    drift = _audit(app, pid, "cases.drift")
    assert sorted((d["case"], d["check"]) for d in drift) == sorted(
        [
            (result_changed["identificatie"], "restored"),
            (reopened["identificatie"], "restored"),
            (deleted["identificatie"], "gone"),
        ]
    )
    restored = next(d for d in drift if d["case"] == result_changed["identificatie"])
    assert restored["before"]["archiefnominatie"] == "vernietigen"
    assert "archiefnominatie" in restored["drifted"]
    [summary] = _audit(app, pid, "cases.check")
    assert (summary["checked"], summary["kept"], summary["told"]) == (4, 1, 2)

    with app.read() as db:
        rows = {r.identificatie: r for r in db.scalars(select(m.ZgwCase))}
        mail = db.scalars(
            select(m.OutboxMessage).where(m.OutboxMessage.kind == "cases_not_kept")
        ).all()
    assert rows[untouched["identificatie"]].check_result == "kept"
    assert rows[deleted["identificatie"]].check_result == "gone"
    assert all(r.checked_at is not None for r in rows.values())
    # The informatiebeheerder and management, about the case that is gone only.
    assert sorted(x.recipient_email for x in mail) == ["bert@org.example", "dirk@org.example"]
    assert all(deleted["identificatie"] in x.body_text for x in mail)
    assert all(reopened["identificatie"] not in x.body_text for x in mail)

    # The procedure page and the report show every kept case and its last check.
    web = logged_in(app)
    page = web.get(f"/procedures/{pid}").text
    assert "Bewaarde zaken in zaaksystemen" in page
    assert "niet meer in het zaaksysteem" in page and "afgeweken en hersteld" in page
    report = web.get(f"/procedures/{pid}/bewaarde-zaken.csv").content.decode("utf-8-sig")
    lines = report.splitlines()
    assert lines[0].startswith("hotspot;identificatie;zaaksysteem;zaak_url;bewaard_op")
    assert len(lines) == 5
    cli_out = CliRunner().invoke(cli, ["inventory", "kept", pid], obj=CliContext(_app=app))
    assert cli_out.exit_code == 0, cli_out.output
    assert "4 bewaarde zaak/zaken; 1 vragen aandacht." in cli_out.output


def test_the_worker_checks_kept_cases_when_their_check_is_due(
    oz: OpenZaak, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_OZ_SECRET", oz.secret)
    word = unique_word()
    case = oz.close(oz.new_case(date(2020, 5, 10), f"{word} wekelijks"), date(2020, 9, 1))
    pid, stikstof = _inventory_with_open_zaak(app, oz)
    _keep(app, pid, stikstof, word, [case])
    now = app.now()

    assert zgw_guard.due_procedures(app, now + timedelta(days=6)) == []
    tick(app, now + timedelta(days=6))
    assert _audit(app, pid, "cases.check") == []

    result = oz.call("GET", case["url"])["resultaat"]
    oz.call("PATCH", result, {"toelichting": "weer gewijzigd"})
    assert zgw_guard.due_procedures(app, now + timedelta(days=7)) == [pid]
    tick(app, now + timedelta(days=7))

    [summary] = _audit(app, pid, "cases.check")
    assert summary["restored"] == 1
    assert oz.call("GET", case["url"])["archiefnominatie"] == "blijvend_bewaren"


def test_the_inventory_counts_a_case_system_as_searched_once_its_choice_is_kept(
    oz: OpenZaak, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_OZ_SECRET", oz.secret)
    word = unique_word()
    first = oz.close(oz.new_case(date(2020, 6, 10), f"{word} een"), date(2020, 9, 1))
    second = oz.new_case(date(2020, 7, 10), f"{word} twee")
    pid, stikstof = _inventory_with_open_zaak(app, oz)
    zgw_cases.record_cases(app, pid, hotspot=stikstof, system="Open Zaak", keyword=word, actor="ib")

    def searched_figures() -> str:
        with pytest.raises(Refused) as refusal:
            procedures.advance(app, pid, actor="sanne")
        [verdict] = [v for v in refusal.value.verdicts if v.code == "inventory.systems_searched"]
        return verdict.figures.nl

    assert "2 zaken niet gekozen" in searched_figures()
    zgw_cases.select_case(app, pid, hotspot=stikstof, case=first["url"], include=True, actor="ib")
    zgw_cases.select_case(
        app, pid, hotspot=stikstof, case=second["url"], include=False, reason="n.v.t.", actor="ib"
    )
    assert "1 zaken gekozen maar niet toegepast" in searched_figures()
    zgw_cases.apply_cases(app, pid, hotspot=stikstof, actor="ib")
    with pytest.raises(Refused) as refusal:
        procedures.advance(app, pid, actor="sanne")
    # The case system is done for this hotspot; what blocks now is the other hotspots.
    codes = {v.code: v for v in refusal.value.verdicts if v.blocks}
    assert "inventory.systems_searched" not in codes
    assert "Stikstof" not in codes["inventory.hotspots_covered"].figures.nl
    overview = logged_in(app).get(f"/procedures/{pid}/inventarisatie").text
    assert "zaken gekozen en bewaard" in overview


def test_an_explanation_needs_a_case_the_case_system_did_not_keep(
    oz: OpenZaak, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_OZ_SECRET", oz.secret)
    word = unique_word()
    case = oz.close(oz.new_case(date(2020, 6, 10), f"{word} uitleg"), date(2020, 9, 1))
    pid, stikstof = _inventory_with_open_zaak(app, oz)
    _keep(app, pid, stikstof, word, [case])
    with pytest.raises(Exception, match="uitkomst changed"):
        zgw_cases.explain_case(
            app, pid, hotspot=stikstof, case=case["url"], explanation="met de hand", actor="ib"
        )
    assert _audit(app, pid, "inventory.case_explain") == []


def test_a_case_kept_for_two_hotspots_is_checked_once_for_each_and_keeps_both_kenmerken(
    oz: OpenZaak, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One case, two hotspots: the guard reads it for each in turn, restores both kenmerken,
    stores a check on both rows, and the procedure is not due again a minute later."""
    monkeypatch.setenv("TEST_OZ_SECRET", oz.secret)
    word = unique_word()
    case = oz.close(oz.new_case(date(2020, 8, 10), f"{word} gedeeld"), date(2020, 12, 1))
    pid, stikstof = _inventory_with_open_zaak(app, oz)
    [wolf] = [n for n, t in scenario.adopted_hotspots(app, pid) if "wolf" in t]
    _keep(app, pid, stikstof, word, [case])
    _keep(app, pid, wolf, word, [case])
    kept = oz.call("GET", case["url"])["kenmerken"]
    assert len([k for k in kept if k["kenmerk"].startswith("hotspot ")]) == 2
    oz.call("PATCH", case["url"], {"kenmerken": []})  # someone cleared them

    checked = zgw_guard.check_cases(app, pid, actor="ib")

    assert [c["check"] for c in checked["cases"]] == ["restored", "restored"]
    marks = {k["kenmerk"] for k in oz.call("GET", case["url"])["kenmerken"]}
    assert marks == {f"hotspot {stikstof}", f"hotspot {wolf}"}
    with app.read() as db:
        rows = db.scalars(select(m.ZgwCase).where(m.ZgwCase.procedure_id == pid)).all()
    assert all(r.checked_at is not None for r in rows) and len(rows) == 2
    assert zgw_guard.due_procedures(app, app.now() + timedelta(minutes=1)) == []


def test_a_case_the_guard_lost_holds_the_inventory_until_it_is_explained(
    oz: OpenZaak, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_OZ_SECRET", oz.secret)
    word = unique_word()
    case = oz.new_case(date(2020, 9, 10), f"{word} verdwijnt")
    pid, stikstof = _inventory_with_open_zaak(app, oz)
    _keep(app, pid, stikstof, word, [case])
    oz.call("DELETE", case["url"], expect=204)
    assert zgw_guard.check_cases(app, pid, actor="ib")["checks"]["gone"] == 1

    def open_figures() -> str:
        with pytest.raises(Refused) as refusal:
            procedures.advance(app, pid, actor="sanne")
        found = [v for v in refusal.value.verdicts if v.code == "inventory.systems_searched"]
        return found[0].figures.nl if found and found[0].blocks else ""

    assert "1 zaken geweigerd of mislukt zonder uitleg" in open_figures()
    zgw_cases.explain_case(
        app,
        pid,
        hotspot=stikstof,
        case=case["url"],
        explanation="vernietigd, ten onrechte",
        actor="ib",
    )
    assert open_figures() == ""
    # Explained: the next round no longer mails about it.
    later = zgw_guard.check_cases(app, pid, actor="ib")
    assert later["checks"]["gone"] == 1 and later["told"] == 0


def test_a_decision_reference_longer_than_a_kenmerk_still_counts_as_cited(
    oz: OpenZaak, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kenmerk's source is cut to 40 characters; the case still cites the decision."""
    monkeypatch.setenv("TEST_OZ_SECRET", oz.secret)
    long_ref = "GS/2025/0412 besluit hotspotlijst archief Overijssel"
    word = unique_word()
    case = oz.close(oz.new_case(date(2020, 10, 10), f"{word} lang"), date(2020, 12, 1))
    with_long_ref = support.SCENARIO.but(decision_ref=long_ref)
    pid = with_long_ref.open(app)
    with_long_ref.drive_to(app, pid, Phase.INVENTORY)
    records.define_system(
        app,
        pid,
        name="Open Zaak",
        owner="DIV",
        actor="ib",
        zaken_url=oz.zaken,
        client_id=oz.client_id,
        secret_env="TEST_OZ_SECRET",
        zaaktypen=[oz.zaaktype],
    )
    [stikstof] = [n for n, t in scenario.adopted_hotspots(app, pid) if "Stikstof" in t]
    _keep(app, pid, stikstof, word, [case])
    sources = {k["bron"] for k in oz.call("GET", case["url"])["kenmerken"]}
    assert f"hotspotlijst {long_ref}"[:40] in sources  # cut by the API's limit

    with pytest.raises(Refused) as refusal:
        procedures.advance(app, pid, actor="sanne")
    [covered] = [v for v in refusal.value.verdicts if v.code == "inventory.hotspots_covered"]
    listed = covered.data["uncited"] + covered.data["uncovered"]
    assert not [entry for entry in listed if entry.startswith(f"{stikstof} ")]
    assert listed  # the other hotspots, searched nowhere, still hold it: the rule did run
