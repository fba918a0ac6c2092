"""Implausible dates refused by the real commands, on SQLite and PostgreSQL, nothing written."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from states.errors import InvalidInput, Refused
from states.phases import Phase
from tests import support
from tests.support import ACTOR, EXTERNAL, INTERNAL
from tests.web_support import FACILITATOR, PASSWORD, client, ensure_user
from workflow import repository
from workflow.app import App
from workflow.commands import decision, planning, procedures, records, sessions
from workflow.db import models as m

PRESENT = [e for _, e, _ in INTERNAL[:2] + EXTERNAL[:2]]


def _count(app: App, model: type[m.Base], pid: str) -> int:
    with app.read() as db:
        column = model.procedure_id  # type: ignore[attr-defined]
        return int(db.scalar(select(func.count()).select_from(model).where(column == pid)) or 0)


def _trail(app: App, pid: str) -> int:
    return _count(app, m.AuditRecord, pid)


def _refused(call: object) -> str:
    assert callable(call)
    with pytest.raises(Refused) as refusal:
        call()
    (code,) = refusal.value.codes
    return code


@pytest.fixture
def in_sessions(app: App) -> str:
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.SESSIONS)
    return pid


def test_sessions_in_1900_and_2200_are_refused_and_cannot_count_as_held(
    app: App, in_sessions: str
) -> None:
    """The issue's sessions are refused with their rule; nothing is stored or mailed."""
    pid = in_sessions
    before = (
        _trail(app, pid),
        _count(app, m.ExpertSession, pid),
        _count(app, m.OutboxMessage, pid),
    )
    assert _refused(lambda: sessions.add_session(app, pid, at="1900-03-10T14:00", actor=ACTOR)) == (
        "session.before_opening"
    )
    assert _refused(lambda: sessions.add_session(app, pid, at="2200-03-10T14:00", actor=ACTOR)) == (
        "session.too_far_ahead"
    )
    after = (_trail(app, pid), _count(app, m.ExpertSession, pid), _count(app, m.OutboxMessage, pid))
    assert after == before
    held = next(v for v in procedures.status(app, pid).verdicts if v.code == "sessions.held")
    assert held.blocks


def test_a_session_cannot_be_moved_to_before_the_opening(app: App, in_sessions: str) -> None:
    """Moving is checked like planning: the session stays where it was."""
    pid = in_sessions
    sid = sessions.add_session(app, pid, at="2025-03-10T14:00", actor=ACTOR)["session"]
    assert (
        _refused(lambda: sessions.move_session(app, pid, sid, at="2024-12-31T14:00", actor=ACTOR))
        == "session.before_opening"
    )
    with app.read() as db:
        row = db.get(m.ExpertSession, sid)
        assert row is not None and row.at.year == 2025 and row.sequence == 0


def test_attendance_is_recorded_only_once_the_session_has_begun(app: App, in_sessions: str) -> None:
    """Before its start attendance is refused; from its start on it is recorded."""
    pid = in_sessions
    sid = sessions.add_session(app, pid, at="2025-03-10T14:00", actor=ACTOR)["session"]
    trail = _trail(app, pid)
    assert _refused(lambda: sessions.attend(app, pid, sid, PRESENT, actor=ACTOR)) == (
        "session.not_begun"
    )
    assert _trail(app, pid) == trail and _count(app, m.ExpertSession, pid) == 1
    support.run_clock_to(app, datetime(2025, 3, 10, 14, 0))
    assert sessions.attend(app, pid, sid, PRESENT, actor=ACTOR)["attendees"] == 4


@pytest.fixture
def in_decision(app: App) -> str:
    """The list frozen on 24 March 2025; the calendar stands on 13 May 2025."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.DECISION)
    return pid


def test_advice_dated_in_the_future_or_before_the_list_is_refused(
    app: App, in_decision: str
) -> None:
    """The advice letter's date lies between the list's submission and today."""
    pid = in_decision
    trail = _trail(app, pid)
    for day, code in (
        ("2025-05-14", "decision.advice_date_in_future"),
        ("2025-03-23", "decision.advice_date_before_list"),
    ):
        advise = lambda day=day: decision.record_advice(  # noqa: E731
            app, pid, positive=True, by="Carla", actor="carla", day=day
        )
        assert _refused(advise) == code
    with app.read() as db:
        row = repository.latest_list_version(db, pid)
    assert row is not None and row.advice_positive is None and _trail(app, pid) == trail
    decision.record_advice(app, pid, positive=True, by="Carla", actor="carla", day="2025-05-13")


def test_a_decision_of_1950_of_next_week_or_before_its_advice_is_refused(
    app: App, in_decision: str
) -> None:
    """Each implausible decision date has its rule; a decision on the day itself passes."""
    pid = in_decision
    decision.record_advice(app, pid, positive=True, by="Carla", actor="carla", day="2025-05-02")
    trail = _trail(app, pid)
    for day, code in (
        ("1950-05-13", "decision.date_before_list"),
        ("2025-05-20", "decision.date_in_future"),
        ("2025-04-30", "decision.date_before_advice"),
    ):
        decide = lambda day=day: decision.record_decision(  # noqa: E731
            app, pid, adopted=True, day=day, ref="GS/1", actor=ACTOR
        )
        assert _refused(decide) == code
    with app.read() as db:
        row = repository.latest_list_version(db, pid)
    assert row is not None and row.status == "submitted" and row.decision_date is None
    assert _trail(app, pid) == trail
    decision.record_decision(app, pid, adopted=True, day="2025-05-13", ref="GS/1", actor=ACTOR)


def test_a_publication_before_its_decision_or_centuries_ahead_is_refused(app: App) -> None:
    """The list takes effect on or after the day it was adopted, and not in 2200."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.PUBLICATION)
    trail = _trail(app, pid)
    for day, code in (
        ("2025-05-12", "publication.before_decision"),
        ("2200-01-01", "publication.too_far_ahead"),
    ):
        publish = lambda day=day: records.publish(  # noqa: E731
            app, pid, channel="Provinciaal Blad", ref="Prb. 1", day=day, actor=ACTOR
        )
        assert _refused(publish) == code
    with app.read() as db:
        assert db.get(m.Publication, pid) is None
    assert _trail(app, pid) == trail
    records.publish(
        app, pid, channel="Provinciaal Blad", ref="Prb. 1", day="2025-05-13", actor=ACTOR
    )


