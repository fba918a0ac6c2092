"""Facilitator accounts: argon2-hashed passwords, and logins that slow down after failures."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from states.errors import HotspotError, InvalidInput
from states.i18n import Text
from workflow import validation
from workflow.app import App
from workflow.db import models as m

_HASHER = PasswordHasher()
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 12
# Failures in a row after which the account waits before it takes the next attempt.
FREE_FAILURES = 3
MAX_WAIT = timedelta(minutes=15)
# A hash of a random password, verified for unknown names so they take as long as known ones.
_DUMMY_HASH = _HASHER.hash("not-a-real-password-but-equally-slow")


@dataclass(frozen=True, slots=True)
class Facilitator:
    id: int
    username: str
    name: str


class LoginRefused(HotspotError):
    """Wrong name or password, or too many attempts; never says which name exists."""

    exit_code = 3
    kind = "login_refused"

    def __init__(self, message: Text, *, failures: int = 0, wait_seconds: int = 0) -> None:
        super().__init__(message)
        self.failures = failures
        self.wait_seconds = wait_seconds


def username_of(value: str) -> str:
    cleaned = (value or "").strip().lower()
    if not _USERNAME.match(cleaned):
        raise InvalidInput(
            "username",
            Text(
                "gebruik 2 tot 64 kleine letters, cijfers, punt, streepje of liggend streepje",
                "use 2 to 64 lower-case letters, digits, dot, hyphen or underscore",
            ),
        )
    return cleaned


def add_user(app: App, *, username: str, name: str, password: str) -> dict[str, Any]:
    """Create a facilitator account; the password is stored only as its argon2 hash."""
    login = username_of(username)
    full_name = validation.single_line("--name", name, max_length=200)
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            "--password",
            Text(
                f"het wachtwoord heeft {len(password)} tekens, minimaal {MIN_PASSWORD}",
                f"the password has {len(password)} characters, at least {MIN_PASSWORD}",
            ),
        )
    with app.write() as session:
        if session.scalar(select(m.User.id).where(m.User.username == login)) is not None:
            raise InvalidInput(
                "username",
                Text(f"gebruiker {login} bestaat al", f"user {login} already exists"),
            )
        row = m.User(
            username=login,
            name=full_name,
            password_hash=_HASHER.hash(password),
            created_at=app.now(),
            failed_logins=0,
        )
        session.add(row)
        session.flush()
        return {"ok": True, "user": row.id, "username": login}


def wait_after(failures: int) -> timedelta:
    """How long an account waits after `failures` failed logins in a row (doubling, capped)."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(timedelta(seconds=2 ** (failures - FREE_FAILURES + 1)), MAX_WAIT)


_WRONG = Text("Onjuiste gebruikersnaam of wachtwoord.", "Incorrect user name or password.")


def authenticate(app: App, username: str, password: str) -> Facilitator:
    """The facilitator, or LoginRefused; each failure lengthens the wait for the next attempt."""
    login = (username or "").strip().lower()
    now = app.now()
    with app.write() as session:
        row = session.scalar(select(m.User).where(m.User.username == login).with_for_update())
        if row is None:
            _verify(_DUMMY_HASH, password)
            raise LoginRefused(_WRONG)
        wait = _remaining_wait(row, now)
        if wait > 0:
            raise LoginRefused(
                Text(
                    f"Te veel mislukte pogingen. Probeer het over {wait} seconden opnieuw.",
                    f"Too many failed attempts. Try again in {wait} seconds.",
                ),
                failures=row.failed_logins,
                wait_seconds=wait,
            )
        if not _verify(row.password_hash, password):
            row.failed_logins += 1
            row.last_failed_at = now
            failures = row.failed_logins
        else:
            row.failed_logins, row.last_failed_at = 0, None
            if _HASHER.check_needs_rehash(row.password_hash):
                row.password_hash = _HASHER.hash(password)
            return Facilitator(row.id, row.username, row.name)
    # Committed above, so the count survives; then refused.
    raise LoginRefused(_WRONG, failures=failures)


def _remaining_wait(row: m.User, now: datetime) -> int:
    if row.last_failed_at is None:
        return 0
    until = row.last_failed_at + wait_after(row.failed_logins)
    return max(0, int((until - now).total_seconds() + 0.999))


def _verify(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False
