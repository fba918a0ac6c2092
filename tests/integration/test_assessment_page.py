"""Assessing candidates one by one: the nomination and the expert's criteria beside the form."""

from __future__ import annotations

import re

import pytest

from states.phases import Phase
from tests import support
from tests.integration.test_nominations import submit
from tests.support import EXTERNAL, INTERNAL
from tests.web_support import logged_in, post_form
from workflow.app import App
from workflow.commands import sessions


@pytest.fixture
def pid(app: App) -> str:
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.SESSIONS)
    return pid


def _checked(html: str) -> set[str]:
    return set(re.findall(r'name="criteria" value="(\d)" checked', html))


def test_the_form_starts_from_the_experts_criteria_and_moves_on_to_the_next(
    app: App, pid: str
) -> None:
    first = submit(
        app,
        pid,
        title="Terugkeer van de wolf",
        description="Gedode schapen.\nBoze boeren.",
        criteria=["1", "3"],
    )
    second = submit(app, pid, email=EXTERNAL[0][1], title="Stikstofprotest", criteria=["2"])
    web = logged_in(app)
    page = f"/procedures/{pid}/kandidaten/{first}/beoordelen"
    html = web.get(page).text
    assert "Terugkeer van de wolf" in html and "Gedode schapen." in html
    assert INTERNAL[0][0] in html  # who nominated it, with their perspective
    assert _checked(html) == {"1", "3"}
    assert "nog te beoordelen" in html
    # Recording it goes straight on to the next candidate still to assess.
    answer = post_form(
        web,
        f"/procedures/{pid}/candidates/assess",
        {
            "candidate": str(first),
            "criteria": ["1"],
            "verdict": "include",
            "motivation": "Verdeelde provincie.",
            "back": f"/procedures/{pid}/kandidaten/{second}/beoordelen",
        },
        page,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/procedures/{pid}/kandidaten/{second}/beoordelen"
    # Assessed, the form shows the assessment, not the expert's first choice.
    again = web.get(page).text
    assert _checked(again) == {"1"}
    assert "Verdeelde provincie." in again
    assert 'value="include" required checked' in again
    # The second candidate's page sends its form back to the list: nothing else is open.
    assert (
        f'name="back" value="/procedures/{pid}/kandidaten"'
        in web.get(f"/procedures/{pid}/kandidaten/{second}/beoordelen").text
    )


def test_an_unknown_candidate_is_not_found(app: App, pid: str) -> None:
    web = logged_in(app)
    assert web.get(f"/procedures/{pid}/kandidaten/99999/beoordelen").status_code == 404
    assert web.get(f"/procedures/{pid}/kandidaten/01/beoordelen").status_code == 404


def test_the_candidates_list_links_each_candidate_to_its_assessment(app: App, pid: str) -> None:
    cid = submit(app, pid, title="<b>Wolf</b>")
    sessions.assess(app, pid, cid, criteria="1", motivation="m", include=True, actor="sanne")
    other = submit(app, pid, title="Stikstof")
    html = logged_in(app).get(f"/procedures/{pid}/kandidaten").text
    assert f"/kandidaten/{cid}/beoordelen" in html and f"/kandidaten/{other}/beoordelen" in html
    assert "opnieuw beoordelen" in html
    assert "<b>Wolf</b>" not in html and "&lt;b&gt;Wolf&lt;/b&gt;" in html
