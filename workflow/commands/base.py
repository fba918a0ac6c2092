"""The shape every changing command shares: load, check, change, audit, commit as one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from notifications.settings import MailSettings
from states.actions import Action, require_phase
from states.config import RuleConfig
from states.errors import HotspotError
from states.phases import Phase
from workflow import audit, deadlines, notify
from workflow.app import App
from workflow.deadlines.planning import ALL_KINDS, LIST_KINDS
from workflow.procedure_store import ProcedureRecord, load_procedure, save_procedure

log = structlog.get_logger("hotspot")


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
    app: App, procedure_id: str, actor: str, action: str, *, reason: str | None = None
) -> Iterator[Change]:
    """Open the transaction, hand the loaded procedure to the body, then append the audit record.

    Any exception from the body rolls everything back, audit record included.
    """
    bound = log.bind(procedure=procedure_id, actor=actor, action=action)
    try:
        with app.transaction() as connection:
            procedure = load_procedure(connection, procedure_id)
            change = Change(
                connection,
                procedure,
                Phase(procedure.phase),
                app.now(),
                actor,
                reason=reason,
                mail=app.settings.mail,
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
        bound.info("command.not_done", error=error.kind, detail=str(error))
        raise
    except Exception as error:
        bound.error("command.failed", error=type(error).__name__, detail=str(error))
        raise
    bound.info("command.done", phase=procedure.phase)
