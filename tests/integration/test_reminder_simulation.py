"""Six months of a procedure, day by day: exactly the reminders the policy promises, each once."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.reminder_scenario import (
    END,
    OWNER,
    START,
    SWEEP_AT,
    SentReminder,
    moment,
    sent_reminders,
    simulate,
)
from workflow import audit, repository
from workflow.app import App, bootstrap
from workflow.db import models as m
from workflow.settings import Settings
from workflow.testing import FrozenClock

SANNE, BERT, CARLA, DIRK = (
    "sanne@provincie.example",
    "bert@provincie.example",
    "carla@provincie.example",
    "dirk@provincie.example",
)
ACCEPTED = (
    "hanna@universiteit.example",
    "ineke@provincie.example",
    "jan@provincie.example",
    "joost@krant.example",
    "karel@provincie.example",
    "mira@vereniging.example",
)


def _all(day: date, kind: str, recipients: tuple[str, ...]) -> list[SentReminder]:
    return [SentReminder(day, kind, to) for to in recipients]


def _expected() -> list[SentReminder]:
    """Worked out by hand from the default policy (see tests/reminder_scenario.py)."""
    d = date
    expected = [
        # RSVP deadline 24 Jan: 7 and 2 days before, only to experts who had not answered.
        *_all(d(2025, 1, 17), "reminder_rsvp", ("dora@erfgoed.example", "piet@provincie.example")),
        SentReminder(d(2025, 1, 22), "reminder_rsvp", "piet@provincie.example"),
        # Facilitator, 3 working days before each milestone not yet reached.
        SentReminder(d(2025, 1, 21), "reminder_milestone", SANNE),
        # RSVP deadline 5 working days overdue (Piet never answered): management + workgroup.
        *_all(d(2025, 1, 31), "milestone_overdue", (BERT, CARLA, DIRK, SANNE)),
        # Session one (10 March) and two (24 March): 7 days and 1 day before, to the panel.
        *_all(d(2025, 3, 3), "reminder_session", ACCEPTED),
        SentReminder(d(2025, 3, 5), "reminder_milestone", SANNE),  # first session
        *_all(d(2025, 3, 9), "reminder_session", ACCEPTED),
        # The nomination deadline moved from 7 to 14 March: its reminders moved with it.
        *_all(
            d(2025, 3, 9),
            "reminder_nomination",
            tuple(e for e in ACCEPTED if e != "hanna@universiteit.example"),
        ),
        SentReminder(d(2025, 3, 11), "reminder_milestone", SANNE),  # nomination deadline
        *_all(d(2025, 3, 17), "reminder_session", ACCEPTED),
        *_all(d(2025, 3, 23), "reminder_session", ACCEPTED),
        SentReminder(d(2025, 4, 1), "reminder_milestone", SANNE),  # concept list
        SentReminder(d(2025, 4, 13), "reminder_advice", CARLA),
        SentReminder(d(2025, 4, 15), "reminder_milestone", SANNE),  # archivist advice
        # Proposal 24 April: 3 working days before skip Easter Monday and Good Friday.
        SentReminder(d(2025, 4, 17), "reminder_milestone", SANNE),
        SentReminder(d(2025, 5, 8), "reminder_decision", DIRK),
        SentReminder(d(2025, 5, 8), "reminder_milestone", SANNE),  # decision
        # Inventory: weekly per open system, from a week after it was listed.
        *_all(d(2025, 5, 21), "reminder_inventory", (BERT, OWNER, OWNER)),
        *_all(d(2025, 5, 28), "reminder_inventory", (BERT, OWNER)),
        *_all(d(2025, 6, 4), "reminder_inventory", (BERT, OWNER)),
        SentReminder(d(2025, 6, 10), "reminder_milestone", SANNE),  # inventory (Whit Monday)
        SentReminder(d(2025, 6, 11), "reminder_inventory", OWNER),
        SentReminder(d(2025, 6, 26), "reminder_milestone", SANNE),  # publication
    ]
    return sorted(expected)


def _fresh(app: App, clock: FrozenClock) -> FrozenClock:
    clock.set(moment(START, SWEEP_AT))
    return clock


def test_six_months_send_exactly_the_promised_reminders(app: App, clock: FrozenClock) -> None:
    """Day by day for six months: the exact reminders by day, kind and recipient, none twice."""
    run = simulate(app, _fresh(app, clock))
    assert run.sweeps == 181  # every morning but the first, before the procedure existed
    sent = sent_reminders(run.app, run.pid)
    assert sent == _expected()
    with run.app.read() as db:
        # Every sent reminder row accounts for exactly the mails in the outbox.
        mails = db.scalar(
            select(func.coalesce(func.sum(m.Reminder.mails), 0)).where(
                m.Reminder.procedure_id == run.pid, m.Reminder.status == "sent"
            )
        )
        pending = db.scalar(
            select(func.count()).where(
                m.Reminder.procedure_id == run.pid, m.Reminder.status == "pending"
            )
        )
        # The sweeps' audit records (actor `system`) keep the hash chain whole.
        chain = audit.verify(db, repository.get_procedure(db, run.pid))
    assert mails == len(sent)
    # Only the publication escalation (8 July) lies beyond the end of the simulation.
    assert pending == 1
    assert chain.ok


def test_no_reminder_reaches_an_expert_who_had_answered(app: App, clock: FrozenClock) -> None:
    """RSVP reminders go only to the expert still silent; the answered ones are skipped."""
    run = simulate(app, _fresh(app, clock))
    rsvp = [s for s in sent_reminders(run.app, run.pid) if s.kind == "reminder_rsvp"]
    assert {s.to for s in rsvp} == {"dora@erfgoed.example", "piet@provincie.example"}
    # Dora declined on 20 January: the 22 January reminder skipped her.
    assert [s.day for s in rsvp if s.to == "dora@erfgoed.example"] == [date(2025, 1, 17)]
    with run.app.read() as db:
        reasons = Counter(
            db.scalars(
                select(m.Reminder.reason).where(
                    m.Reminder.procedure_id == run.pid, m.Reminder.rule == "rsvp"
                )
            )
        )
    assert reasons == Counter({"answered": 13, None: 3})


def test_a_restart_and_a_four_day_outage_change_nothing(app: App, clock: FrozenClock) -> None:
    """Worker rebuilt on 1 April, and down 1–4 March: same reminders, late ones sent once."""
    down = frozenset(date(2025, 3, day) for day in (1, 2, 3, 4))
    run = simulate(app, _fresh(app, clock), down=down, restart_on=date(2025, 4, 1))
    sent = sent_reminders(run.app, run.pid)
    caught_up = [
        SentReminder(date(2025, 3, 5), s.kind, s.to) if s.day in down else s for s in _expected()
    ]
    assert sent == sorted(caught_up)
    # What fell due in the outage (the 3 March session reminder) went out once, on 5 March.
    assert Counter((s.kind, s.to) for s in sent) == Counter((s.kind, s.to) for s in _expected())


def test_moving_a_milestone_is_audited_with_its_reminders(app: App, clock: FrozenClock) -> None:
    """The move on 24 February is on the audit trail with the reminders it moved."""
    run = simulate(app, _fresh(app, clock))
    with run.app.read() as db:
        records = [
            r
            for r in audit.records_of(db, run.pid)
            if r.action == "milestone.set" and r.data.get("previous") == "2025-03-07"
        ]
        moved = list(
            db.scalars(
                select(m.Reminder.rule).where(
                    m.Reminder.procedure_id == run.pid, m.Reminder.reason == "moved"
                )
            )
        )
    assert len(records) == 1
    assert records[0].data["due"] == "2025-03-14"
    # Facilitator reminder, escalation and the experts' nomination reminder: all three moved.
    assert records[0].data["reminders"]["moved"] == 3
    assert sorted(moved) == ["escalation", "milestone", "nomination"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sweeps_are_on_the_audit_trail_as_system(app: App, clock: FrozenClock) -> None:
    """Each sweep that touched a procedure leaves one record by `system` with its counts."""
    run = simulate(app, _fresh(app, clock))
    with run.app.read() as db:
        sweeps = [r for r in audit.records_of(db, run.pid) if r.action == "reminders.sweep"]
    assert sweeps and all(r.actor == "system" for r in sweeps)
    sent = sum(sum(r.data["sent"].values()) for r in sweeps)
    # rsvp 3, milestone 9, escalation 1, session 4, nomination 1, advice 1, decision 1,
    # inventory 8: reminder rows, each sent to one or more recipients.
    assert sent == 28
    assert sum(r.data["mail"].get("reminder_session", 0) for r in sweeps if "mail" in r.data) == 24


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    down=st.frozensets(
        st.integers(min_value=0, max_value=(END - START).days).map(
            lambda n: START + timedelta(days=n)
        ),
        max_size=40,
    )
)
def test_whatever_the_outages_no_reminder_is_sent_twice_or_invented(
    down: frozenset[date], sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Random days without a worker: never a reminder more than the continuous run, none twice."""
    path = tmp_path_factory.mktemp("outage") / "hotspot.db"
    shutil.copy(sqlite_template, path)
    clock = FrozenClock(moment(START, SWEEP_AT))
    app = bootstrap(Settings(f"sqlite:///{path}", "nl", None), clock=clock)
    try:
        run = simulate(app, clock, down=down)
        sent = Counter((s.kind, s.to) for s in sent_reminders(run.app, run.pid))
        with run.app.read() as db:
            overdue_pending = db.scalar(
                select(func.count()).where(
                    m.Reminder.status == "pending", m.Reminder.due_at <= clock()
                )
            )
    finally:
        # No restart in this run: the app given is the one used throughout.
        app.dispose()
    assert not sent - Counter((s.kind, s.to) for s in _expected())
    # The last morning's sweep left nothing due behind, unless that morning was a day off.
    if END not in down:
        assert overdue_pending == 0
