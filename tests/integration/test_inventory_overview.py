"""The inventory per hotspot: systems defined once per procedure, an overview and its exports."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from states.errors import InvalidInput
from states.phases import Phase
from tests import support
from tests.support import ACTOR
from tests.web_support import PASSWORD, logged_in, post_form
from workflow import users
from workflow.app import App
from workflow.commands import records
from workflow.db import models as m
from workflow.read.inventory import inventory_overview


@pytest.fixture
def pid(app: App) -> str:
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.INVENTORY)
    return pid


def _count(app: App, model: Any) -> int:
    with app.read() as db:
        return int(db.scalar(select(func.count()).select_from(model)) or 0)


def test_a_system_defined_once_is_searched_per_hotspot_without_its_owner_again(
    app: App, pid: str
) -> None:
    first, second = support.adopted_numbers(app, pid)[:2]
    records.define_system(
        app, pid, name="Corsa", owner="Team DIV", owner_email="div@provincie.example", actor=ACTOR
    )
    records.add_system(app, pid, first, system="corsa", query="wolf", actor=ACTOR)
    records.add_system(app, pid, second, system="Corsa", query="stikstof", actor=ACTOR)
    overview = inventory_overview(app, pid)
    assert [s.name for s in overview.systems] == ["Corsa"]
    searched = {h.number: h.systems for h in overview.hotspots}
    # The defined name and owner, whatever case was typed per hotspot.
    assert [(s.system, s.owner) for s in searched[first]] == [("Corsa", "Team DIV")]
    assert [(s.system, s.query) for s in searched[second]] == [("Corsa", "stikstof")]


def test_an_unknown_system_without_an_owner_is_refused_and_nothing_changes(
    app: App, pid: str
) -> None:
    number = support.adopted_numbers(app, pid)[0]
    before = _count(app, m.InventorySystem), _count(app, m.InformationSystem)
    with pytest.raises(InvalidInput) as refused:
        records.add_system(app, pid, number, system="Teams", query="wolf", actor=ACTOR)
    assert refused.value.field == "owner"
    assert "Teams" in refused.value.message("nl") and "eigenaar" in refused.value.message("nl")
    assert (_count(app, m.InventorySystem), _count(app, m.InformationSystem)) == before


def test_naming_an_owner_for_a_new_system_defines_it_for_the_procedure(app: App, pid: str) -> None:
    first, second = support.adopted_numbers(app, pid)[:2]
    records.add_system(app, pid, first, system="Teams", query="wolf", owner="ICT", actor=ACTOR)
    records.add_system(app, pid, second, system="Teams", query="stikstof", actor=ACTOR)
    overview = inventory_overview(app, pid)
    assert [(s.name, s.owner) for s in overview.systems] == [("Teams", "ICT")]
    with pytest.raises(InvalidInput) as twice:
        records.define_system(app, pid, name="TEAMS", owner="Iemand anders", actor=ACTOR)
    assert twice.value.field == "name"
    assert "ICT" in twice.value.message("nl")


def test_the_overview_says_what_is_done_and_what_is_still_open(app: App, pid: str) -> None:
    numbers = support.adopted_numbers(app, pid)
    first, second = numbers[:2]
    records.define_system(app, pid, name="Corsa", owner="DIV", actor=ACTOR)
    records.define_system(app, pid, name="Outlook", owner="ICT", actor=ACTOR)
    records.add_system(app, pid, first, system="Corsa", query="wolf", actor=ACTOR)
    records.add_system(app, pid, first, system="Outlook", query="wolf", actor=ACTOR)
    records.mark_dossier(app, pid, first, system="Corsa", dossier="Z-1", title="Wolf", actor=ACTOR)
    records.nothing_found(app, pid, first, system="Outlook", reason="Verwijderd", actor=ACTOR)
    records.add_system(app, pid, second, system="Corsa", query="stikstof", actor=ACTOR)
    overview = inventory_overview(app, pid)
    by_number = {h.number: h for h in overview.hotspots}
    assert by_number[first].complete and by_number[first].file_count == 1
    assert [s.state for s in by_number[first].systems] == ["found", "nothing"]
    assert not by_number[second].complete
    assert [s.system for s in by_number[second].open_systems] == ["Corsa"]
    # Every other hotspot has no system yet: open too.
    assert overview.open_count == len(numbers) - 1


def test_the_page_and_its_exports(app: App, pid: str) -> None:
    first, second = support.adopted_numbers(app, pid)[:2]
    records.define_system(app, pid, name="Corsa", owner="DIV", actor=ACTOR)
    records.define_system(app, pid, name="=HYPERLINK(1)", owner="ICT", actor=ACTOR)
    records.add_system(app, pid, first, system="Corsa", query="wolf", actor=ACTOR)
    records.add_system(app, pid, second, system="=HYPERLINK(1)", query="stikstof", actor=ACTOR)
    web = logged_in(app)
    page = f"/procedures/{pid}/inventarisatie"
    html = web.get(page).text
    # The first hotspot's dossier form offers its own system only.
    section = html.split('id="h-1"')[1].split('id="h-2"')[0]
    dossier_form = section.split("inventory/dossier")[1].split("</form>")[0]
    assert "<option>Corsa</option>" in dossier_form
    assert "HYPERLINK" not in dossier_form

    # A form on this page comes back to this page, at the hotspot it was sent from.
    answer = post_form(
        web,
        f"/procedures/{pid}/inventory/dossier",
        {"hotspot": first, "system": "Corsa", "dossier": "Z-9", "back": f"{page}#h-1"},
        page,
    )
    assert answer.status_code == 303 and answer.headers["location"] == f"{page}#h-1"
    # A return address outside the procedure is ignored.
    answer = post_form(
        web,
        f"/procedures/{pid}/inventory/dossier",
        {"hotspot": first, "system": "Corsa", "dossier": "Z-10", "back": "https://evil.example/"},
        page,
    )
    assert answer.headers["location"] == f"/procedures/{pid}#g-inventory"

    exported = web.get(f"{page}.csv")
    assert exported.content.startswith("\ufeff".encode())
    rows = list(
        csv.reader(io.StringIO(exported.content.decode("utf-8-sig"), newline=""), delimiter=";")
    )
    assert rows[0][:3] == ["hotspot", "titel", "systeem"]
    files = [r for r in rows[1:] if r[0] == first]
    assert sorted(r[6] for r in files) == ["Z-10", "Z-9"]
    assert [r[2] for r in rows[1:] if r[0] == second] == ["'=HYPERLINK(1)"]

    book = openpyxl.load_workbook(io.BytesIO(web.get(f"{page}.xlsx").content))
    cells = [[c.value for c in row] for row in book.active.iter_rows()]
    assert len(cells) == len(rows)
    text_cell = next(
        c for row in book.active.iter_rows() for c in row if c.value == "=HYPERLINK(1)"
    )
    assert text_cell.data_type == "s"


def test_an_information_manager_gets_the_inventory_forms_and_no_others(app: App, pid: str) -> None:
    users.add_user(
        app, username="ines", name="Ines Informatie", password=PASSWORD, role="informatiebeheerder"
    )
    web = logged_in(app, "ines")
    page = web.get(f"/procedures/{pid}").text
    assert 'action="/procedures/' in page and "/inventory/system" in page
    # Leading the procedure is the procesbegeleider's: no advance, cancel, or mail retry.
    assert "/advance" not in page and "/cancel" not in page and "/links/revoke" not in page
    overview = web.get(f"/procedures/{pid}/inventarisatie").text
    assert "/inventory/define" in overview
    # And what the page offers works for this role.
    answer = post_form(
        web,
        f"/procedures/{pid}/inventory/define",
        {"name": "Corsa", "owner": "DIV"},
        f"/procedures/{pid}/inventarisatie",
    )
    assert answer.status_code == 303
    assert [s.name for s in inventory_overview(app, pid).systems] == ["Corsa"]
    sanne = logged_in(app).get(f"/procedures/{pid}").text
    assert "/advance" in sanne
