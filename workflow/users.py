"""Facilitator accounts: argon2-hashed passwords, logins that slow down after failures.

A login reads the account without a lock, verifies the password outside any transaction
(argon2 takes a fifth of a second on purpose) and records the outcome in one short write: a
flood of wrong passwords never holds the write lock while it hashes. Every failure (unknown
name, wrong password, an account that must wait, a disabled account) costs one argon2
verification and gets the same answer, so neither the message nor the time tells which.

The web app's logins take a place in a bounded queue first (`authenticate_async`,
workflow.hashing), with argon2 in a helper process at the lowest CPU priority: a flood fills
the queue and is answered "too busy" at once, instead of taking the threads and cores other
requests need or making a real login wait behind hundreds. The password page's check of the
current password counts a wrong one as a failed login, with the same wait after it.

Every account has a role (`AccountRole`): the procesbegeleider does everything, the
informatiebeheerder and the archivaris read the procedures and do the inventory. An account
may also sign in through the organisation's identity provider (workflow.web.oidc): it is found
by the provider's (issuer, subject), and its role is the one the provider gives at each
sign-in.
"""

from __future__ import annotations

import functools
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import anyio.to_thread
import structlog
from sqlalchemy import Connection, bindparam, delete, insert, or_, select, update

from states.errors import Conflict, HotspotError, InvalidInput, NotFound
from states.i18n import Text
from workflow import hashing, passwords, validation
from workflow.app import App
from workflow.db import models as m
from workflow.db.models import table_of
from workflow.settings import default_actor

log = structlog.get_logger("hotspot")

_HASHER = hashing.HASHER
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
# Failures in a row after which the account waits before it takes the next attempt.
FREE_FAILURES = 3
MAX_WAIT = timedelta(minutes=15)

UT, ST = table_of(m.User), table_of(m.WebSession)


class AccountRole(StrEnum):
    """What an account may do; the values are the words of `hotspot user add --role`."""

    FACILITATOR = "procesbegeleider"
    INFORMATION_MANAGER = "informatiebeheerder"
    ARCHIVIST = "archivaris"


ROLE_NAMES = tuple(role.value for role in AccountRole)
_ROLE_WORDS_EN = {
    AccountRole.FACILITATOR: "facilitator",
    AccountRole.INFORMATION_MANAGER: "information manager",
    AccountRole.ARCHIVIST: "archivist",
}


def role_label(role: AccountRole) -> Text:
    """The role as a person reads it: "informatiebeheerder" / "information manager"."""
    return Text(role.value, _ROLE_WORDS_EN[role])


def role_of(value: str, field: str = "role") -> AccountRole:
    """The account role a word names; InvalidInput listing the three otherwise."""
    word = (value or "").strip().lower()
    for role in AccountRole:
        if word in (role.value, _ROLE_WORDS_EN[role].replace(" ", "_")):
            return role
    listed = ", ".join(ROLE_NAMES)
    raise InvalidInput(
        field, Text(f"kies een van de rollen {listed}", f"choose one of the roles {listed}")
    )


@dataclass(frozen=True, slots=True)
class Facilitator:
    """A logged-in account (of any role; the name stays from when all were facilitators)."""

    id: int
    username: str
    name: str
    role: AccountRole = AccountRole.FACILITATOR


class LoginRefused(HotspotError):
    """Any failed login; the message never says whether the name exists or why it failed.

    `failures` and `wait_seconds` are for the operational log and the tests, never shown.
    """

    exit_code = 3
    kind = "login_refused"

    def __init__(self, message: Text, *, failures: int = 0, wait_seconds: int = 0) -> None:
        super().__init__(message)
        self.failures = failures
        self.wait_seconds = wait_seconds


# One answer for every failure. It mentions the wait, because an account that must wait
# cannot be told apart from a wrong password without telling that the name exists.
LOGIN_FAILED = Text(
    "Onjuiste gebruikersnaam of wachtwoord. Na herhaald mislukte pogingen moet u enkele "
    "seconden tot minuten wachten voor u het opnieuw probeert.",
    "Incorrect user name or password. After repeated failed attempts you must wait seconds to "
    "minutes before you try again.",
)


