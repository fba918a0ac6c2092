"""Machine problems, told apart from bugs: a database or file that cannot be read or written.

`problem_of` turns what the database driver or the operating system raised into an
`EnvironmentProblem` that names the file, folder, database or setting at fault and says what
to check. Anything it does not recognise is left alone (None): that is a bug, and stays one.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, OperationalError

from states.errors import EnvironmentProblem, InvalidInput
from states.i18n import Text
from workflow.db.engine import BUSY_TIMEOUT_SECONDS as BUSY_SECONDS

DATABASE_SETTING = "HOTSPOT_DATABASE_URL"


@dataclass(frozen=True, slots=True)
class _Diagnosis:
    """What a database driver's message means, recognised by a pattern (in lower case).

    `any_kind`: recognised in any driver error; otherwise only in an operational one
    (connecting, the disk, the lock, the file), since a programming error ("no such column")
    is a bug whatever its words.
    """

    pattern: re.Pattern[str]
    message: Text
    any_kind: bool = False


def _either(*words: str) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(word) for word in words))


_REFUSED_LOGIN = Text(
    "de databaseserver kent deze gebruiker of dit wachtwoord niet; controleer gebruiker en "
    "wachtwoord in de instelling",
    "the database server does not know this user or password; check the user and password "
    "in the setting",
)

# First match wins, so the specific causes come before the general ones: psycopg starts every
# message about a failed connection with "connection to server ...", also when the server was
# reached and refused the database or the user.
_DIAGNOSES: tuple[_Diagnosis, ...] = (
    _Diagnosis(
        _either("database is locked", "database table is locked"),
        Text(
            f"de database is bezet: een ander programma houdt haar langer dan {BUSY_SECONDS} "
            "seconden vast (een lange schrijfactie of een geopende sqlite3-sessie); er is niets "
            "opgeslagen. Probeer het zo opnieuw",
            f"the database is busy: another program has held it for longer than {BUSY_SECONDS} "
            "seconds (a long write or an open sqlite3 session); nothing was saved. Try again "
            "shortly",
        ),
    ),
    _Diagnosis(
        _either("readonly database", "read-only transaction", "read only"),
        Text(
            "de database is alleen-lezen: deze gebruiker mag het bestand of de map waarin het "
            "staat niet beschrijven; er is niets opgeslagen",
            "the database is read-only: this user may not write the file or the folder it is "
            "in; nothing was saved",
        ),
        any_kind=True,
    ),
    _Diagnosis(
        _either("database or disk is full", "no space left", "disk full", "could not extend file"),
        Text(
            "de schijf is vol; er is niets opgeslagen. Maak ruimte en probeer het opnieuw",
            "the disk is full; nothing was saved. Free some space and try again",
        ),
    ),
    _Diagnosis(
        _either("disk i/o error"),
        Text(
            "schrijven naar de schijf mislukte (vol, te groot bestand of defect); er is niets "
            "opgeslagen",
            "writing to the disk failed (full, file too large or faulty); nothing was saved",
        ),
    ),
    _Diagnosis(
        _either("unable to open database file"),
        Text(
            "de database kan niet worden geopend: bestaat de map, en mag deze gebruiker erin "
            "lezen en schrijven?",
            "the database cannot be opened: does the folder exist, and may this user read and "
            "write in it?",
        ),
    ),
    _Diagnosis(
        re.compile(r'database "[^"]*" does not exist'),
        Text(
            "de databaseserver is bereikt, maar deze database bestaat daar niet; maak haar aan "
            "(createdb) of controleer de naam in de instelling",
            "the database server was reached, but this database does not exist there; create "
            "it (createdb) or check the name in the setting",
        ),
    ),
    _Diagnosis(
        re.compile(
            r'password authentication failed|no password supplied|role "[^"]*" does not exist'
        ),
        _REFUSED_LOGIN,
    ),
    _Diagnosis(
        _either("permission denied", "too many clients", "no pg_hba.conf entry"),
        Text(
            "de databaseserver weigert de verbinding (rechten, toegangsregels of te veel "
            "verbindingen); controleer de instelling en de server",
            "the database server refuses the connection (privileges, access rules or too many "
            "connections); check the setting and the server",
        ),
    ),
    _Diagnosis(
        _either(
            "failed to resolve host", "name or service not known", "could not translate host name"
        ),
        Text(
            "de naam van de databaseserver is onbekend; controleer het adres in de instelling",
            "the database server's name is unknown; check the address in the setting",
        ),
    ),
    _Diagnosis(
        _either(
            "connection refused",
            "could not connect",
            "connection to server",
            "server closed the connection",
            "timeout expired",
            "the database system is",
        ),
        Text(
            "de databaseserver is niet bereikbaar; controleer of hij draait en of het adres klopt",
            "the database server cannot be reached; check that it runs and that the address "
            "is right",
        ),
    ),
)

_OS_MESSAGES: dict[int, Text] = {
    errno.ENOSPC: Text(
        "de schijf is vol; er is niets opgeslagen", "the disk is full; nothing was saved"
    ),
    errno.EDQUOT: Text(
        "het schijfquotum is op; er is niets opgeslagen",
        "the disk quota is used up; nothing was saved",
    ),
    errno.EFBIG: Text(
        "het bestand mag niet groter worden (schijf- of bestandslimiet); er is niets opgeslagen",
        "the file may not grow any further (a disk or file size limit); nothing was saved",
    ),
    errno.EROFS: Text(
        "het bestandssysteem is alleen-lezen", "the file system is mounted read-only"
    ),
    errno.EACCES: Text(
        "geen toegang: deze gebruiker mag dit niet lezen of schrijven",
        "permission denied: this user may not read or write it",
    ),
    errno.EPERM: Text(
        "niet toegestaan: deze gebruiker mag dit niet lezen of schrijven",
        "not permitted: this user may not read or write it",
    ),
    errno.EIO: Text(
        "lezen of schrijven mislukte (invoer/uitvoer-fout)", "reading or writing failed (I/O error)"
    ),
    errno.ENOENT: Text(
        "bestaat niet: controleer de naam en of de map bestaat",
        "does not exist: check the name and that the folder exists",
    ),
    errno.ENOTDIR: Text(
        "een deel van dit pad is een bestand, geen map: controleer het pad",
        "part of this path is a file, not a folder: check the path",
    ),
    errno.EISDIR: Text("is een map, geen bestand", "is a folder, not a file"),
    errno.ENAMETOOLONG: Text("de naam is te lang", "the name is too long"),
    errno.ELOOP: Text(
        "het pad verwijst in een kring naar zichzelf (symbolische koppelingen)",
        "the path refers to itself in a loop (symbolic links)",
    ),
}


def database_subject(url: str | None = None) -> str:
    """The database as a person recognises it: a SQLite file's path, else the URL sans password."""
    raw = url or os.environ.get(DATABASE_SETTING) or "sqlite:///var/hotspot.db"
    try:
        parsed = make_url(raw)
    except ArgumentError:
        return DATABASE_SETTING
    if parsed.get_backend_name() == "sqlite":
        return str(parsed.database or ":memory:")
    return parsed.render_as_string(hide_password=True)


