"""A case system with a ZGW Zaken API as an information system of the procedure: defined
once through the command, the form and the command line, its secret only named, never stored;
bad definitions refused with the field and the reason, nothing written."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from states.errors import InvalidInput
from states.phases import Phase
from tests import support
from tests.support import ACTOR
from tests.web_support import logged_in, post_form
from workflow.app import App
from workflow.cli.context import CliContext
from workflow.cli.main import cli
from workflow.commands import records
from workflow.db import models as m
from workflow.read.inventory import inventory_overview

ZAKEN = "https://zaken.overijssel.example/zaken/api/v1/"
TYPES = [
    "https://zaken.overijssel.example/catalogi/api/v1/zaaktypen/1",
    "https://zaken.overijssel.example/catalogi/api/v1/zaaktypen/2",
]


@pytest.fixture
def pid(app: App) -> str:
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.INVENTORY)
    return pid


def _systems(app: App) -> list[Any]:
    with app.read() as db:
        return list(db.scalars(select(m.InformationSystem).order_by(m.InformationSystem.id)))


def _audit_data(app: App, pid: str) -> dict[str, Any]:
    with app.read() as db:
        record = db.scalars(
            select(m.AuditRecord)
            .where(
                m.AuditRecord.procedure_id == pid,
                m.AuditRecord.action == "inventory.system_define",
            )
            .order_by(m.AuditRecord.seq.desc())
        ).first()
    assert record is not None
    return dict(record.data)


def test_a_case_system_is_defined_with_its_api_client_and_case_types(app: App, pid: str) -> None:
    records.define_system(
        app,
        pid,
        name="Zaaksysteem",
        owner="Team DIV",
        actor=ACTOR,
        zaken_url=ZAKEN.rstrip("/"),
        client_id="hotspot-monitor",
        secret_env="OVERIJSSEL_ZGW_SECRET",
        zaaktypen=[*TYPES, TYPES[0] + "/"],
    )

    [row] = _systems(app)
    assert (row.zaken_url, row.client_id, row.secret_env) == (
        ZAKEN,
        "hotspot-monitor",
        "OVERIJSSEL_ZGW_SECRET",
    )
    assert row.zaaktypen == TYPES  # the same type twice is one
    assert _audit_data(app, pid)["zgw"] == {
        "zaken_url": ZAKEN,
        "client_id": "hotspot-monitor",
        "secret_env": "OVERIJSSEL_ZGW_SECRET",
        "zaaktypen": TYPES,
    }
    [shown] = inventory_overview(app, pid).systems
    assert (shown.zaken_url, shown.zaaktypen) == (ZAKEN, tuple(TYPES))


def test_the_secret_defaults_to_the_standard_variable_and_a_manual_system_stays_manual(
    app: App, pid: str
) -> None:
    records.define_system(
        app,
        pid,
        name="Z",
        owner="DIV",
        actor=ACTOR,
        zaken_url=ZAKEN,
        client_id="c",
        zaaktypen=TYPES[:1],
    )
    records.define_system(app, pid, name="Netwerkschijf", owner="ICT", actor=ACTOR)
    network, zaken = sorted(_systems(app), key=lambda r: r.name)
    assert zaken.secret_env == "HOTSPOT_ZGW_SECRET"
    assert (network.zaken_url, network.client_id, network.zaaktypen) == (None, None, None)
    assert "zgw" not in _audit_data(app, pid)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"zaken_url": "http://zaken.example/zaken/api/v1/"}, "zaken_url", "https"),
        ({"zaken_url": "https://u:p@zaken.example/api/"}, "zaken_url", "wachtwoord"),
        ({"zaken_url": "zaken.example"}, "zaken_url", "geen webadres"),
        ({"zaken_url": "http://[::1"}, "zaken_url", "geen webadres"),
        ({"zaken_url": "https://zaken.example:poort/"}, "zaken_url", "geen webadres"),
        ({"zaken_url": "https://zaken .example/"}, "zaken_url", "geen webadres"),
        ({"client_id": None}, "client_id", "client-id"),
        ({"zaaktypen": []}, "zaaktypen", "zaaktype"),
        ({"zaaktypen": ["ftp://x/zt"]}, "zaaktypen", "geen webadres"),
        ({"secret_env": "geheim waarde!"}, "secret_env", "omgevingsvariabele"),
        ({"zaken_url": None}, "zaken_url", "adres van de Zaken API"),
    ],
)
def test_a_bad_definition_is_refused_naming_its_field_and_nothing_is_written(
    app: App, pid: str, changes: dict[str, Any], field: str, words: str
) -> None:
    given: dict[str, Any] = {
        "zaken_url": ZAKEN,
        "client_id": "hotspot-monitor",
        "zaaktypen": TYPES,
        **changes,
    }
    with pytest.raises(InvalidInput) as refused:
        records.define_system(app, pid, name="Zaken", owner="DIV", actor=ACTOR, **given)
    assert refused.value.field == field
    assert words in refused.value.message.nl
    with app.read() as db:
        assert db.scalar(select(func.count()).select_from(m.InformationSystem)) == 0


def test_plain_http_is_allowed_to_this_machine_only(app: App, pid: str) -> None:
    records.define_system(
        app,
        pid,
        name="Lokaal",
        owner="DIV",
        actor=ACTOR,
        zaken_url="http://127.0.0.1:8411/zaken/api/v1",
        client_id="c",
        zaaktypen=TYPES[:1],
    )
    assert _systems(app)[0].zaken_url == "http://127.0.0.1:8411/zaken/api/v1/"


def test_the_form_takes_one_case_type_per_line(app: App, pid: str) -> None:
    web = logged_in(app)
    page = f"/procedures/{pid}/inventarisatie"
    answer = post_form(
        web,
        f"/procedures/{pid}/inventory/define",
        {
            "name": "Zaaksysteem",
            "owner": "Team DIV",
            "zaken_url": ZAKEN,
            "client_id": "hotspot-monitor",
            "secret_env": "",
            "zaaktypen": f"{TYPES[0]}\r\n\r\n  {TYPES[1]}  \r\n",
            "version": str(_version(app, pid)),
        },
        page,
    )
    assert answer.status_code in (200, 303)
    [row] = _systems(app)
    assert row.zaaktypen == TYPES
    assert "zaaksysteem (ZGW)" in web.get(page).text


def test_the_command_line_names_its_options_in_a_refusal(app: App, pid: str) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "inventory",
            "define",
            pid,
            "--name",
            "Zaken",
            "--owner",
            "DIV",
            "--zaken-url",
            "http://zaken.example/api/",
            "--client-id",
            "c",
            "--zaaktype",
            TYPES[0],
        ],
        obj=CliContext(_app=app),
    )
    # The group raises; `hotspot`'s main prints it (exit 2) with the option's name.
    assert isinstance(result.exception, InvalidInput)
    assert result.exception.field == "--zaken-url"
    assert "https" in result.exception.message.nl
    ok = CliRunner().invoke(
        cli,
        [
            "inventory",
            "define",
            pid,
            "--name",
            "Zaken",
            "--owner",
            "DIV",
            "--zaken-url",
            ZAKEN,
            "--client-id",
            "c",
            "--zaaktype",
            TYPES[0],
            "--zaaktype",
            TYPES[1],
        ],
        obj=CliContext(_app=app),
    )
    assert ok.exit_code == 0, ok.output
    assert _systems(app)[0].zaaktypen == TYPES


def _version(app: App, pid: str) -> int:
    with app.read() as db:
        procedure = db.get(m.Procedure, pid)
        assert procedure is not None
        return int(procedure.version)
