"""The installation's secret keys: kept outside the database, derived per use, rotatable.

The master keys live in a key file readable by its owner only (0600; by default beside the
SQLite database, else `var/hotspot.key` in the working directory, so set HOTSPOT_KEY_FILE
for PostgreSQL) or in the environment (`HOTSPOT_SECRET_KEY`, for installations where several
machines share one PostgreSQL database). Nothing in the database is enough to sign a link,
forge a session or read an encrypted value; the database keeps only a check value of each
key it accepts (workflow.key_checks), so a process with other keys is refused, and a key file
is made only for a database that has no keys yet.

Each use gets its own key, derived from the master with HKDF-SHA256 and the use as `info`, so
a key that leaks for one use (say, the links) says nothing about another. The file holds one
key per line, oldest first: the newest signs and encrypts, the older ones still verify and
decrypt until they are retired (`hotspot keys rotate`, `hotspot keys retire`).
"""

from __future__ import annotations

import base64
import binascii
import functools
import os
import re
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from notifications.host import OUTBOX_KEY_USE
from states.errors import EnvironmentProblem
from states.i18n import Text

KEY_ENV = "HOTSPOT_SECRET_KEY"
KEY_FILE_ENV = "HOTSPOT_KEY_FILE"
DEFAULT_KEY_FILE = Path("var") / "hotspot.key"
# 256 bits of randomness per master key; shorter keys from the environment are refused.
KEY_BYTES = 32
# 32 random bytes have about 28 different values; fewer than this is no random key ("A" * 43
# decodes to 32 zero bytes, and a typed phrase repeats its letters).
MIN_DISTINCT_BYTES = 16
_SALT = b"hotspot-monitor/keys/v1"
# URL-safe base64 (what `hotspot keys new` prints) or standard base64 (what `openssl rand
# -base64 32` prints), padded or not; never a mix of the two alphabets.
_URL_SAFE = re.compile(r"[A-Za-z0-9_-]+=*")
_STANDARD = re.compile(r"[A-Za-z0-9+/]+=*")
_HEADER = "# hotspot-monitor master keys, oldest first; the last line signs. Keep this file 0600."


class KeyUse(StrEnum):
    """What a derived key is for; each use has a key of its own."""

    LINKS = "personal-links"
    SESSIONS = "web-sessions"
    # The mail side derives this one itself, by the value notifications.host names.
    OUTBOX = OUTBOX_KEY_USE


@dataclass(frozen=True, slots=True)
class KeyRing:
    """The master keys, oldest first; the last one is current."""

    masters: tuple[bytes, ...]
    # Where they came from, for messages: a file path or the environment variable's name.
    source: str

    def derive(self, use: str) -> tuple[bytes, ...]:
        """The derived keys for `use` (a KeyUse, or its value), in the same order as the
        masters (current last)."""
        return tuple(_hkdf(master, use) for master in self.masters)

    def current(self, use: str) -> bytes:
        return _hkdf(self.masters[-1], use)


# Derived once per key and use: the web app signs a cookie on many requests.
@functools.lru_cache(maxsize=64)
def _hkdf(master: bytes, use: str) -> bytes:
    # Imported here: the settings read this module's names, and a command that signs nothing
    # (`hotspot status`) need not load the cryptography library.
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=_SALT, info=use.encode())
    return hkdf.derive(master)


def new_master() -> str:
    """A fresh master key as one line of text (URL-safe base64, no padding)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).rstrip(b"=").decode()


def _decode(text: str, source: str) -> bytes:
    raw = b""
    padded = text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4)
    try:
        # Strictly one alphabet: b64decode would silently drop anything else.
        if _URL_SAFE.fullmatch(text):
            raw = base64.urlsafe_b64decode(padded)
        elif _STANDARD.fullmatch(text):
            raw = base64.b64decode(padded, validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raw = b""
    if len(raw) < KEY_BYTES:
        raise EnvironmentProblem(
            source,
            Text(
                f"bevat een sleutel die geen {KEY_BYTES} bytes in base64 is (URL-veilig of "
                "standaard); maak een nieuwe met 'hotspot keys new' of 'openssl rand -base64 32'",
                f"holds a key that is not {KEY_BYTES} bytes of base64 (URL-safe or standard); "
                "make a new one with 'hotspot keys new' or 'openssl rand -base64 32'",
            ),
        )
    distinct = len(set(raw))
    if distinct < MIN_DISTINCT_BYTES:
        raise EnvironmentProblem(
            source,
            Text(
                f"bevat een sleutel die niet willekeurig is: {distinct} verschillende bytes, "
                f"een willekeurige sleutel heeft er rond de 28 (minimaal {MIN_DISTINCT_BYTES}); "
                "maak een nieuwe met 'hotspot keys new'",
                f"holds a key that is not random: {distinct} different bytes where a random key "
                f"has about 28 (at least {MIN_DISTINCT_BYTES}); make a new one with "
                "'hotspot keys new'",
            ),
        )
    return raw


def parse_keys(text: str, source: str) -> tuple[bytes, ...]:
    """Keys from a file's lines or a comma-separated variable; comments and blanks skipped."""
    # Comments go first, whole lines: the header has commas in it too.
    lines = [line for line in text.splitlines() if not line.strip().startswith("#")]
    parts = [part.strip() for line in lines for part in line.split(",")]
    keys = tuple(_decode(part, source) for part in parts if part)
    if not keys:
        raise EnvironmentProblem(
            source, Text("bevat geen enkele sleutel", "does not contain a single key")
        )
    return keys