# The drivers the project installs and supports (PostgreSQL always through psycopg 3).
SUPPORTED_DRIVERS = ("sqlite", "sqlite+pysqlite", "postgresql", "postgres", "postgresql+psycopg")


def checked_database_url(url: str) -> str:
    """HOTSPOT_DATABASE_URL as given, if the program can use it; InvalidInput naming it if not.

    Refused: what is no URL, a database the project does not support, and SQLite in memory
    (`sqlite://`): each command has a database of its own there, so whatever it did is gone
    when it ends. The message never repeats the URL: it may hold a password.
    """
    example = "sqlite:///var/hotspot.db, postgresql://gebruiker@host/database"
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InvalidInput(
            DATABASE_SETTING,
            Text(
                f"is geen database-URL; schrijf bijvoorbeeld {example}",
                f"is not a database URL; write for instance {example}",
            ),
        ) from None
    if parsed.drivername not in SUPPORTED_DRIVERS:
        shown = parsed.drivername[:40]
        raise InvalidInput(
            DATABASE_SETTING,
            Text(
                f"{shown!r} wordt niet ondersteund; gebruik SQLite of PostgreSQL ({example})",
                f"{shown!r} is not supported; use SQLite or PostgreSQL ({example})",
            ),
        )
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise InvalidInput(
            DATABASE_SETTING,
            Text(
                "een SQLite-database in het geheugen verdwijnt zodra het commando klaar is; "
                "geef een bestand, bijvoorbeeld sqlite:///var/hotspot.db",
                "a SQLite database in memory is gone as soon as the command ends; name a "
                "file, for instance sqlite:///var/hotspot.db",
            ),
        )
    return url


