"""A case system's Catalogi API and a search within an area, against the real Open Zaak: the
case types are listed to choose from and named beside each found case; a GeoJSON polygon
limits the search to the cases whose geometry lies inside it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from states.errors import InvalidInput
from tests.integration.test_openzaak_cases import _inventory_with_open_zaak
from tests.openzaak import OpenZaak, open_zaak, unique_word
from tests.web_support import logged_in
from workflow.app import App
from workflow.cli.context import CliContext
from workflow.cli.main import cli
from workflow.commands import records, zgw_cases
from workflow.db import models as m

# Around Zwolle (WGS 84, longitude first); Enschede lies well outside.
ZWOLLE = {
    "type": "Polygon",
    "coordinates": [[[6.0, 52.45], [6.2, 52.45], [6.2, 52.56], [6.0, 52.56], [6.0, 52.45]]],
}
IN_ZWOLLE = {"type": "Point", "coordinates": [6.09, 52.51]}
IN_ENSCHEDE = {"type": "Point", "coordinates": [6.89, 52.22]}


@pytest.fixture
def oz() -> OpenZaak:
    return open_zaak()


def _with_catalogue(app: App, oz: OpenZaak, pid: str) -> None:
    records.define_system(
        app,
        pid,
        name="Open Zaak met catalogus",
        owner="DIV",
        actor="ib",
        zaken_url=oz.zaken,
        catalogi_url=f"{oz.base}/catalogi/api/v1/",
        client_id=oz.client_id,
        secret_env="TEST_OZ_SECRET",
        zaaktypen=[oz.zaaktype],
    )


def test_a_search_within_an_area_finds_only_the_cases_inside_it(
    oz: OpenZaak, app: App, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TEST_OZ_SECRET", oz.secret)
    word = unique_word()
    inside = oz.new_case(date(2020, 5, 1), f"{word} binnen", zaakgeometrie=IN_ZWOLLE)
    oz.new_case(date(2020, 5, 2), f"{word} buiten", zaakgeometrie=IN_ENSCHEDE)
    oz.new_case(date(2020, 5, 3), f"{word} zonder plek")
    pid, stikstof = _inventory_with_open_zaak(app, oz)
    area_file = tmp_path / "zwolle.geojson"
    area_file.write_text(json.dumps({"type": "Feature", "geometry": ZWOLLE, "properties": {}}))

    out = CliRunner().invoke(
        cli,
        [
            "inventory",
            "search",
            pid,
            stikstof,
            "--system",
            "Open Zaak",
            "--keyword",
            word,
            "--area",
            str(area_file),
        ],
        obj=CliContext(_app=app),
    )

    assert out.exit_code == 0, out.output
    with app.read() as db:
        found = db.scalars(select(m.ZgwCase.url).where(m.ZgwCase.procedure_id == pid)).all()
        [audited] = [
            r.data
            for r in db.scalars(
                select(m.AuditRecord).where(m.AuditRecord.action == "inventory.cases_found")
            )
        ]
    assert found == [inside["url"]]
    # The audit trail keeps the area's outline, not every point.
    assert audited["area"] == {"type": "Polygon", "points": 5, "bbox": [6.0, 52.45, 6.2, 52.56]}

    # The same through the API, as an object; an area in RD coordinates is refused by name.
    with pytest.raises(InvalidInput, match="EPSG:4326"):
        zgw_cases.record_cases(
            app,
            pid,
            hotspot=stikstof,
            system="Open Zaak",
            actor="ib",
            area={"type": "Polygon", "coordinates": [[[200000, 500000]] * 4]},
        )


def test_the_catalogue_lists_the_case_types_and_names_each_found_case(
    oz: OpenZaak, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_OZ_SECRET", oz.secret)
    monkeypatch.setenv("HOTSPOT_ZGW_SECRET", oz.secret)
    word = unique_word()
    oz.new_case(date(2020, 6, 1), f"{word} met naam")
    pid, stikstof = _inventory_with_open_zaak(app, oz)
    _with_catalogue(app, oz, pid)
    name = oz.call("GET", oz.zaaktype)["omschrijving"]

    listed = CliRunner().invoke(
        cli,
        ["inventory", "zaaktypen", pid, "--system", "Open Zaak met catalogus", "--json"],
        obj=CliContext(_app=app),
    )
    assert listed.exit_code == 0, listed.output
    urls = {t["url"]: t["omschrijving"] for t in json.loads(listed.stdout)["zaaktypen"]}
    assert urls[oz.zaaktype] == name

    zgw_cases.record_cases(
        app, pid, hotspot=stikstof, system="Open Zaak met catalogus", keyword=word, actor="ib"
    )
    with app.read() as db:
        row = db.scalars(select(m.ZgwCase).where(m.ZgwCase.procedure_id == pid)).one()
    assert row.zaaktype_omschrijving == name
    page = logged_in(app).get(f"/procedures/{pid}/inventarisatie").text
    assert f"zaaktype: {name}" in page

    # Without a Catalogi API the listing says how to get one; a case type from elsewhere is
    # refused when the catalogue is given.
    without = CliRunner().invoke(
        cli, ["inventory", "zaaktypen", pid, "--system", "Open Zaak"], obj=CliContext(_app=app)
    )
    assert isinstance(without.exception, InvalidInput)
    assert "--catalogi-url" in str(without.exception)
    with pytest.raises(InvalidInput, match="ligt niet in de opgegeven Catalogi API"):
        records.define_system(
            app,
            pid,
            name="Elders",
            owner="DIV",
            actor="ib",
            zaken_url=oz.zaken,
            catalogi_url=f"{oz.base}/catalogi/api/v1/",
            client_id=oz.client_id,
            zaaktypen=["https://elders.example/catalogi/api/v1/zaaktypen/1"],
        )
