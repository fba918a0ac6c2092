"""A step's mail leaves at once when the worker runs in the same process, not at its next beat."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from states.phases import Phase
from tests import support
from tests.integration.test_mail_end_to_end import smtp_settings
from tests.smtp_server import SmtpTestServer
from workflow.app import App, bootstrap
from workflow.commands import notices
from workflow.settings import Settings
from workflow.testing import FrozenClock
from workflow.worker import Worker

# A beat so far away that only a wake can explain a delivery within the test.
NEVER = 3600.0


@pytest.fixture
def mailing_app(
    database_url: str, clock: FrozenClock, smtp_server: SmtpTestServer
) -> Iterator[App]:
    settings = replace(Settings(database_url, "nl", None), mail=smtp_settings(smtp_server))
    application = bootstrap(settings, clock=clock)
    yield application
    application.dispose()


def _running(worker: Worker) -> threading.Thread:
    thread = threading.Thread(target=worker.run, kwargs={"install_signals": False}, daemon=True)
    thread.start()
    return thread


def _received_within(server: SmtpTestServer, count: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if len(server.received) >= count:
            return True
        time.sleep(0.05)
    return False


def test_a_command_that_queues_mail_wakes_the_worker_in_its_process(
    mailing_app: App, smtp_server: SmtpTestServer
) -> None:
    pid = support.open_procedure(mailing_app)
    support.drive_to(mailing_app, pid, Phase.SESSIONS)
    worker = Worker(mailing_app, interval_seconds=NEVER)
    worker.wake_on_commands()
    thread = _running(worker)
    try:
        # The first beat (at start) drains what the set-up queued; wait for it to go quiet.
        assert _received_within(smtp_server, 1, 30)
        time.sleep(0.5)
        before = len(smtp_server.received)
        notices.send_notice(
            mailing_app, pid, subject="Verplaatste zaal", text="We zitten in zaal 3.", actor="sanne"
        )
        assert _received_within(smtp_server, before + 1, 20), "the notice waited for the beat"
        subjects = {str(r.message["Subject"]) for r in smtp_server.received[before:]}
        assert any("Verplaatste zaal" in s for s in subjects), subjects
    finally:
        worker.stop()
        thread.join(timeout=30)


def test_without_the_wake_the_mail_waits_for_the_beat(
    mailing_app: App, smtp_server: SmtpTestServer
) -> None:
    pid = support.open_procedure(mailing_app)
    support.drive_to(mailing_app, pid, Phase.SESSIONS)
    worker = Worker(mailing_app, interval_seconds=NEVER)
    thread = _running(worker)
    try:
        assert _received_within(smtp_server, 1, 30)
        time.sleep(0.5)
        before = len(smtp_server.received)
        notices.send_notice(
            mailing_app, pid, subject="Verplaatste zaal", text="We zitten in zaal 3.", actor="sanne"
        )
        # The same step without the wake: nothing arrives before the (distant) beat.
        assert not _received_within(smtp_server, before + 1, 2)
    finally:
        worker.stop()
        thread.join(timeout=30)