def problem_of(error: BaseException, database_url: str | None = None) -> EnvironmentProblem | None:
    """The EnvironmentProblem `error` stands for, or None when it is not one (a bug)."""
    if isinstance(error, EnvironmentProblem):
        return error
    if isinstance(error, DBAPIError):
        said = str(error.orig if error.orig is not None else error).lower()
        # Only what the driver reports as operational (connecting, the disk, the lock, the
        # file) is the machine's doing; a programming error ("no such column") stays a bug,
        # apart from a server that only allows reading.
        operational = isinstance(error, OperationalError | InterfaceError)
        for diagnosis in _DIAGNOSES:
            if (operational or diagnosis.any_kind) and diagnosis.pattern.search(said):
                return EnvironmentProblem(database_subject(database_url), diagnosis.message)
        if isinstance(error.orig, OSError) or error.connection_invalidated:
            return EnvironmentProblem(
                database_subject(database_url),
                Text(
                    "de verbinding met de database is verbroken; er is niets opgeslagen",
                    "the connection to the database was lost; nothing was saved",
                ),
            )
        return None
    if isinstance(error, OSError):
        return os_problem(error)
    return None


def os_problem(error: OSError, subject: str | None = None) -> EnvironmentProblem | None:
    """A file system error that is the machine's doing, naming the file; None otherwise."""
    message = _OS_MESSAGES.get(error.errno or 0)
    if message is None:
        return None
    where = subject or _filename(error) or "?"
    return EnvironmentProblem(where, message)


@contextmanager
def reading_input_file(path: Path, field: str, kind: Text) -> Iterator[None]:
    """Within the block, the ways a named input file cannot be read become clear errors.

    A missing file or a folder is the user's input (InvalidInput on `field`; `kind` names what
    the file should have been, "TOML-bestand" / "a TOML file"); any other OSError is the
    machine's (EnvironmentProblem naming the file).
    """
    try:
        yield
    except FileNotFoundError:
        raise InvalidInput(
            field, Text(f"bestand {path} bestaat niet", f"file {path} does not exist")
        ) from None
    except IsADirectoryError:
        raise InvalidInput(
            field,
            Text(f"{path} is een map, geen {kind.nl}", f"{path} is a folder, not {kind.en}"),
        ) from None
    except OSError as error:
        # Unreadable (permissions, I/O): the machine, not the input.
        raise os_problem(error, str(path)) or EnvironmentProblem(
            str(path),
            Text(
                f"het bestand kan niet worden gelezen ({error.strerror})",
                f"the file cannot be read ({error.strerror})",
            ),
        ) from None


def _filename(error: OSError) -> str | None:
    name = error.filename if error.filename is not None else error.filename2
    if name is None:
        return None
    return os.fsdecode(name) if isinstance(name, bytes | Path) else str(name)


def brief(error: BaseException) -> str:
    """What a log line or a bug report may say about `error`: its class and first line.

    A database error's own text holds the statement and its parameters (names, addresses
    being written); only the driver's first line is kept, which names the constraint or the
    condition, never a value.
    """
    inner = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    first = (str(inner).strip().splitlines() or [""])[0][:200]
    return f"{type(inner).__name__}: {first}" if first else type(inner).__name__
