"""`hotspot demo` (what `make run` shows a new user) run as a real process, start to end."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from states.phases import FORWARD_ORDER, Phase
from workflow import audit, repository
from workflow.app import bootstrap
from workflow.db import models as m
from workflow.settings import Settings

PROCEDURE = "provincie-overijssel-2017-2023"
# The refusals the demo provokes on purpose, and the deviation it records.
SHOWN_RULES = (
    "workgroup.required_roles",
    "panel.size",
    "panel.external_share",
    "panel.external_profiles",
    "sessions.held",
)


def run_demo(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "120"}
    # The demo must pick its own database and language, whatever the caller's shell says.
    for name in ("HOTSPOT_DATABASE_URL", "HOTSPOT_LANG", "HOTSPOT_NOW"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "workflow.cli.main", "demo", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def words(output: str) -> str:
    """The output with line wrapping undone and case folded, for phrase searches."""
    return " ".join(output.split()).lower()


def test_demo_walks_every_phase_and_leaves_a_closed_verified_procedure(tmp_path: Path) -> None:
    """The demo exits 0, shows its refusals and every phase, and leaves a closed procedure."""
    done = run_demo(tmp_path)
    assert done.returncode == 0, (done.stdout, done.stderr)
    text = words(done.stdout)
    for code in SHOWN_RULES:
        assert code in text
    for phase in FORWARD_ORDER:
        assert phase.label.nl in text, phase
    assert "covid-19" in text
    assert "auditspoor intact" in text and "hashketen klopt" in text

    database = tmp_path / "var" / "demo.db"
    app = bootstrap(Settings(f"sqlite:///{database}", "nl", None))
    try:
        with app.read() as db:
            procedure = repository.get_procedure(db, PROCEDURE)
            assert procedure.phase == Phase.CLOSED.value
            check = audit.verify(db, procedure)
            assert check.ok and check.records > 50, check
            statuses = set(db.scalars(select(m.OutboxMessage.status)))
            assert statuses == {"sent"}
            kinds = set(db.scalars(select(m.OutboxMessage.kind)))
            sweeps = db.scalar(
                select(func.count()).where(
                    m.AuditRecord.action == "reminders.sweep", m.AuditRecord.actor == "system"
                )
            )
    finally:
        app.dispose()
    # The calendar fast-forwards with the worker sweeping each morning, and shows what it sent.
    assert "⏰" in done.stdout
    assert "herinnering antwoord expert" in text
    assert {"reminder_rsvp", "reminder_session", "milestone_overdue"} <= kinds
    assert sweeps and sweeps > 5


def test_demo_leaves_its_mail_and_documents_where_it_says(tmp_path: Path) -> None:
    """The demo's .eml files, proposal and public list exist, and the output names them."""
    done = run_demo(tmp_path)
    assert done.returncode == 0, (done.stdout, done.stderr)
    mail = list((tmp_path / "var" / "mail" / "demo").glob("*.eml"))
    assert len(mail) > 100
    assert any(b"text/calendar" in f.read_bytes() for f in mail)
    documents = {p.suffix for p in (tmp_path / "var" / "documenten").iterdir()}
    assert documents == {".docx", ".html"}
    public = {p.suffix: p for p in (tmp_path / "var" / "publicatie").iterdir()}
    assert set(public) == {".html", ".csv", ".json"}
    assert "@" not in public[".json"].read_text("utf-8")
    flat = "".join(done.stdout.split())
    assert "var/mail/demo/" in flat and "var/publicatie/hotspotlijst-" in flat


def test_demo_starts_from_a_fresh_file_on_every_run(tmp_path: Path) -> None:
    """A second run in the same folder (here in English) replaces the first run's database."""
    first = run_demo(tmp_path)
    assert first.returncode == 0, (first.stdout, first.stderr)
    second = run_demo(tmp_path, "--lang", "en")
    assert second.returncode == 0, (second.stdout, second.stderr)
    assert "audit trail intact" in words(second.stdout)

    app = bootstrap(Settings(f"sqlite:///{tmp_path / 'var' / 'demo.db'}", "nl", None))
    try:
        with app.read() as db:
            assert list(db.scalars(select(m.Procedure.id))) == [PROCEDURE]
    finally:
        app.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_demo_runs_twice_on_a_given_postgresql_database(database_url: str, tmp_path: Path) -> None:
    """With --database-url each run gets its own procedure id, so runs do not collide."""
    for _ in range(2):
        done = run_demo(tmp_path, "--database-url", database_url)
        assert done.returncode == 0, (done.stdout, done.stderr)
    assert not (tmp_path / "var" / "demo.db").exists()

    app = bootstrap(Settings(database_url, "nl", None))
    try:
        with app.read() as db:
            procedures = list(db.scalars(select(m.Procedure)))
            assert len(procedures) == 2
            for procedure in procedures:
                assert procedure.id.startswith("demo-overijssel-")
                assert procedure.phase == Phase.CLOSED.value
                assert audit.verify(db, procedure).ok
    finally:
        app.dispose()
