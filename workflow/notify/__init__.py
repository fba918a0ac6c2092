"""Who is told what after a step: recipients and contexts, queued in the step's transaction.

Every function here runs inside a command's transaction (a `Change`), renders one message per
recipient in that person's language and writes it to the outbox. A refused or rolled-back step
therefore never sends anything.
"""

from __future__ import annotations

from workflow.notify.messages import (
    advice_request,
    expert_invitations,
    expert_response,
    list_adopted,
    milestone_overdue,
    phase_changed,
    proposal,
    publication,
    session_calendar,
    session_mails,
)

__all__ = [
    "advice_request",
    "expert_invitations",
    "expert_response",
    "list_adopted",
    "milestone_overdue",
    "phase_changed",
    "proposal",
    "publication",
    "session_calendar",
    "session_mails",
]
