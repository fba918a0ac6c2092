"""PostgreSQL going away: killed connections cost nothing, an outage answers 503, then recovery."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from tests import support
from tests.conftest import _postgres_base_url
from tests.e2e.served import api_login, form_login, served
from tests.web_support import FACILITATOR, PASSWORD
from workflow import users
from workflow.app import bootstrap
from workflow.settings import Settings

pytestmark = pytest.mark.postgres


@pytest.fixture
def database() -> Iterator[tuple[str, str, Engine]]:
    """A PostgreSQL database of this test's own (its name, URL and an admin engine)."""
    base = _postgres_base_url()
    if base is None:
        pytest.skip("HOTSPOT_TEST_POSTGRES_URL not set (CI sets it; locally optional)")
    name = f"hotspot_outage_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    yield name, url, admin
    with admin.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _terminate(admin: Engine, name: str) -> int:
    with admin.connect() as connection:
        killed = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        ).scalar()
    return int(killed or 0)


def _allow(admin: Engine, name: str, allowed: bool) -> None:
    with admin.connect() as connection:
        connection.execute(
            text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {"true" if allowed else "false"}')
        )


def test_killed_connections_are_replaced_and_an_outage_answers_503_in_dutch_and_json(
    database: tuple[str, str, Engine], tmp_path: Path
) -> None:
    """Terminated backends: the next requests succeed. No connections: 503 + Retry-After."""
    name, url, admin = database
    app = bootstrap(Settings(url, "nl", None))
    try:
        users.add_user(app, username=FACILITATOR, name="Sanne", password=PASSWORD)
        pid = support.open_procedure(app)
    finally:
        app.dispose()
    with (
        served(url, tmp_path) as live,
        httpx.Client(base_url=live.base) as api,
        httpx.Client(base_url=live.base) as browser,
    ):
        api_login(api, FACILITATOR, PASSWORD)
        assert form_login(browser, FACILITATOR, PASSWORD).status_code == 303
        assert browser.get("/procedures").status_code == 200
        # 1. Every pooled connection is killed: each next request still succeeds.
        assert _terminate(admin, name) >= 1
        assert api.get("/api/procedures").status_code == 200
        assert browser.get(f"/procedures/{pid}").status_code == 200
        assert browser.get("/ready").status_code == 200
        # 2. The database refuses connections.
        _allow(admin, name, False)
        _terminate(admin, name)
        page = browser.get(f"/procedures/{pid}")
        assert page.status_code == 503 and page.headers["retry-after"] == "30"
        assert "text/html" in page.headers["content-type"]
        assert "Tijdelijk niet beschikbaar" in page.text and "niet bereikbaar" in page.text
        answer = api.get("/api/procedures")
        assert answer.status_code == 503 and answer.headers["retry-after"] == "30"
        assert answer.json()["error"] == "unavailable" and answer.json()["ok"] is False
        write = api.post("/api/procedures", json={})
        assert write.status_code == 503 and write.json()["error"] == "unavailable"
        assert browser.get("/login").status_code == 503
        ready = browser.get("/ready")
        assert ready.status_code == 503 and ready.json()["database"] == "unreachable"
        assert browser.get("/health").status_code == 200  # liveness: the process runs
        # 3. Back: the same sessions work again, nothing to restart.
        _allow(admin, name, True)
        assert browser.get(f"/procedures/{pid}").status_code == 200
        assert api.get("/api/procedures").status_code == 200
        assert browser.get("/ready").status_code == 200
    assert "database.unavailable" in live.log.read_text()
