"""Setting the milestones of the planning."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from states.actions import Action
from states.config import MILESTONE_LABELS
from states.errors import InvalidInput
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


def _planned_dates(dates: Mapping[str, str | date] | Sequence[str]) -> dict[str, date]:
    """The dates to set, by milestone key: a mapping (API, form) or KEY=DATE words (CLI);
    an empty date leaves its milestone as it is."""
    pairs: list[tuple[str, str | date]] = []
    if isinstance(dates, Mapping):
        pairs = list(dates.items())
    else:
        for word in dates:
            key, sep, day = str(word).partition("=")
            if not sep:
                raise InvalidInput(
                    "dates",
                    Text(
                        f"{word!r} is geen mijlpaal met datum; schrijf sleutel=JJJJ-MM-DD",
                        f"{word!r} is no milestone with a date; write key=YYYY-MM-DD",
                    ),
                )
            pairs.append((key.strip(), day.strip()))
    return {
        key: validation.parse_date("dates", day)
        for key, day in pairs
        if isinstance(day, date) or str(day).strip()
    }


def set_milestones(
    app: App, procedure_id: str, *, dates: Mapping[str, str | date] | Sequence[str], actor: str
) -> dict[str, Any]:
    """Set several milestones in one step (the planning form's ten dates): all or none."""
    wanted = _planned_dates(dates)
    if not wanted:
        raise InvalidInput(
            "dates",
            Text("vul ten minste één datum in", "fill in at least one date"),
        )

    def body(change: Change) -> tuple[dict[str, Any], dict[str, Any]]:
        change.require(Action.SET_MILESTONE)
        changed: dict[str, dict[str, str | None]] = {}
        for key, due in wanted.items():
            clean_key = validation.choice("dates", key, change.config.planning.milestones)
            label = MILESTONE_LABELS.get(clean_key, Text(clean_key, clean_key))
            require_plausible_milestone(clean_key, label, due, change.opened_at(), change.now)
            row = change.session.get(m.Milestone, (change.procedure.id, clean_key))
            if row is not None and row.due == due:
                continue  # unchanged: nothing to plan again, nothing to audit
            previous = row.due.isoformat() if row else None
            if row is None:
                change.session.add(
                    m.Milestone(procedure_id=change.procedure.id, key=clean_key, due=due)
                )
            else:
                row.due = due
            changed[clean_key] = {"due": due.isoformat(), "previous": previous}
        if changed:
            change.record(DatesChanged())
        change.data = {"milestones": changed}
        done = {
            "ok": True,
            "procedure": change.procedure.id,
            "changed": sorted(changed),
            "phase": change.procedure.phase,
        }
        return done, change.data

    done, audited = run_change(app, procedure_id, actor, "milestones.plan", body)
    return {**done, "reminders": audited.get("reminders", {})}
