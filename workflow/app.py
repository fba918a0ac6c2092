"""The bootstrap: the one place that wires the database, the clock and the logger together.

A command that only reads through Core (`reading`) loads neither the ORM nor the key code:
both are imported when first used, so `hotspot status` starts fast.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from states.errors import Conflict
from workflow.db.engine import make_engine, migrate
from workflow.logging import configure_logging

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from workflow.keys import KeyRing
    from workflow.settings import Settings

Clock = Callable[[], datetime]
# A long-running process looks at most this often whether its key file changed (one stat).
KEY_RECHECK_SECONDS = 3.0


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class App:
    """Database, clock and settings for one process; commands take it as their first argument."""

    engine: Engine
    settings: Settings
    clock: Clock = system_clock
    _keys: KeyRing | None = field(default=None, init=False, repr=False)
    # The key file as it was when read (mtime, ctime, inode, size), and when last compared.
    _keys_stamp: tuple[int, ...] | None = field(default=None, init=False, repr=False)
    _keys_checked: float = field(default=0.0, init=False, repr=False)
    _keys_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    # The connection of the write transaction this thread has open, if any (see `keys`).
    _local: threading.local = field(default_factory=threading.local, init=False, repr=False)
    # The transaction that recorded this process's keys, until it ends.
    _keys_recorded_in: Connection | None = field(default=None, init=False, repr=False)
    # ORM session factories, made when first asked for (see `_session_factories`).
    _factories: tuple[sessionmaker[Session], sessionmaker[Session]] | None = field(
        default=None, init=False, repr=False
    )
    _read_engine: Engine = field(init=False, repr=False)
    # Called after a command committed mail to the outbox: a worker in this process sends it
    # now instead of at its next beat (workflow.worker.Worker.wake_on_commands).
    on_mail_queued: Callable[[], None] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self._read_engine = self.engine.execution_options(readonly=True)

    def _session_factories(self) -> tuple[sessionmaker[Session], sessionmaker[Session]]:
        """The writing and the reading sessionmaker. Built on first use, since importing the
        ORM costs more than a whole Core-only command such as `hotspot status`."""
        if self._factories is None:
            from sqlalchemy.orm import sessionmaker

            self._factories = (
                sessionmaker(self.engine, expire_on_commit=False),
                sessionmaker(self._read_engine, expire_on_commit=False),
            )
        return self._factories

    @property
    def docx_template(self) -> Path | None:
        return self.settings.docx_template

    def now(self) -> datetime:
        return self.clock()

    @property
    def keys(self) -> KeyRing:
        """The installation's master keys, checked against the database's record of them.

        Read when first needed; a key file is made only for a database that has no keys yet
        (workflow.key_checks). Then, at most every few seconds, one stat of the key file: when
        it changed (`hotspot keys rotate` or `retire`, a chmod), the keys are read and checked
        again, so a running server takes a retirement at once. A check that fails raises
        EnvironmentProblem (exit 7, HTTP 503) naming the key file or variable, every time.
        """
        ring = self._keys
        if ring is not None and time.monotonic() < self._keys_checked + KEY_RECHECK_SECONDS:
            return ring
        with self._keys_lock:
            if self._keys is None or self._key_file_changed():
                self._keys = None
                self._keys = self._load_keys()
            self._keys_checked = time.monotonic()
            return self._keys

    def reload_keys(self) -> KeyRing:
        """Read the keys again, after a rotation in this process."""
        with self._keys_lock:
            self._keys = None
        return self.keys

    def key_status(self) -> str | None:
        """For /ready: None when the keys are in step with the database, "stale" when the
        database knows a newer key; EnvironmentProblem when they are not usable at all."""
        from workflow import key_checks, keys

        _ = self.keys
        with self._reading() as connection:
            record = key_checks.recorded(connection)
        env = self.settings.key_env()
        return key_checks.status(keys.read_ring(self.settings.database_url, env), record)

    def _key_file(self) -> Path | None:
        from workflow import keys

        env = self.settings.key_env()
        if env.get(keys.KEY_ENV):
            return None
        return keys.absolute(keys.key_file_for(self.settings.database_url, env))

    def _key_file_changed(self) -> bool:
        path = self._key_file()
        return path is not None and _stamp(path) != self._keys_stamp

    def _load_keys(self) -> KeyRing:
        from workflow import key_checks, keys

        path = self._key_file()
        with self._reading() as connection:
            record = key_checks.recorded(connection)
        if path is not None and not path.exists():
            if record.checks:
                raise key_checks.missing_file(str(path), record)
            keys.create_key_file(path)
        # Taken before the read: a change while reading is seen at the next look.
        stamp = _stamp(path) if path is not None else None
        ring = keys.read_ring(self.settings.database_url, self.settings.key_env())
        decided = key_checks.plan(ring, record)
        if decided.to_record:
            with self._writing() as connection:
                decided = key_checks.record_keys(connection, ring, self.now())
                self._keys_recorded_in = connection
        self._keys_stamp = stamp
        return decided.ring

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        current = self._current_connection()
        if current is not None:
            yield current
            return
        with self.engine.execution_options(readonly=True).connect() as connection:
            yield connection

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        # Inside a command's transaction the keys are recorded in it: on SQLite a second
        # writer in the same thread would wait for that transaction's lock forever.
        current = self._current_connection()
        if current is not None:
            yield current
            return
        with self.transaction() as connection:
            yield connection

    def _current_connection(self) -> Connection | None:
        stack: list[Connection] = getattr(self._local, "stack", [])
        return stack[-1] if stack else None

    @contextmanager
    def _open(self, connection: Connection) -> Iterator[None]:
        stack: list[Connection] = self._local.__dict__.setdefault("stack", [])
        stack.append(connection)
        try:
            yield
        except BaseException:
            # Keys recorded in a transaction that rolls back are not on record after all.
            if self._keys_recorded_in is connection:
                self._keys = None
            raise
        finally:
            stack.pop()
            if self._keys_recorded_in is connection:
                self._keys_recorded_in = None

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One command, one transaction: commit all on success, nothing on any error."""
        session = self._session_factories()[0]()
        try:
            with _conflicts(), session.begin(), self._open(session.connection()):
                yield session
        finally:
            session.close()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """Like `write`, on a bare connection: the lean path every changing command takes."""
        with _conflicts(), self.engine.begin() as connection, self._open(connection):
            yield connection

    @contextmanager
    def read(self) -> Iterator[Session]:
        session = self._session_factories()[1]()
        try:
            with session.begin():
                yield session
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """Like `read`, on a bare connection: the lean path of a page that only reads."""
        with self._read_engine.connect() as connection, connection.begin():
            yield connection

    def dispose(self) -> None:
        self.engine.dispose()


