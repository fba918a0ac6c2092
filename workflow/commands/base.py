"""The shape every changing command shares: load, check, change, audit, commit as one."""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import structlog
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from notifications.settings import MailSettings
from states.actions import Action, require_phase
from states.config import RuleConfig
from states.errors import Conflict, HotspotError, InvalidInput, Refused
from states.i18n import Text
from states.phases import Phase
from workflow import audit, deadlines, notify
from workflow.app import App
from workflow.db import models as m
from workflow.db.models import table_of
from workflow.deadlines.planning import ALL_KINDS, LIST_KINDS
from workflow.environment import brief
from workflow.keys import KeyRing
from workflow.procedure_store import ProcedureRecord, load_procedure, save_procedure

log = structlog.get_logger("hotspot")
PROCEDURES = table_of(m.Procedure)
T = TypeVar("T")


@dataclass
class Change:
    """What one command is doing; the body fills `data` (and maybe `reason`) for the audit."""

    connection: Connection
    procedure: ProcedureRecord
    phase_before: Phase
    now: datetime
    actor: str
    data: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    mail: MailSettings = field(default_factory=MailSettings)
    # Kinds of the mails this command queued, counted into its audit record.
    queued: dict[str, int] = field(default_factory=dict)
    # What the mail side read once in this command (the workgroup, the letterhead).
    memo: dict[str, Any] = field(default_factory=dict)
    # Set by a command that creates or moves a dated obligation; a phase change always does.
    plan_deadlines: bool = False
    _session: Session | None = None
    # The installation's keys (workflow.keys), read only by a command that signs something.
    _keys: Callable[[], KeyRing] | None = field(default=None, repr=False)

    @property
    def keys(self) -> KeyRing:
        if self._keys is None:  # pragma: no cover - changing() always sets it
            raise RuntimeError("this change has no key ring")
        return self._keys()

    @property
    def phase(self) -> Phase:
        return Phase(self.procedure.phase)

    @property
    def config(self) -> RuleConfig:
        return self.procedure.config

    @property
    def session(self) -> Session:
        """An ORM session inside the command's transaction, made when a command wants one.

        It never commits or rolls back on its own (`rollback_only`): the command's one
        transaction decides, so the ORM rows, the procedure and the audit record land together.
        """
        if self._session is None:
            self._session = Session(
                bind=self.connection, join_transaction_mode="rollback_only", autoflush=True
            )
        return self._session

    def flush(self) -> None:
        """Write the ORM rows the body added or changed, before the audit record."""
        if self._session is not None:
            self._session.flush()

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def require(self, action: Action) -> None:
        require_phase(action, self.phase)

    def opened_at(self) -> datetime:
        """When the procedure was opened: what its dates are checked against."""
        opened: datetime | None = self.connection.execute(
            select(PROCEDURES.c.created_at).where(PROCEDURES.c.id == self.procedure.id)
        ).scalar()
        assert opened is not None  # the procedure was just loaded in this transaction
        return opened


def _froze_a_list(change: Change) -> bool:
    # Entering the decision phase freezes a concept list: its advice and decision get dates.
    return change.phase is Phase.DECISION and change.phase_before is not Phase.DECISION


def append_audit(change: Change, action: str) -> None:
    """Close a change: its audit record, chained to the last one, and the procedure's version."""
    if change.queued:
        change.data["mail"] = dict(sorted(change.queued.items()))
    record = audit.next_record(
        change.procedure,
        action=action,
        actor=change.actor,
        now=change.now,
        phase_before=change.phase_before.value,
        data=change.data,
        reason=change.reason,
    )
    audit.insert_record(change.connection, record)
    # Version checked here: a concurrent change to the same procedure makes this fail (or the
    # audit insert above, on the same sequence number); both roll back.
    save_procedure(change.connection, change.procedure)


