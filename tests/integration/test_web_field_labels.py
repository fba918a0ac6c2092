"""Bad input on a web form names the field by its label on that form, never by a CLI option."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from states.phases import Phase
from tests import support
from tests.web_support import client, csrf_of, latest_link, logged_in, post_form
from workflow.app import App
from workflow.commands import decision
from workflow.web.routes.facilitator import page_of

ARCHIVIST = "carla@org.example"
MANAGEMENT = "dirk@org.example"


@pytest.fixture
def pid(app: App) -> str:
    """A procedure whose concept list has just gone to the archivist for advice."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.DECISION)
    return pid


def _opened(app: App, link: str) -> TestClient:
    web = client(app)
    assert web.get(link).status_code == 303
    return web


def _posted(web: TestClient, path: str, data: dict[str, str]) -> str:
    token = csrf_of(web.get(path).text)
    response = web.post(path, data={**data, "csrf_token": token})
    assert response.status_code == 303, response.text
    return web.get(response.headers["location"]).text


def test_the_advice_and_decision_pages_name_the_date_field_by_its_label(app: App, pid: str) -> None:
    """/advies and /besluit: "Datum: ...", as the form labels it; "--date" was the CLI's."""
    archivist = _opened(app, latest_link(app, ARCHIVIST, "advice_request"))
    html = _posted(archivist, "/advies", {"advice": "positive", "date": "gisteren"})
    assert "Datum: &#39;gisteren&#39; is geen geldige datum" in html and "--date" not in html

    decision.record_advice(app, pid, positive=True, by="Carla", actor="carla")
    management = _opened(app, latest_link(app, MANAGEMENT, "proposal"))
    html = _posted(
        management,
        "/besluit",
        {"decision": "adopted", "date": "31-02-2025", "ref": "GS/1", "confirmed": "1"},
    )
    assert "Datum: &#39;31-02-2025&#39; is geen geldige datum" in html and "--date" not in html


def test_the_procedure_page_forms_name_fields_by_their_labels(app: App, pid: str) -> None:
    """The facilitator's forms too, in the page's language."""
    web = logged_in(app)
    response = post_form(
        web,
        f"{page_of(pid)}/advice",
        {"advice": "positive", "by": "Carla", "day": "2025-13-45", "confirmed": "1"},
        page_of(pid),
    )
    html = web.get(response.headers["location"]).text
    assert "Datum: &#39;2025-13-45&#39; is geen geldige datum" in html and "--date" not in html

    web.get("/taal/en")
    response = post_form(
        web,
        f"{page_of(pid)}/advice",
        {"advice": "positive", "by": "Carla", "ref": "a\nb", "confirmed": "1"},
        page_of(pid),
    )
    html = web.get(response.headers["location"]).text
    assert "Reference: must not contain a line break" in html and "--ref" not in html
