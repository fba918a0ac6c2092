"""PostgreSQL for the benchmarks: a fresh migrated database, and a reachability check."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from workflow.db.engine import make_engine, migrate, normalise_url


@contextmanager
def postgres_database(base_url: str, prefix: str = "hotspot_bench") -> Iterator[str]:
    """A fresh database on the server, migrated, dropped afterwards (as tests/conftest.py)."""
    base = normalise_url(base_url)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(base).set(database=name).render_as_string(hide_password=False)
        engine = make_engine(url)
        migrate(engine)
        engine.dispose()
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def postgres_reachable(base_url: str) -> str | None:
    """None when the server answers; else why not."""
    engine = create_engine(normalise_url(base_url), connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return None
    except Exception as error:
        return f"{type(error).__name__}: {str(error).splitlines()[0]}"
    finally:
        engine.dispose()
