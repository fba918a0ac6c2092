"""Engines for SQLite (embedded default, WAL) and PostgreSQL (psycopg 3), and migrations."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Any 64-bit number works; it only has to be the same in every process of this project.
_MIGRATION_LOCK_KEY = 727_011_2017
# The newest revision in migrations/versions (a test keeps the two equal). Knowing it here lets
# every command check the schema with one query, without importing Alembic.
SCHEMA_HEAD = "0012"


# How long a SQLite connection waits for another process's write lock before it gives up with
# "database is locked" (reported as an environment problem: the lock was held far too long).
BUSY_TIMEOUT_SECONDS = 15

# The database holds personal data and the session table: its owner only, from the first byte.
PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
_SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def normalise_url(url: str) -> str:
    """Default PostgreSQL to psycopg 3; create a SQLite file's folder (0700) and file (0600)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        create_private_file(Path(str(parsed.database)).expanduser())
    return parsed.render_as_string(hide_password=False)


def create_private_file(path: Path) -> None:
    """An empty file (a valid empty SQLite database) that only its owner may read.

    SQLite gives the -wal and -shm files it makes later the mode of the database file, so they
    are private too. A folder made here (`var/`) is 0700; an existing one is left as it is.
    """
    if not path.parent.exists():
        path.parent.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))


def make_private(database: Path) -> None:
    """Take group and other access away from a SQLite file and its companions (older installs).

    A file owned by someone else (chmod refused) is left to its owner: the connection works.
    """
    for suffix in _SQLITE_COMPANIONS:
        path = database.with_name(database.name + suffix)
        try:
            mode = path.stat().st_mode
            if mode & (stat.S_IRWXG | stat.S_IRWXO):
                path.chmod(stat.S_IMODE(mode) & ~(stat.S_IRWXG | stat.S_IRWXO))
        except OSError:
            continue


# PostgreSQL: how long opening a connection may take before it counts as unreachable.
CONNECT_TIMEOUT_SECONDS = 10


def make_engine(
    url: str,
    *,
    statement_timeout_ms: int | None = None,
    lock_timeout_ms: int | None = None,
    **kwargs: Any,
) -> Engine:
    """An engine for `url`; on PostgreSQL every connection gets the given statement_timeout and
    lock_timeout, so no query of this process waits unbounded (migrations lift them)."""
    # A pooled connection that the server closed meanwhile (a restart, pg_terminate_backend,
    # a firewall's idle timeout) is noticed and replaced before use, not failed on.
    kwargs.setdefault("pool_pre_ping", True)
    normalised = normalise_url(url)
    if make_url(normalised).get_backend_name() == "postgresql":
        options = [
            f"-c {name}={value}"
            for name, value in (
                ("statement_timeout", statement_timeout_ms),
                ("lock_timeout", lock_timeout_ms),
            )
            if value
        ]
        connect_args = dict(kwargs.pop("connect_args", {}))
        connect_args.setdefault("connect_timeout", CONNECT_TIMEOUT_SECONDS)
        if options:
            connect_args["options"] = " ".join(
                filter(None, [connect_args.get("options"), *options])
            )
        kwargs["connect_args"] = connect_args
        # A request that finds no free connection waits this long, then fails (503).
        kwargs.setdefault("pool_timeout", CONNECT_TIMEOUT_SECONDS)
    engine = create_engine(normalised, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    database = engine.url.database
    file = Path(database).expanduser() if database not in (None, "", ":memory:") else None

    @event.listens_for(engine, "do_connect")
    def do_connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        connection = sqlite3.connect(*cargs, **cparams)
        if file is None or not _needs_read_only(connection, file):
            return connection
        connection.close()
        # The folder may not be written, so SQLite cannot make the -shm file a WAL database
        # needs even to read. Nobody who lacks that right can write the database either, and
        # its -wal holds nothing: it is read as it stands. Writing fails as read-only.
        uri = f"file:{quote(str(file))}?mode=ro&immutable=1"
        return sqlite3.connect(uri, **{**cparams, "uri": True})

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        if file is not None:
            make_private(file)
        # Let SQLAlchemy's "begin" event decide how a transaction starts (see below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed step survives a power cut; the audit trail promises nothing lost.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
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


def _needs_read_only(connection: sqlite3.Connection, file: Path) -> bool:
    """Whether `file` can only be read as it stands: a WAL database in a folder this user
    may not write, with no -shm file to share and nothing waiting in a -wal file."""
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as error:
        wal = file.with_name(file.name + "-wal")
        waiting = wal.exists() and wal.stat().st_size > 0
        return "readonly" in str(error) and not waiting and not os.access(file.parent, os.W_OK)
    return False


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    # A reading transaction (no write lock): a command that only reads must work on a
    # database this user may not write, such as one in a read-only folder.
    with engine.execution_options(readonly=True).connect() as connection:
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
            # A migration may take long, and may wait for another process's: no time limits.
            connection.execute(text("SET LOCAL statement_timeout = 0"))
            connection.execute(text("SET LOCAL lock_timeout = 0"))
            # Two processes starting on an empty database must not both create the tables.
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
            )
        config = _alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
