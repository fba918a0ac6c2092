"""A fast CLI: each command loads what it needs, and a current database costs no Alembic.

Every check runs the CLI in a fresh interpreter, since this test process has long loaded
everything; the child runs `main([...])` and then prints the modules it ended up with.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from workflow.app import bootstrap
from workflow.cli import deadline_commands
from workflow.commands import procedures
from workflow.db.engine import SCHEMA_HEAD
from workflow.settings import Settings
from workflow.worker import DEFAULT_INTERVAL_SECONDS

# What showing a status must not load: the web app, documents, password hashing, mail
# rendering, migrations, the ORM, the key code, the scheduler and the command declarations.
NOT_FOR_STATUS = (
    "fastapi",
    "starlette",
    "uvicorn",
    "docx",
    "argon2",
    "alembic",
    "zxcvbn",
    "jinja2",
    "babel",
    "icalendar",
    "apscheduler",
    "cryptography",
    "structlog",
    "sqlalchemy.orm",
    "workflow.db.models",
    "workflow.web",
    "workflow.worker",
    # The command declarations and their typed inputs: a write command loads them to run.
    "pydantic",
    "workflow.commands.declarations",
)

PROBE = """
import json, sys
from workflow.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit as stop:
    code = stop.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def run_cli(url: str, *args: str) -> tuple[int, list[str], set[str]]:
    """Exit code, the command's output lines and the modules loaded, from a fresh process."""
    env = {**os.environ, "HOTSPOT_DATABASE_URL": url, "HOTSPOT_LANG": "nl"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    *output, last = done.stdout.splitlines()
    probe: dict[str, Any] = json.loads(last)
    return int(probe["code"] or 0), output, set(probe["modules"])


def loaded(modules: set[str], name: str) -> bool:
    return any(m == name or m.startswith(f"{name}.") for m in modules)


def opened(url: str) -> str:
    app = bootstrap(Settings(url, "nl", None))
    try:
        result = procedures.init_procedure(
            app, organisation="Provincie Utrecht", body="Gedeputeerde Staten", period="2017-2023",
            actor="test",
        )  # fmt: skip
        return str(result["procedure"])
    finally:
        app.dispose()


def test_status_loads_neither_the_web_app_nor_documents_nor_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    pid = opened(url)
    code, output, modules = run_cli(url, "status", pid, "--json")
    assert code == 0
    shown = json.loads(output[0])
    assert (shown["procedure"], shown["phase"]) == (pid, "preparation")
    assert shown["counts"]["audit_records"] == 1
    assert [name for name in NOT_FOR_STATUS if loaded(modules, name)] == []


def test_status_as_people_see_it_loads_no_more(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    pid = opened(url)
    code, output, modules = run_cli(url, "status", pid)
    assert code == 0
    assert any("voorbereiding" in line for line in output)
    assert [name for name in NOT_FOR_STATUS if loaded(modules, name)] == []


def test_a_database_behind_the_code_is_migrated_with_alembic_then_no_more(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    code, output, modules = run_cli(url, "list", "--json")
    assert (code, json.loads(output[0])) == (0, {"ok": True, "procedures": []})
    assert loaded(modules, "alembic")
    with sqlite3.connect(tmp_path / "fresh.db") as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [(SCHEMA_HEAD,)]
    code, _, modules = run_cli(url, "list", "--json")
    assert code == 0
    assert not loaded(modules, "alembic")


def test_a_database_ahead_of_the_code_is_still_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    opened(url)
    with sqlite3.connect(tmp_path / "h.db") as db:
        db.execute("UPDATE alembic_version SET version_num = '9999'")
    code, output, modules = run_cli(url, "list", "--json")
    assert code != 0
    refusal = json.loads(output[0])
    assert refusal["ok"] is False and "9999" in refusal["message"]
    assert loaded(modules, "alembic")
    with sqlite3.connect(tmp_path / "h.db") as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [("9999",)]


def test_the_help_lists_every_command_without_loading_any(tmp_path: Path) -> None:
    code, output, modules = run_cli(f"sqlite:///{tmp_path / 'h.db'}", "--help")
    assert code == 0
    listed = {line.split()[0] for line in output if line.startswith("  ") and line.split()}
    assert {"status", "serve", "worker", "proposal", "user", "keys", "mail"} <= listed
    assert not loaded(modules, "sqlalchemy")
    assert not (tmp_path / "h.db").exists()


def test_the_worker_option_defaults_to_the_workers_interval() -> None:
    assert deadline_commands.DEFAULT_INTERVAL_SECONDS == DEFAULT_INTERVAL_SECONDS


def test_logging_configured_before_structlog_loads_applies_once_it_does() -> None:
    code = (
        "import sys\n"
        "from workflow.logging import configure_logging\n"
        "configure_logging('INFO')\n"
        "assert 'structlog' not in sys.modules\n"
        "import structlog\n"
        "structlog.get_logger().info('hello', n=1)\n"
        "structlog.get_logger().debug('hidden')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert [(line["event"], line["level"], line["n"]) for line in lines] == [("hello", "info", 1)]


def test_a_stale_row_written_through_the_orm_is_still_a_conflict(tmp_path: Path) -> None:
    """The ORM is imported lazily now; its "row changed meanwhile" must stay a Conflict."""
    from sqlalchemy import update

    from states.errors import Conflict
    from workflow.db import models as m
    from workflow.db import tables

    url = f"sqlite:///{tmp_path / 'h.db'}"
    pid = opened(url)
    app = bootstrap(Settings(url, "nl", None))
    try:
        with pytest.raises(Conflict), app.write() as session:
            procedure = session.get(m.Procedure, pid)
            assert procedure is not None
            # Another writer's change, as the version check would see it.
            bumped = tables.procedures.c.version + 1
            session.execute(update(tables.procedures).values(version=bumped))
            procedure.governing_body = "College van GS"
            session.flush()
        with app.reading() as connection:
            stored = connection.execute(tables.procedures.select()).one()
        assert (stored.governing_body, stored.version) == ("Gedeputeerde Staten", 1)
    finally:
        app.dispose()