def key_file_for(database_url: str, env: Mapping[str, str]) -> Path:
    """HOTSPOT_KEY_FILE, else beside a SQLite database file, else var/hotspot.key."""
    if env.get(KEY_FILE_ENV):
        return Path(env[KEY_FILE_ENV]).expanduser()
    prefix = "sqlite:///"
    if database_url.startswith(prefix):
        database = database_url[len(prefix) :].split("?", 1)[0]
        if database and database != ":memory:":
            return Path(database).expanduser().with_suffix(".key")
    return DEFAULT_KEY_FILE


def absolute(path: Path) -> Path:
    """`path` as messages name it: from the root, so a relative default shows where it was."""
    return path if path.is_absolute() else Path.cwd() / path


def read_ring(database_url: str, env: Mapping[str, str] | None = None) -> KeyRing:
    """The key ring from HOTSPOT_SECRET_KEY, or from the key file (which must exist; only
    workflow.key_checks makes one, for a database without keys)."""
    env = os.environ if env is None else env
    if env.get(KEY_ENV):
        return KeyRing(parse_keys(env[KEY_ENV], KEY_ENV), KEY_ENV)
    path = absolute(key_file_for(database_url, env))
    return KeyRing(read_key_file(path), str(path))


def create_key_file(path: Path) -> None:
    """A new key file with one fresh key, 0600 from its first byte; a racing creator wins."""
    try:
        if not path.parent.exists():
            # Our own folder (`var/`): its owner only, like the files in it.
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError as error:
        raise _cannot(path, "aanmaken", "create", error) from None
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(f"{_HEADER}\n{new_master()}\n")
        handle.flush()
        os.fsync(handle.fileno())


def read_key_file(path: Path) -> tuple[bytes, ...]:
    """The keys in `path`; refused when others than its owner may read it."""
    try:
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise EnvironmentProblem(
                str(path),
                Text(
                    f"andere gebruikers mogen dit sleutelbestand lezen "
                    f"({stat.filemode(mode)}); maak het privé met 'chmod 600 {path}'",
                    f"other users may read this key file ({stat.filemode(mode)}); make it "
                    f"private with 'chmod 600 {path}'",
                ),
            )
        text = path.read_text(encoding="ascii")
    except EnvironmentProblem:
        raise
    except (OSError, UnicodeDecodeError) as error:
        raise _cannot(path, "lezen", "read", error) from None
    return parse_keys(text, str(path))


def write_key_file(path: Path, keys: list[str]) -> None:
    """Replace the file's keys at once (temporary file, fsync, rename), still 0600."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write("\n".join([_HEADER, *keys]) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise _cannot(path, "schrijven", "write", error) from None


def key_lines(path: Path) -> list[str]:
    """The key lines of an existing file, as text, oldest first."""
    read_key_file(path)  # checks mode and shape
    text = path.read_text(encoding="ascii")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


def rotate(path: Path) -> int:
    """Add a new current key; older ones keep verifying. Returns how many keys there are."""
    lines = [*key_lines(path), new_master()]
    write_key_file(path, lines)
    return len(lines)


def retire(path: Path) -> int:
    """Keep only the newest key: whatever only an older key can verify stops working."""
    lines = key_lines(path)
    write_key_file(path, lines[-1:])
    return len(lines) - 1


def _cannot(
    path: Path, verb_nl: str, verb_en: str, error: OSError | UnicodeDecodeError
) -> EnvironmentProblem:
    reason = getattr(error, "strerror", None) or type(error).__name__
    return EnvironmentProblem(
        str(path),
        Text(
            f"kan het sleutelbestand niet {verb_nl}: {reason}",
            f"cannot {verb_en} the key file: {reason}",
        ),
    )