PASSWORD_LOGIN_OFF = Text(
    "Inloggen met een wachtwoord is uitgezet; log in via de identiteitsprovider van uw "
    "organisatie.",
    "Logging in with a password is switched off; sign in through your organisation's identity "
    "provider.",
)


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


def add_user(
    app: App,
    *,
    username: str,
    name: str,
    password: str,
    actor: str | None = None,
    role: AccountRole | str = AccountRole.FACILITATOR,
) -> dict[str, Any]:
    """Create an account with a role; the password is stored only as its argon2 hash."""
    login = username_of(username)
    account_role = role_of(role)
    full_name = validation.single_line("name", name, max_length=200)
    with app.read() as session:
        words = organisation_words(session.connection())
    passwords.check(password, username=login, name=full_name, words=words)
    hashed = _HASHER.hash(password)
    with app.write() as session:
        if session.scalar(select(m.User.id).where(m.User.username == login)) is not None:
            raise InvalidInput(
                "username",
                Text(f"gebruiker {login} bestaat al", f"user {login} already exists"),
            )
        row = m.User(
            username=login,
            name=full_name,
            password_hash=hashed,
            created_at=app.now(),
            failed_logins=0,
            role=account_role.value,
        )
        session.add(row)
        session.flush()
        user_id = row.id
    log.warning("user.added", user=login, role=account_role.value, actor=actor or default_actor())
    return {"ok": True, "user": user_id, "username": login, "role": account_role.value}


def wait_after(failures: int) -> timedelta:
    """How long an account waits after `failures` failed logins in a row (doubling, capped)."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(timedelta(seconds=2 ** (failures - FREE_FAILURES + 1)), MAX_WAIT)


@dataclass(frozen=True, slots=True)
class _Account:
    id: int
    username: str
    name: str
    password_hash: str
    failed_logins: int
    last_failed_at: datetime | None
    disabled_at: datetime | None
    role: str


_ACCOUNT_COLUMNS = select(
    UT.c.id,
    UT.c.username,
    UT.c.name,
    UT.c.password_hash,
    UT.c.failed_logins,
    UT.c.last_failed_at,
    UT.c.disabled_at,
    UT.c.role,
)
_ACCOUNT = _ACCOUNT_COLUMNS.where(UT.c.username == bindparam("login"))
_ACCOUNT_BY_ID = _ACCOUNT_COLUMNS.where(UT.c.id == bindparam("uid"))
# Atomic: two failures at once both count, and no transaction waits for the hash.
_FAILED = (
    update(UT)
    .where(UT.c.id == bindparam("uid"))
    .values(failed_logins=UT.c.failed_logins + 1, last_failed_at=bindparam("now"))
    .returning(UT.c.failed_logins)
)
_SUCCEEDED = (
    update(UT).where(UT.c.id == bindparam("uid")).values(failed_logins=0, last_failed_at=None)
)


def _read_account(app: App, login: str) -> _Account | None:
    with app.read() as session:
        row = session.connection().execute(_ACCOUNT, {"login": login}).first()
    return _Account(*row) if row is not None else None


@dataclass(frozen=True, slots=True)
class _Attempt:
    """A login before its password check: the account, the hash to check the password
    against, and how long the account must still wait."""

    account: _Account | None
    target: str
    wait: int
    now: datetime


def _begin(app: App, username: str) -> _Attempt:
    """Read the account (no lock); every failure ahead is checked against the dummy hash, so it
    costs the same argon2 check as a wrong password."""
    login = (username or "").strip().lower()
    now = app.now()
    account = _read_account(app, login) if _USERNAME.match(login) else None
    if account is None or account.disabled_at is not None:
        return _Attempt(None, _dummy_hash(), 0, now)
    wait = _remaining_wait(account, now)
    if wait > 0:
        # Not checked and not counted; verified against the dummy so it takes as long.
        return _Attempt(account, _dummy_hash(), wait, now)
    return _Attempt(account, account.password_hash, 0, now)


def _finish(app: App, attempt: _Attempt, matched: bool, password: str) -> Facilitator:
    """Record the outcome in one short write; LoginRefused for every kind of failure."""
    account = attempt.account
    if account is None:
        raise LoginRefused(LOGIN_FAILED)
    if attempt.wait:
        raise LoginRefused(LOGIN_FAILED, failures=account.failed_logins, wait_seconds=attempt.wait)
    if not matched:
        with app.transaction() as connection:
            failures = connection.execute(_FAILED, {"uid": account.id, "now": attempt.now}).scalar()
        raise LoginRefused(LOGIN_FAILED, failures=int(failures or 0))
    rehash = _HASHER.check_needs_rehash(account.password_hash)
    if account.failed_logins or account.last_failed_at is not None or rehash:
        with app.transaction() as connection:
            statement = (
                _SUCCEEDED.values(password_hash=_HASHER.hash(password)) if rehash else _SUCCEEDED
            )
            connection.execute(statement, {"uid": account.id})
    return Facilitator(account.id, account.username, account.name, AccountRole(account.role))


def authenticate(
    app: App, username: str, password: str, *, verify: Callable[[str, str], bool] = hashing.verify
) -> Facilitator:
    """The facilitator, or LoginRefused; a wrong password lengthens the wait for the next try.

    No transaction is open while argon2 runs: the account is read, the password verified,
    and only then the outcome written in one short statement.
    """
    attempt = _begin(app, username)
    return _finish(app, attempt, verify(attempt.target, password), password)


def _remaining_wait(account: _Account, now: datetime) -> int:
    if account.last_failed_at is None:
        return 0
    until = account.last_failed_at + wait_after(account.failed_logins)
    return max(0, int((until - now).total_seconds() + 0.999))


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random password with the same parameters: made on first need, not on import."""
    return _HASHER.hash(secrets.token_urlsafe(24))


