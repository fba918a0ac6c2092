"""What a command did, as typed facts: recorded on its Change, handled in its transaction.

A command body or a transition records an event (`change.record(...)`); the unit of work
(workflow.unit_of_work) hands each one to the handlers registered for its type (mail,
deadline re-planning, the public list). The events are plain values: the ids of the rows the
command wrote, never the rows themselves, so a handler reads what the transaction holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from states.phases import Phase
from states.reminders import Facts, Rule


@dataclass(frozen=True, slots=True)
class Event:
    """The base of every event; a handler is registered for a subclass."""


@dataclass(frozen=True, slots=True)
class PhaseChanged(Event):
    """The procedure moved from one phase to another (advance, cancel, sent back)."""

    before: Phase
    after: Phase


@dataclass(frozen=True, slots=True)
class ListFrozen(Event):
    """Entering the decision phase froze a concept list: its advice is asked, it gets dates."""

    list_version: int


@dataclass(frozen=True, slots=True)
class ExpertsInvited(Event):
    """These experts (in this order) get an invitation with a fresh personal link."""

    expert_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ExpertAnswered(Event):
    """An expert accepted or declined; the answer is on their row."""

    expert_id: int


@dataclass(frozen=True, slots=True)
class SessionScheduled(Event):
    session_id: int


@dataclass(frozen=True, slots=True)
class SessionMoved(Event):
    session_id: int
    previous_at: datetime


@dataclass(frozen=True, slots=True)
class SessionCancelled(Event):
    session_id: int
    reason: str


@dataclass(frozen=True, slots=True)
class AdviceRecorded(Event):
    """The archivist's advice on a list version (the row's id); positive advice is proposed."""

    list_id: int
    positive: bool


@dataclass(frozen=True, slots=True)
class ListAdopted(Event):
    """The governing body adopted a list version (the row's id)."""

    list_id: int


@dataclass(frozen=True, slots=True)
class ListPublished(Event):
    """The adopted list's publication was recorded: it is announced and the public list follows."""

    reference: str


@dataclass(frozen=True, slots=True)
class DatesChanged(Event):
    """Something dated changed (a milestone, an inventory system, a planning run): re-plan."""


@dataclass(frozen=True, slots=True)
class ReminderDue(Event):
    """A due reminder the sweep found still relevant (any rule but the escalation)."""

    reminder_id: int
    rule: Rule
    subject: str
    due: date
    since: date | None
    facts: Facts


@dataclass(frozen=True, slots=True)
class MilestoneOverdue(Event):
    """A milestone's escalation reminder came due: management and the workgroup are told."""

    reminder_id: int
    key: str
    due: date
    facts: Facts


@dataclass(frozen=True, slots=True)
class WorkgroupNoticed(Event):
    """The facilitator sent the workgroup a message."""

    subject: str
    text: str


# Every event type a handler must exist for (checked by a test and at registration).
EVENT_TYPES: tuple[type[Event], ...] = (
    PhaseChanged,
    ListFrozen,
    ExpertsInvited,
    ExpertAnswered,
    SessionScheduled,
    SessionMoved,
    SessionCancelled,
    AdviceRecorded,
    ListAdopted,
    ListPublished,
    DatesChanged,
    ReminderDue,
    MilestoneOverdue,
    WorkgroupNoticed,
)
