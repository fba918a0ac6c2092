"""The bootstrap: the one place that wires the database, the clock and the logger together."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from states.errors import Conflict
from workflow.db.engine import make_engine, migrate
from workflow.keys import KeyRing
from workflow.keys import load as load_keys
from workflow.logging import configure_logging
from workflow.settings import Settings

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class App:
    """Database, clock and settings for one process; commands take it as their first argument."""

    engine: Engine
    settings: Settings
    clock: Clock = system_clock
    _keys: KeyRing | None = field(default=None, init=False, repr=False)
    _sessions: sessionmaker[Session] = field(init=False)
    _read_sessions: sessionmaker[Session] = field(init=False)

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(
            self.engine.execution_options(readonly=True), expire_on_commit=False
        )

    def now(self) -> datetime:
        return self.clock()

    @property
    def keys(self) -> KeyRing:
        """The installation's master keys, read (or made) when a command first needs them."""
        if self._keys is None:
            self._keys = load_keys(self.settings.database_url, self.settings.key_env())
        return self._keys

    def reload_keys(self) -> KeyRing:
        """Read the keys again, after a rotation in this process."""
        self._keys = None
        return self.keys

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One command, one transaction: commit all on success, nothing on any error."""
        session = self._sessions()
        try:
            with _conflicts(), session.begin():
                yield session
        finally:
            session.close()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """Like `write`, on a bare connection: the lean path every changing command takes."""
        with _conflicts(), self.engine.begin() as connection:
            yield connection

    @contextmanager
    def read(self) -> Iterator[Session]:
        session = self._read_sessions()
        try:
            with session.begin():
                yield session
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


@contextmanager
def _conflicts() -> Iterator[None]:
    """Database errors that mean "someone else got there first" become a clean Conflict."""
    try:
        yield
    except StaleDataError as error:
        raise Conflict() from error
    except IntegrityError as error:
        # Checked inputs only collide with a row someone else wrote meanwhile.
        raise Conflict() from error
    except OperationalError as error:
        if _is_lock_failure(error):
            raise Conflict() from error
        raise


def _is_lock_failure(error: OperationalError) -> bool:
    message = str(error.orig).lower()
    return "locked" in message or "could not serialize" in message or "deadlock" in message


def bootstrap(settings: Settings | None = None, clock: Clock | None = None) -> App:
    """Build the application: engine, migrations to the newest schema, clock."""
    settings = settings or Settings.from_env()
    configure_logging()
    engine = make_engine(settings.database_url)
    migrate(engine)
    if clock is None:
        override = settings.now_override
        clock = (lambda: override) if override is not None else system_clock
    return App(engine=engine, settings=settings, clock=clock)