# --- the web app's logins -----------------------------------------------------------------------

Disconnected = Callable[[], Awaitable[object]]


async def authenticate_async(
    app: App, username: str, password: str, *, client: str, disconnected: Disconnected | None = None
) -> Facilitator:
    """`authenticate` for the web app: a place in the bounded queue of password checks first
    (Busy when there is none, before any database work), argon2 in the helper process, and
    hashing.ClientGone when the client leaves while it waits. Refused at once when the
    installation signs in through its identity provider only."""
    oidc = app.settings.web.oidc
    if oidc is not None and not oidc.password_login:
        raise LoginRefused(PASSWORD_LOGIN_OFF)
    with hashing.VERIFIER.reserve(client) as slot:
        attempt = await anyio.to_thread.run_sync(_begin, app, username)
        matched = await slot.verify(attempt.target, password, disconnected=disconnected)
        return await anyio.to_thread.run_sync(_finish, app, attempt, matched, password)


@dataclass(frozen=True, slots=True)
class CurrentCheck:
    """The password page's check of the current password: right, or how it failed."""

    matched: bool
    failures: int = 0
    wait_seconds: int = 0


def _begin_current(app: App, user_id: int) -> _Attempt:
    with app.read() as session:
        row = session.connection().execute(_ACCOUNT_BY_ID, {"uid": user_id}).first()
    now = app.now()
    if row is None:
        return _Attempt(None, _dummy_hash(), 0, now)
    account = _Account(*row)
    wait = _remaining_wait(account, now)
    return _Attempt(account, _dummy_hash() if wait else account.password_hash, wait, now)


def _finish_current(app: App, attempt: _Attempt, matched: bool) -> CurrentCheck:
    account = attempt.account
    if account is None:
        return CurrentCheck(False)
    if attempt.wait:
        return CurrentCheck(False, account.failed_logins, attempt.wait)
    if matched:
        return CurrentCheck(True)
    # A wrong current password counts as a failed login: the same wait follows, so a stolen
    # session cannot guess the password faster than the login form.
    with app.transaction() as connection:
        failures = connection.execute(_FAILED, {"uid": account.id, "now": attempt.now}).scalar()
    failures = int(failures or 0)
    log.warning("user.wrong_current_password", user=account.username, failures=failures)
    return CurrentCheck(False, failures, 0)


