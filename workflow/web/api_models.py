"""What the JSON API accepts and answers beyond the commands' own models.

The commands' inputs and results live in workflow/commands/schema.py (the declarations name
them); here are the API's own: logging in, the read answers and the error shapes. The
OpenAPI description is made from both. Every text field refuses control characters, as the
commands' inputs do.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from states.phases import Phase
from states.reminders import DeadlineKind, DeadlineState
from states.verdicts import Status

# The patterns the routes name for their path and query parameters.
from workflow.commands.schema import ACTION_PATTERN as ACTION_PATTERN
from workflow.commands.schema import EMAIL_PATTERN as EMAIL_PATTERN
from workflow.commands.schema import PROCEDURE_ID_PATTERN as PROCEDURE_ID_PATTERN
from workflow.commands.schema import SINGLE_LINE_PATTERN as SINGLE_LINE_PATTERN
from workflow.commands.schema import Body, single_line

# --- Requests -------------------------------------------------------------------------------


class Login(Body):
    username: Annotated[str, single_line(64)]
    # Long enough for any pass phrase, short enough that hashing it costs nothing special.
    password: Annotated[str, Field(min_length=1, max_length=1024, pattern=SINGLE_LINE_PATTERN)]


# --- Answers --------------------------------------------------------------------------------


class User(BaseModel):
    username: str
    name: str


class SessionInfo(BaseModel):
    ok: bool = True
    csrf_token: str = Field(description="Send it as the X-CSRF-Token header with every write.")
    user: User


class Ok(BaseModel):
    ok: bool = True


class ProcedureSummary(BaseModel):
    procedure: str
    organisation: str
    governing_body: str
    period: str
    phase: Phase
    version: int


class ProcedureList(BaseModel):
    ok: bool = True
    procedures: list[ProcedureSummary]


class VerdictOut(BaseModel):
    code: str
    status: Status
    message: str
    figures: str
    data: dict[str, Any]
    deviable: bool
    deviation_reason: str | None


class DeviationOut(BaseModel):
    rule: str
    reason: str
    actor: str
    recorded_at: datetime


class OverdueMilestone(BaseModel):
    key: str
    due: date
    days_overdue: int
    working_days_overdue: int


class ProcedureStatus(BaseModel):
    ok: bool = True
    procedure: str
    organisation: str
    governing_body: str
    period: str
    phase: Phase
    next_phase: Phase | None
    version: int
    cancel_reason: str | None
    blockers: list[VerdictOut] = Field(description="The rules that stop the next advance.")
    verdicts: list[VerdictOut]
    deviations: list[DeviationOut]
    milestones: dict[str, date]
    overdue_milestones: list[OverdueMilestone]
    counts: dict[str, int]


class ReminderOut(BaseModel):
    id: int
    rule: str
    rule_label: str
    offset: str
    occurrence: int
    planned_for: date
    due_at: datetime
    status: str
    status_label: str
    reason: str | None
    reason_label: str | None
    mails: int
    decided_at: datetime | None


class DeadlineOut(BaseModel):
    kind: DeadlineKind
    kind_label: str
    subject: str
    subject_label: str
    due: date | None
    at: datetime | None
    state: DeadlineState
    state_label: str
    reminders: list[ReminderOut]


class DeadlineOverview(BaseModel):
    ok: bool = True
    procedure: str
    today: date
    phase: Phase
    overdue_milestones: list[OverdueMilestone]
    deadlines: list[DeadlineOut]


class AuditRecordOut(BaseModel):
    seq: int
    recorded_at: str
    actor: str
    action: str
    phase_before: str | None
    phase_after: str
    data: dict[str, Any]
    reason: str | None
    prev_hash: str
    hash: str


class AuditPage(BaseModel):
    ok: bool = True
    procedure: str
    total: int = Field(description="Records that match the filters, on all pages together.")
    limit: int
    offset: int
    records: list[AuditRecordOut] = Field(description="Newest first.")


class OutboxMessageOut(BaseModel):
    id: int
    kind: str
    recipient_name: str
    recipient_email: str
    subject: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    sent_at: datetime | None
    last_error: str | None


class Outbox(BaseModel):
    ok: bool = True
    procedure: str
    messages: list[OutboxMessageOut] = Field(description="Newest first; no message bodies.")


# --- Errors ---------------------------------------------------------------------------------


class ApiError(BaseModel):
    """Every refusal: `error` is a stable code, `message` says why in the chosen language."""

    ok: Literal[False] = False
    error: str
    message: str


class Problem(BaseModel):
    loc: list[str]
    type: str
    message: str


class InvalidInputError(ApiError):
    field: str | None = None
    problems: list[Problem] = Field(
        default=[], description="Request validation: one entry per field that did not fit."
    )


class RefusedError(ApiError):
    codes: list[str] = []
    blockers: list[VerdictOut] = Field(
        default=[], description="The rules that refused the step, with their figures."
    )