def test_a_decision_before_the_day_an_advice_without_letter_date_was_recorded_is_refused(
    app: App, in_decision: str
) -> None:
    """No letter date: the day the advice was recorded is what the decision must not precede.

    Before, `decision.date_before_advice` was skipped when the advice had no letter date.
    """
    pid = in_decision  # the list was frozen on 24 March; the advice comes in on 13 May
    decision.record_advice(app, pid, positive=True, by="Carla", actor="carla")
    trail = _trail(app, pid)
    decide = lambda: decision.record_decision(  # noqa: E731
        app, pid, adopted=True, day="2025-05-12", ref="GS/1", actor=ACTOR
    )
    assert _refused(decide) == "decision.date_before_advice"
    assert _trail(app, pid) == trail
    decision.record_decision(app, pid, adopted=True, day="2025-05-13", ref="GS/1", actor=ACTOR)


def test_milestones_of_1900_and_2200_are_refused_with_their_rule(app: App) -> None:
    """A planning date a year before the opening or three years ahead is a typing error."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.PLANNING)
    trail = _trail(app, pid)
    for day, code in (
        ("1900-01-01", "milestone.before_opening"),
        ("2023-12-31", "milestone.before_opening"),
        ("2200-12-31", "milestone.too_far_ahead"),
        ("2030-01-01", "milestone.too_far_ahead"),
    ):
        set_it = lambda day=day: planning.set_milestone(  # noqa: E731
            app, pid, "decision", day, actor=ACTOR
        )
        assert _refused(set_it) == code
    assert _trail(app, pid) == trail
    planning.set_milestone(app, pid, "decision", "2025-06-30", actor=ACTOR)


def test_a_candidate_that_ends_after_today_is_refused_an_open_end_is_fine(
    app: App, in_sessions: str
) -> None:
    """An ongoing hotspot keeps its end open; an end in 2200 is a typing error (exit 2)."""
    pid = in_sessions
    count = _count(app, m.Candidate, pid)
    fields = {"title": "Wolf", "start": "2019-01-01", "description": "d", "actor": ACTOR}
    by = EXTERNAL[0][1]
    with pytest.raises(InvalidInput) as refused:
        sessions.add_candidate(app, pid, end="2200-01-01", nominated_by=by, **fields)
    assert refused.value.field == "end" and "laat het einde open" in refused.value.message("nl")
    assert _count(app, m.Candidate, pid) == count
    sessions.add_candidate(app, pid, nominated_by=by, **fields)
    assert _count(app, m.Candidate, pid) == count + 1


@pytest.mark.parametrize("period", ["2030-2040", "2199-2200", "1900-2200", "1900-1901"])
def test_a_review_period_in_the_future_or_long_ago_is_refused(app: App, period: str) -> None:
    """A hotspot monitor looks back over recent years: nothing is opened."""
    with pytest.raises(InvalidInput) as refused:
        procedures.init_procedure(
            app, organisation="Gemeente Oss", body="B&W", period=period, actor=ACTOR
        )
    assert refused.value.field == "period"
    assert procedures.list_procedures(app) == []


def _api(app: App) -> tuple[TestClient, dict[str, str]]:
    ensure_user(app)
    web = client(app)
    login = web.post("/api/session", json={"username": FACILITATOR, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return web, {"X-CSRF-Token": login.json()["csrf_token"]}


def test_the_api_takes_dates_as_strings_checked_as_everywhere(app: App) -> None:
    """`{"date": 0}` was 1 January 1970; now a number is 422, and 1900 is the rule's 409."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.PLANNING)
    web, headers = _api(app)
    path = f"/api/procedures/{pid}/milestones/decision"
    for value in (0, 1e12, True):
        answer = web.put(path, json={"date": value}, headers=headers)
        assert answer.status_code == 422 and answer.json()["field"] == "date", answer.text
    refused = web.put(path, json={"date": "1900-01-01"}, headers=headers)
    assert refused.status_code == 409 and refused.json()["codes"] == ["milestone.before_opening"]
    sessions_path = f"/api/procedures/{pid}/sessions"
    for moment, words in (
        ("2025-03-30T02:30", "bestaat niet"),
        ("2025-10-26T02:30", "komt twee keer voor"),
        ("2025-07-01", "geen tijd"),
    ):
        answer = web.post(sessions_path, json={"at": moment}, headers=headers)
        assert answer.status_code == 422 and words in answer.json()["message"], answer.text
