"""Which event makes the deadlines be planned again, and planning them once per command.

The handlers only note the kinds of deadline an event touched (`change.replan`); `plan_again`
runs when every event is handled, so a command plans once, after the mail handlers (the
invitation links read the rows planning also reads), whatever number of events it recorded.
"""

from __future__ import annotations

from workflow.change import Change, Handler
from workflow.deadlines.planning import ALL_KINDS, LIST_KINDS, refresh
from workflow.events import (
    DatesChanged,
    Event,
    ExpertsInvited,
    ListFrozen,
    SessionCancelled,
    SessionMoved,
    SessionScheduled,
)


def replan_all(change: Change, _event: Event) -> None:
    change.replan.update(ALL_KINDS)


def replan_list(change: Change, _event: Event) -> None:
    # A frozen list: only its advice and decision get dates.
    change.replan.update(LIST_KINDS)


def plan_again(change: Change) -> None:
    """Plan the kinds the handled events touched; nothing when none did."""
    if not change.replan:
        return
    kinds = frozenset(change.replan)
    change.replan.clear()
    # The planning reads through the connection: the ORM rows must be there.
    change.flush()
    planned = refresh(change, kinds)
    if planned:
        change.data["reminders"] = planned


PLANNING_HANDLERS: tuple[tuple[type[Event], Handler], ...] = (
    (ExpertsInvited, replan_all),
    (SessionScheduled, replan_all),
    (SessionMoved, replan_all),
    (SessionCancelled, replan_all),
    (DatesChanged, replan_all),
    (ListFrozen, replan_list),
)