async def check_current_password(
    app: App, user_id: int, password: str, *, client: str, disconnected: Disconnected | None = None
) -> CurrentCheck:
    """Whether `password` is the account's current one (the password page asks it); a wrong
    one counts as a failed login, and an account that must wait is not checked at all."""
    with hashing.VERIFIER.reserve(client) as slot:
        attempt = await anyio.to_thread.run_sync(_begin_current, app, user_id)
        matched = await slot.verify(attempt.target, password, disconnected=disconnected)
        return await anyio.to_thread.run_sync(_finish_current, app, attempt, matched)


# --- managing accounts ------------------------------------------------------------------------


def _find(connection: Connection, username: str) -> tuple[int, str, str]:
    login = (username or "").strip().lower()
    row = connection.execute(
        select(UT.c.id, UT.c.username, UT.c.name).where(UT.c.username == login)
    ).first()
    if row is None:
        raise NotFound(Text(f"gebruiker {login} bestaat niet", f"user {login} does not exist"))
    return int(row.id), str(row.username), str(row.name)


def end_sessions(connection: Connection, user_id: int) -> int:
    """Delete every web session of the user: each browser must log in again."""
    result = connection.execute(delete(ST).where(ST.c.user_id == user_id))
    return int(result.rowcount or 0)


_NAMES = select(m.Organisation.name).union(select(m.Procedure.governing_body))


def organisation_words(connection: Connection) -> list[str]:
    """The organisations and governing bodies on record: a password must not be built on them."""
    return [str(name) for name in connection.execute(_NAMES).scalars()]


SAME_PASSWORD = Text(
    "het nieuwe wachtwoord is gelijk aan het huidige; kies een ander (regel password.same)",
    "the new password is the same as the current one; choose another (rule password.same)",
)


def set_password(
    app: App,
    username: str,
    password: str,
    *,
    actor: str,
    field: str = "password",
    keep: Callable[[Connection, int], None] | None = None,
) -> dict[str, Any]:
    """A new password for the account; every session of it ends in the same transaction.

    The account is read and the password checked and hashed first (argon2, outside any
    transaction); then one transaction sets the hash and ends the sessions, and runs `keep`
    (the web app's new session for the browser that made the change) in the same transaction.
    The same password as now is refused.
    """
    with app.read() as session:
        connection = session.connection()
        user_id, login, name = _find(connection, username)
        current = connection.execute(
            select(UT.c.password_hash).where(UT.c.id == user_id)
        ).scalar_one()
        words = organisation_words(connection)
    passwords.check(password, username=login, name=name, field=field, words=words)
    if hashing.verify(current, password):
        raise InvalidInput(field, SAME_PASSWORD)
    hashed = _HASHER.hash(password)
    with app.transaction() as connection:
        changed = connection.execute(
            update(UT)
            .where(UT.c.id == user_id, UT.c.password_hash == current)
            .values(password_hash=hashed, failed_logins=0, last_failed_at=None)
        )
        if not changed.rowcount:
            # Deleted, or its password changed meanwhile by someone else: nothing is written.
            raise Conflict(
                Text(
                    f"het account {login} is intussen gewijzigd; er is niets opgeslagen",
                    f"the account {login} was changed meanwhile; nothing was saved",
                )
            )
        ended = end_sessions(connection, user_id)
        if keep is not None:
            keep(connection, user_id)
    log.warning("user.password_changed", user=login, actor=actor, sessions_ended=ended)
    return {"ok": True, "user": user_id, "username": login, "sessions_ended": ended}


def set_disabled(app: App, username: str, disabled: bool, *, actor: str) -> dict[str, Any]:
    """Disable (no login, every session ends at once) or enable an account again."""
    with app.transaction() as connection:
        user_id, login, _ = _find(connection, username)
        connection.execute(
            update(UT)
            .where(UT.c.id == user_id)
            .values(
                disabled_at=app.now() if disabled else None, failed_logins=0, last_failed_at=None
            )
        )
        ended = end_sessions(connection, user_id) if disabled else 0
    log.warning(
        "user.disabled" if disabled else "user.enabled",
        user=login,
        actor=actor,
        sessions_ended=ended,
    )
    return {
        "ok": True,
        "user": user_id,
        "username": login,
        "disabled": disabled,
        "sessions_ended": ended,
    }


