"""Shared fixtures: real SQLite files and a real PostgreSQL database, each migrated."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from workflow.app import App, bootstrap
from workflow.db.engine import make_engine, migrate, normalise_url
from workflow.db.models import Base
from workflow.settings import Settings
from workflow.testing import FrozenClock

POSTGRES_ENV = "HOTSPOT_TEST_POSTGRES_URL"
START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


def _postgres_base_url() -> str | None:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{POSTGRES_ENV} is not set: CI must run the PostgreSQL tests")
        return None
    return normalise_url(url)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, dropped afterwards."""
    base = _postgres_base_url()
    if base is None:
        pytest.skip(f"{POSTGRES_ENV} not set (CI sets it; locally optional)")
    name = f"hotspot_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # unreachable server: fail, never skip
        pytest.fail(f"PostgreSQL at {base} is unreachable: {error}")
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test (migrating each time is slow)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    # Closing the last connection checkpoints the WAL into the file, so a plain copy is whole.
    engine.dispose()
    return path


def _truncate_all(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[str]:
    """An empty, migrated database: a copied SQLite file or the emptied PostgreSQL database."""
    if request.param == "sqlite":
        path = tmp_path / "hotspot.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_url")
        _truncate_all(url)
        # The database records which keys are its own (workflow.key_checks): a `hotspot`
        # process a test starts in another folder must read the key file this process uses,
        # not make a `var/hotspot.key` of its own there.
        monkeypatch = request.getfixturevalue("monkeypatch")
        monkeypatch.setenv("HOTSPOT_KEY_FILE", str(Path.cwd() / "var" / "hotspot.key"))
        yield url


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def app(database_url: str, clock: FrozenClock) -> Iterator[App]:
    """The application on a real database, with a clock the test moves."""
    application = bootstrap(Settings(database_url, "nl", None), clock=clock)
    yield application
    application.dispose()
