"""Engines for SQLite (embedded default, WAL) and PostgreSQL (psycopg 3), and migrations."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Any 64-bit number works; it only has to be the same in every process of this project.
_MIGRATION_LOCK_KEY = 727_011_2017
# The newest revision in migrations/versions (a test keeps the two equal). Knowing it here lets
# every command check the schema with one query, without importing Alembic.
SCHEMA_HEAD = "0006"


def normalise_url(url: str) -> str:
    """Default PostgreSQL to psycopg 3 and create the folder of a SQLite file."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(str(parsed.database)).expanduser().parent.mkdir(parents=True, exist_ok=True)
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, **kwargs: Any) -> Engine:
    engine = create_engine(normalise_url(url), **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event decide how a transaction starts (see below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed step survives a power cut; the audit trail promises nothing lost.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        # Read pages through a memory map instead of a read() call each: every command reads
        # its procedure before it writes.
        cursor.execute("PRAGMA mmap_size=268435456")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        # Writers take the write lock up front: a read-then-write transaction cannot then
        # fail half-way because another process wrote in between.
        mode = "DEFERRED" if connection.get_execution_options().get("readonly") else "IMMEDIATE"
        connection.exec_driver_sql(f"BEGIN {mode}")


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision; one cheap query when it already is."""
    if current_revision(engine) == SCHEMA_HEAD:
        return
    from alembic import command

    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # Two processes starting on an empty database must not both create the tables.
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
            )
        config = _alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
