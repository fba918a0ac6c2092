"""The governing body's kind from a real procedure's configuration, in its documents and mails."""

from __future__ import annotations

from pathlib import Path

from notifications.documents import proposal_html, public_list_html
from states.governing_body import GoverningBodyKind
from states.phases import Phase
from tests import support
from tests.support import ACTOR
from workflow.app import App
from workflow.commands import decision, procedures
from workflow.documents import proposal_data, public_list_data


def _adopted(app: App, pid: str) -> None:
    support.drive_to(app, pid, Phase.DECISION)
    decision.record_advice(app, pid, positive=True, by="Archief", reason=None, actor="carla")
    decision.record_decision(
        app, pid, adopted=True, day="2025-05-13", ref="DB/2025/12", actor=ACTOR
    )


def test_the_kind_is_read_from_the_names_without_a_setting(app: App) -> None:
    """Provincie Overijssel with Gedeputeerde Staten: the documents say "... van Overijssel"."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.DECISION)
    data = proposal_data(app, pid)
    assert data.procedure.governing_body_kind is GoverningBodyKind.PROVINCE
    page = proposal_html(data)
    assert "Voorstel aan Gedeputeerde Staten van Overijssel, opgesteld op" in page
    assert "bekendgemaakt in het Provinciaal Blad." in page


def test_a_configured_kind_decides_the_wording(app: App, tmp_path: Path) -> None:
    """`governing_body_kind = "waterschap"` in the organisation's file: the water board's words,
    whatever the body was typed as."""
    config = tmp_path / "waterschap.toml"
    config.write_text('governing_body_kind = "waterschap"\n', encoding="utf-8")
    pid = support.SCENARIO.but(
        organisation="Waterschap Vechtstromen", body="Het bestuur", config_file=config
    ).open(app)
    _adopted(app, pid)
    data = proposal_data(app, pid)
    assert data.procedure.governing_body_kind is GoverningBodyKind.WATER_BOARD
    page = proposal_html(data)
    assert "Na vaststelling door het dagelijks bestuur van Waterschap Vechtstromen" in page
    assert "het Waterschapsblad" in page
    procedures.advance(app, pid, actor=ACTOR)
    support.drive_to(app, pid, Phase.CLOSED)
    public = public_list_html(public_list_data(app, pid))
    assert (
        "Deze hotspotlijst is vastgesteld door het dagelijks bestuur van Waterschap Vechtstromen"
        in public
    )
