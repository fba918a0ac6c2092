"""What one command is doing inside its transaction, and how that transaction is closed.

`Change` is what every command body and every event handler (mail, deadline planning, the
public list) receives: the body records events on it (`record`), the unit of work
(workflow.unit_of_work) hands them to their handlers. `append_audit` writes its audit record
and the procedure's new version. Both live apart from the command machinery so that the
handlers (workflow.notify, workflow.deadlines) can take a Change without importing it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from notifications.settings import MailSettings
from states.actions import Action, require_phase
from states.config import RuleConfig
from states.phases import Phase
from states.reminders import DeadlineKind
from workflow import audit
from workflow.db import tables
from workflow.events import Event
from workflow.keys import KeyRing
from workflow.procedure_store import ProcedureRecord, save_procedure

if TYPE_CHECKING:
    from workflow.app import App

PROCEDURES = tables.procedures


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
    # What the command did, in order (workflow.events); `dispatched` of them were handled.
    events: list[Event] = field(default_factory=list)
    dispatched: int = 0
    # Deadline kinds to plan again once every event is handled (workflow.deadlines.handlers).
    replan: set[DeadlineKind] = field(default_factory=set)
    # Mails queued per due reminder (by its id), read back by the sweep.
    reminder_mails: dict[int, int] = field(default_factory=dict)
    # What follows only once the transaction committed (a file written from what it stored).
    committed: list[Callable[[App], None]] = field(default_factory=list, repr=False)
    _session: Session | None = None
    # The installation's keys (workflow.keys), read only by a command that signs something.
    _keys: Callable[[], KeyRing] | None = field(default=None, repr=False)

    @property
    def keys(self) -> KeyRing:
        if self._keys is None:  # pragma: no cover - the unit of work always sets it
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

    def record(self, event: Event) -> None:
        """Note what the command did; its handlers run before the audit record is written."""
        self.events.append(event)

    def after_commit(self, effect: Callable[[App], None]) -> None:
        """Run `effect` once this change's transaction has committed (never after a rollback)."""
        self.committed.append(effect)

    def require(self, action: Action) -> None:
        require_phase(action, self.phase)

    def opened_at(self) -> datetime:
        """When the procedure was opened: what its dates are checked against."""
        opened: datetime | None = self.connection.execute(
            select(PROCEDURES.c.created_at).where(PROCEDURES.c.id == self.procedure.id)
        ).scalar()
        assert opened is not None  # the procedure was just loaded in this transaction
        return opened


# What handles an event: the change it happened in and the event (a subclass of Event).
Handler = Callable[[Change, Any], None]


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