@contextmanager
def changing(
    app: App,
    procedure_id: str,
    actor: str,
    action: str,
    *,
    reason: str | None = None,
    expected_version: int | None = None,
) -> Iterator[Change]:
    """One transaction: hand the loaded procedure to the body, then append the audit record.

    Any exception from the body rolls everything back, audit record included. With
    `expected_version` (the version its user saw) a procedure stored at another version is
    refused as Conflict before anything is checked. This runs the body once; a command runs
    its body through `run_change`, which runs it again after a collision.
    """
    bound = log.bind(procedure=procedure_id, actor=actor, action=action)
    try:
        with app.transaction() as connection:
            procedure = load_procedure(connection, procedure_id)
            if expected_version is not None and procedure.version != expected_version:
                raise Conflict(changed_since_seen(expected_version, procedure.version))
            change = Change(
                connection,
                procedure,
                Phase(procedure.phase),
                app.now(),
                actor,
                reason=reason,
                mail=app.settings.mail,
                _keys=lambda: app.keys,
            )
            try:
                yield change
                notify.after_change(change)
                if change.plan_deadlines or _froze_a_list(change):
                    # The planning reads through the connection: the ORM rows must be there.
                    change.flush()
                    kinds = ALL_KINDS if change.plan_deadlines else LIST_KINDS
                    planned = deadlines.refresh(change, kinds)
                    if planned:
                        change.data["reminders"] = planned
                change.flush()
            finally:
                change.close()
            append_audit(change, action)
    except HotspotError as error:
        # A refusal or bad input is business as usual: on record for operators, not an alarm.
        # Its kind, rule codes and field only: the message may hold a name or an address.
        bound.info("command.not_done", **_outline(error))
        raise
    except Exception as error:
        # The class and the driver's first line, never the statement or its parameters (the
        # names and addresses being written).
        bound.error("command.failed", error=type(error).__name__, detail=brief(error))
        raise
    bound.info("command.done", phase=procedure.phase)


def _outline(error: HotspotError) -> dict[str, Any]:
    found: dict[str, Any] = {"error": error.kind}
    if isinstance(error, Refused):
        found["rules"] = error.codes
    if isinstance(error, InvalidInput):
        found["field"] = error.field
    return found


def run_change(
    app: App,
    procedure_id: str,
    actor: str,
    action: str,
    body: Callable[[Change], T],
    *,
    reason: str | None = None,
) -> T:
    """Run one command's transaction body; after a collision, run it again (see `retried`).

    `body` is a function of input already read and checked (a file read once, a prompt
    answered once): it reads the procedure afresh from `change` and re-checks every rule each
    time, and nothing it does lasts unless its transaction commits. Inside `seen_version`, the
    first change is checked against the version its user saw and is never run again: a
    procedure changed since is "changed by someone else".
    """
    expected = _SEEN.get()

    def once() -> T:
        with changing(
            app, procedure_id, actor, action, reason=reason, expected_version=expected
        ) as current:
            return body(current)

    if expected is None:
        return retried(once)
    # What the user saw applies to the first change their request makes; a second one (revoke,
    # then invite again) follows from the first.
    _SEEN.set(None)
    return once()


# --- the version a user saw, and running a transaction again after a collision -------------


# The procedure version the user of the current request saw (a form's hidden field, an API
# write's `version`), set by the web faces with `seen_version`; None on the command line.
_SEEN: ContextVar[int | None] = ContextVar("hotspot_seen_version", default=None)

# Twenty writers at once on one procedure all get through within these (a test proves it on
# PostgreSQL); a collision that outlasts them is reported as Conflict (exit 5, 409).
RETRY_ATTEMPTS = 10
RETRY_FIRST_DELAY = 0.05
RETRY_MAX_DELAY = 1.0


@contextmanager
def seen_version(version: int | None) -> Iterator[None]:
    """Within the block, the first `run_change` expects the procedure at `version` (if not None)."""
    token = _SEEN.set(version)
    try:
        yield
    finally:
        _SEEN.reset(token)


def expect_version(version: int | None) -> None:
    """Record the version the current request's user saw, inside its `seen_version` block."""
    if version is not None:
        _SEEN.set(version)


def changed_since_seen(seen: int, stored: int) -> Text:
    return Text(
        f"De procedure is gewijzigd sinds u haar bekeek (u zag versie {seen}, nu is het versie "
        f"{stored}); er is niets opgeslagen. Bekijk de procedure opnieuw en probeer het dan "
        "nog eens.",
        f"The procedure was changed since you looked at it (you saw version {seen}, it is now "
        f"version {stored}); nothing was saved. Look at the procedure again, then try again.",
    )


def retry_delay(retry: int) -> float:
    """Seconds before re-run `retry` (0 first): capped exponential backoff with jitter.

    The jitter spreads writers that collided at once, so they do not collide again.
    """
    ceiling = min(RETRY_MAX_DELAY, RETRY_FIRST_DELAY * 2**retry)
    return random.uniform(ceiling / 4, ceiling)


def retried(transaction: Callable[[], T], *, attempts: int = RETRY_ATTEMPTS) -> T:
    """Run one transaction; on Conflict run it again, up to `attempts` times in all.

    Only for a transaction that is the whole of what it does: it re-reads and re-checks
    everything, and a run that collided left nothing behind (its transaction rolled back).
    A long-running command (serve, worker, demo, mail send) is never wrapped: each of its
    commands retries on its own.
    """
    for retry in itertools.count():
        try:
            return transaction()
        except Conflict:
            if retry + 1 >= attempts:
                raise
        log.info("command.retry", attempt=retry + 1)
        time.sleep(retry_delay(retry))
    raise AssertionError("unreachable")  # pragma: no cover
