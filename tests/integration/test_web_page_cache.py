"""The procedure page's cache: keyed on the procedure's version, never stale after a change."""

from __future__ import annotations

from sqlalchemy import update

from states.phases import Phase
from tests import support
from tests.support import ACTOR
from tests.web_support import logged_in
from workflow.app import App
from workflow.commands import people, sessions
from workflow.db import models as m
from workflow.testing import FrozenClock
from workflow.web import views


def test_a_command_changes_what_the_page_shows_at_once(app: App) -> None:
    """A candidate added after the page was seen appears on the next view."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.SESSIONS)
    web = logged_in(app)
    assert "Watersnood Vecht" not in web.get(f"/procedures/{pid}").text
    sessions.add_candidate(
        app,
        pid,
        title="Watersnood Vecht",
        start="2021-07-14",
        description="Hoogwater",
        nominated_by=support.EXTERNAL[0][1],
        actor=ACTOR,
    )
    assert "Watersnood Vecht" in web.get(f"/procedures/{pid}").text


def test_the_outbox_is_read_fresh_even_at_the_same_version(app: App) -> None:
    """The sender marks mail sent without a command: the page shows it all the same."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    support.recruit(app, pid)
    people.invite(app, pid, [], actor=ACTOR)
    web = logged_in(app)
    before = web.get(f"/procedures/{pid}").text
    assert "wacht op verzending" in before
    with app.write() as db:
        db.execute(update(m.OutboxMessage).values(status="sent", sent_at=app.now()))
    after = web.get(f"/procedures/{pid}").text
    assert "wacht op verzending" not in after and "verzonden" in after


def test_a_cached_page_equals_a_fresh_build(app: App) -> None:
    """What the cache returns for a version is what building that version again gives."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.SESSIONS)
    cache: views.VersionCache[views.ProcedurePage] = views.VersionCache()
    first = views.procedure_page(app, pid, "nl", cache)
    again = views.procedure_page(app, pid, "nl", cache)
    fresh = views.procedure_page(app, pid, "nl")
    assert again is not fresh and again == fresh == first


def test_a_new_day_builds_the_page_again(app: App, clock: FrozenClock) -> None:
    """Overdue marks change at midnight without a command: the day is part of the key."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.PLANNING)
    support.plan(app, pid)
    cache: views.VersionCache[views.ProcedurePage] = views.VersionCache()
    today = views.procedure_page(app, pid, "nl", cache)
    assert today.overdue == {}
    clock.advance(days=40)
    later = views.procedure_page(app, pid, "nl", cache)
    assert later.today > today.today and later.overdue


def test_the_cache_keeps_only_the_newest_entries() -> None:
    """Beyond its size the least recently used entry goes."""
    cache: views.VersionCache[int] = views.VersionCache(size=2)
    cache.put(("a",), 1)
    cache.put(("b",), 2)
    assert cache.get(("a",)) == 1
    cache.put(("c",), 3)
    assert cache.get(("b",)) is None and cache.get(("a",)) == 1 and cache.get(("c",)) == 3