def set_role(app: App, username: str, role: AccountRole | str, *, actor: str) -> dict[str, Any]:
    """Give the account another role; it holds from the account's next request on (a session
    reads its account's role with every request, so nobody needs to log in again)."""
    account_role = role_of(role)
    with app.transaction() as connection:
        user_id, login, _ = _find(connection, username)
        before = connection.execute(select(UT.c.role).where(UT.c.id == user_id)).scalar_one()
        connection.execute(update(UT).where(UT.c.id == user_id).values(role=account_role.value))
    log.warning(
        "user.role_changed", user=login, before=before, role=account_role.value, actor=actor
    )
    return {"ok": True, "user": user_id, "username": login, "role": account_role.value}


# --- accounts of the identity provider (OpenID Connect) -----------------------------------------

OIDC_UNKNOWN = Text(
    "U bent bij de identiteitsprovider ingelogd, maar hebt hier nog geen account. Vraag de "
    "beheerder van de hotspotmonitor om een account.",
    "You signed in at the identity provider, but have no account here yet. Ask the "
    "administrator of the hotspot monitor for an account.",
)
OIDC_DISABLED = Text(
    "Uw account is uitgezet. Vraag de beheerder van de hotspotmonitor om het weer aan te zetten.",
    "Your account has been disabled. Ask the administrator of the hotspot monitor to enable it.",
)


def link_oidc(app: App, username: str, *, issuer: str, subject: str, actor: str) -> dict[str, Any]:
    """Let the account sign in through the provider `issuer` as its user `subject`."""
    subject = validation.single_line("subject", subject, max_length=255)
    with app.transaction() as connection:
        user_id, login, _ = _find(connection, username)
        taken = connection.execute(
            select(UT.c.username).where(
                UT.c.oidc_issuer == issuer, UT.c.oidc_subject == subject, UT.c.id != user_id
            )
        ).scalar()
        if taken is not None:
            raise InvalidInput(
                "subject",
                Text(
                    f"deze gebruiker van de identiteitsprovider hoort al bij account {taken}",
                    f"this user of the identity provider already belongs to account {taken}",
                ),
            )
        connection.execute(
            update(UT).where(UT.c.id == user_id).values(oidc_issuer=issuer, oidc_subject=subject)
        )
    log.warning("user.oidc_linked", user=login, issuer=issuer, actor=actor)
    return {"ok": True, "user": user_id, "username": login, "issuer": issuer, "subject": subject}


def _free_username(connection: Connection, wanted: str) -> str:
    """`wanted` made a valid user name that is not taken yet (a number added if need be)."""
    base = re.sub(r"[^a-z0-9._-]+", "-", (wanted or "").strip().lower()).strip("-._")[:56]
    if len(base) < 2:
        base = "gebruiker"
    candidate, number = base, 1
    while connection.execute(select(UT.c.id).where(UT.c.username == candidate)).first():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def sign_in_oidc(
    app: App,
    *,
    issuer: str,
    subject: str,
    role: AccountRole,
    name: str,
    username_hint: str,
    create: bool,
) -> Facilitator:
    """The account the provider's (issuer, subject) belongs to, with the role the provider
    gives now; made when `create` and unknown, else LoginRefused with OIDC_UNKNOWN.

    The provider is the source of the role: a sign-in writes it to the account, so the
    organisation changes what somebody may do in one place.
    """
    full_name = (name or "").strip()[:200] or username_hint or subject
    with app.transaction() as connection:
        row = connection.execute(
            select(UT.c.id, UT.c.username, UT.c.name, UT.c.disabled_at, UT.c.role).where(
                UT.c.oidc_issuer == issuer, UT.c.oidc_subject == subject
            )
        ).first()
        if row is None:
            if not create:
                log.warning("user.oidc_unknown", issuer=issuer, subject=subject)
                raise LoginRefused(OIDC_UNKNOWN)
            login = _free_username(connection, username_hint or subject)
            user_id = connection.execute(
                insert(UT)
                .values(
                    username=login,
                    name=full_name,
                    # No password anybody knows: this account signs in through the provider.
                    password_hash=_dummy_hash(),
                    created_at=app.now(),
                    failed_logins=0,
                    role=role.value,
                    oidc_issuer=issuer,
                    oidc_subject=subject,
                )
                .returning(UT.c.id)
            ).scalar_one()
            log.warning("user.added", user=login, role=role.value, actor=f"oidc:{issuer}")
            return Facilitator(int(user_id), login, full_name, role)
        if row.disabled_at is not None:
            raise LoginRefused(OIDC_DISABLED)
        if row.role != role.value or (name and row.name != full_name):
            connection.execute(
                update(UT).where(UT.c.id == row.id).values(role=role.value, name=full_name)
            )
            if row.role != role.value:
                log.warning(
                    "user.role_changed",
                    user=row.username,
                    before=row.role,
                    role=role.value,
                    actor=f"oidc:{issuer}",
                )
        shown = full_name if name else str(row.name)
        return Facilitator(int(row.id), str(row.username), shown, role)


