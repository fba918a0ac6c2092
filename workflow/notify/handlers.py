"""Which event queues which mail: the mail handlers, registered at start-up.

Each handler reads the rows its event names through the command's ORM session (the rows the
body just wrote are in its identity map) and queues its mails in the same transaction.
"""

from __future__ import annotations

from notifications.kinds import MailKind
from states.reminders import Rule
from workflow.actors import person_name
from workflow.change import Change, Handler
from workflow.db import models as m
from workflow.events import (
    AdviceRecorded,
    Event,
    ExpertAnswered,
    ExpertsInvited,
    ListAdopted,
    ListFrozen,
    ListPublished,
    MilestoneOverdue,
    PhaseChanged,
    ReminderDue,
    SessionCancelled,
    SessionMoved,
    SessionScheduled,
    WorkgroupNoticed,
)
from workflow.notify.context import send
from workflow.notify.messages import (
    advice_request,
    expert_invitations,
    expert_response,
    list_adopted,
    phase_changed,
    proposal,
    publication,
    session_mails,
)
from workflow.notify.recipients import members
from workflow.notify.reminders import send_reminder


def _session(change: Change, session_id: int) -> m.ExpertSession:
    row = change.session.get(m.ExpertSession, session_id)
    assert row is not None  # the body wrote it in this transaction
    return row


def _list(change: Change, list_id: int) -> m.ListVersion:
    row = change.session.get(m.ListVersion, list_id)
    assert row is not None
    return row


def _expert(change: Change, expert_id: int) -> m.Expert:
    row = change.session.get(m.Expert, expert_id)
    assert row is not None
    return row


def on_phase_changed(change: Change, event: PhaseChanged) -> None:
    phase_changed(change, event.before, event.after)


def on_list_frozen(change: Change, _event: ListFrozen) -> None:
    advice_request(change)


def on_experts_invited(change: Change, event: ExpertsInvited) -> None:
    expert_invitations(change, [_expert(change, i) for i in event.expert_ids])


def on_expert_answered(change: Change, event: ExpertAnswered) -> None:
    expert_response(change, _expert(change, event.expert_id))


def on_session_scheduled(change: Change, event: SessionScheduled) -> None:
    session_mails(change, _session(change, event.session_id), MailKind.SESSION_INVITATION)


def on_session_moved(change: Change, event: SessionMoved) -> None:
    row = _session(change, event.session_id)
    session_mails(change, row, MailKind.SESSION_UPDATE, previous_at=event.previous_at)


def on_session_cancelled(change: Change, event: SessionCancelled) -> None:
    row = _session(change, event.session_id)
    session_mails(change, row, MailKind.SESSION_CANCELLED, reason=event.reason)


def on_advice_recorded(change: Change, event: AdviceRecorded) -> None:
    # Positive advice makes the list a proposal to the governing body; negative advice sends
    # the procedure back, which its PhaseChanged announces.
    if event.positive:
        proposal(change, _list(change, event.list_id))


def on_list_adopted(change: Change, event: ListAdopted) -> None:
    list_adopted(change, _list(change, event.list_id))


def on_list_published(change: Change, _event: ListPublished) -> None:
    row = change.session.get(m.Publication, change.procedure.id)
    assert row is not None
    publication(change, row)


def on_reminder_due(change: Change, event: ReminderDue) -> None:
    change.reminder_mails[event.reminder_id] = send_reminder(
        change, event.rule, event.subject, event.due, event.since, event.facts
    )


def on_milestone_overdue(change: Change, event: MilestoneOverdue) -> None:
    change.reminder_mails[event.reminder_id] = send_reminder(
        change, Rule.ESCALATION, event.key, event.due, None, event.facts
    )


def on_workgroup_noticed(change: Change, event: WorkgroupNoticed) -> None:
    send(
        change,
        MailKind.WORKGROUP_NOTICE,
        members(change),
        lambda _person, lang: {
            "subject": event.subject,
            "text": event.text,
            "actor": person_name(change.connection, change.procedure.id, change.actor, lang),
        },
    )


MAIL_HANDLERS: tuple[tuple[type[Event], Handler], ...] = (
    (PhaseChanged, on_phase_changed),
    (ListFrozen, on_list_frozen),
    (ExpertsInvited, on_experts_invited),
    (ExpertAnswered, on_expert_answered),
    (SessionScheduled, on_session_scheduled),
    (SessionMoved, on_session_moved),
    (SessionCancelled, on_session_cancelled),
    (AdviceRecorded, on_advice_recorded),
    (ListAdopted, on_list_adopted),
    (ListPublished, on_list_published),
    (ReminderDue, on_reminder_due),
    (MilestoneOverdue, on_milestone_overdue),
    (WorkgroupNoticed, on_workgroup_noticed),
)
