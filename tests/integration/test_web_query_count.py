"""The procedure page reads each table once: its query count does not grow with the data."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

from states.phases import Phase
from tests import support
from tests.support import ACTOR, EXTERNAL, INTERNAL
from tests.web_support import logged_in
from workflow.app import App
from workflow.commands import people, procedures, sessions

# About twenty today (the login check, a dozen tables, the facts overdue milestones depend
# on); far below what one query per expert or candidate would cost.
MOST_STATEMENTS = 30


@contextmanager
def counting(app: App) -> Iterator[list[str]]:
    """Every SQL statement sent through the app's engine while the block runs."""
    seen: list[str] = []

    def on_execute(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(app.engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(app.engine, "before_cursor_execute", on_execute)


def statements_for(app: App, web: TestClient, path: str) -> int:
    with counting(app) as seen:
        response = web.get(path)
    assert response.status_code == 200, response.text
    return len(seen)


def small_procedure(app: App) -> str:
    """Six experts, two sessions, three assessed candidates."""
    pid = support.open_procedure(app, org="Provincie Overijssel")
    support.drive_to(app, pid, Phase.SESSIONS)
    support.hold_sessions(app, pid)
    support.nominate_and_assess(app, pid)
    return pid


def large_procedure(app: App) -> str:
    """Thirty experts, forty candidates and a much longer audit trail."""
    pid = support.open_procedure(app, org="Provincie Gelderland")
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    support.recruit(app, pid)
    for n in range(24):
        people.add_expert(
            app,
            pid,
            name=f"Expert {n}",
            email=f"expert{n}@example.org",
            perspective="internal" if n % 2 else "external",
            profile="beleid" if n % 2 else "historicus",
            actor=ACTOR,
        )
    support.accept_all(app, pid)
    for n in range(4):
        people.respond(app, pid, f"expert{n}@example.org", accept=True, actor=ACTOR)
    for n in range(4, 10):
        people.respond(app, pid, f"expert{n}@example.org", accept=False, actor=ACTOR)
    procedures.advance(app, pid, actor=ACTOR)
    support.hold_sessions(app, pid)
    nominators = [e for _, e, _ in INTERNAL + EXTERNAL]
    for n in range(40):
        cid = sessions.add_candidate(
            app,
            pid,
            title=f"Kandidaat {n}",
            start="2019-01-01",
            description="Omschrijving",
            nominated_by=nominators[n % len(nominators)],
            actor=ACTOR,
        )["candidate"]
        if n % 4:
            sessions.assess(
                app, pid, cid, criteria="1", motivation="Onrust", include=n % 3 > 0, actor=ACTOR
            )
    for n in range(60):
        sessions.empty_list_reason(app, pid, reason=f"Notitie {n}", actor=ACTOR)
    return pid


def test_the_procedure_page_runs_as_many_statements_for_a_large_procedure_as_a_small_one(
    app: App,
) -> None:
    """Five times the experts, thirteen times the candidates: the same number of statements."""
    small, large = small_procedure(app), large_procedure(app)
    assert procedures.status(app, large).phase is Phase.SESSIONS
    web = logged_in(app)
    # The first request of a process may set up connections; the pages are not built yet.
    web.get("/procedures")

    few = statements_for(app, web, f"/procedures/{small}")
    many = statements_for(app, web, f"/procedures/{large}")
    assert few == many
    assert many <= MOST_STATEMENTS

    # Seen again at the same version, each page reads only the login, version and outbox.
    few_again = statements_for(app, web, f"/procedures/{small}")
    many_again = statements_for(app, web, f"/procedures/{large}")
    assert few_again == many_again < few


def test_the_dashboard_does_not_read_per_expert_or_candidate(app: App) -> None:
    """The dashboard's statements depend on the number of procedures, not on their size."""
    small_procedure(app)
    large_procedure(app)

    # Each from a new web process, so nothing is cached yet, on the same day: the small
    # procedure alone (the organisation filter), then both.
    alone = statements_for(app, logged_in(app), "/procedures?organisation=overijssel")
    both = statements_for(app, logged_in(app), "/procedures")

    # The second procedure adds its own constant share (its exit rules' parts), nothing more.
    assert 0 < both - alone <= 8
