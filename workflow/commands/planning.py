"""Setting the milestones of the planning."""

from __future__ import annotations

from datetime import date
from typing import Any

from states.actions import Action
from states.config import MILESTONE_LABELS
from states.guards import require_plausible_milestone
from states.i18n import Text
from workflow import validation
from workflow.app import App
from workflow.commands.base import Change, run_change
from workflow.db import models as m
from workflow.events import DatesChanged


def set_milestone(
    app: App, procedure_id: str, key: str, day: str | date, *, actor: str
) -> dict[str, Any]:
    due = validation.parse_date("day", day)

    def body(change: Change) -> tuple[dict[str, Any], dict[str, Any]]:
        change.require(Action.SET_MILESTONE)
        clean_key = validation.choice("key", key, change.config.planning.milestones)
        label = MILESTONE_LABELS.get(clean_key, Text(clean_key, clean_key))
        require_plausible_milestone(clean_key, label, due, change.opened_at(), change.now)
        row = change.session.get(m.Milestone, (change.procedure.id, clean_key))
        previous = row.due.isoformat() if row else None
        if row is None:
            change.session.add(
                m.Milestone(procedure_id=change.procedure.id, key=clean_key, due=due)
            )
        else:
            row.due = due
        change.record(DatesChanged())
        change.data = {"milestone": clean_key, "due": due.isoformat(), "previous": previous}
        done = {
            "ok": True,
            "procedure": change.procedure.id,
            "milestone": clean_key,
            "due": due.isoformat(),
            "phase": change.procedure.phase,
        }
        # The audit data as it will be once the change is done: the planning adds to it.
        return done, change.data

    done, audited = run_change(app, procedure_id, actor, "milestone.set", body)
    # What the new date did to the reminders (planned, moved, late), as audited.
    return {**done, "reminders": audited.get("reminders", {})}
