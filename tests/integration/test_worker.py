"""The worker: catch-up after downtime, two workers at once, and a clean stop on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from notifications.settings import MailSettings
from tests.reminder_scenario import (
    ACTOR,
    WORK_AT,
    Run,
    moment,
    open_and_invite,
    sent_reminders,
)
from workflow import audit
from workflow.app import App, bootstrap
from workflow.commands import sessions
from workflow.db import models as m
from workflow.deadlines.listing import deadline_overview
from workflow.deadlines.sweep import SweepReport, sweep
from workflow.settings import Settings
from workflow.testing import FrozenClock
from workflow.worker import Worker, plan_missing, tick

PIET = "piet@provincie.example"


def _reminders(app: App, pid: str, rule: str) -> list[Any]:
    with app.read() as db:
        return list(
            db.execute(
                select(m.Reminder)
                .where(m.Reminder.procedure_id == pid, m.Reminder.rule == rule)
                .order_by(m.Reminder.due_at, m.Reminder.id)
            ).scalars()
        )


def _invited(app: App, clock: FrozenClock, organisation: str = "Provincie Overijssel") -> Run:
    run = Run(app, clock, organisation=organisation)
    open_and_invite(run)
    return run


def test_a_worker_down_for_weeks_escalates_once_and_drops_what_expired(
    app: App, clock: FrozenClock
) -> None:
    """First sweep on 21 Feb: the weekly escalation goes once, expired reminders not at all."""
    run = _invited(app, clock)
    clock.set(moment(date(2025, 2, 21), WORK_AT))
    tick(app)
    sent = sent_reminders(app, run.pid)
    # Four weekly escalations fell due (31 Jan, 7, 14 and 21 Feb): one message per person.
    assert Counter(s.kind for s in sent) == Counter({"milestone_overdue": 4})
    escalations = [
        r for r in _reminders(app, run.pid, "escalation") if r.planned_for == date(2025, 1, 24)
    ]
    assert [(r.occurrence, r.status) for r in escalations] == [(0, "sent"), (4, "pending")]
    # The next one is a week on, not a backlog: 28 February, 09:00 Amsterdam time.
    assert escalations[1].due_at == moment(date(2025, 2, 28), WORK_AT).replace(hour=9)
    rsvp = Counter((r.status, r.reason) for r in _reminders(app, run.pid, "rsvp"))
    # 8 experts x 2: the 2-day ones expired with the deadline, the 7-day ones were superseded.
    assert rsvp == Counter({("skipped", "deadline_passed"): 8, ("skipped", "superseded"): 8})
    # A second sweep the same day sends nothing more.
    tick(app)
    assert sent_reminders(app, run.pid) == sent


def test_after_an_outage_only_the_latest_due_reminder_goes(app: App, clock: FrozenClock) -> None:
    """Down 16–22 Jan: the 7- and 2-day RSVP reminders are both due; only the 2-day one goes."""
    run = _invited(app, clock)
    clock.set(moment(date(2025, 1, 23), WORK_AT))
    report = tick(app)
    rsvp = _reminders(app, run.pid, "rsvp")
    assert Counter((r.offset_label, r.status, r.reason) for r in rsvp) == Counter(
        {("-7d", "skipped", "superseded"): 8, ("-2d", "sent", None): 8}
    )
    assert Counter(s.kind for s in sent_reminders(app, run.pid))["reminder_rsvp"] == 8
    assert report.reminders.reasons["superseded"] == 8


def test_a_cancelled_session_drops_its_reminders_at_once(app: App, clock: FrozenClock) -> None:
    """Cancelling a session marks its planned reminders skipped, visible in the deadlines."""
    run = _invited(app, clock)
    sid = sessions.add_session(app, run.pid, at="2025-03-10T14:00", location="Zwolle", actor=ACTOR)[
        "session"
    ]
    sessions.cancel_session(app, run.pid, sid, reason="Zaal niet beschikbaar", actor=ACTOR)
    overview = deadline_overview(app, run.pid, "nl")
    session = next(d for d in overview["deadlines"] if d["kind"] == "session")
    assert session["state"] == "cancelled"
    assert {(r["status"], r["reason"]) for r in session["reminders"]} == {
        ("skipped", "session_cancelled")
    }
    clock.set(moment(date(2025, 3, 9), WORK_AT))
    tick(app)
    assert not [s for s in sent_reminders(app, run.pid) if s.kind == "reminder_session"]


# PostgreSQL only: SQLite has one writer at a time, SKIP LOCKED is PostgreSQL's.
@pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_two_workers_on_postgres_queue_each_reminder_exactly_once(
    app: App, clock: FrozenClock, database_url: str, tmp_path: Path
) -> None:
    """Two workers sweeping and delivering at once: every reminder and message exactly once."""
    pids = [_invited(app, clock, f"Gemeente {n}").pid for n in range(6)]
    # 18 January: each expert's 7-day reply reminder is due, the escalation of
    # `invitations_sent` too (it is skipped: every expert was invited).
    now = moment(date(2025, 1, 18), WORK_AT)
    mail = MailSettings(out_dir=tmp_path / "mail", batch_size=5)
    apps = [
        bootstrap(Settings(database_url, "nl", None, mail=mail), clock=FrozenClock(now))
        for _ in range(2)
    ]
    start = threading.Barrier(2)
    swept: list[SweepReport] = []

    def work(worker_app: App) -> None:
        start.wait()
        # Small batches, so that the two claims interleave; then worker rounds until a round
        # finds nothing due. A sweep that collided three times leaves the rest to the next
        # beat, as `hotspot worker` does.
        swept.append(sweep(worker_app, now, batch_size=3))
        for _ in range(10):
            report = tick(worker_app, now).reminders
            swept.append(report)
            if not (report.sent or report.skipped or report.conflicts):
                break

    threads = [threading.Thread(target=work, args=(a,)) for a in apps]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=180)
    finally:
        for worker_app in apps:
            worker_app.dispose()

    assert sum(r.sent for r in swept) == 6 * 8
    # Both workers took part (the first sweep of each ran side by side).
    assert sum(1 for r in swept if r.sent > 0) >= 2, [r.sent for r in swept]
    with app.read() as db:
        statuses = Counter(db.scalars(select(m.Reminder.status).where(m.Reminder.due_at <= now)))
        mails = db.scalar(select(func.sum(m.Reminder.mails)))
        outbox = Counter(
            db.execute(
                select(m.OutboxMessage.procedure_id, m.OutboxMessage.recipient_email).where(
                    m.OutboxMessage.kind == "reminder_rsvp"
                )
            ).all()
        )
        delivered = db.scalar(select(func.count()).where(m.OutboxMessage.status == "sent"))
        total = db.scalar(select(func.count()).select_from(m.OutboxMessage))
    assert "pending" not in statuses
    assert mails == sum(outbox.values()) == 6 * 8
    assert set(outbox.values()) == {1}
    assert {pid for pid, _ in outbox} == set(pids)
    # Each message was delivered once: one file per message, all marked sent.
    assert delivered == total
    assert len(list((tmp_path / "mail").glob("*.eml"))) == total


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_worker_loop_beats_and_stops_when_told(app: App, clock: FrozenClock) -> None:
    """The APScheduler metronome runs the sweep at once and stops cleanly on stop()."""
    run = _invited(app, clock)
    clock.set(moment(date(2025, 1, 18), WORK_AT))
    beats: list[Any] = []
    worker = Worker(app, interval_seconds=0.2, on_tick=beats.append)
    runner = threading.Thread(target=worker.run, kwargs={"install_signals": False})
    runner.start()
    deadline = time.monotonic() + 20
    while len(beats) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    worker.stop()
    runner.join(timeout=20)
    assert not runner.is_alive()
    assert len(beats) >= 3
    # The first beat sent the 7-day reminders; the later beats found nothing new.
    assert beats[0].reminders.sent == 8
    assert all(b.reminders.sent == 0 for b in beats[1:])
    assert Counter(s.kind for s in sent_reminders(app, run.pid))["reminder_rsvp"] == 8


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_hotspot_worker_process_stops_cleanly_on_sigterm(
    app: App, clock: FrozenClock, database_url: str, tmp_path: Path
) -> None:
    """A real `hotspot worker` sends what is due, then exits 0 on SIGTERM."""
    run = _invited(app, clock)
    app.dispose()
    env = {
        **os.environ,
        "HOTSPOT_DATABASE_URL": database_url,
        "HOTSPOT_NOW": "2025-01-18T10:00:00+01:00",
        "HOTSPOT_MAIL_DIR": str(tmp_path / "mail"),
        "PYTHONUNBUFFERED": "1",
    }
    hotspot = str(Path(sys.executable).with_name("hotspot"))
    process = subprocess.Popen(
        [hotspot, "worker", "--interval", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            lines.append(line)
            if "herinneringen verstuurd: 8" in line:
                break
        assert any("herinneringen verstuurd: 8" in line for line in lines), lines
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "Worker gestopt" in out
    assert len(list((tmp_path / "mail").glob("*.eml"))) >= 8
    check = bootstrap(Settings(database_url, "nl", None))
    try:
        assert Counter(s.kind for s in sent_reminders(check, run.pid))["reminder_rsvp"] == 8
    finally:
        check.dispose()


def test_procedures_planned_before_reminders_existed_get_their_deadlines(
    app: App, clock: FrozenClock
) -> None:
    """A procedure with a planning but no deadline rows (an upgrade) is planned once, audited."""
    run = _invited(app, clock)
    with app.transaction() as connection:
        # As a database migrated from before deadlines existed would hold it.
        connection.execute(delete(m.Reminder))
        connection.execute(delete(m.Deadline))
    assert plan_missing(app) == 1
    assert plan_missing(app) == 0
    with app.read() as db:
        kinds = Counter(db.scalars(select(m.Deadline.kind)))
        last = audit.records_of(db, run.pid)[-1]
    assert kinds == Counter({"milestone": 10, "rsvp": 8, "nomination": 1})
    assert (last.action, last.actor) == ("deadlines.plan", "system")
    assert last.data["reminders"]["planned"] > 0
