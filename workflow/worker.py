"""The worker: APScheduler as a metronome that sweeps due reminders and drains the outbox.

The scheduler stores nothing: its one interval job only says "now". What is due lives in the
database (reminders, outbox), so a restart, a second worker or a week of downtime changes
nothing in what gets sent: each due reminder is queued once, each message delivered once.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import FrameType

import structlog
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from notifications.sender import SendReport, send_due_blocking
from workflow.app import App
from workflow.commands.base import changing
from workflow.commands.mail_failures import summarise as summarise_failures
from workflow.commands.zgw_guard import guard_due
from workflow.deadlines.planning import unplanned_procedures
from workflow.deadlines.sweep import SYSTEM_ACTOR, SweepReport, sweep
from workflow.environment import brief
from workflow.events import DatesChanged
from workflow.unit_of_work import register_handlers
from workflow.users import purge_sessions

log = structlog.get_logger("hotspot.worker")

DEFAULT_INTERVAL_SECONDS = 60
JOB_ID = "hotspot-sweep"
SEND_JOB_ID = "hotspot-send-now"


@dataclass(frozen=True, slots=True)
class TickReport:
    """What one sweep did: the reminders decided and the outbox drained."""

    moment: datetime
    reminders: SweepReport
    mail: SendReport


def plan_missing(app: App) -> int:
    """Plan the deadlines of procedures that have none yet (opened before this version).

    Each is planned in its own audited command by `system`; run once when a worker starts.
    """
    with app.read() as session:
        missing = unplanned_procedures(session.connection())
    for procedure_id in missing:
        with changing(app, procedure_id, SYSTEM_ACTOR, "deadlines.plan") as change:
            change.record(DatesChanged())
    if missing:
        log.info("worker.planned_missing", procedures=len(missing))
    return len(missing)


def tick(
    app: App, now: datetime | None = None, *, should_stop: Callable[[], bool] = lambda: False
) -> TickReport:
    """One sweep at `now` (the application's clock when None): reminders, the daily summary of
    failed mail, the purge of ended web sessions, the outbox, then the check of kept cases
    that is due."""
    moment = now or app.now()
    # The sweep's reminders are events handled like a command's; a worker may sweep first.
    register_handlers()
    reminders = sweep(app, moment, batch_size=app.settings.mail.batch_size, should_stop=should_stop)
    if not should_stop():
        summarise_failures(app, moment)
        # Ended web sessions, a few hundred rows per transaction (workflow.users).
        purge_sessions(app, moment)
    mail = send_due_blocking(app, app.settings.mail, now=now, should_stop=should_stop)
    if not should_stop():
        # The cases kept in case systems, read again when their check is due (weekly). After
        # the outbox, so a slow case system never holds up the round's mail; a check's own
        # mail leaves with the next round.
        guard_due(app, moment)
    return TickReport(moment, reminders, mail)


class Worker:
    """The long-running loop of `hotspot worker`; `stop()` (or SIGTERM) ends it cleanly."""

    def __init__(
        self,
        app: App,
        interval_seconds: float = DEFAULT_INTERVAL_SECONDS,
        on_tick: Callable[[TickReport], None] | None = None,
    ) -> None:
        self.app = app
        self.interval_seconds = interval_seconds
        self.on_tick = on_tick
        self.ticks = 0
        self._stop = threading.Event()
        self._scheduler = BackgroundScheduler(
            jobstores={"default": MemoryJobStore()},
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={
                # Missed beats are one beat: the sweep itself catches up on everything due.
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": None,
            },
            timezone=UTC,
        )

    def stop(self, *_signal: object) -> None:
        self._stop.set()

    def wake_on_commands(self) -> None:
        """Send mail as soon as a command in this process queued it, not at the next beat.

        Without it, a step taken in the web app mailed up to a minute later. The beat stays:
        it catches what other processes (the CLI) queued and what a failed delivery left.
        """
        self.app.on_mail_queued = self.wake

    def wake(self) -> None:
        """Drain the outbox now, in the worker's own thread; wakes that come while a drain is
        waiting to start are one drain (the job is replaced, and one runs at a time)."""
        if self._stop.is_set() or not self._scheduler.running:
            return
        self._scheduler.add_job(self._send_now, id=SEND_JOB_ID, replace_existing=True)

    def _send_now(self) -> None:
        if self._stop.is_set():
            return
        try:
            report = send_due_blocking(
                self.app, self.app.settings.mail, should_stop=self._stop.is_set
            )
        except Exception as error:
            # The next beat tries again; the rows wait in the outbox.
            log.error("worker.send_failed", error=type(error).__name__, detail=brief(error))
            return
        log.info("worker.sent_on_wake", sent=report.sent)

    def _beat(self) -> None:
        if self._stop.is_set():
            return
        try:
            report = tick(self.app, should_stop=self._stop.is_set)
        except Exception as error:
            # A database or mail server that is away now is there at a later beat; the rows
            # wait. Log and keep the metronome going.
            log.error("worker.tick_failed", error=type(error).__name__, detail=brief(error))
            return
        self.ticks += 1
        if self.on_tick is not None:
            self.on_tick(report)

    def run(self, install_signals: bool = True) -> int:
        """Beat every interval until stopped; the beat in progress finishes its batch first."""
        if install_signals:
            _handle(signal.SIGTERM, self.stop)
            _handle(signal.SIGINT, self.stop)
        plan_missing(self.app)
        self._scheduler.add_job(
            self._beat,
            "interval",
            seconds=self.interval_seconds,
            id=JOB_ID,
            next_run_time=datetime.now(UTC),
        )
        self._scheduler.start()
        log.info("worker.started", interval_seconds=self.interval_seconds)
        try:
            self._stop.wait()
        finally:
            # wait=True: the sweep or delivery in progress ends its batch and commits.
            self._scheduler.shutdown(wait=True)
            log.info("worker.stopped", ticks=self.ticks)
        return self.ticks


def _handle(signum: int, handler: Callable[..., None]) -> None:
    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        handler()

    signal.signal(signum, on_signal)
