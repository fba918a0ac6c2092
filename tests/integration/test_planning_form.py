"""All ten milestones in one step: the planning form, `hotspot milestone plan` and the API."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from states.errors import InvalidInput
from states.phases import Phase
from tests import support
from tests.integration.test_cli_catalog import Faces
from tests.support import ACTOR
from tests.web_support import logged_in, post_form
from workflow.app import App
from workflow.commands import planning
from workflow.db import models as m


@pytest.fixture
def pid(app: App) -> str:
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.PLANNING)
    return pid


def _milestones(app: App, pid: str) -> dict[str, date]:
    with app.read() as db:
        rows = db.scalars(select(m.Milestone).where(m.Milestone.procedure_id == pid))
        return {r.key: r.due for r in rows}


def _trail(app: App, pid: str) -> list[m.AuditRecord]:
    with app.read() as db:
        return list(
            db.scalars(
                select(m.AuditRecord)
                .where(m.AuditRecord.procedure_id == pid)
                .order_by(m.AuditRecord.seq)
            )
        )


def test_the_planning_is_set_in_one_step_and_one_record(app: App, pid: str) -> None:
    before = len(_trail(app, pid))
    result = planning.set_milestones(
        app,
        pid,
        dates={
            "invitations_sent": "2025-02-03",
            "rsvp_deadline": "17-02-2025",
            "nomination_deadline": "",
        },
        actor=ACTOR,
    )
    assert result["changed"] == ["invitations_sent", "rsvp_deadline"]
    assert _milestones(app, pid) == {
        "invitations_sent": date(2025, 2, 3),
        "rsvp_deadline": date(2025, 2, 17),
    }
    trail = _trail(app, pid)
    assert len(trail) == before + 1
    assert trail[-1].action == "milestones.plan"
    assert trail[-1].data["milestones"]["rsvp_deadline"] == {"due": "2025-02-17", "previous": None}
    # The same dates again change nothing and record no milestone.
    again = planning.set_milestones(app, pid, dates=["invitations_sent=2025-02-03"], actor=ACTOR)
    assert again["changed"] == []


def test_one_bad_date_saves_none_of_them(app: App, pid: str) -> None:
    before = _milestones(app, pid), len(_trail(app, pid))
    with pytest.raises(InvalidInput) as refused:
        planning.set_milestones(
            app,
            pid,
            dates={"invitations_sent": "2025-02-03", "rsvp_deadline": "31-02-2025"},
            actor=ACTOR,
        )
    assert refused.value.field == "dates"
    with pytest.raises(InvalidInput) as unknown:
        planning.set_milestones(
            app, pid, dates={"invitations_sent": "2025-02-03", "borrel": "2025-03-01"}, actor=ACTOR
        )
    assert "borrel" in unknown.value.message("nl")
    assert (_milestones(app, pid), len(_trail(app, pid))) == before


def test_the_form_sets_every_date_and_comes_back_to_the_section(app: App, pid: str) -> None:
    web = logged_in(app)
    page = f"/procedures/{pid}"
    html = web.get(page).text
    assert html.count('name="due_') == 10
    answer = post_form(
        web,
        f"{page}/milestones/plan",
        {
            "due_invitations_sent": "2025-02-03",
            "due_first_session": "2025-03-10",
            "back": f"{page}#g-werkgroep",
        },
        page,
    )
    assert answer.status_code == 303 and answer.headers["location"] == f"{page}#g-werkgroep"
    assert _milestones(app, pid) == {
        "invitations_sent": date(2025, 2, 3),
        "first_session": date(2025, 3, 10),
    }
    # The form shows the dates it holds, ready to be changed.
    assert 'value="2025-03-10"' in web.get(page).text


def test_cli_and_api_set_the_planning_alike(app: App, database_url: str, tmp_path: Path) -> None:
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.PLANNING)
    faces = Faces(app, database_url, tmp_path)
    done = faces.cli(
        "milestone",
        "plan",
        pid,
        "invitations_sent=2025-02-03",
        "rsvp_deadline=2025-02-17",
        expect=0,
    )
    assert done["changed"] == ["invitations_sent", "rsvp_deadline"]
    answer = faces.web.put(
        f"/api/procedures/{pid}/milestones",
        json={"dates": {"first_session": "2025-03-10", "decision": ""}},
        headers={"X-CSRF-Token": faces.token},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["changed"] == ["first_session"]
    refused = faces.cli("milestone", "plan", pid, "first_session", expect=2)
    assert refused["ok"] is False and refused["field"] == "DATES"
    assert len(_milestones(app, pid)) == 3


def test_a_form_returns_to_its_section_with_the_answer_there(app: App, pid: str) -> None:
    web = logged_in(app)
    page = f"/procedures/{pid}"
    answer = post_form(
        web,
        f"{page}/members",
        {"name": "Piet Planner", "email": "piet@provincie.example", "role": "archivaris"},
        page,
    )
    assert answer.status_code == 303 and answer.headers["location"] == f"{page}#g-werkgroep"
    html = web.get(page).text
    section = html.split('<h3 id="g-werkgroep">', 1)[1].split("<h3 ", 1)[0]
    assert 'class="flash flash-success"' in section and "Werkgroeplid toegevoegd" in section
    # Shown once, in its section: not again at the top of the page.
    assert html.count('class="flash flash-success"') == 1
    # A refusal comes back to the same place, with the reason there.
    refused = post_form(
        web, f"{page}/members", {"name": "X", "email": "geen-adres", "role": "archivaris"}, page
    )
    assert refused.headers["location"] == f"{page}#g-werkgroep"
    again = web.get(page).text.split('<h3 id="g-werkgroep">', 1)[1].split("<h3 ", 1)[0]
    assert 'class="flash flash-error"' in again
