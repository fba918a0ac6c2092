"""Setting the milestones of the planning."""

from __future__ import annotations

from datetime import date
from typing import Any

from states.actions import Action
from workflow import validation
from workflow.app import App
from workflow.commands.base import changing
from workflow.db import models as m


def set_milestone(
    app: App, procedure_id: str, key: str, day: str | date, *, actor: str
) -> dict[str, Any]:
    due = validation.parse_date("DATE", day)
    with changing(app, procedure_id, actor, "milestone.set") as change:
        change.plan_deadlines = True
        change.require(Action.SET_MILESTONE)
        clean_key = validation.choice("KEY", key, change.config.planning.milestones)
        row = change.session.get(m.Milestone, (change.procedure.id, clean_key))
        previous = row.due.isoformat() if row else None
        if row is None:
            change.session.add(
                m.Milestone(procedure_id=change.procedure.id, key=clean_key, due=due)
            )
        else:
            row.due = due
        change.data = {"milestone": clean_key, "due": due.isoformat(), "previous": previous}
    return {
        "ok": True,
        "procedure": change.procedure.id,
        "milestone": clean_key,
        "due": due.isoformat(),
        "phase": change.procedure.phase,
        # What the new date did to the reminders (planned, moved, late), as audited.
        "reminders": change.data.get("reminders", {}),
    }
