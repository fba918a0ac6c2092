"""The expert's portal once the list is adopted and published: outcomes, held sessions, the list."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from states.phases import Phase
from tests import support
from tests.integration.test_web_portal import ME, expert_id, opened
from tests.web_support import client, latest_link
from workflow.app import App, bootstrap
from workflow.db import models as m
from workflow.settings import Settings
from workflow.testing import FrozenClock


@pytest.fixture
def long_links(database_url: str, clock: FrozenClock) -> Iterator[App]:
    """Links valid for a year: the expert still holds a working one when the list is out."""
    settings = Settings(database_url, "nl", None)
    settings = replace(settings, mail=replace(settings.mail, link_valid_days=365))
    application = bootstrap(settings, clock=clock)
    yield application
    application.dispose()


def test_after_publication_the_portal_shows_outcomes_and_links_the_published_list(
    long_links: App,
) -> None:
    app = long_links
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.SESSIONS)
    link = latest_link(app, ME[1], "call_for_nominations")
    assert "tot en met" in opened(app, link).get("/portaal").text
    support.drive_to(app, pid, Phase.PUBLICATION)
    support.publish(app, pid)
    # Months later: the expert opens the same link again.
    html = opened(app, link).get("/portaal").text
    # No invitation to nominate any more, and what became of each nomination of mine.
    assert "U kunt hotspots voordragen" not in html and "Een hotspot voordragen" not in html
    assert "De hotspotlijst is vastgesteld" in html
    mine = _own_candidates(app, pid, expert_id(app, ME[1]))
    adopted = dict(support.scenario.adopted_hotspots(app, pid))
    on_list = [c for c in mine if c.title in adopted.values()]
    assert on_list, "the scenario nominates at least one adopted hotspot for this expert"
    for c in on_list:
        number = next(n for n, title in adopted.items() if title == c.title)
        assert f"op de vastgestelde hotspotlijst, als hotspot {number}" in html
    assert f'href="/openbaar/{pid}"' in html
    # Sessions in the past are shown as held, not as planned.
    assert "gehouden" in html and "gepland" not in html

    public = client(app).get(f"/openbaar/{pid}")
    assert public.status_code == 200
    for number, title in adopted.items():
        assert number in public.text and title in public.text
    # Nobody's name or address: the public list has no personal data of experts.
    for name, email, _profile in support.INTERNAL + support.EXTERNAL:
        assert name not in public.text and email not in public.text


def test_an_unpublished_list_is_not_public(app: App) -> None:
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.INVENTORY)
    assert client(app).get(f"/openbaar/{pid}").status_code == 404
    assert client(app).get("/openbaar/bestaat-niet").status_code == 404


def _own_candidates(app: App, pid: str, expert: int) -> list[m.Candidate]:
    from sqlalchemy import select

    with app.read() as db:
        return list(
            db.scalars(
                select(m.Candidate).where(
                    m.Candidate.procedure_id == pid, m.Candidate.nominated_by == expert
                )
            )
        )
