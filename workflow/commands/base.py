"""The shape every changing command shares: load, check, change, audit, commit as one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.orm import Session

from states.actions import Action, require_phase
from states.config import RuleConfig
from states.errors import HotspotError
from states.phases import Phase
from workflow import audit, repository
from workflow.app import App
from workflow.db.models import Procedure

log = structlog.get_logger("hotspot")


@dataclass
class Change:
    """What one command is doing; the body fills `data` (and maybe `reason`) for the audit."""

    session: Session
    procedure: Procedure
    phase_before: Phase
    now: datetime
    actor: str
    data: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None

    @property
    def phase(self) -> Phase:
        return Phase(self.procedure.phase)

    @property
    def config(self) -> RuleConfig:
        return repository.rule_config(self.procedure)

    def require(self, action: Action) -> None:
        require_phase(action, self.phase)


@contextmanager
def changing(
    app: App, procedure_id: str, actor: str, action: str, *, reason: str | None = None
) -> Iterator[Change]:
    """Open the transaction, hand the loaded procedure to the body, then append the audit record.

    Any exception from the body rolls everything back, audit record included.
    """
    bound = log.bind(procedure=procedure_id, actor=actor, action=action)
    try:
        with app.write() as session:
            procedure = repository.get_procedure(session, procedure_id)
            change = Change(
                session, procedure, Phase(procedure.phase), app.now(), actor, reason=reason
            )
            yield change
            audit.append(
                session,
                procedure,
                action=action,
                actor=actor,
                now=change.now,
                phase_before=change.phase_before.value,
                data=change.data,
                reason=change.reason,
            )
    except HotspotError as error:
        # A refusal or bad input is business as usual: on record for operators, not an alarm.
        bound.info("command.not_done", error=error.kind, detail=str(error))
        raise
    except Exception as error:
        bound.error("command.failed", error=type(error).__name__, detail=str(error))
        raise
    bound.info("command.done", phase=procedure.phase)