# --- ended sessions -----------------------------------------------------------------------------

# Rows deleted per transaction: each holds the write lock for a few milliseconds only, so a
# purge of a large backlog never holds up a login or a facilitator's write.
PURGE_BATCH = 500
# Batches per call; what is left waits for the next round of the worker.
PURGE_BATCHES = 20


def purge_sessions(
    app: App, now: datetime | None = None, *, batch: int = PURGE_BATCH, batches: int = PURGE_BATCHES
) -> int:
    """Delete ended web sessions (past their end, or idle too long) in small transactions.

    Run by the worker each round. An ended session is already refused when it is read; this
    only keeps the table small. Returns how many rows went.
    """
    moment = now or app.now()
    idle = timedelta(minutes=app.settings.web.session_idle_minutes)
    ended = or_(ST.c.expires_at <= moment, ST.c.last_seen_at <= moment - idle)
    some = select(ST.c.id_hash).where(ended).limit(batch).scalar_subquery()
    total = 0
    for _ in range(batches):
        with app.transaction() as connection:
            deleted = int(
                connection.execute(delete(ST).where(ST.c.id_hash.in_(some))).rowcount or 0
            )
        total += deleted
        if deleted < batch:
            break
    if total:
        log.info("sessions.purged", rows=total)
    return total


# --- the rows behind web sessions (workflow.web.session keeps the cookies and the rules) -----

_SESSION_ROW = (
    select(
        ST.c.user_id,
        ST.c.link_id,
        ST.c.csrf_token,
        ST.c.language,
        ST.c.data,
        ST.c.last_seen_at,
        ST.c.expires_at,
        UT.c.id.label("account"),
        UT.c.disabled_at,
        UT.c.role.label("account_role"),
    )
    .select_from(ST.outerjoin(UT, UT.c.id == ST.c.user_id))
    .where(ST.c.id_hash == bindparam("h"))
)
_TOUCH_SESSION = (
    update(ST).where(ST.c.id_hash == bindparam("h")).values(last_seen_at=bindparam("now"))
)


@dataclass(frozen=True, slots=True)
class WebSessionRow:
    """A stored web session with its account's state (None: no account, or it is gone)."""

    user_id: int | None
    link_id: int | None
    csrf_token: str | None
    language: str | None
    data: Any
    last_seen_at: datetime
    expires_at: datetime
    account: int | None
    disabled_at: datetime | None
    account_role: str | None


def load_web_session(connection: Connection, id_hash: str) -> WebSessionRow | None:
    row = connection.execute(_SESSION_ROW, {"h": id_hash}).first()
    return None if row is None else WebSessionRow(**row._asdict())


def insert_web_session(connection: Connection, values: dict[str, Any]) -> None:
    connection.execute(insert(ST).values(**values))


def update_web_session(connection: Connection, id_hash: str, values: dict[str, Any]) -> None:
    connection.execute(update(ST).where(ST.c.id_hash == id_hash).values(**values))


def delete_web_session(connection: Connection, id_hash: str) -> None:
    connection.execute(delete(ST).where(ST.c.id_hash == id_hash))


def touch_web_session(connection: Connection, id_hash: str, now: datetime) -> None:
    connection.execute(_TOUCH_SESSION, {"h": id_hash, "now": now})