@contextmanager
def _conflicts() -> Iterator[None]:
    """Database errors that mean "someone else got there first" become a clean Conflict."""
    try:
        yield
    except IntegrityError as error:
        # Checked inputs only collide with a row someone else wrote meanwhile.
        raise Conflict() from error
    except OperationalError as error:
        if _is_lock_failure(error):
            raise Conflict() from error
        raise
    except Exception as error:
        # The ORM's "the row changed under you"; looked up, not imported, since a process
        # that never loaded the ORM cannot have raised it.
        orm_errors = sys.modules.get("sqlalchemy.orm.exc")
        if orm_errors is not None and isinstance(error, orm_errors.StaleDataError):
            raise Conflict() from error
        raise


def _is_lock_failure(error: OperationalError) -> bool:
    """PostgreSQL's word that two transactions collided; trying again is the cure.

    SQLite's "database is locked" is not among them: a writer waits for the lock up to its
    busy timeout first, so that message means another program held the database far too
    long. It stays an OperationalError, which the faces report as an environment problem.
    """
    message = str(error.orig).lower()
    return any(
        word in message for word in ("could not serialize", "deadlock", "lock not available")
    )


def _stamp(path: Path) -> tuple[int, ...] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_mtime_ns, found.st_ctime_ns, found.st_ino, found.st_size)


def bootstrap(settings: Settings | None = None, clock: Clock | None = None) -> App:
    """Build the application: engine, migrations to the newest schema, clock."""
    if settings is None:
        from workflow.settings import Settings

        settings = Settings.from_env()
    configure_logging()
    engine = make_engine(
        settings.database_url,
        statement_timeout_ms=settings.web.db_statement_timeout_ms,
        lock_timeout_ms=settings.web.db_lock_timeout_ms,
    )
    migrate(engine)
    if clock is None:
        override = settings.now_override
        clock = (lambda: override) if override is not None else system_clock
    return App(engine=engine, settings=settings, clock=clock)
